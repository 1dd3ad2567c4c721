"""The outbox with a fake operation: save first, deliver once, reconcile unknown outcomes."""

from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

from ats.models import Candidate
from integrations.http.errors import (
    ProviderUnavailableError,
    RateLimitedError,
    ValidationError,
)
from integrations.models import OutboxItem
from integrations.models.synced import SyncStatus
from integrations.outbox import delivery
from integrations.outbox.claims import ClaimLost, claim_rows, recover_stale
from integrations.outbox.delivery import mark_delivered, outbox_deliver, outbox_submit
from integrations.outbox.operations import OutboxOperation

pytestmark = pytest.mark.usefixtures("no_client")


class FakeCandidateCreate(OutboxOperation):
    name = "test.candidate_create"
    record_model = "ats.Candidate"

    def __init__(self):
        self.outcomes: list[object] = []  # what each send does: a dict or an exception
        self.sent: list[dict] = []
        self.at_provider: list[dict] = []

    def send(self, client, item):
        self.sent.append(item.payload)
        outcome = self.outcomes.pop(0) if self.outcomes else None
        if isinstance(outcome, Exception):
            if getattr(outcome, "outcome_unknown", False):
                self.at_provider.append({"id": 77, **item.payload})  # it landed anyway
            raise outcome
        remote = {"id": 42 + len(self.at_provider), **item.payload}
        self.at_provider.append(remote)
        return remote

    def find_existing(self, client, item):
        return next((r for r in self.at_provider if r["name"] == item.payload["name"]), None)

    def fields_from_remote(self, remote):
        return {"name": remote["name"]}


@pytest.fixture
def operation(monkeypatch):
    fake = FakeCandidateCreate()
    monkeypatch.setattr(delivery, "operation_for", lambda name: fake)
    return fake


def _submit(connection, key="form-1", name="Ada Lovelace"):
    record = Candidate.objects.create(
        connection=connection, name=name, sync_status=SyncStatus.PENDING
    )
    item, created = outbox_submit(
        connection=connection,
        operation=FakeCandidateCreate.name,
        payload={"name": name},
        submission_key=key,
        summary=f"Create candidate {name}",
        record=record,
    )
    return item, created, record


def test_a_double_submit_stores_one_row(connection, operation):
    first, created, _ = _submit(connection)
    again, created_again = outbox_submit(
        connection=connection, operation=operation.name, payload={}, submission_key="form-1"
    )
    assert created and not created_again
    assert again.pk == first.pk
    assert OutboxItem.objects.count() == 1


def test_delivery_makes_the_local_record_the_providers_copy(connection, operation):
    item, _, record = _submit(connection)
    delivered = outbox_deliver(item.pk, background=False)
    assert delivered.status == OutboxItem.Status.DONE
    assert delivered.remote_id == "42"
    record.refresh_from_db()
    assert (record.remote_id, record.sync_status) == ("42", SyncStatus.SYNCED)
    # Delivered rows are never sent again.
    assert outbox_deliver(item.pk) is None
    assert len(operation.sent) == 1


def test_refused_data_fails_the_row_and_removes_the_half_created_record(connection, operation):
    operation.outcomes = [
        ValidationError("Name can't be blank", field_errors={"name": ["can't be blank"]})
    ]
    item, _, record = _submit(connection)
    failed = outbox_deliver(item.pk, background=False)
    assert failed.status == OutboxItem.Status.FAILED
    assert failed.field_errors == {"name": ["can't be blank"]}
    assert not Candidate.objects.filter(pk=record.pk).exists()


def test_unavailable_provider_leaves_the_row_pending_with_backoff(connection, operation):
    operation.outcomes = [ProviderUnavailableError("503", status=503)]
    item, _, record = _submit(connection)
    pending = outbox_deliver(item.pk, background=False)
    assert pending.status == OutboxItem.Status.PENDING
    assert pending.next_attempt_at > timezone.now()
    assert not pending.outcome_unknown
    record.refresh_from_db()
    assert record.sync_status == SyncStatus.PENDING
    # Not due yet: a worker leaves it alone.
    assert outbox_deliver(item.pk, background=True) is None


def test_rate_limit_waits_until_the_provider_says(connection, operation):
    retry_at = timezone.now() + timedelta(seconds=90)
    operation.outcomes = [RateLimitedError("429", status=429, retry_at=retry_at)]
    item, _, _ = _submit(connection)
    assert outbox_deliver(item.pk, background=False).next_attempt_at == retry_at


def test_unknown_outcome_is_reconciled_before_any_resend(connection, operation):
    operation.outcomes = [ProviderUnavailableError("read timeout", outcome_unknown=True)]
    item, _, record = _submit(connection)
    first = outbox_deliver(item.pk, background=False)
    assert first.outcome_unknown and first.status == OutboxItem.Status.PENDING

    OutboxItem.objects.filter(pk=item.pk).update(next_attempt_at=timezone.now())
    second = outbox_deliver(item.pk)
    assert second.status == OutboxItem.Status.DONE
    assert len(operation.sent) == 1, "the write landed the first time; it must not be re-sent"
    assert len(operation.at_provider) == 1
    record.refresh_from_db()
    assert record.remote_id == "77"


def test_a_row_left_sending_by_a_dead_worker_is_reconciled(connection, operation):
    item, _, _ = _submit(connection)
    OutboxItem.objects.filter(pk=item.pk).update(
        status=OutboxItem.Status.SENDING, lease_until=timezone.now() - timedelta(seconds=1)
    )
    assert outbox_deliver(item.pk) is None  # someone holds it
    assert recover_stale() == 1
    item.refresh_from_db()
    assert item.status == OutboxItem.Status.PENDING and item.outcome_unknown


def test_repeated_failures_end_in_needs_attention(connection, operation, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 2
    operation.outcomes = [ProviderUnavailableError("503"), ProviderUnavailableError("503")]
    item, _, record = _submit(connection)
    outbox_deliver(item.pk, background=False)
    OutboxItem.objects.filter(pk=item.pk).update(next_attempt_at=timezone.now())
    stuck = outbox_deliver(item.pk)
    assert stuck.status == OutboxItem.Status.NEEDS_ATTENTION
    assert "Gave up after 2 attempts" in stuck.last_error
    record.refresh_from_db()
    assert record.sync_status == SyncStatus.FAILED


class LateLanding(FakeCandidateCreate):
    """A provider whose queue backs up: the first request lands only after a while."""

    def send(self, client, item):
        self.sent.append(item.payload)
        if len(self.sent) == 1:
            raise ProviderUnavailableError("read timeout", outcome_unknown=True)
        remote = {"id": 42 + len(self.at_provider), **item.payload}
        self.at_provider.append(remote)
        return remote

    def land_late(self, item):
        self.at_provider.append({"id": 77, **item.payload})


@pytest.fixture
def late(monkeypatch):
    fake = LateLanding()
    monkeypatch.setattr(delivery, "operation_for", lambda name: fake)
    return fake


def _make_due(item):
    OutboxItem.objects.filter(pk=item.pk).update(next_attempt_at=timezone.now())


def _settle_window_passes(item, settings):
    """Move the unknown send back past the settle window (instead of waiting for it)."""
    past = timezone.now() - timedelta(seconds=settings.OUTBOX_SETTLE_SECONDS + 1)
    OutboxItem.objects.filter(pk=item.pk).update(unknown_since=past, next_attempt_at=past)


def test_a_late_answer_is_looked_up_again_and_never_sent_twice(connection, late):
    item, _, record = _submit(connection)
    first = outbox_deliver(item.pk, background=False)
    assert first.outcome_unknown and first.next_attempt_at > timezone.now()

    _make_due(item)  # the first lookup: the provider is still processing the request
    waiting = outbox_deliver(item.pk)
    assert waiting.status == OutboxItem.Status.PENDING and waiting.outcome_unknown
    assert len(late.sent) == 1, "a lookup that finds nothing inside the window must not re-send"

    late.land_late(item)
    _make_due(item)
    done = outbox_deliver(item.pk)
    assert done.status == OutboxItem.Status.DONE and done.remote_id == "77"
    assert len(late.sent) == 1 and len(late.at_provider) == 1
    record.refresh_from_db()
    assert record.remote_id == "77"


def test_an_unknown_outcome_is_resent_only_after_the_window_and_every_lookup(
    connection, late, settings
):
    item, _, _ = _submit(connection)
    outbox_deliver(item.pk, background=False)
    for _ in range(5):  # however often a worker comes by inside the window
        _make_due(item)
        assert outbox_deliver(item.pk).status == OutboxItem.Status.PENDING
    assert len(late.sent) == 1

    _settle_window_passes(item, settings)
    OutboxItem.objects.filter(pk=item.pk).update(empty_lookups=1)
    assert outbox_deliver(item.pk).status == OutboxItem.Status.PENDING, "one lookup too few"
    assert len(late.sent) == 1

    _settle_window_passes(item, settings)
    done = outbox_deliver(item.pk)
    assert done.status == OutboxItem.Status.DONE
    assert len(late.sent) == 2 and len(late.at_provider) == 1


def test_lookups_that_find_nothing_do_not_spend_attempts(connection, late, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 3
    item, _, _ = _submit(connection)
    outbox_deliver(item.pk, background=False)
    for _ in range(6):
        _make_due(item)
        outbox_deliver(item.pk)
    item.refresh_from_db()
    assert item.status == OutboxItem.Status.PENDING and item.attempts == 1


def test_a_worker_whose_claim_was_recovered_changes_nothing(connection, operation):
    item, _, record = _submit(connection)
    (stalled,) = claim_rows([item.pk], due_only=False)
    # Its lease passes (the worker stalled); the scheduler recovers the row, another
    # worker claims it.
    assert recover_stale(now=stalled.lease_until + timedelta(seconds=1)) == 1
    (other,) = claim_rows([item.pk], due_only=False)

    with pytest.raises(ClaimLost):
        mark_delivered(stalled, operation, {"id": 99, "name": "Ada Lovelace"})
    record.refresh_from_db()
    assert record.remote_id is None, "the rolled-back outcome must not touch the record"
    row = OutboxItem.objects.get(pk=item.pk)
    assert (row.status, row.claim_token) == (OutboxItem.Status.SENDING, other.claim_token)


def test_a_worker_past_its_lease_does_not_send(connection, operation):
    item, _, _ = _submit(connection)
    OutboxItem.objects.filter(pk=item.pk).update(next_attempt_at=timezone.now())
    original = claim_rows

    def claim_then_stall(ids, *, due_only):
        rows = original(ids, due_only=due_only)
        OutboxItem.objects.filter(pk__in=ids).update(lease_until=timezone.now())
        return rows

    with mock.patch.object(delivery, "claim_rows", claim_then_stall):
        outbox_deliver(item.pk)
    assert operation.sent == []
