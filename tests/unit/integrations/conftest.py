"""Fixtures for the integration core: mocked HTTP, no real sleeping, a clean cache."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import responses
from django.core.cache import cache

from integrations.http import call_log
from integrations.http.auth import Auth, BearerAuth, clear_token_cache
from integrations.http.client import ApiClient
from integrations.providers import PROVIDERS

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
SECRET = "tok-SECRET-5f4e3d2c1b"


def fixture(provider: str, name: str) -> Any:
    return json.loads((FIXTURES / provider / name).read_text())


@pytest.fixture(autouse=True)
def _isolated() -> Iterator[None]:
    cache.clear()
    clear_token_cache()
    call_log.buffer.clear()
    yield
    call_log.buffer.clear()
    clear_token_cache()


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Every sleep the client asks for, instead of sleeping."""
    waits: list[float] = []
    monkeypatch.setattr(ApiClient, "sleep", waits.append)
    return waits


@pytest.fixture
def rsps() -> Iterator[responses.RequestsMock]:
    """Mocked HTTP: an unregistered URL fails the test; unused mocks are allowed."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def make_client(sleeps: list[float]) -> Callable[..., ApiClient]:
    def make(
        provider: str = "projecttool",
        base_url: str = "https://api.example.test",
        auth: Auth | None = None,
        **kwargs: Any,
    ) -> ApiClient:
        kwargs.setdefault("record_calls", False)
        return ApiClient(
            provider=PROVIDERS[provider],
            base_url=base_url,
            auth=auth or BearerAuth(SECRET),
            **kwargs,
        )

    return make
