"""Fixtures for the OpenAPI package: the real documents, a clean document cache."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from integrations.http import call_log
from integrations.http.auth import clear_token_cache
from integrations.openapi import cache

SPECS = Path(__file__).resolve().parents[2] / "fixtures" / "specs"


@pytest.fixture(autouse=True)
def _fresh_caches() -> Iterator[None]:
    cache.forget()
    clear_token_cache()
    call_log.buffer.clear()
    yield
    cache.forget()
    call_log.buffer.clear()
