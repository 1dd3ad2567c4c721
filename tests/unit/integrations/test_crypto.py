"""Secrets at rest: round trip, no plaintext in the column, key rotation."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection as db
from django.test import override_settings

from integrations.crypto import encrypt, fernet
from integrations.http.errors import ConfigurationError
from integrations.models import Connection, WebhookEndpoint
from integrations.services.connections import connection_config

OLD_KEY = "Nl2uYHcdBQN1b3mV8kbXaCD4j4lOhCHxxbWhWBbVJ3s="  # the test settings' key
NEW_KEY = Fernet.generate_key().decode()
TOKEN = "rt-PLAINTEXT-token-777"


def _raw(pk: int, column: str = "api_token") -> str:
    with db.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM integrations_connection WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()[0]


def test_encrypt_round_trip_and_fresh_ciphertext():
    assert fernet().decrypt(encrypt(TOKEN).encode()).decode() == TOKEN
    assert encrypt(TOKEN) != encrypt(TOKEN)


@pytest.mark.django_db
def test_the_column_holds_no_plaintext():
    row = Connection.objects.create(
        provider="recruitee", api_token=TOKEN, oauth_client_secret="cs-secret-1"
    )
    raw = _raw(row.pk)
    assert TOKEN not in raw and raw.startswith("gAAAA")
    assert "cs-secret-1" not in _raw(row.pk, "oauth_client_secret")
    assert Connection.objects.get(pk=row.pk).api_token == TOKEN


@pytest.mark.django_db
def test_empty_secret_stays_empty():
    row = Connection.objects.create(provider="affinity")
    assert _raw(row.pk) == ""
    assert Connection.objects.get(pk=row.pk).api_token == ""


@pytest.mark.django_db
def test_rotation_reencrypts_with_the_first_key():
    row = Connection.objects.create(provider="asana", api_token=TOKEN)
    with override_settings(FIELD_ENCRYPTION_KEYS=[NEW_KEY, OLD_KEY]):
        assert Connection.objects.get(pk=row.pk).api_token == TOKEN  # old key still decrypts
        call_command("rotate_encryption_key", stdout=open("/dev/null", "w"))  # noqa: SIM115
    with override_settings(FIELD_ENCRYPTION_KEYS=[NEW_KEY]):
        assert Connection.objects.get(pk=row.pk).api_token == TOKEN


@pytest.mark.django_db
def test_rotation_reencrypts_the_webhook_signing_secrets_too():
    """After the documented rotation (old key dropped), webhooks still verify."""
    row = Connection.objects.create(provider="projecttool", api_token=TOKEN)
    endpoint = WebhookEndpoint.objects.create(connection=row)
    endpoint.secret_add("whsec-signing-1")
    endpoint.save()
    with override_settings(FIELD_ENCRYPTION_KEYS=[NEW_KEY, OLD_KEY]):
        call_command("rotate_encryption_key", stdout=open("/dev/null", "w"))  # noqa: SIM115
    with override_settings(FIELD_ENCRYPTION_KEYS=[NEW_KEY]):
        assert WebhookEndpoint.objects.get(pk=endpoint.pk).secret_list() == ["whsec-signing-1"]


@pytest.mark.django_db
def test_a_missing_key_is_a_configuration_error_when_the_secret_is_used():
    row = Connection.objects.create(provider="asana", api_token=TOKEN)
    with override_settings(FIELD_ENCRYPTION_KEYS=[NEW_KEY]):
        loaded = Connection.objects.get(pk=row.pk)  # the row loads: one bad row breaks no list
        with pytest.raises(ConfigurationError, match="API token or key cannot be decrypted") as e:
            connection_config(loaded)
    assert str(loaded) in str(e.value) and TOKEN not in str(e.value)
