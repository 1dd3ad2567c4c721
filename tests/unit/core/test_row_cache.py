"""Rendered rows come from the cache in one call; only missing rows are prepared and rendered."""

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


def _render(rows, prepared):
    return rendered_rows(
        rows,
        template_name="partials/test_row.html",
        name="row",
        key=lambda row: f"{row.pk}:{row.version}",
        prepare=prepared.extend,
    )


@pytest.fixture(autouse=True)
def row_template(settings, tmp_path):
    (tmp_path / "partials").mkdir()
    (tmp_path / "partials" / "test_row.html").write_text("<tr><td>{{ row.name }}</td></tr>")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path]}]


def test_rows_are_rendered_escaped_and_in_order():
    prepared = []
    html = _render([Row(1, "Ann"), Row(2, "<b>Bo</b>")], prepared)
    assert html == ["<tr><td>Ann</td></tr>", "<tr><td>&lt;b&gt;Bo&lt;/b&gt;</td></tr>"]
    assert [row.pk for row in prepared] == [1, 2]


def test_cached_rows_are_neither_prepared_nor_rendered_again():
    _render([Row(1, "Ann"), Row(2, "Bo")], [])
    prepared = []
    html = _render([Row(1, "changed but same key"), Row(3, "Cy")], prepared)
    assert html == ["<tr><td>Ann</td></tr>", "<tr><td>Cy</td></tr>"]
    assert [row.pk for row in prepared] == [3]


def test_a_new_key_renders_the_row_again():
    _render([Row(1, "Ann")], [])
    prepared = []
    assert _render([Row(1, "Anna", version=2)], prepared) == ["<tr><td>Anna</td></tr>"]
    assert len(prepared) == 1
