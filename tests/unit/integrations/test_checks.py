"""System checks warn about active connections that cannot work."""

from __future__ import annotations

import pytest
from django.test import override_settings

from integrations.checks import check_connections
from integrations.models import Connection

pytestmark = pytest.mark.django_db


@override_settings(AFFINITY_API_KEY="", RECRUITEE_API_TOKEN="")
def test_warnings():
    Connection.objects.create(provider="affinity")
    Connection.objects.create(provider="asana", api_token="t", base_url="http://asana.internal")
    Connection.objects.create(provider="recruitee", is_active=False)
    Connection.objects.create(provider="asana", name="fine", api_token="t")
    ids = sorted(message.id for message in check_connections())
    assert ids == ["integrations.W001", "integrations.W002"]
