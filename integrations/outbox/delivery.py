"""Save writes in the outbox and deliver each exactly once.

`outbox_submit` stores a write (call it inside the transaction that saves the
local record). `outbox_deliver` makes one attempt at one row, under a claim
(`claims`): the row changes only while this worker still holds it.

An attempt whose outcome is unknown (a read timeout, a dropped connection, a
5xx after the request left, a 2xx whose body cannot be read) is never simply sent again:

- where the provider honours idempotency keys (`Provider.idempotency_header`),
  every attempt of a row carries the same key, so sending again is safe while
  the provider still remembers the key;
- elsewhere the provider may still be processing the first request, so the row
  waits for its outcome to settle: the record is looked up several times across
  a settle window longer than that (`OUTBOX_SETTLE_SECONDS`), and it is sent
  again only if every lookup, the last one after the window, found nothing.
"""

from __future__ import annotations

import logging
import random
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.db.models.functions import Least
from django.utils import timezone

from integrations import audit
from integrations.http import call_log
from integrations.http.errors import (
    ConfigurationError,
    IntegrationError,
    InvalidResponseError,
    ProviderUnavailableError,
    RateLimitedError,
    ValidationError,
)
from integrations.models import Connection, OutboxItem
from integrations.outbox.claims import ClaimLost, claim_rows, end_claim, lease_deadline, still_held
from integrations.outbox.operations import LookupUnavailable
from integrations.outbox.registry import operation_for
from integrations.providers import provider_for
from integrations.providers.base import Provider
from integrations.services.connections import connection_client

logger = logging.getLogger(__name__)

_NO_OUTCOME = (
    "Gave up after {} attempts that ended without an outcome (its worker stopped or failed)."
)
BACKOFF_BASE_SECONDS = 5
BACKOFF_CAP_SECONDS = 3600
# Lookups across the settle window before an unknown outcome may be sent again;
# the last one comes after the window.
SETTLE_LOOKUPS = 3
# A key is trusted for re-sends only this long before the provider forgets it.
KEY_TTL_MARGIN = timedelta(hours=1)


def outbox_submit(
    *,
    connection: Connection,
    operation: str,
    payload: dict[str, Any],
    submission_key: str,
    summary: str = "",
    record: Any = None,
    user: Any = None,
    bulk_key: uuid.UUID | None = None,
) -> tuple[OutboxItem, bool]:
    """Store a write; return (row, created). A repeated `submission_key` returns
    the first row and stores nothing: a double submit never writes twice. `bulk_key`:
    the bulk action the write is one row of."""
    existing = OutboxItem.objects.filter(submission_key=submission_key).first()
    if existing:
        return existing, False
    item = OutboxItem(
        connection=connection,
        operation=operation,
        payload=payload,
        submission_key=submission_key,
        summary=summary[:200],
        record_type=record._meta.label if record is not None else "",
        record_id=record.pk if record is not None else None,
        created_by=user if user is not None and user.is_authenticated else None,
        bulk_key=bulk_key,
    )
    try:
        with transaction.atomic():
            item.save()
    except IntegrityError:
        return OutboxItem.objects.get(submission_key=submission_key), False
    return item, True


def outbox_deliver(item_id: int, *, background: bool = True) -> OutboxItem | None:
    """Make one attempt at one row now. Returns the row as it ends, or None when the
    row is not deliverable (already done, not due, or another worker holds it)."""
    claimed = claim_rows([item_id], due_only=background)
    if not claimed:
        return None
    item = claimed[0]
    operation = operation_for(item.operation)
    if item.attempts > settings.OUTBOX_MAX_ATTEMPTS:
        # Its attempts kept ending without an outcome (a worker that died during them,
        # an error delivery does not expect): a person looks, rather than a loop for good.
        with suppress(ClaimLost):
            _needs_attention(item, operation, _NO_OUTCOME.format(item.attempts - 1))
        return item
    try:
        try:
            client = connection_client(item.connection, background=background)
            client.finish_by = lease_deadline([item])
            with call_log.linked(outbox_item_id=item.pk):
                remote = _confirm_or_send(client, operation, item)
        except ValidationError as error:
            mark_rejected(item, operation, error)
        except RateLimitedError as error:
            mark_postponed(item, operation, error, retry_at=error.retry_at)
        except ProviderUnavailableError as error:
            mark_postponed(item, operation, error, retry_at=error.retry_at)
        except LookupUnavailable as error:
            _needs_attention(item, operation, str(error), lookup_unavailable=True)
        except IntegrationError as error:
            _needs_attention(item, operation, str(error))
        except ConfigurationError as error:
            # The connection is switched off or incomplete: wait for an administrator.
            mark_postponed(item, operation, error)
        else:
            if remote is not None:
                mark_delivered(item, operation, remote)
    except ClaimLost as lost:
        logger.warning("%s; its outcome is left to the worker that holds it now", lost)
    return item


def _confirm_or_send(client: Any, operation: Any, item: OutboxItem) -> dict[str, Any] | None:
    """The provider's record once it has the write; None while an unknown outcome settles."""
    provider = client.provider
    if item.unknown_since is not None and not _resend_is_safe(provider, item):
        remote = operation.find_existing(client, item)
        if remote is not None:
            return remote
        if not _settled(provider, item):
            _await_settle(item, provider)
            return None
        # Nothing arrived across the whole window: the first request never landed.
        item.unknown_since, item.unknown_key, item.empty_lookups = None, "", 0
    key = item.idempotency_key if provider.idempotency_header else ""
    operation.before_send(client, item)
    if not still_held([item], sending_key=key):
        raise ClaimLost(f"outbox {item} lost its claim before sending")
    sent_at = timezone.now()
    try:
        with client.idempotency_key(key), unreadable_as_unknown():
            return operation.send(client, item)
    except ProviderUnavailableError as error:
        if error.outcome_unknown:
            item.unknown_since, item.unknown_key, item.empty_lookups = sent_at, key, 0
        raise


@contextmanager
def unreadable_as_unknown() -> Iterator[None]:
    """A send answered 2xx with a body we cannot use (not JSON, no id, too large): the
    provider most likely made the write, so its outcome is unknown, to be confirmed
    before any re-send, not a failure that a person's retry would send again."""
    try:
        yield
    except InvalidResponseError as error:
        raise ProviderUnavailableError(
            f"unreadable answer to a write: {error.message}",
            outcome_unknown=True,
            **error.context,
        ) from error


def _resend_is_safe(provider: Provider, item: OutboxItem) -> bool:
    """The unknown send carried this row's key, and the provider still remembers it
    (its first request came after the row was saved, so this bound is conservative)."""
    return (
        bool(provider.idempotency_header)
        and item.unknown_key == item.idempotency_key
        and timezone.now() < item.created_at + provider.idempotency_key_ttl - KEY_TTL_MARGIN
    )


def settle_window(provider_name: str) -> timedelta:
    """How long a provider may still be processing a request whose answer never came."""
    seconds = settings.OUTBOX_SETTLE_SECONDS_BY_PROVIDER.get(
        provider_name, settings.OUTBOX_SETTLE_SECONDS
    )
    return timedelta(seconds=seconds)


def _settled(provider: Provider, item: OutboxItem) -> bool:
    """This lookup found nothing; with it, have enough lookups, the last after the window?"""
    window_over = timezone.now() >= item.unknown_since + settle_window(provider.name)
    return window_over and item.empty_lookups + 1 >= SETTLE_LOOKUPS


def _next_lookup_at(item: OutboxItem, provider: Provider) -> datetime:
    """Lookups spread across the window: at 1/3, 2/3 and the end of it (and apart)."""
    window = settle_window(provider.name)
    step = min(item.empty_lookups + 1, SETTLE_LOOKUPS)
    planned = item.unknown_since + window * step / SETTLE_LOOKUPS
    return max(planned, timezone.now() + window / (2 * SETTLE_LOOKUPS))


def _await_settle(item: OutboxItem, provider: Provider) -> None:
    """The lookup found nothing yet: look again later. A lookup is not a delivery
    attempt, so it gives its attempt back."""
    item.empty_lookups += 1
    end_claim(
        item,
        status=OutboxItem.Status.PENDING,
        attempts=item.attempts - 1,
        empty_lookups=item.empty_lookups,
        next_attempt_at=_next_lookup_at(item, provider),
    )
    logger.info("outbox %s: not at %s yet; looking again", item, provider.display_name)


def outbox_deliver_due(*, limit: int = 50) -> int:
    """Deliver the rows that are due, as a background worker does. Returns how many were tried."""
    ids = list(
        OutboxItem.objects.filter(
            status=OutboxItem.Status.PENDING, next_attempt_at__lte=timezone.now()
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(1 for pk in ids if outbox_deliver(pk) is not None)


def outbox_retry(item: OutboxItem) -> bool:
    """A person asks to try a failed or stuck row again: one more attempt, even past the
    outbox's count. Not a row whose write cannot be looked up (`lookup_unavailable`): its
    attempt would only ask again and need attention again (`outbox_send_again`).
    Returns whether the row was queued."""
    if item.status not in (OutboxItem.Status.NEEDS_ATTENTION, OutboxItem.Status.PENDING):
        return False
    return bool(
        OutboxItem.objects.filter(pk=item.pk, status=item.status, lookup_unavailable=False).update(
            status=OutboxItem.Status.PENDING,
            next_attempt_at=timezone.now(),
            attempts=Least(F("attempts"), settings.OUTBOX_MAX_ATTEMPTS - 1),
        )
    )


def outbox_send_again(item: OutboxItem, *, user: Any) -> bool:
    """A person checked at the provider that a write the outbox cannot look up did not
    land: its unknown outcome is dropped and it is sent again, once however often they
    press (one conditional update), with their own audit entry. Returns whether it was."""
    with transaction.atomic():
        sent_again = OutboxItem.objects.filter(
            pk=item.pk, status=OutboxItem.Status.NEEDS_ATTENTION, lookup_unavailable=True
        ).update(
            status=OutboxItem.Status.PENDING,
            next_attempt_at=timezone.now(),
            attempts=Least(F("attempts"), settings.OUTBOX_MAX_ATTEMPTS - 1),
            unknown_since=None,
            unknown_key="",
            empty_lookups=0,
            lookup_unavailable=False,
        )
        if sent_again:
            audit.sent_again_recorded(item, user=user)
    return bool(sent_again)


# What a person may dismiss: a write the worker no longer sends on its own.
DISMISSABLE = (OutboxItem.Status.NEEDS_ATTENTION, OutboxItem.Status.FAILED)

# Why a row is not dismissed (a write on its way otherwise).
NOT_DISMISSED = {
    OutboxItem.Status.DONE: "the provider has it already",
    OutboxItem.Status.DISMISSED: "it was dismissed already",
}


def why_not_dismissed(item: OutboxItem) -> str:
    """Why `outbox_dismiss` left `item` as it was, in words for the person (read afresh)."""
    item.refresh_from_db(fields=["status"])
    return NOT_DISMISSED.get(item.status, "it is on its way; wait for its answer")


def outbox_dismiss(item: OutboxItem, *, user: Any) -> bool:
    """A person checked at the provider that a stuck or refused write is not wanted (or was
    done there by hand): it ends as dismissed, never sent again, with their own audit entry.
    Only a row that needs attention or was refused, read locked, so a retry queuing it at
    the same moment either comes first (then nothing is dismissed) or finds it dismissed.
    A stuck write's local record goes back to what the provider last confirmed, as for a
    refusal (`on_rejected`: a create it never confirmed is removed; the next sync brings
    what was done by hand), unless a later write of the record is still on its way.
    Returns whether it was dismissed."""
    with transaction.atomic():
        row = OutboxItem.objects.select_for_update().filter(pk=item.pk).first()
        if row is None or row.status not in DISMISSABLE:
            return False
        # Another write of the record still open: the local values are that write's.
        later = OutboxItem.objects.filter(
            record_type=row.record_type, record_id=row.record_id, status__in=row.OPEN_STATUSES
        ).exclude(pk=row.pk)
        stuck = row.status == OutboxItem.Status.NEEDS_ATTENTION
        if stuck and row.record_id is not None and not later.exists():
            operation_for(row.operation).on_rejected(row)
        row.status, row.dismissed_by, row.dismissed_at = (
            OutboxItem.Status.DISMISSED,
            user,
            timezone.now(),
        )
        row.save(
            update_fields=["status", "dismissed_by", "dismissed_at", "record_id", "updated_at"]
        )
        audit.dismissal_recorded(row, user=user)
    return True


# The outcomes of one attempt. Public for senders that deliver several rows in
# one provider call (a bulk endpoint) and must end each row exactly as here.
# Each raises ClaimLost, and saves nothing, when the claim is no longer this worker's.


def mark_delivered(item: OutboxItem, operation: Any, remote: dict[str, Any]) -> None:
    """The provider has the write: the local record becomes the provider's copy."""
    with transaction.atomic():
        operation.on_delivered(item, remote)
        end_claim(
            item,
            status=OutboxItem.Status.DONE,
            remote_id=str(remote.get("id") or remote.get("gid") or ""),
            delivered_at=timezone.now(),
            unknown_since=None,
            unknown_key="",
            empty_lookups=0,
            last_error="",
            field_errors={},
            refusal="",
        )
        audit.write_answered(item)


def mark_rejected(item: OutboxItem, operation: Any, error: ValidationError) -> None:
    """The provider refused the data: failed, with its field errors for the form."""
    with transaction.atomic():
        operation.on_rejected(item)
        end_claim(
            item,
            status=OutboxItem.Status.FAILED,
            record_id=item.record_id,  # None when the half-created record was removed
            unknown_since=None,
            unknown_key="",
            last_error=str(error),
            field_errors=error.field_errors,
            refusal=error.message,
        )
        audit.write_answered(item)


def mark_postponed(
    item: OutboxItem, operation: Any, error: Exception | str, *, retry_at: datetime | None = None
) -> None:
    """No answer we can use: try again later (at `retry_at`, or after a backoff; an
    unknown outcome that must settle first, at its first lookup)."""
    if item.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
        _needs_attention(item, operation, f"Gave up after {item.attempts} attempts: {error}")
        return
    provider = provider_for(item.connection.provider)
    if item.unknown_since is not None and not _resend_is_safe(provider, item):
        next_attempt_at = max(retry_at or timezone.now(), _next_lookup_at(item, provider))
    else:
        next_attempt_at = retry_at or timezone.now() + _backoff(item.attempts)
    end_claim(
        item,
        status=OutboxItem.Status.PENDING,
        next_attempt_at=next_attempt_at,
        unknown_since=item.unknown_since,
        unknown_key=item.unknown_key,
        empty_lookups=item.empty_lookups,
        last_error=str(error),
    )
    logger.info("outbox %s postponed to %s: %s", item, item.next_attempt_at, error)


def _needs_attention(
    item: OutboxItem, operation: Any, message: str, *, lookup_unavailable: bool = False
) -> None:
    with transaction.atomic():
        operation.on_stuck(item)
        end_claim(
            item,
            status=OutboxItem.Status.NEEDS_ATTENTION,
            unknown_since=item.unknown_since,
            unknown_key=item.unknown_key,
            lookup_unavailable=lookup_unavailable,
            last_error=message,
        )
        audit.write_answered(item)


def _backoff(attempts: int) -> timedelta:
    """Exponential backoff with full jitter."""
    ceiling = min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2**attempts)
    return timedelta(seconds=random.uniform(1, ceiling))  # noqa: S311 - jitter, not security
