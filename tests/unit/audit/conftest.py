"""Mocked Affinity (the integration core's fixtures, reused), and the crm tests' Affinity
connection and organization."""

from tests.unit.crm.conftest import acme, connection
from tests.unit.integrations.conftest import _isolated, make_client, rsps, sleeps

__all__ = ["_isolated", "acme", "connection", "make_client", "rsps", "sleeps"]
