"""Mocked Affinity for the crm unit tests (the integration core's fixtures, reused)."""

from tests.unit.integrations.conftest import _isolated, fixture, make_client, rsps, sleeps

__all__ = ["_isolated", "fixture", "make_client", "rsps", "sleeps"]
