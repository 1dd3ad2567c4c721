"""The registry lines a provider is named in (docs/adding-a-provider.md): what each refuses,
and what a fake's own tables get from the sandbox."""

from __future__ import annotations

import random
import sqlite3

import pytest

from integrations.http.errors import ConfigurationError
from integrations.providers import PROVIDERS, load_providers
from integrations.sandbox.app import SandboxApp
from integrations.sandbox.base import FakeApi
from integrations.sandbox.router import Router
from integrations.sandbox.seed import SeedSizes
from integrations.sandbox.store import SandboxStore


def test_providers_load_in_the_order_of_the_setting(settings):
    assert list(load_providers(settings.INTEGRATIONS_PROVIDERS)) == list(PROVIDERS)


@pytest.mark.parametrize(
    ("paths", "message"),
    [
        (["integrations.providers.asana.PROVIDER"] * 2, "listed twice"),
        (["integrations.providers.asana.Asana"], "not a Provider instance"),
    ],
)
def test_a_repeated_or_wrong_provider_line_is_a_configuration_error(paths, message):
    with pytest.raises(ConfigurationError, match=message):
        load_providers(paths)


class TinyApi(FakeApi):
    """A fake with a table of its own, as a new provider's fake has."""

    name, prefix = "tiny", "/tiny"
    schema = "CREATE TABLE IF NOT EXISTS tiny_things (id INTEGER PRIMARY KEY, payload TEXT);"
    tables = ("tiny_things",)

    def add_routes(self, router: Router) -> None:
        """No routes: this test never serves it."""

    def seed(self, conn: sqlite3.Connection, rng: random.Random) -> None:
        conn.executemany("INSERT INTO tiny_things VALUES (?, '{}')", [(1,), (2,), (3,)])


def test_a_fakes_own_tables_are_created_seeded_counted_and_cleared(settings, tmp_path):
    store = SandboxStore(tmp_path / "sandbox.sqlite3")
    app = SandboxApp(store, [*settings.SANDBOX_FAKES, f"{__name__}.TinyApi"])
    assert store.is_empty() and "tiny" in app.apis
    app.seed(SeedSizes(candidates=2, offers=1, organizations=1, persons=1, projects=1), seed=3)
    assert store.count("tiny_things") == 3 and store.count("recruitee_candidates") == 2
    store.clear()
    assert store.count("tiny_things") == 0 and store.is_empty()


def test_a_fake_line_must_name_a_fake_once(settings, tmp_path):
    store = SandboxStore(tmp_path / "sandbox.sqlite3")
    with pytest.raises(ValueError, match="not a FakeApi subclass"):
        SandboxApp(store, ["integrations.sandbox.store.SandboxStore"])
    with pytest.raises(ValueError, match="Two sandbox fakes are named 'asana'"):
        SandboxApp(store, ["integrations.sandbox.asana.AsanaApi"] * 2)
