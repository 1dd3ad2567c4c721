"""The alert channels' memory: whether each connection was last reported failing."""

from __future__ import annotations

from django.db import models


class HealthAlert(models.Model):
    """One row per connection: the state the alert channels were last told about.

    `integrations.services.health_alerts` changes `alarming` with a conditional
    UPDATE (only from the value it read), and only the worker whose update took
    sends the notification: two workers never both report one transition. The
    channels that have not taken it yet stay in `pending` and are tried again at
    `retry_at`, a bounded number of times (`attempts`), each retry claimed the same
    way (from the `retry_at` read).
    """

    connection = models.OneToOneField(
        "integrations.Connection", on_delete=models.CASCADE, related_name="health_alert"
    )
    alarming = models.BooleanField(default=False)  # failing, or switched off by the hub
    changed_at = models.DateTimeField(null=True, blank=True)
    reasons = models.TextField(blank=True)  # the health state's reasons at the change
    notified_at = models.DateTimeField(null=True, blank=True)
    # What went wrong sending the last notification (empty: every channel took it).
    error = models.TextField(blank=True)
    # The channels ("webhook", "email") that still owe the change at `changed_at`.
    pending = models.JSONField(default=list, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)  # tries of that notification
    # When `pending` is tried next; while a worker sends, the end of its claim. None:
    # nothing owed, or given up after the last try.
    retry_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.connection_id}: {'failing' if self.alarming else 'fine'}"
