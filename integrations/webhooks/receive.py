"""The receiver: find the endpoint, answer what needs no storing, verify, store, enqueue.

Answer fast, work later: a verified delivery is one INSERT and a queued task,
then 200 (Recruitee counts only 200 as success; Asana allows 10 s). A duplicate
(same connection and dedupe key) is answered 200 and stored once, also when two
copies arrive at the same moment (the unique constraint decides; the loser's
IntegrityError is the "already have it").
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db import IntegrityError, connections, router, transaction
from django.utils import timezone

from integrations import jsoncodec
from integrations.models import Connection, WebhookDelivery, WebhookEndpoint
from integrations.providers import PROVIDERS
from integrations.webhooks.queue import apply_queue_claim
from integrations.webhooks.verify import VERIFIERS, Inbound, Refused, Verified

logger = logging.getLogger(__name__)

# Header names whose values are never stored or logged.
MASKED_HEADER_WORDS = ("signature", "secret", "token", "authorization", "cookie", "key")
MASK = "********"
UNVERIFIABLE_LOG_SECONDS = 24 * 3600


@dataclass(frozen=True)
class Reply:
    status: int
    body: dict = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)


def webhook_receive(
    *,
    provider: str,
    token: str,
    headers: Mapping[str, str],
    body: bytes,
    enqueue: Callable[[], None],
) -> Reply:
    """The answer to one POST to /webhooks/<provider>/<token>/."""
    endpoint = endpoint_of(provider=provider, token=token)
    if endpoint is None or provider not in VERIFIERS:
        logger.warning("Webhook for an unknown endpoint refused (provider %r)", provider[:40])
        return Reply(404, {"error": "unknown endpoint"})
    inbound = Inbound(headers=headers, body=body, now=time.time())
    early = early_reply(endpoint, provider, inbound)
    if early is not None:
        return early
    if endpoint.secrets_problem:
        return unverifiable_reply(endpoint)
    try:
        verified = VERIFIERS[provider](endpoint.secret_list(), inbound)
    except Refused as refusal:
        logger.warning(
            "Webhook refused for connection %s (%s): %s",
            endpoint.connection_id,
            provider,
            refusal,
        )
        return Reply(401, {"error": "signature not verified"})
    if verified.store:
        delivery_store(endpoint, provider, inbound, verified, enqueue)
    return Reply(200, {"ok": True})


def endpoint_of(*, provider: str, token: str) -> WebhookEndpoint | None:
    """The active connection's endpoint behind a receiver URL (None: no such endpoint).

    One plain SELECT (`endpoint_sql`) through `raw()`, which still decrypts the
    secrets through their field: the ORM's `get` with the connection joined cost about
    0.6 ms a request to build, a third of the receiver's CPU, against 0.1 ms. The
    connection is not loaded: its provider is the URL's, which the statement checks."""
    return next(iter(WebhookEndpoint.objects.raw(endpoint_sql(), [token, provider])), None)


def endpoint_sql() -> str:
    """The endpoint's own columns, by token, if its connection is active and of the URL's
    provider; names from the models."""
    quote = connections[router.db_for_read(WebhookEndpoint)].ops.quote_name
    endpoint, connection = WebhookEndpoint._meta, Connection._meta
    columns = ", ".join(f"e.{quote(field.column)}" for field in endpoint.concrete_fields)
    token, connection_id = (quote(endpoint.get_field(n).column) for n in ("token", "connection"))
    provider, is_active = (quote(connection.get_field(n).column) for n in ("provider", "is_active"))
    joined = f"c.{quote(connection.pk.column)} = e.{connection_id}"
    return (
        f"SELECT {columns} FROM {quote(endpoint.db_table)} e "  # noqa: S608 - names from the models
        f"JOIN {quote(connection.db_table)} c ON {joined} "
        f"WHERE e.{token} = %s AND c.{provider} = %s AND c.{is_active}"
    )


def early_reply(endpoint: WebhookEndpoint, provider: str, inbound: Inbound) -> Reply | None:
    """What is answered before verifying: Recruitee's test ping and Asana's handshake."""
    if provider == "recruitee" and _is_test_ping(inbound.body):
        # The "Test" button's `{"test":true}` (and the sample payloads marked `test`) must
        # get 200 before a webhook can be created; nothing is stored or applied.
        return Reply(200, {"ok": True})
    handshake = PROVIDERS[provider].webhooks.handshake_header
    if handshake and handshake in inbound.headers:
        return handshake_answer(endpoint, handshake, inbound.headers[handshake])
    return None


def unverifiable_reply(endpoint: WebhookEndpoint) -> Reply:
    """503 while the endpoint's signing secrets cannot be decrypted: a temporary failure
    that the provider retries, logged once a day per endpoint (in the cache shared by
    every process) rather than once per delivery; its connection's health says why."""
    if cache.add(f"webhooks:unverifiable:{endpoint.pk}", True, UNVERIFIABLE_LOG_SECONDS):
        logger.warning("%s", endpoint.secrets_problem)
    return Reply(503, {"error": "cannot verify deliveries now; try again later"})


def handshake_answer(endpoint: WebhookEndpoint, header: str, secret: str) -> Reply:
    """Asana's: echo X-Hook-Secret and keep it (encrypted) to check X-Hook-Signature later.

    Accepted only while the hub is creating a subscription (`handshake_until`), and only
    the first one then (Asana sends one per subscription); any other handshake is
    refused, even on an endpoint with no secret yet, so knowing the URL is not enough to
    plant a secret (Asana asks for one only while its `POST /webhooks` is in flight). One
    that beats Asana's to the window makes Asana's fail, so Asana refuses the subscription
    and the subscribe drops the secret (`subscriptions._asana_subscribe`)."""
    if not secret or not _handshake_expected(endpoint):
        return _handshake_refused(endpoint)
    with transaction.atomic():
        locked = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
        if not _handshake_expected(locked):  # another handshake was just taken
            return _handshake_refused(endpoint)
        locked.secret_add(secret)
        locked.handshake_until = None
        locked.save(update_fields=["secrets", "handshake_until"])
    return Reply(200, {}, {header: secret})


def _handshake_expected(endpoint: WebhookEndpoint) -> bool:
    return endpoint.handshake_until is not None and endpoint.handshake_until > timezone.now()


def _handshake_refused(endpoint: WebhookEndpoint) -> Reply:
    logger.warning(
        "Webhook handshake refused for connection %s: none expected", endpoint.connection_id
    )
    return Reply(401, {"error": "no handshake expected"})


def delivery_store(
    endpoint: WebhookEndpoint,
    provider: str,
    inbound: Inbound,
    verified: Verified,
    enqueue: Callable[[], None],
) -> WebhookDelivery | None:
    """Insert the delivery and, unless one is queued already, queue the apply task, in
    one transaction; None when it was a duplicate (made due again if `repeatable`)."""
    try:
        with transaction.atomic():
            delivery = WebhookDelivery(
                provider=provider,
                connection_id=endpoint.connection_id,
                headers=masked_headers(inbound.headers),
                body=inbound.body,
                dedupe_key=verified.dedupe_key,
            )
            delivery_insert(delivery)
            queue = apply_queue_claim()
    except IntegrityError:
        delivery, queue = None, verified.repeatable and _due_again(endpoint, verified)
    if queue:
        transaction.on_commit(enqueue)
    return delivery


def delivery_insert(delivery: WebhookDelivery) -> None:
    """INSERT a new delivery with one statement written from the model's fields, and set
    its pk: the ORM's `create` took about a third of a stored delivery's CPU to build
    the same statement. Each value is still prepared by its field."""
    db = connections[router.db_for_write(WebhookDelivery)]
    fields = [f for f in WebhookDelivery._meta.concrete_fields if not f.primary_key]
    table, pk = db.ops.quote_name(WebhookDelivery._meta.db_table), WebhookDelivery._meta.pk
    columns = ", ".join(db.ops.quote_name(f.column) for f in fields)
    sql = (
        f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(fields))}) "  # noqa: S608 - names from the model
        f"RETURNING {db.ops.quote_name(pk.column)}"
    )
    with db.cursor() as cursor:
        cursor.execute(sql, [f.get_db_prep_save(f.pre_save(delivery, True), db) for f in fields])
        (delivery.pk,) = cursor.fetchone()
    delivery._state.adding, delivery._state.db = False, db.alias


def _due_again(endpoint: WebhookEndpoint, verified: Verified) -> bool:
    """The stored copy of a repeatable delivery, if a worker took it already (applied,
    failed, or being applied: clearing its claim fences that worker's outcome), is due
    again; True when the apply task must be queued."""
    with transaction.atomic():
        taken = WebhookDelivery.objects.filter(
            connection_id=endpoint.connection_id, dedupe_key=verified.dedupe_key
        ).exclude(state=WebhookDelivery.State.RECEIVED)
        again = taken.update(
            state=WebhookDelivery.State.RECEIVED,
            next_attempt_at=timezone.now(),
            attempts=0,
            lease_until=None,
            claim_token="",
        )
        return bool(again) and apply_queue_claim()


def masked_headers(headers: Mapping[str, str]) -> dict[str, str]:
    return {
        name: MASK if any(word in name.lower() for word in MASKED_HEADER_WORDS) else value
        for name, value in headers.items()
    }


def _is_test_ping(body: bytes) -> bool:
    try:
        data = jsoncodec.loads(body)
    except ValueError:
        return False
    return isinstance(data, dict) and data.get("test") is True
