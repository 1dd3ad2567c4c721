"""Fixtures for the OpenAPI package: the real documents, a clean document cache."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from integrations.http import call_log
from integrations.http.auth import clear_token_cache
from integrations.openapi import cache

# The real documents stay in ../shared/specs/, as its README asks: not copied here.
SHARED_SPECS = Path(__file__).resolve().parents[3].parent / "shared" / "specs"


def spec(name: str) -> Path:
    """A real document of ../shared/specs/ (Asana's at its top, the OAI examples below it)."""
    folder = SHARED_SPECS if name == "asana_oas.yaml" else SHARED_SPECS / "oai-examples"
    path = folder / name
    if not path.exists():
        pytest.skip(f"{path} is missing: the real OpenAPI documents live in ../shared/specs/")
    return path


@pytest.fixture(autouse=True)
def _fresh_caches() -> Iterator[None]:
    cache.forget()
    clear_token_cache()
    call_log.buffer.clear()
    yield
    cache.forget()
    call_log.buffer.clear()
