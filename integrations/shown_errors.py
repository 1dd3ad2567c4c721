"""What a person reads about a provider call that failed.

Provider error text is untrusted and written for operators: API paths,
exception names, request ids, the provider's own wording. Staff read that
detail (redacted once more with the connection's secrets, for rows stored
before a redaction rule existed); everyone else reads a plain sentence and a
reference that staff can look up: `outbox #12` or `sync run #34`, the row's id,
which the admin's search box finds on the Outbox items and Sync runs pages.
Staff read the same sentence first; the detail waits behind a "Details" toggle
(a `<details>` element), so a page never opens on an API path. What this module
returns is HTML (`SafeString`) with every provider word escaped.

The one exception is a refused write: the provider's validation message is
meant for the person who typed the data (forms show it on its field), so it
stays, without the path and request id around it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, timedelta
from functools import lru_cache
from typing import Any

from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString

from integrations.http.redaction import Redactor
from integrations.models import Connection, OutboxItem, SyncRun

DETAIL_CHARS = 300
RETRY_SOON = timedelta(minutes=5)  # a retry this close is "we will retry", without a time


@dataclass(frozen=True)
class ShownError:
    plain: str  # a sentence for anyone
    reference: str = ""  # what staff look up; a live read that failed has no stored row
    detail: str = ""  # the stored, redacted error: staff only

    def for_user(self, user: Any) -> SafeString:
        """The sentence; staff get the detail behind a "Details" toggle, others the
        reference to quote."""
        if getattr(user, "is_staff", False) and self.detail:
            where = f" ({self.reference})" if self.reference else ""
            return format_html(
                '{} <details class="shown-detail small"><summary>Details</summary>'
                '<code class="text-break">{}</code>{}</details>',
                self.plain,
                self.detail[:DETAIL_CHARS],
                where,
            )
        if self.reference:
            return format_html("{} Reference: {}.", self.plain, self.reference)
        return format_html("{}", self.plain)


def sync_run_error(run: SyncRun) -> ShownError:
    """Why a run failed, or (a run that succeeded) why it kept records it could not check."""
    if run.status == SyncRun.Status.SUCCEEDED:
        n = run.unverified_count
        plain = (
            f"{n} record{'s' if n != 1 else ''} it did not list could not be checked, so "
            f"{'it stays' if n == 1 else 'they stay'} as before until the next full sync."
        )
    else:
        plain = "The sync failed; it is tried again at the next scheduled sync."
    return ShownError(
        plain=plain,
        reference=f"sync run #{run.pk}",
        detail=_redacted(run.connection, run.error),
    )


def outbox_error(item: OutboxItem) -> ShownError:
    """Why a write is not at the provider yet, by the state it is in."""
    provider = item.connection.provider_display
    if item.status == OutboxItem.Status.FAILED:
        words = refusal_words(item)
        plain = (
            f"{provider} refused the data: {words}" if words else f"{provider} refused the data."
        )
    elif item.status == OutboxItem.Status.NEEDS_ATTENTION:
        plain = f"{provider} did not take it; it waits for staff."
    elif item.status == OutboxItem.Status.DISMISSED:
        plain = f"Dismissed by {dismissed_by(item)}: it will not be sent to {provider}."
    elif item.next_attempt_at and item.next_attempt_at > timezone.now() + RETRY_SOON:
        when = item.next_attempt_at.astimezone(UTC).strftime("%-d %B %Y, %H:%M UTC")
        plain = f"{provider} did not answer; we will retry after {when}."
    else:
        plain = f"{provider} did not answer; we will retry."
    return ShownError(
        plain=plain,
        reference=f"outbox #{item.pk}",
        detail=_redacted(item.connection, item.last_error),
    )


def dismissed_by(item: OutboxItem) -> str:
    """Who dismissed the write, in words ("Ann Lee")."""
    person = item.dismissed_by
    if person is None:
        return "a person whose account was removed"
    return person.get_full_name() or person.get_username()


def live_read_error(plain: str, error: Exception, *, user: Any) -> SafeString:
    """A live read that failed: `plain` for anyone; staff also read the error (already redacted)."""
    return ShownError(plain=plain, detail=str(error)).for_user(user)


def refusal_words(item: OutboxItem) -> str:
    """The provider's validation message of a refused write, as the outbox stored it from
    the error (`OutboxItem.refusal`): no path or request id to strip."""
    return _redacted(item.connection, item.refusal).strip()[:DETAIL_CHARS]


def _redacted(connection: Connection, text: str) -> str:
    secrets = connection.readable_secrets
    return _redactor(secrets)(text) if text and secrets else text


@lru_cache(maxsize=16)
def _redactor(secrets: tuple[str, ...]) -> Redactor:
    return Redactor(secrets)
