"""System checks warn about active connections that cannot work."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from django.core.checks import run_checks
from django.test import override_settings

from integrations.checks import check_connections
from integrations.models import Connection, WebhookEndpoint
from integrations.webhooks.endpoints import endpoint_for

pytestmark = pytest.mark.django_db


@override_settings(AFFINITY_API_KEY="", RECRUITEE_API_TOKEN="")
def test_warnings():
    Connection.objects.create(provider="affinity")
    Connection.objects.create(provider="asana", api_token="t", base_url="http://asana.internal")
    Connection.objects.create(provider="recruitee", is_active=False)
    Connection.objects.create(provider="asana", name="fine", api_token="t")
    ids = sorted(message.id for message in check_connections())
    assert ids == ["integrations.W001", "integrations.W002"]


def test_check_deploy_fails_on_secrets_no_configured_key_decrypts():
    """The documented rotation with step 4 done before step 3: every secret is unreadable."""
    lost = Fernet.generate_key().decode()
    with override_settings(FIELD_ENCRYPTION_KEYS=[lost]):
        rotated = Connection.objects.create(provider="asana", name="rotated", api_token="t-SECRET")
        Connection.objects.create(provider="affinity", name="off", api_token="a", is_active=False)
        endpoint_for(Connection.objects.create(provider="recruitee", name="hooks"))
        WebhookEndpoint.objects.update(secrets="whsec-SECRET")
    Connection.objects.create(provider="asana", name="fine", api_token="t")
    errors = [m for m in run_checks(include_deployment_checks=True) if m.id == "integrations.E002"]
    text = " ".join(f"{m.msg} {m.hint}" for m in errors)
    assert len(errors) == 2 and all(m.is_serious() for m in errors)
    assert "of 2 connections: " in text and "of 1 webhook endpoint: " in text
    assert str(rotated) in text and "Affinity · off" in text and "Recruitee · hooks" in text
    assert "fine" not in text and "SECRET" not in text
