"""Fixtures for Jotter's tests (run with examples.jotter.settings: see tests/recipe/).

The suite's shared fixtures are imported from tests/ (`sandbox`, `sandbox_connection`,
`logged_in_client`, `immediate_tasks`, a clean cache): this directory is not under
tests/, so their conftest does not apply here by itself.
"""

from __future__ import annotations

import pytest
import responses

from examples.jotter.provider import PROVIDER
from integrations.http import call_log
from integrations.http.auth import BearerAuth
from integrations.http.client import ApiClient
from tests.conftest import (  # noqa: F401 - fixtures
    empty_cache,
    immediate_tasks,
    logged_in_client,
    sandbox_connection,
    user,
)
from tests.sandbox_fixtures import sandbox, sandbox_clean  # noqa: F401 - fixtures

BASE = "https://api.jotter.example/v1"
TOKEN = "tok-jotter-SECRET"


@pytest.fixture(autouse=True)
def _static_files_unhashed(settings):
    """Static URLs without the manifest: the suite's own tests check collected files."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _isolated(monkeypatch):
    """Retries back off without sleeping; no call-log rows leak between tests."""
    monkeypatch.setattr(ApiClient, "sleep", lambda seconds: None)
    yield
    call_log.buffer.clear()


@pytest.fixture
def rsps():
    """Mocked HTTP: an unregistered URL fails the test, so no real call is possible."""
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        yield mock


@pytest.fixture
def api() -> ApiClient:
    return ApiClient(
        provider=PROVIDER,
        base_url=BASE,
        auth=BearerAuth(TOKEN),
        record_calls=False,
        rate_limiting=False,
    )
