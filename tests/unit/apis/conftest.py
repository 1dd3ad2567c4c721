"""Fixtures for the generated API pages: mocked HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import responses


@pytest.fixture
def rsps() -> Iterator[responses.RequestsMock]:
    """Mocked HTTP: an unregistered URL fails the test, and so does a mock left unused."""
    with responses.RequestsMock() as mock:
        yield mock
