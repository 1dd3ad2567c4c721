"""The outbox: every write a person submits, saved before it is sent.

A create or update is stored here in the same transaction as the local
record, then delivered: at once inside the request, and by a background
worker with backoff when the provider cannot take it now. Nothing a person
typed is lost, and `submission_key` makes a double submit land on the same row.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class OutboxItem(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"  # the provider refused the data; nothing was created
        NEEDS_ATTENTION = "needs_attention", "Needs attention"
        # A person who checked at the provider ended a stuck or refused write: it is not
        # wanted, or was done there by hand. Final: never sent again.
        DISMISSED = "dismissed", "Dismissed"

    # The states of a write the provider has not confirmed (nor refused) and no person ended.
    OPEN_STATUSES = (Status.PENDING, Status.SENDING, Status.NEEDS_ATTENTION)

    connection = models.ForeignKey(
        "integrations.Connection", on_delete=models.CASCADE, related_name="outbox_items"
    )
    operation = models.CharField(max_length=64)
    # What a person reads in the outbox list, e.g. "Create candidate Jane Doe".
    summary = models.CharField(max_length=200, blank=True)
    payload = models.JSONField(default=dict)
    # The local record this write belongs to, as "app_label.model" and primary key.
    record_type = models.CharField(max_length=64, blank=True)
    record_id = models.BigIntegerField(null=True, blank=True)
    submission_key = models.CharField(max_length=64, unique=True)
    # The bulk action this row is one write of (`core.bulk`: its form's submission key,
    # each row's own key being `<bulk_key>-<pk>`), what its result page reads; null for
    # any other write.
    bulk_key = models.UUIDField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    # The claim of the worker sending it: every change it makes to the row applies
    # only while `claim_token` is still its own (`integrations.outbox.claims`).
    claim_token = models.CharField(max_length=32, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    # Set when an attempt may have reached the provider without an answer: when it
    # was sent (the settle window starts there) and the idempotency key it carried.
    unknown_since = models.DateTimeField(null=True, blank=True)
    unknown_key = models.CharField(max_length=255, blank=True)
    # Lookups since then that did not find the record (a re-send needs several).
    empty_lookups = models.PositiveSmallIntegerField(default=0)
    # Needs attention because its operation cannot look the write up after an unknown
    # outcome (`operations.LookupUnavailable`): a retry would only ask again, so only a
    # person who checked at the provider has it sent again (`delivery.outbox_send_again`).
    lookup_unavailable = models.BooleanField(default=False)
    last_error = models.TextField(blank=True)
    field_errors = models.JSONField(default=dict, blank=True)
    # A refused write (FAILED): the provider's own message (`ValidationError.message`),
    # the words the person who typed the data reads; `last_error` keeps the whole line.
    refusal = models.TextField(blank=True)
    remote_id = models.CharField(max_length=64, blank=True)
    # Who dismissed it (DISMISSED, `delivery.outbox_dismiss`), and when.
    dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    dismissed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"]),
            models.Index(fields=["record_type", "record_id"]),
            # The bulk result page's poll (`core.bulk.submission_rows`): with the user, so
            # that SQLite, without statistics, never prefers the user's index over this
            # one; only the rows of bulk actions.
            models.Index(
                fields=["bulk_key", "created_by"],
                name="outbox_bulk_rows",
                condition=models.Q(bulk_key__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.operation} #{self.pk} ({self.status})"

    @property
    def outcome_unknown(self) -> bool:
        """Sent, but the provider's answer never came: it is confirmed before any re-send."""
        return self.unknown_since is not None

    @property
    def idempotency_key(self) -> str:
        """The one key every attempt of this row carries, where the provider has keys."""
        return f"hub-outbox-{self.submission_key}"
