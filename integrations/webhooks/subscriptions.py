"""Subscribing a connection to its provider's webhooks, where the provider's API allows it.

The subscription points at the connection's receiver URL (HUB_PUBLIC_URL). Asana's
handshake arrives at the receiver while `POST /webhooks` is in flight, so the
endpoint expects one for HANDSHAKE_WINDOW first; the generic tool answers its
signing secret once, and it is stored at once. When a create's answer is lost (its
outcome unknown), nothing is decided blind: Asana's list says whether the hook was
made, and the generic tool is asked once more under the same Idempotency-Key.
Recruitee has no such API: its page says how to add the webhook in Recruitee's
settings.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TypeGuard
from uuid import uuid4

from django.db import transaction
from django.utils import timezone

from integrations.crypto import UnreadableSecret
from integrations.http.client import ApiClient
from integrations.http.errors import (
    ConfigurationError,
    IntegrationError,
    ProviderUnavailableError,
)
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
    return _projecttool_subscribe(client, endpoint, url)


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
    """`POST /webhooks` with the window open for its handshake; when its answer is lost
    (a timeout, a dropped connection: `_outcome_unknown`), Asana's list decides.

    Why a new hook in the list proves the window's secret is Asana's: the window takes
    only its first handshake and is closed before the list is read; Asana makes the hook
    only after its own handshake got the echo, and a handshake someone planted first
    makes Asana's refused, so Asana makes no hook. A hook with this target that was not
    there before the POST was therefore made by the handshake the window took. Only a
    new one proves it: one Asana had before (an earlier subscribe) is listed whatever
    happened, hence the list read before the POST."""
    resource = _asana_workspace(client, connection)
    earlier = {hook.id for hook in _asana_hooks(client, resource, url)}
    endpoint.refresh_from_db(fields=["secrets"])
    before = endpoint.secrets  # text, or UnreadableSecret: its token is saved back as stored
    expecting = WebhookEndpoint.objects.filter(pk=endpoint.pk)
    expecting.update(handshake_until=timezone.now() + HANDSHAKE_WINDOW)
    try:
        subscription = wire.asana_subscribe(client, url=url, resource=resource)
    except BaseException as error:
        expecting.update(handshake_until=None)  # closed before the secrets go back
        if _outcome_unknown(error):
            return _asana_made(client, endpoint, before, resource, url, earlier, error)
        _window_secret_drop(endpoint, before)
        raise
    expecting.update(handshake_until=None)
    return subscription


def _asana_made(
    client: ApiClient,
    endpoint: WebhookEndpoint,
    before: str | UnreadableSecret,
    resource: str,
    url: str,
    earlier: set[str],
    lost: ProviderUnavailableError,
) -> Subscription:
    """The hook the lost `POST /webhooks` made, its handshake's secret kept; else the
    secrets go back and the admin is told what Asana has (see `_asana_subscribe`)."""
    try:
        made = [hook for hook in _asana_hooks(client, resource, url) if hook.id not in earlier]
    except IntegrationError as error:
        _window_secret_drop(endpoint, before)
        raise ProviderUnavailableError(
            f"Asana did not answer the subscription ({lost.message}), and its webhooks cannot "
            f"be listed now ({error.message}): it may have made one whose events the hub "
            'refuses. Run "List webhook subscriptions", then "Remove webhook subscriptions" '
            "and subscribe again.",
            outcome_unknown=True,
            **lost.context,
        ) from error
    endpoint.refresh_from_db(fields=["secrets"])
    took = not endpoint.secrets_problem and endpoint.secrets != before
    if made and took:
        return made[0]
    _window_secret_drop(endpoint, before)
    if not made:
        raise ProviderUnavailableError(
            f"Asana did not answer the subscription ({lost.message}) and made no new webhook "
            "for this receiver: nothing was subscribed. Subscribe again.",
            **lost.context,
        ) from lost
    for hook in made:
        wire.asana_unsubscribe(client, hook.id)
    raise ProviderUnavailableError(
        f"Asana did not answer the subscription ({lost.message}) and made webhook "
        f"{', '.join(hook.id for hook in made)} without the handshake the hub expected, so "
        "none of its events could be verified: the hub removed it. Subscribe again.",
        **lost.context,
    ) from lost


def _asana_hooks(client: ApiClient, resource: str, url: str) -> list[Subscription]:
    return [
        hook for hook in wire.asana_subscriptions(client, workspace=resource) if hook.url == url
    ]


def _projecttool_subscribe(client: ApiClient, endpoint: WebhookEndpoint, url: str) -> Subscription:
    """`POST /webhooks` under an Idempotency-Key (the contract's, kept 24 hours): when its
    answer is lost, the same request with the same key answers the stored answer, the
    secret included, and creates nothing more. The client never repeats such a POST on
    its own (retries.py), so this one repeat is the only one."""
    with client.idempotency_key(f"hub-subscribe-{uuid4().hex}"):
        try:
            subscription = wire.projecttool_subscribe(client, url=url)
        except IntegrationError as lost:
            if not _outcome_unknown(lost):
                raise
            try:
                subscription = wire.projecttool_subscribe(client, url=url)
            except IntegrationError as error:
                raise ProviderUnavailableError(
                    f"The project tool did not answer the subscription ({lost.message}), nor "
                    f"when asked again ({error.message}): it may have made a webhook whose "
                    "secret the hub never saw, whose deliveries it refuses. "
                    'Run "List webhook subscriptions", then "Remove webhook subscriptions" '
                    "and subscribe again.",
                    outcome_unknown=True,
                    **error.context,
                ) from error
    _secret_keep(endpoint, subscription.secret)
    return subscription


def _outcome_unknown(error: BaseException) -> TypeGuard[ProviderUnavailableError]:
    """Sent, but no answer came (a read timeout, a dropped connection, most 5xx): the
    provider may have made the hook. A refusal (400, 403…) made nothing."""
    return isinstance(error, ProviderUnavailableError) and error.outcome_unknown


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
