"""Nothing a person submits is saved twice: a double POST at the same moment."""

import contextlib
import threading
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from ats.models import Candidate
from ats.outbox import CandidateCreate
from crm.outbox import OrganizationCreate
from integrations.http.errors import InvalidResponseError
from integrations.models import OutboxItem
from integrations.models.synced import SyncStatus
from integrations.outbox import delivery
from integrations.outbox.claims import recover_stale
from integrations.outbox.delivery import outbox_deliver, outbox_retry, outbox_submit
from integrations.outbox.operations import OutboxOperation
from integrations.outbox.service import SubmissionChanged, deliver_later, outbox_write
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


def _candidate_create(payload: dict, saved: list) -> OutboxItem:
    def save_record() -> Candidate:
        saved.append(payload["candidate"]["name"])
        return Candidate.objects.create(
            connection=payload["connection"], name=payload["candidate"]["name"],
            sync_status=SyncStatus.PENDING,
        )  # fmt: skip

    with deliver_later():
        return outbox_write(
            connection=payload["connection"],
            operation=CandidateCreate.name,
            payload={"candidate": payload["candidate"], "offers": []},
            submission_key="form-1",
            summary="Create candidate",
            save_record=save_record,
        )


def test_a_resubmit_with_the_same_values_answers_with_the_first_write(connection):
    saved: list = []
    first = _candidate_create({"connection": connection, "candidate": {"name": "Ada"}}, saved)
    again = _candidate_create({"connection": connection, "candidate": {"name": "Ada"}}, saved)
    assert again.pk == first.pk and saved == ["Ada"]
    assert list(Candidate.objects.values_list("name", flat=True)) == ["Ada"]


def test_a_resubmit_with_changed_values_is_refused_and_saves_nothing(connection):
    """Back, change a field, submit again with the same key: answering with the first
    write would say the changed form was saved, and the change would be lost."""
    saved: list = []
    first = _candidate_create({"connection": connection, "candidate": {"name": "Ada"}}, saved)
    with pytest.raises(SubmissionChanged) as refused:
        _candidate_create({"connection": connection, "candidate": {"name": "Ada L."}}, saved)
    assert refused.value.item.pk == first.pk
    assert saved == ["Ada"]
    assert list(Candidate.objects.values_list("name", flat=True)) == ["Ada"]
    assert list(OutboxItem.objects.values_list("payload", flat=True)) == [
        {"candidate": {"name": "Ada"}, "offers": []}
    ]


def test_a_changed_resubmit_whose_payload_needs_the_saved_record_is_rolled_back(connection):
    """A payload made from the saved record (an edit merged over the stored row) is
    compared after `save_record`, whose change is then undone."""
    candidate = Candidate.objects.create(connection=connection, name="Ada", remote_id="5")

    def rename(to: str) -> OutboxItem:
        def save_record() -> Candidate:
            candidate.name = to
            candidate.save()
            return candidate

        with deliver_later():
            return outbox_write(
                connection=connection, operation="recruitee.candidate_update",
                payload=lambda saved: {"candidate_id": saved.remote_id, "name": saved.name},
                submission_key="edit-1", summary="Update", save_record=save_record,
                record=candidate,
            )  # fmt: skip

    first = rename("Ada L.")
    assert rename("Ada L.").pk == first.pk
    with pytest.raises(SubmissionChanged):
        rename("Ada Lovelace")
    candidate.refresh_from_db()
    assert candidate.name == "Ada L." and OutboxItem.objects.count() == 1


def test_hub_bookkeeping_in_a_payload_is_not_a_change(connection):
    """What the hub adds to a create for itself (the organizations its domain check saw)
    may differ on a resubmit; what would be sent to the provider did not."""
    operation = OrganizationCreate()
    typed = {"name": "Acme", "domain": "acme.io", "person_ids": [1]}
    assert operation.submitted({**typed, "existing_ids": []}) == operation.submitted(
        {**typed, "existing_ids": ["7"]}
    )
    assert operation.submitted({**typed, "existing_ids": []}) != operation.submitted(
        {**typed, "name": "Acme Inc", "existing_ids": []}
    )
