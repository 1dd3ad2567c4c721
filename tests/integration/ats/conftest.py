"""Candidates and offers against the sandbox over real HTTP, synced the way a worker syncs."""

import pytest

from ats.sync import CANDIDATES, OFFERS
from integrations.http import call_log
from integrations.http.client import ApiClient
from integrations.sync.engine import sync_resource


@pytest.fixture(autouse=True)
def _no_sleep(monkeypatch):
    """Retries back off without sleeping, so a sandbox fault costs no wall time."""
    monkeypatch.setattr(ApiClient, "sleep", lambda seconds: None)
    yield
    call_log.buffer.clear()


@pytest.fixture
def recruitee(sandbox_connection, immediate_tasks):
    """A Recruitee connection to the sandbox, with offers and candidates synced."""
    connection = sandbox_connection("recruitee")
    for resource in (OFFERS, CANDIDATES):
        run = sync_resource(connection=connection, resource=resource, full=True)
        assert run.status == "succeeded", run.error
    return connection


@pytest.fixture
def sent(monkeypatch):
    """Every request the hub's client sends: (method, path, json)."""
    calls: list[tuple[str, str, object]] = []
    original = ApiClient.request

    def spy(self, method, path, **kwargs):
        calls.append((method.upper(), path, kwargs.get("json")))
        return original(self, method, path, **kwargs)

    monkeypatch.setattr(ApiClient, "request", spy)
    return calls
