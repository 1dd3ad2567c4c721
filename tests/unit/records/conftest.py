"""Mocked HTTP for the record actions' wire tests (the integration core's fixtures)."""

from tests.unit.integrations.conftest import (  # noqa: F401
    _isolated,
    fixture,
    make_client,
    rsps,
    sleeps,
)
