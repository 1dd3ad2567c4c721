"""Mocked Affinity (the integration core's fixtures, reused)."""

from tests.unit.integrations.conftest import _isolated, make_client, rsps, sleeps

__all__ = ["_isolated", "make_client", "rsps", "sleeps"]
