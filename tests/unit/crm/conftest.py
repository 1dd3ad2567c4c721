"""Mocked Affinity for the crm unit tests (the integration core's fixtures, reused), an
Affinity connection and one organization on it. tests/unit/audit reuses them too."""

import pytest
from django.utils import timezone

from crm.models import Organization
from integrations.models import Connection
from tests.unit.integrations.conftest import _isolated, fixture, make_client, rsps, sleeps

__all__ = ["_isolated", "acme", "connection", "fixture", "make_client", "rsps", "sleeps"]


@pytest.fixture
def connection(db):
    return Connection.objects.create(
        provider="affinity", name="t", base_url="https://api.affinity.co", api_token="k"
    )


@pytest.fixture
def acme(connection):
    return Organization.objects.create(
        connection=connection, name="Acme", domain="acme.io", domains=["acme.io"], remote_id="7",
        links_loaded_at=timezone.now(),  # read just now: its page does not ask Affinity again
    )  # fmt: skip
