"""Fixtures for the ats unit tests: mocked Recruitee HTTP, no sleeping, a clean cache."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import responses
from django.core.cache import cache

from integrations.http import call_log
from integrations.http.auth import BearerAuth
from integrations.http.client import ApiClient
from integrations.models import Connection
from integrations.providers import PROVIDERS

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "recruitee"
BASE = "https://api.recruitee.com/c/1"
TOKEN = "tok-recruitee-SECRET"


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


@pytest.fixture(autouse=True)
def _isolated(monkeypatch):
    cache.clear()
    call_log.buffer.clear()
    monkeypatch.setattr(ApiClient, "sleep", lambda seconds: None)
    yield
    call_log.buffer.clear()


@pytest.fixture
def rsps():
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        yield mock


@pytest.fixture
def api() -> ApiClient:
    return ApiClient(
        provider=PROVIDERS["recruitee"],
        base_url=BASE,
        auth=BearerAuth(TOKEN),
        record_calls=False,
        rate_limiting=False,
    )


@pytest.fixture
def connection(db):
    """A Recruitee connection to the real base URL (every call is mocked)."""

    return Connection.objects.create(
        provider="recruitee",
        name="test",
        base_url="https://api.recruitee.com",
        company_id="1",
        api_token=TOKEN,
    )
