"""The connection admin: write-only secrets, save-and-test, the test action; call log read-only."""

from __future__ import annotations

from unittest import mock

import pytest
from django.urls import reverse

from integrations.models import CallLog, Connection
from integrations.services.connections import ConnectionTestResult, connection_test

pytestmark = pytest.mark.django_db
STORED = "stored-SECRET-token-31337"
PASSED = ConnectionTestResult(ok=True, message="The connection works.")


@pytest.fixture
def admin_client(client, staff_user):
    client.force_login(staff_user)
    return client


@pytest.fixture
def row() -> Connection:
    return Connection.objects.create(
        provider="recruitee", company_id="42", api_token=STORED, oauth_client_secret="cs-STORED-99"
    )


def _form(row: Connection, **changes: str) -> dict[str, str]:
    data = {
        "provider": row.provider,
        "name": row.name,
        "base_url": row.base_url,
        "api_token": "",
        "company_id": row.company_id,
        "workspace_id": "",
        "oauth_client_id": "",
        "oauth_client_secret": "",
        "is_active": "on",
        "sync_interval_minutes": "",
    }
    return data | changes


def test_change_page_never_renders_the_secret(admin_client, row):
    page = admin_client.get(reverse("admin:integrations_connection_change", args=[row.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert STORED not in html and "cs-STORED-99" not in html
    assert 'type="password"' in html
    assert "A value is stored and never shown" in html


def test_list_page_shows_status_and_never_the_secret(admin_client, row):
    Connection.objects.filter(pk=row.pk).update(is_active=False, disabled_reason="5 auth failures")
    page = admin_client.get(reverse("admin:integrations_connection_changelist"))
    html = page.content.decode()
    assert "switched off: 5 auth failures" in html
    assert STORED not in html


def test_blank_secret_keeps_the_stored_one_and_save_tests(admin_client, row):
    url = reverse("admin:integrations_connection_change", args=[row.pk])
    with mock.patch("integrations.admin.connection_test", return_value=PASSED) as tested:
        response = admin_client.post(url, _form(row, company_id="43"), follow=True)
    assert response.status_code == 200
    tested.assert_called_once()
    assert "Test passed: The connection works." in response.content.decode()
    row.refresh_from_db()
    assert (row.api_token, row.oauth_client_secret, row.company_id) == (
        STORED,
        "cs-STORED-99",
        "43",
    )
    assert row.edited_in_admin


def test_a_new_secret_replaces_the_old_and_the_failure_shows(admin_client, row):
    url = reverse("admin:integrations_connection_change", args=[row.pk])
    failed = ConnectionTestResult(ok=False, message="Recruitee API 401 (GET /c/42/offers): bad")
    with mock.patch("integrations.admin.connection_test", return_value=failed):
        response = admin_client.post(url, _form(row, api_token="new-token-1"), follow=True)
    assert "Test failed: Recruitee API 401" in response.content.decode()
    row.refresh_from_db()
    assert row.api_token == "new-token-1"
    assert "new-token-1" not in response.content.decode()


def test_reactivating_clears_the_switch_off(admin_client, row):
    Connection.objects.filter(pk=row.pk).update(
        is_active=False, disabled_reason="switched off", consecutive_auth_failures=5
    )
    url = reverse("admin:integrations_connection_change", args=[row.pk])
    with mock.patch("integrations.admin.connection_test", return_value=PASSED):
        admin_client.post(url, _form(row), follow=True)
    row.refresh_from_db()
    assert row.is_active and row.disabled_reason == "" and row.consecutive_auth_failures == 0


def test_test_connection_action(admin_client, row):
    url = reverse("admin:integrations_connection_changelist")
    data = {"action": "test_connections", "_selected_action": [row.pk]}
    with mock.patch("integrations.admin.connection_test", return_value=PASSED) as tested:
        response = admin_client.post(url, data, follow=True)
    tested.assert_called_once_with(row)
    assert "Test passed" in response.content.decode()


def test_call_log_is_read_only(admin_client, row):
    CallLog.objects.create(
        connection=row, provider="recruitee", method="GET", path="/c/42/offers", status=200
    )
    assert admin_client.get(reverse("admin:integrations_calllog_changelist")).status_code == 200
    assert admin_client.get(reverse("admin:integrations_calllog_add")).status_code == 403


@pytest.mark.parametrize("base_url", ["https://[::1", "https://api.test:99999", "https://a b.test"])
def test_a_malformed_base_url_is_a_field_error_that_never_shows_the_typed_token(
    admin_client, row, base_url
):
    url = reverse("admin:integrations_connection_change", args=[row.pk])
    typed = "typed-NEW-token-777"
    with mock.patch("integrations.admin.connection_test") as tested:
        response = admin_client.post(url, _form(row, base_url=base_url, api_token=typed))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "not a valid URL" in errors["base_url"][0]
    assert typed not in response.content.decode()
    tested.assert_not_called()
    row.refresh_from_db()
    assert (row.base_url, row.api_token) == ("", STORED)


def test_the_service_refuses_a_malformed_base_url_with_a_clear_message(row):
    Connection.objects.filter(pk=row.pk).update(base_url="https://[::1")
    row.refresh_from_db()
    result = connection_test(row)
    assert not result.ok and "not a valid URL" in result.message


def test_a_debug_error_page_never_shows_the_typed_secrets(admin_client, row, settings):
    settings.DEBUG = True
    admin_client.raise_request_exception = False
    url = reverse("admin:integrations_connection_change", args=[row.pk])
    typed = {"api_token": "typed-NEW-token-777", "oauth_client_secret": "typed-NEW-secret-888"}
    with mock.patch.object(Connection, "clean", side_effect=RuntimeError("boom")):
        response = admin_client.post(url, _form(row, **typed))
    assert response.status_code == 500
    html = response.content.decode()
    assert "RuntimeError" in html  # the technical page, with the POST data
    assert typed["api_token"] not in html and typed["oauth_client_secret"] not in html


def test_staff_who_may_only_view_connections_cannot_test_them(client, row):
    """A test stores its outcome on the connection (last verified, last error, the count
    of refused logins that switches it off at five): the change right, as saving."""
    from django.contrib.auth import get_user_model

    from core.groups import permission_named

    viewer = get_user_model().objects.create_user(username="viewer", is_staff=True)
    viewer.user_permissions.add(permission_named("integrations.view_connection"))
    client.force_login(viewer)
    changelist = reverse("admin:integrations_connection_changelist")
    page = client.get(changelist).content.decode()
    assert "List webhook subscriptions" in page and "Test connection" not in page

    with mock.patch("integrations.admin.connection_test", return_value=PASSED) as tested:
        client.post(changelist, {"action": "test_connections", "_selected_action": [row.pk]})

    tested.assert_not_called()
