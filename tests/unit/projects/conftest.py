"""Mocked HTTP for the project providers (the integration core's fixtures, shared)."""

from tests.unit.integrations.conftest import (  # noqa: F401
    _isolated,
    fixture,
    make_client,
    rsps,
    sleeps,
)
