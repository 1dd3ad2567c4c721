"""Each connection's receiver endpoint: its token, its secrets and its URL."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from integrations.models import Connection, WebhookEndpoint


def endpoint_for(connection: Connection) -> WebhookEndpoint:
    """The connection's endpoint, created (with a fresh token) on first use."""
    endpoint, _ = WebhookEndpoint.objects.get_or_create(connection=connection)
    return endpoint


def receiver_url(endpoint: WebhookEndpoint) -> str:
    """The address a provider calls: HUB_PUBLIC_URL + /webhooks/<provider>/<token>/."""
    path = reverse(
        "integrations:webhook_receive",
        kwargs={"provider": endpoint.connection.provider, "token": endpoint.token},
    )
    return settings.HUB_PUBLIC_URL.rstrip("/") + path
