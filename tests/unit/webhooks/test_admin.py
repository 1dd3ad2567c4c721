"""The admin: each connection's receiver URL ready to copy, the Recruitee secret pasted in
(write-only, rotation keeps the old one), subscription actions, the events list and replay."""

from __future__ import annotations

from unittest import mock

import pytest
from django.urls import reverse

from integrations.models import Connection, WebhookDelivery
from integrations.services.connections import ConnectionTestResult
from integrations.webhooks.endpoints import endpoint_for

pytestmark = pytest.mark.django_db
PASSED = ConnectionTestResult(ok=True, message="The connection works.")


@pytest.fixture
def admin_client(client, staff_user):
    client.force_login(staff_user)
    return client


def test_the_connection_page_shows_the_receiver_url_and_how_to_add_it_in_recruitee(
    admin_client, settings
):
    settings.HUB_PUBLIC_URL = "https://hub.example.com"
    row = Connection.objects.create(provider="recruitee", company_id="42")
    page = admin_client.get(reverse("admin:integrations_connection_change", args=[row.pk]))
    html = page.content.decode()
    token = endpoint_for(row).token
    assert f'value="https://hub.example.com/webhooks/recruitee/{token}/"' in html
    assert "Apps and Plugins &gt; Webhooks" in html
    assert "Signing secrets stored: 0" in html


def test_a_pasted_recruitee_secret_is_kept_never_shown_and_the_old_one_stays(admin_client):
    row = Connection.objects.create(provider="recruitee", company_id="42")
    url = reverse("admin:integrations_connection_change", args=[row.pk])
    form = {
        "provider": "recruitee", "name": row.name, "base_url": "", "api_token": "",
        "company_id": "42", "workspace_id": "", "oauth_client_id": "",
        "oauth_client_secret": "", "is_active": "on", "sync_interval_minutes": "",
    }  # fmt: skip
    with mock.patch("integrations.admin.connection_test", return_value=PASSED):
        admin_client.post(url, form | {"webhook_secret": "old-secret-1"})
        admin_client.post(url, form | {"webhook_secret": "new-secret-2"})
        admin_client.post(url, form)  # blank keeps them
    assert endpoint_for(row).secret_list() == ["new-secret-2", "old-secret-1"]
    html = admin_client.get(url).content.decode()
    assert "new-secret-2" not in html and "old-secret-1" not in html
    assert "Signing secrets stored: 2" in html


def test_the_subscribe_action_reports_recruitee_cannot_be_subscribed(admin_client):
    row = Connection.objects.create(provider="recruitee", company_id="42")
    response = admin_client.post(
        reverse("admin:integrations_connection_changelist"),
        {"action": "subscribe_webhooks", "_selected_action": [row.pk]},
        follow=True,
    )
    assert "added in its own settings" in response.content.decode()


def test_the_subscribe_action_calls_the_service_per_connection(admin_client):
    row = Connection.objects.create(provider="affinity", api_token="k")
    with mock.patch(
        "integrations.admin.webhook_subscribe", return_value=mock.Mock(id="17")
    ) as subscribe:
        response = admin_client.post(
            reverse("admin:integrations_connection_changelist"),
            {"action": "subscribe_webhooks", "_selected_action": [row.pk]},
            follow=True,
        )
    subscribe.assert_called_once_with(row)
    assert "subscribed: 17" in response.content.decode()


def test_the_events_list_shows_deliveries_and_replay_queues_them_again(admin_client):
    row = Connection.objects.create(provider="affinity", api_token="k")
    delivery = WebhookDelivery.objects.create(
        provider="affinity", connection=row, body=b"{}", dedupe_key="k1",
        state=WebhookDelivery.State.FAILED, attempts=8, error="Affinity did not answer",
    )  # fmt: skip
    listing = admin_client.get(reverse("admin:integrations_webhookdelivery_changelist"))
    assert "Affinity did not answer" in listing.content.decode()
    with mock.patch("integrations.admin.enqueue_webhook_apply") as enqueue:
        admin_client.post(
            reverse("admin:integrations_webhookdelivery_changelist"),
            {"action": "replay", "_selected_action": [delivery.pk]},
        )
    delivery.refresh_from_db()
    assert delivery.state == WebhookDelivery.State.RECEIVED and delivery.attempts == 0
    enqueue.assert_called_once()


@pytest.mark.parametrize("action", ["subscribe_webhooks", "remove_webhooks"])
def test_staff_who_may_only_view_connections_cannot_change_their_subscriptions(client, action):
    """Subscribing or removing changes the provider's webhooks and the stored secrets."""
    from django.contrib.auth import get_user_model

    from core.groups import permission_named

    viewer = get_user_model().objects.create_user(username="viewer", is_staff=True)
    viewer.user_permissions.add(permission_named("integrations.view_connection"))
    client.force_login(viewer)
    row = Connection.objects.create(provider="affinity", api_token="k")
    changelist = reverse("admin:integrations_connection_changelist")
    assert client.get(changelist).status_code == 200
    with (
        mock.patch("integrations.admin.webhook_subscribe") as subscribe,
        mock.patch("integrations.admin.webhook_unsubscribe") as unsubscribe,
    ):
        client.post(changelist, {"action": action, "_selected_action": [row.pk]}, follow=True)
    subscribe.assert_not_called()
    unsubscribe.assert_not_called()


def test_staff_who_may_only_view_deliveries_cannot_replay_them(client):
    from django.contrib.auth import get_user_model

    from core.groups import permission_named

    viewer = get_user_model().objects.create_user(username="viewer", is_staff=True)
    viewer.user_permissions.add(permission_named("integrations.view_webhookdelivery"))
    client.force_login(viewer)
    row = Connection.objects.create(provider="affinity", api_token="k")
    delivery = WebhookDelivery.objects.create(
        provider="affinity", connection=row, body=b"{}", dedupe_key="k1",
        state=WebhookDelivery.State.FAILED, attempts=8,
    )  # fmt: skip
    changelist = reverse("admin:integrations_webhookdelivery_changelist")
    assert "Replay" not in client.get(changelist).content.decode()
    client.post(changelist, {"action": "replay", "_selected_action": [delivery.pk]})
    delivery.refresh_from_db()
    assert delivery.state == WebhookDelivery.State.FAILED and delivery.attempts == 8
