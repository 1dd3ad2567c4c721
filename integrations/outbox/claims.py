"""Claims on outbox rows: which worker may send a row, and until when.

A worker claims rows with one conditional UPDATE (pending → sending) that
writes a fresh token and a lease of `OUTBOX_LEASE_SECONDS`; it is atomic on
SQLite and PostgreSQL alike, so two workers never both win a row. Everything
the worker then writes to the row is an UPDATE filtered on that token
(`end_claim`), so a worker that lost its claim changes nothing: `ClaimLost`
rolls back what it was about to save with it.

The worker's provider calls end before the lease does (`lease_deadline`, given
to `ApiClient.finish_by`), so it never sleeps past it: a longer wait puts the
row back with its next attempt time. Before sending, `still_held` beats the
row's heartbeat and checks the lease has not passed. A worker that died
leaves its rows `sending`; once their lease has passed, `recover_stale` puts
them back as pending with an unknown outcome, to be confirmed before any
re-send.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import F
from django.utils import timezone

from integrations.models import OutboxItem

# The lease's last seconds (a fifth of it, at most this) are for writing the outcome.
LEASE_MARGIN_SECONDS = 5.0


class ClaimLost(Exception):
    """The worker's claim on a row ended (its lease passed and the row was recovered)."""


def lease() -> timedelta:
    return timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)


def claim_rows(ids: Iterable[int], *, due_only: bool) -> list[OutboxItem]:
    """Claim the pending rows among `ids` (only those due, with `due_only`)."""
    token = uuid.uuid4().hex
    now = timezone.now()
    rows = OutboxItem.objects.filter(pk__in=list(ids), status=OutboxItem.Status.PENDING)
    if due_only:
        rows = rows.filter(next_attempt_at__lte=now)
    claimed = rows.update(
        status=OutboxItem.Status.SENDING,
        claim_token=token,
        lease_until=now + lease(),
        heartbeat_at=now,
        attempts=F("attempts") + 1,
        updated_at=now,
    )
    if not claimed:
        return []
    return list(OutboxItem.objects.filter(claim_token=token).select_related("connection"))


def lease_deadline(items: list[OutboxItem]) -> float:
    """The monotonic moment the claimed rows' provider calls must have ended by."""
    left = min(item.lease_until for item in items) - timezone.now()
    margin = min(LEASE_MARGIN_SECONDS, lease().total_seconds() / 5)
    return time.monotonic() + left.total_seconds() - margin


def still_held(items: list[OutboxItem], *, sending_key: str = "") -> bool:
    """Beat the rows' heartbeat just before a send; False when a claim is gone or its
    lease has passed. `sending_key` is the idempotency key the send will carry: if the
    worker dies during it, the recovered rows know which key covers that send."""
    now = timezone.now()
    beaten = OutboxItem.objects.filter(
        pk__in=[item.pk for item in items],
        claim_token=items[0].claim_token,
        status=OutboxItem.Status.SENDING,
        lease_until__gt=now,
    ).update(heartbeat_at=now, unknown_key=sending_key)
    return beaten == len(items)


def claimed_update(item: OutboxItem, **changes: Any) -> None:
    """Save `changes` to a claimed row, only while the claim is ours (else `ClaimLost`)."""
    changes |= {"updated_at": timezone.now()}
    updated = OutboxItem.objects.filter(
        pk=item.pk, claim_token=item.claim_token, status=OutboxItem.Status.SENDING
    ).update(**changes)
    if not updated:
        raise ClaimLost(f"outbox {item} is no longer claimed by this worker")
    for name, value in changes.items():
        setattr(item, name, value)


def end_claim(item: OutboxItem, **changes: Any) -> None:
    """Write an attempt's outcome and release the claim, only while the claim is ours.

    Call it last inside the transaction that saves the rest of the outcome (the
    local record): `ClaimLost` then rolls all of it back.
    """
    claimed_update(item, **changes, claim_token="", lease_until=None)


def recover_stale(*, now: datetime | None = None) -> int:
    """Rows whose worker stopped before its lease passed: pending, outcome unknown."""
    now = now or timezone.now()
    return OutboxItem.objects.filter(status=OutboxItem.Status.SENDING, lease_until__lt=now).update(
        status=OutboxItem.Status.PENDING,
        claim_token="",
        lease_until=None,
        # The dead worker may have sent it at any moment of its claim: settle from now.
        unknown_since=now,
        empty_lookups=0,
        next_attempt_at=now,
        updated_at=now,
    )
