"""Nothing a person submits is saved twice: a double POST at the same moment."""

import contextlib
import threading
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from ats.models import Candidate
from ats.outbox import CandidateCreate
from integrations.http.errors import InvalidResponseError
from integrations.models import OutboxItem
from integrations.models.synced import SyncStatus
from integrations.outbox import delivery
from integrations.outbox.claims import recover_stale
from integrations.outbox.delivery import outbox_deliver, outbox_retry, outbox_submit
from integrations.outbox.operations import OutboxOperation
from integrations.outbox.service import deliver_later, outbox_write
from tests.concurrency import at_once


@pytest.mark.django_db(transaction=True)
def test_a_double_post_at_the_same_moment_saves_one_candidate(connection):
    """The second request passed the "already submitted?" check while the first was still
    saving: it must not save a second local candidate next to the first one's row."""
    first_inside = threading.Event()

    def save_record() -> Candidate:
        candidate = Candidate.objects.create(
            connection=connection, name="Ada Lovelace", sync_status=SyncStatus.PENDING
        )
        if not first_inside.is_set():
            first_inside.set()
            time.sleep(0.5)  # the other request checks for the key meanwhile
        return candidate

    def submit() -> None:
        with deliver_later():
            outbox_write(
                connection=connection,
                operation=CandidateCreate.name,
                payload={"candidate": {"name": "Ada Lovelace"}, "offers": []},
                submission_key="form-1",
                summary="Create candidate Ada Lovelace",
                save_record=save_record,
            )

    at_once(submit, submit)

    assert OutboxItem.objects.count() == 1
    assert list(Candidate.objects.values_list("name", flat=True)) == ["Ada Lovelace"]


class LandsUnreadable(OutboxOperation):
    """A create the provider makes, answering 2xx with a body the hub cannot read (a
    proxy's page, an answer without the new id) on its first send."""

    name = "test.unreadable_create"
    record_model = "ats.Candidate"

    def __init__(self):
        self.at_provider: list[dict] = []

    def send(self, client, item):
        self.at_provider.append({"id": 42 + len(self.at_provider), **item.payload})
        if len(self.at_provider) == 1:
            raise InvalidResponseError("the response is not valid JSON", status=201)
        return self.at_provider[-1]

    def find_existing(self, client, item):
        return next((r for r in self.at_provider if r["name"] == item.payload["name"]), None)

    def fields_from_remote(self, remote):
        return {"name": remote["name"]}


@pytest.mark.usefixtures("no_client")
def test_an_unreadable_answer_to_a_create_is_looked_up_not_sent_again(connection, monkeypatch):
    """The provider took the write (2xx) but its answer could not be read: neither the
    worker nor a person's "Retry now" may send it a second time."""
    operation = LandsUnreadable()
    monkeypatch.setattr(delivery, "operation_for", lambda name: operation)
    record = Candidate.objects.create(connection=connection, name="Ada", sync_status="pending")
    item, _ = outbox_submit(
        connection=connection,
        operation=operation.name,
        payload={"name": "Ada"},
        submission_key="form-1",
        record=record,
    )

    outbox_deliver(item.pk, background=False)
    item.refresh_from_db()
    outbox_retry(item)  # what the outbox page's button does, were it offered
    outbox_deliver(item.pk, background=False)

    item.refresh_from_db()
    assert len(operation.at_provider) == 1
    assert (item.status, item.remote_id) == (OutboxItem.Status.DONE, "42")


class BreaksEveryTime(LandsUnreadable):
    """An attempt that never ends with an outcome: the worker dies during it, or the
    delivery meets an error it does not expect (here, in the lookup)."""

    name = "test.breaks_every_time"

    def find_existing(self, client, item):
        raise RuntimeError("unexpected")


@pytest.mark.usefixtures("no_client")
def test_a_write_whose_attempts_never_end_needs_attention_not_a_loop(
    connection, monkeypatch, settings
):
    """Each attempt dies before writing an outcome; the scheduler recovers the row, and
    it is tried again: after the attempts the outbox allows, a person is told."""
    settings.OUTBOX_MAX_ATTEMPTS = 3
    operation = BreaksEveryTime()
    monkeypatch.setattr(delivery, "operation_for", lambda name: operation)
    record = Candidate.objects.create(connection=connection, name="Ada", sync_status="pending")
    item, _ = outbox_submit(
        connection=connection, operation=operation.name, payload={"name": "Ada"},
        submission_key="form-1", record=record,
    )  # fmt: skip
    OutboxItem.objects.filter(pk=item.pk).update(unknown_since=timezone.now())

    for _ in range(settings.OUTBOX_MAX_ATTEMPTS + 1):
        with contextlib.suppress(RuntimeError):
            outbox_deliver(item.pk, background=False)
        recover_stale(now=timezone.now() + timedelta(minutes=5))

    item.refresh_from_db()
    record.refresh_from_db()
    assert item.status == OutboxItem.Status.NEEDS_ATTENTION
    assert item.outcome_unknown  # a person's retry still looks before sending
    assert record.sync_status == SyncStatus.FAILED
    assert operation.at_provider == []
