"""Subscribing a connection to its provider's webhooks, where the provider's API allows it.

The subscription points at the connection's receiver URL (HUB_PUBLIC_URL). Asana's
handshake arrives at the receiver while `POST /webhooks` is in flight, so the
endpoint expects one for HANDSHAKE_WINDOW first; the generic tool answers its
signing secret once, and it is stored at once. Recruitee has no such API: its page
says how to add the webhook in Recruitee's settings.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from integrations.crypto import UnreadableSecret
from integrations.http.client import ApiClient
from integrations.http.errors import ConfigurationError
from integrations.models import Connection, WebhookEndpoint
from integrations.providers import PROVIDERS, asana
from integrations.providers import webhook_subscriptions as wire
from integrations.providers.webhook_subscriptions import Subscription
from integrations.services.connections import connection_client
from integrations.webhooks.endpoints import endpoint_for, receiver_url

HANDSHAKE_WINDOW = timedelta(seconds=30)


class SubscriptionsUnsupported(ConfigurationError):
    """The provider's webhooks are set up by a person in its own settings."""


def subscriptions_supported(connection: Connection) -> bool:
    support = PROVIDERS[connection.provider].webhooks
    return support is not None and support.registration == "api"


def webhook_subscribe(connection: Connection) -> Subscription:
    """Subscribe the connection's receiver URL at the provider (the provider's error
    types pass through: the admin shows them)."""
    _require_api(connection)
    endpoint = endpoint_for(connection)
    url = receiver_url(endpoint)
    client = connection_client(connection)
    if connection.provider == "affinity":
        return wire.affinity_subscribe(client, url=url)
    if connection.provider == "asana":
        return _asana_subscribe(client, connection, endpoint, url)
    subscription = wire.projecttool_subscribe(client, url=url)
    _secret_keep(endpoint, subscription.secret)
    return subscription


def webhook_subscriptions(connection: Connection) -> list[Subscription]:
    """The provider's subscriptions that point at this connection's receiver."""
    _require_api(connection)
    client = connection_client(connection)
    url = receiver_url(endpoint_for(connection))
    if connection.provider == "affinity":
        found = wire.affinity_subscriptions(client)
    elif connection.provider == "asana":
        found = wire.asana_subscriptions(client, workspace=_asana_workspace(client, connection))
    else:
        found = wire.projecttool_subscriptions(client)
    return [subscription for subscription in found if subscription.url == url]


def webhook_unsubscribe(connection: Connection) -> int:
    """Remove this receiver's subscriptions at the provider; how many were removed."""
    subscriptions = webhook_subscriptions(connection)
    client = connection_client(connection)
    remove = {
        "affinity": wire.affinity_unsubscribe,
        "asana": wire.asana_unsubscribe,
        "projecttool": wire.projecttool_unsubscribe,
    }[connection.provider]
    for subscription in subscriptions:
        remove(client, subscription.id)
    return len(subscriptions)


def _require_api(connection: Connection) -> None:
    if not subscriptions_supported(connection):
        raise SubscriptionsUnsupported(
            f"{connection.provider_display} webhooks are added in its own settings, not "
            "through its API: paste the receiver URL and copy its secret there."
        )


def _asana_subscribe(
    client: ApiClient, connection: Connection, endpoint: WebhookEndpoint, url: str
) -> Subscription:
    resource = _asana_workspace(client, connection)
    endpoint.refresh_from_db(fields=["secrets"])
    before = endpoint.secrets  # text, or UnreadableSecret: its token is saved back as stored
    expecting = WebhookEndpoint.objects.filter(pk=endpoint.pk)
    expecting.update(handshake_until=timezone.now() + HANDSHAKE_WINDOW)
    try:
        subscription = wire.asana_subscribe(client, url=url, resource=resource)
    except BaseException:
        expecting.update(handshake_until=None)  # closed before the secrets go back
        _window_secret_drop(endpoint, before)
        raise
    expecting.update(handshake_until=None)
    return subscription


def _window_secret_drop(endpoint: WebhookEndpoint, before: str | UnreadableSecret) -> None:
    """No subscription came of the window, so a handshake it took was not Asana's (someone
    else's made Asana's fail) or is of no hook: the secrets go back to `before`, unreadable
    ones as their stored token (putting the lost key back still recovers them). Unchanged
    when no handshake came."""
    with transaction.atomic():
        locked = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
        if locked.secrets_problem or locked.secrets == before:  # no handshake came
            return
        locked.secrets = before
        locked.save(update_fields=["secrets"])


def _asana_workspace(client: ApiClient, connection: Connection) -> str:
    """The connection's workspace, else the token's first one."""
    if connection.workspace_id:
        return connection.workspace_id
    for page in asana.workspace_list(client):
        for record in page.records:
            return record.id
    raise ConfigurationError("The Asana token sees no workspace to subscribe to.")


def _secret_keep(endpoint: WebhookEndpoint, secret: str) -> None:
    if not secret:
        return
    with transaction.atomic():
        locked = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
        locked.secret_add(secret)
        locked.save(update_fields=["secrets"])
