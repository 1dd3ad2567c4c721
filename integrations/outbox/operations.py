"""What the outbox needs to know about one kind of write.

A domain app subclasses `OutboxOperation` for each write it offers (create a
candidate, update an organization, …) and registers it with
`integrations.outbox.registry.register_operations` from its `AppConfig.ready`.
The delivery loop calls the hooks; the
operation knows the provider call and the local record, nothing else.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, ClassVar

from django.apps import apps
from django.utils import timezone

from integrations.http.errors import IntegrationError
from integrations.models import OutboxItem
from integrations.models.synced import SyncedRecord, SyncStatus
from integrations.outbox.identity import Identity, IdentityRule

# Clocks differ: a record the provider says it created this long before the write was saved
# can still be the write's, when a lookup after an unknown outcome compares creation times.
RECONCILE_SLACK = timedelta(hours=1)


class LookupUnavailable(IntegrationError):
    """`find_existing` cannot tell whether the write landed (the API offers no way to look
    it up): the row needs a person, and "Retry now", which would only ask again, gives way
    to "Send again" once they checked (`delivery.outbox_send_again`)."""


class OutboxOperation:
    """Base class. Subclasses set `name` and `record_model` and implement `send`
    and `find_existing`; the other hooks have sensible defaults."""

    name: str = ""
    # "app_label.ModelName" of the local record the write belongs to.
    record_model: str = ""
    # A create removes its local row when the provider refuses the data.
    creates_record: bool = True
    # For the duplicate check: where synced records keep each kind of identity that
    # `identity()` gives, e.g. {"email": IdentityRule("emails")}.
    identity_rules: ClassVar[dict[str, IdentityRule]] = {}
    # Payload keys the hub adds for itself, not sent to the provider (what a create's
    # duplicate check saw): left out when a resubmit is compared with the first write.
    bookkeeping_keys: ClassVar[frozenset[str]] = frozenset()

    @property
    def action(self) -> str:
        """What the write does to its record, for the audit trail: "create", "update" or
        "delete", the last word of `name` ("recruitee.candidate_update")."""
        word = self.name.replace("_", ".").rsplit(".", 1)[-1]
        return word if word in ("create", "update", "delete") else "update"

    def submitted(self, payload: dict[str, Any]) -> dict[str, Any]:
        """What of `payload` the person's form decided: two submissions of one key that
        differ here are two different writes (`outbox.service.SubmissionChanged`)."""
        return {k: v for k, v in payload.items() if k not in self.bookkeeping_keys}

    def send(self, client: Any, item: OutboxItem) -> dict[str, Any]:
        """Make the provider call; return the provider's record (raw JSON)."""
        raise NotImplementedError(f"{type(self).__name__} must implement send()")

    def before_send(self, client: Any, item: OutboxItem) -> None:
        """Just before each send, outside its unknown-outcome handling (a failed read here
        sent nothing): note in the row what `find_existing` will need, saved with
        `claims.claimed_update`, e.g. the records that already hold a create's values."""

    def find_existing(self, client: Any, item: OutboxItem) -> dict[str, Any] | None:
        """After an attempt whose outcome is unknown: the provider's record if the
        write already landed, else None; `LookupUnavailable` when it cannot tell. Never
        creates anything."""
        raise NotImplementedError(f"{type(self).__name__} must implement find_existing()")

    def fields_from_remote(self, remote: dict[str, Any]) -> dict[str, Any]:
        """Normalized model fields for the provider's record (the sync's mapping)."""
        raise NotImplementedError(f"{type(self).__name__} must implement fields_from_remote()")

    def identity(self, payload: dict[str, Any]) -> Identity | None:
        """What the record this create makes is known by at the provider (a kind listed
        in `identity_rules`). After each sync, an identity that more than one synced
        record holds is flagged as a possible duplicate. None: the write is not checked."""
        return None

    def record(self, item: OutboxItem) -> SyncedRecord | None:
        if not item.record_id:
            return None
        model = apps.get_model(self.record_model)
        return model.objects.filter(pk=item.record_id).first()

    def on_delivered(self, item: OutboxItem, remote: dict[str, Any]) -> None:
        """The provider has the write: the local record becomes the provider's copy.

        A create confirmed after an unknown outcome may find that a sync or a webhook
        copied the new record in meanwhile (the pending row has no remote id to match):
        the person's row is kept and the copy goes, one row per remote record."""
        record = self.record(item)
        if record is None:
            return
        remote_id = str(remote.get("id") or remote.get("gid") or record.remote_id)
        if self.creates_record and remote_id:
            type(record)._default_manager.filter(
                connection_id=record.connection_id, remote_id=remote_id
            ).exclude(pk=record.pk).delete()
        for name, value in self.fields_from_remote(remote).items():
            setattr(record, name, value)
        record.remote_id = remote_id
        record.raw = remote
        record.sync_status = SyncStatus.SYNCED
        record.synced_at = timezone.now()
        record.save()

    def on_rejected(self, item: OutboxItem) -> None:
        """The provider refused the data: leave nothing half-created behind."""
        record = self.record(item)
        if record is None:
            return
        if self.creates_record and not record.remote_id:
            record.delete()
            item.record_id = None
            return
        # An update that was refused: show the last copy the provider confirmed.
        if record.raw:
            for name, value in self.fields_from_remote(record.raw).items():
                setattr(record, name, value)
        record.sync_status = SyncStatus.SYNCED
        record.save()

    def on_stuck(self, item: OutboxItem) -> None:
        """Delivery needs a person: mark the local record so the list shows it."""
        record = self.record(item)
        if record is not None:
            record.sync_status = SyncStatus.FAILED
            record.save(update_fields=["sync_status"])
