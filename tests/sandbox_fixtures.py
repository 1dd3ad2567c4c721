"""Pytest plugin: the sandbox provider APIs over real HTTP, for integration tests.

    def test_something(sandbox_clean):          # faults and budgets reset afterwards
        base = sandbox_clean.url_for("recruitee")   # http://127.0.0.1:<port>/recruitee
        sandbox_clean.set_faults("recruitee", error_rate=1, error_statuses=[503], max_faults=1)
        ...
        assert sandbox_clean.count("recruitee_candidates") == 61

`sandbox` is session-scoped: one server thread on a free port, backed by a
temporary SQLite file seeded with the small data set. Records a test creates
stay for the session unless it calls `reseed()`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings

from integrations.sandbox.app import SandboxApp
from integrations.sandbox.credentials import DEMO_CREDENTIALS
from integrations.sandbox.faults import FaultConfig
from integrations.sandbox.seed import SMALL, SeedSizes
from integrations.sandbox.server import RunningSandbox, start_in_thread
from integrations.sandbox.store import SandboxStore

SEED = 1234


@dataclass
class Sandbox:
    running: RunningSandbox
    credentials = DEMO_CREDENTIALS

    @property
    def url(self) -> str:
        return self.running.url

    @property
    def app(self) -> SandboxApp:
        return self.running.app

    @property
    def store(self) -> SandboxStore:
        return self.running.app.store

    def url_for(self, provider: str) -> str:
        """The base URL a connection to this fake uses (its prefix included)."""
        return self.url + self.app.apis[provider].prefix

    def set_faults(self, provider: str, **settings: Any) -> None:
        """Replace a provider's faults ("all" for every one); see FaultConfig for the keys."""
        self.app.set_faults(provider, FaultConfig.from_dict(settings))

    def reset_faults(self) -> None:
        """No faults, fresh rate-limit budgets."""
        self.app.reset()

    def expire_tokens(self) -> None:
        """Expire every OAuth access token the project tool issued."""
        self.app.projects.expire_tokens()

    def count(self, table: str) -> int:
        return self.store.count(table)

    def record(self, sql: str, params: tuple[Any, ...] = ()) -> dict[str, Any] | None:
        """One stored JSON payload, e.g. `record("SELECT payload FROM asana_projects LIMIT 1")`."""
        return self.store.payload(sql, params)

    def reseed(self, sizes: SeedSizes = SMALL, seed: int = SEED) -> None:
        self.app.seed(sizes, seed)


@pytest.fixture(scope="session")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    store = SandboxStore(tmp_path_factory.mktemp("sandbox") / "sandbox.sqlite3")
    app = SandboxApp(store, settings.SANDBOX_FAKES, oauth_token_ttl=3600)
    app.seed(SMALL, SEED)
    running = start_in_thread(app)
    yield Sandbox(running)
    running.stop()


@pytest.fixture
def sandbox_clean(sandbox: Sandbox) -> Iterator[Sandbox]:
    """The session's sandbox; its faults and budgets are reset after the test."""
    yield sandbox
    sandbox.reset_faults()
