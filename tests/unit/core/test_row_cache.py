"""Rendered rows come from the cache in one call; only missing rows are loaded and rendered."""

from dataclasses import dataclass

import pytest
from django.core.cache import cache

from core.row_cache import rendered_rows


@dataclass
class Row:
    pk: int
    name: str
    version: int = 1


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


def _render(rows, loaded):
    def load(pks):
        loaded.extend(pks)
        return {row.pk: row for row in rows if row.pk in pks and row.name != "deleted"}

    return rendered_rows(
        rows,
        template_name="partials/test_row.html",
        name="row",
        key=lambda row: f"{row.pk}:{row.version}",
        load=load,
    )


@pytest.fixture(autouse=True)
def row_template(settings, tmp_path):
    (tmp_path / "partials").mkdir()
    (tmp_path / "partials" / "test_row.html").write_text("<tr><td>{{ row.name }}</td></tr>")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path]}]


def test_rows_are_rendered_escaped_and_in_order():
    loaded = []
    html = _render([Row(2, "<b>Bo</b>"), Row(1, "Ann")], loaded)
    assert html == ["<tr><td>&lt;b&gt;Bo&lt;/b&gt;</td></tr>", "<tr><td>Ann</td></tr>"]
    assert sorted(loaded) == [1, 2]


def test_cached_rows_are_neither_loaded_nor_rendered_again():
    _render([Row(1, "Ann"), Row(2, "Bo")], [])
    loaded = []
    html = _render([Row(1, "changed but same key"), Row(3, "Cy")], loaded)
    assert html == ["<tr><td>Ann</td></tr>", "<tr><td>Cy</td></tr>"]
    assert loaded == [3]


def test_a_new_key_renders_the_row_again():
    _render([Row(1, "Ann")], [])
    loaded = []
    assert _render([Row(1, "Anna", version=2)], loaded) == ["<tr><td>Anna</td></tr>"]
    assert loaded == [1]


def test_a_row_deleted_before_it_could_be_loaded_is_left_out():
    assert _render([Row(1, "Ann"), Row(2, "deleted")], []) == ["<tr><td>Ann</td></tr>"]
