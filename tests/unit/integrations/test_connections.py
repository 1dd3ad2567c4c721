"""Connections: credential resolution, clients, tests, auth-failure switch-off."""

from __future__ import annotations

import threading

import pytest
from django import db
from django.test import override_settings

from integrations.http.errors import (
    AuthenticationError,
    ConfigurationError,
    ConnectionDisabledError,
    PermissionDeniedError,
)
from integrations.models import Connection
from integrations.services.connections import (
    AUTH_FAILURE_LIMIT,
    connection_client,
    connection_config,
    connection_test,
)

from .conftest import SECRET, fixture

pytestmark = pytest.mark.django_db
RECRUITEE = "https://api.recruitee.com/c/42"


def _recruitee(**fields) -> Connection:
    values = {"provider": "recruitee", "company_id": "42", "api_token": SECRET} | fields
    return Connection.objects.create(**values)


def test_row_first_settings_second():
    row = Connection.objects.create(provider="recruitee", company_id="42")
    with override_settings(RECRUITEE_API_TOKEN="from-env-token", RECRUITEE_COMPANY_ID="7"):
        config = connection_config(row)
    assert (config.api_token, config.company_id) == ("from-env-token", "42")
    assert config.base_url == "https://api.recruitee.com"


@override_settings(RECRUITEE_API_TOKEN="", RECRUITEE_COMPANY_ID="")
def test_missing_credentials_name_what_to_set():
    row = Connection.objects.create(provider="recruitee", name="eu")
    with pytest.raises(ConfigurationError) as caught:
        connection_config(row)
    message = str(caught.value)
    assert "Recruitee · eu" in message
    assert "company id (RECRUITEE_COMPANY_ID)" in message
    assert "API token (RECRUITEE_API_TOKEN)" in message


def test_client_has_the_provider_path_and_deadline(settings):
    row = _recruitee()
    assert connection_client(row).base_url == RECRUITEE
    assert connection_client(row).deadline == settings.INTEGRATIONS_REQUEST_DEADLINE
    assert (
        connection_client(row, background=True).deadline
        == settings.INTEGRATIONS_BACKGROUND_DEADLINE
    )


def test_bad_base_url_is_refused_with_the_connection_named():
    row = _recruitee(base_url="http://internal.example.com")
    with pytest.raises(ConfigurationError, match=r"Recruitee · default.*use https"):
        connection_client(row)


def test_switched_off_connection_gives_its_reason():
    row = _recruitee(is_active=False, disabled_reason="Switched off after 5 failures")
    with pytest.raises(ConnectionDisabledError, match="Switched off after 5 failures"):
        connection_client(row)


def test_connection_test_success_is_stored(rsps):
    rsps.add("GET", f"{RECRUITEE}/offers?limit=1", json=fixture("recruitee", "offers_page.json"))
    row = _recruitee(last_error="old")
    result = connection_test(row)
    assert result.ok
    row.refresh_from_db()
    assert row.last_verified_at is not None and row.last_error == ""


def test_connection_test_failure_is_stored_without_secrets(rsps):
    rsps.add("GET", f"{RECRUITEE}/offers", status=401, json={"error": f"bad token {SECRET}"})
    row = _recruitee()
    result = connection_test(row)
    assert not result.ok and "401" in result.message
    row.refresh_from_db()
    assert "401" in row.last_error and SECRET not in row.last_error
    assert row.last_verified_at is None
    assert row.consecutive_auth_failures == 1


@override_settings(AFFINITY_API_KEY="")
def test_connection_test_reports_missing_credentials():
    row = Connection.objects.create(provider="affinity")
    result = connection_test(row)
    assert not result.ok and "AFFINITY_API_KEY" in result.message


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (401, {"error": "Unauthorized"}),
        # recruitee.md §4: a bad token can come back as a 400 `error_code: invalid_token`,
        # not a 401; it counts toward switching the connection off like any refused token.
        (400, {"error": "Token not found.", "error_code": "invalid_token"}),
    ],
)
def test_five_auth_failures_switch_the_connection_off(rsps, sleeps, status, body):
    rsps.add("GET", f"{RECRUITEE}/candidates", status=status, json=body)
    row = _recruitee()
    client = connection_client(row)
    for _ in range(AUTH_FAILURE_LIMIT):
        with pytest.raises(AuthenticationError):
            client.get("/candidates")
    row.refresh_from_db()
    assert not row.is_active
    assert f"5 consecutive authentication failures (last: HTTP {status})" in row.disabled_reason
    assert row.status == "switched off"
    with pytest.raises(ConnectionDisabledError, match="consecutive authentication failures"):
        connection_client(row)


def test_a_success_resets_the_failure_count(rsps):
    rsps.add("GET", f"{RECRUITEE}/candidates", status=403, json={"error": ["Forbidden"]})
    rsps.add("GET", f"{RECRUITEE}/candidates", json={"candidates": []})
    row = _recruitee(consecutive_auth_failures=3)
    client = connection_client(row)
    with pytest.raises(PermissionDeniedError):
        client.get("/candidates")
    client.get("/candidates")
    row.refresh_from_db()
    assert row.consecutive_auth_failures == 0 and row.is_active


def test_a_read_ahead_thread_closes_its_database_connections_as_it_ends(rsps, monkeypatch):
    closed_in = []
    monkeypatch.setattr(
        db.connections, "close_all", lambda: closed_in.append(threading.current_thread().name)
    )
    rsps.add("GET", f"{RECRUITEE}/candidates", json={"candidates": [{"id": 1}]})
    client = connection_client(_recruitee())
    pages = client.paginate("/candidates", items_key="candidates", page_size=10, read_ahead=True)
    assert [len(page.items) for page in pages] == [1]
    assert closed_in == ["sync-read-ahead"]


@override_settings(SANDBOX_URL="http://127.0.0.1:8765")
def test_is_sandbox():
    assert _recruitee(base_url="http://127.0.0.1:8765/recruitee").is_sandbox
    assert not _recruitee(name="real").is_sandbox
