"""The outbox page's "Dismiss": a person who checked at the provider ends a stuck or
refused write for good (integrations/views.py `outbox_dismiss_view`,
integrations/outbox/delivery.py `outbox_dismiss`), and the admin's "Dismiss selected writes"."""

from __future__ import annotations

import uuid

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from ats.models import Candidate
from ats.outbox import CandidateCreate, CandidateUpdate
from core.bulk import results
from core.groups import permission_named
from core.resources import registered
from integrations.models import AuditEntry, OutboxItem
from integrations.models.synced import SyncStatus
from integrations.outbox.claims import claim_rows
from integrations.outbox.delivery import outbox_deliver, outbox_deliver_due, outbox_dismiss
from integrations.services.health import connection_health
from projects.models import ImportBatch, ImportRow
from projects.selectors import import_progress

pytestmark = pytest.mark.usefixtures("no_client")

CANDIDATES = next(r for r in registered() if r.model is Candidate)


def _someone(name: str, *actions: str) -> Client:
    person = get_user_model().objects.create_user(username=name, first_name=name.title())
    person.user_permissions.set([permission_named(CANDIDATES.permission(a)) for a in actions])
    client = Client()
    client.force_login(person)
    return client


def _stuck(connection, *, status=OutboxItem.Status.NEEDS_ATTENTION, name="Ada Lovelace"):
    record = Candidate.objects.create(
        connection=connection, name=name, sync_status=SyncStatus.FAILED
    )
    item = OutboxItem.objects.create(
        connection=connection, operation=CandidateCreate.name, payload={"name": name},
        submission_key=f"create-{name}", summary=f"Create candidate {name}", status=status,
        record_type=Candidate._meta.label, record_id=record.pk, attempts=5,
        last_error="Gave up after 5 attempts: Recruitee did not answer",
    )  # fmt: skip
    AuditEntry.objects.create(
        connection=connection, record_type=Candidate._meta.label, record_id=str(record.pk),
        record_label=name, action=AuditEntry.Action.CREATE, outbox_item=item,
        outcome=AuditEntry.Outcome.NEEDS_ATTENTION, page="ats:candidate_create",
    )  # fmt: skip
    return item, record


def _row_html(page: str, item: OutboxItem) -> str:
    return page.split(f'data-outbox-id="{item.pk}"', 1)[1].split("</tr>", 1)[0]


def test_dismiss_ends_a_stuck_write_for_good_with_who_and_when(connection):
    item, record = _stuck(connection)
    writer = _someone("ann", "change")
    assert "Dismiss" in _row_html(writer.get("/outbox/").content.decode(), item)

    page = writer.post(f"/outbox/{item.pk}/dismiss/", follow=True).content.decode()

    assert "“Create candidate Ada Lovelace” was dismissed: it will not be sent." in page
    assert "Dismissed by Ann" in _row_html(page, item)
    assert "Retry now" not in _row_html(page, item)
    item.refresh_from_db()
    assert item.status == OutboxItem.Status.DISMISSED
    assert item.dismissed_by.username == "ann" and item.dismissed_at is not None
    # The create the provider never confirmed leaves nothing half-created behind.
    assert not Candidate.objects.filter(pk=record.pk).exists()
    first, dismissal = AuditEntry.objects.filter(outbox_item=item).order_by("pk")
    assert first.outcome == AuditEntry.Outcome.NEEDS_ATTENTION  # what happened before stays
    assert (dismissal.user.username, dismissal.page) == ("ann", "integrations:outbox_dismiss")
    assert dismissal.outcome == AuditEntry.Outcome.DISMISSED
    assert dismissal.answer == "Dismissed by Ann: it will not be sent to Recruitee."
    assert dismissal.answered_at is not None
    assert (dismissal.record_type, dismissal.action) == (first.record_type, first.action)


def test_a_dismissed_write_is_never_sent_by_the_worker(connection):
    item, _ = _stuck(connection)
    _someone("ann", "change").post(f"/outbox/{item.pk}/dismiss/")

    assert claim_rows([item.pk], due_only=False) == []
    assert outbox_deliver(item.pk, background=False) is None
    assert outbox_deliver_due() == 0
    item.refresh_from_db()
    assert item.status == OutboxItem.Status.DISMISSED and item.attempts == 5


def test_a_dismissed_write_no_longer_counts_as_needing_attention(connection, staff_user):
    item, _ = _stuck(connection)
    staff = Client()
    staff.force_login(staff_user)
    assert "1 write needs attention" in staff.get("/").content.decode()
    assert connection_health(connection).writes_needing_attention == 1

    staff.post(f"/outbox/{item.pk}/dismiss/")

    assert "needs attention" not in staff.get("/").content.decode()
    assert connection_health(connection).writes_needing_attention == 0
    assert "Dismissed by" in staff.get("/outbox/?status=dismissed").content.decode()


def test_a_dismissed_refusal_leaves_the_dashboards_refused_writes(connection):
    item, _ = _stuck(connection, status=OutboxItem.Status.FAILED)
    writer = _someone("ann", "change")
    assert "refused after" in writer.get("/").content.decode()

    writer.post(f"/outbox/{item.pk}/dismiss/")

    assert "refused after" not in writer.get("/").content.decode()
    item.refresh_from_db()
    assert item.status == OutboxItem.Status.DISMISSED


def test_dismiss_needs_the_change_right_and_changes_nothing_without_it(connection):
    item, record = _stuck(connection)
    reader = _someone("bo", "view")
    assert "Dismiss" not in _row_html(reader.get("/outbox/").content.decode(), item)

    assert reader.post(f"/outbox/{item.pk}/dismiss/").status_code == 403
    assert _someone("cy").post(f"/outbox/{item.pk}/dismiss/").status_code == 404
    assert _someone("ann", "change").get(f"/outbox/{item.pk}/dismiss/").status_code == 405

    item.refresh_from_db()
    assert item.status == OutboxItem.Status.NEEDS_ATTENTION and item.dismissed_by is None
    assert Candidate.objects.filter(pk=record.pk).exists()
    assert AuditEntry.objects.filter(outbox_item=item).count() == 1


@pytest.mark.parametrize(
    ("status", "why"),
    [
        (OutboxItem.Status.DONE, "the provider has it already"),
        (OutboxItem.Status.PENDING, "it is on its way; wait for its answer"),
        (OutboxItem.Status.SENDING, "it is on its way; wait for its answer"),
    ],
)
def test_a_sent_or_moving_write_is_not_dismissed(connection, status, why):
    item, record = _stuck(connection, status=status)
    writer = _someone("ann", "change")
    assert "Dismiss" not in _row_html(writer.get("/outbox/").content.decode(), item)

    page = writer.post(f"/outbox/{item.pk}/dismiss/", follow=True).content.decode()

    assert f"“Create candidate Ada Lovelace” was not dismissed: {why}. Nothing was changed." in page
    item.refresh_from_db()
    assert item.status == status and item.dismissed_by is None
    assert Candidate.objects.filter(pk=record.pk).exists()
    assert AuditEntry.objects.filter(outbox_item=item).count() == 1


def test_dismissing_twice_changes_nothing_the_second_time(connection):
    item, _ = _stuck(connection)
    writer = _someone("ann", "change")
    writer.post(f"/outbox/{item.pk}/dismiss/")

    page = writer.post(f"/outbox/{item.pk}/dismiss/", follow=True).content.decode()

    assert "was not dismissed: it was dismissed already." in page
    assert AuditEntry.objects.filter(outbox_item=item).count() == 2


def test_a_stuck_update_dismissed_shows_the_providers_copy_again(connection):
    record = Candidate.objects.create(
        connection=connection, name="Ada King", remote_id="7", raw={"id": 7, "name": "Ada"},
        sync_status=SyncStatus.FAILED,
    )  # fmt: skip
    item = OutboxItem.objects.create(
        connection=connection, operation=CandidateUpdate.name, submission_key="edit-ada",
        status=OutboxItem.Status.NEEDS_ATTENTION, record_type=Candidate._meta.label,
        record_id=record.pk,
    )  # fmt: skip

    _someone("ann", "change").post(f"/outbox/{item.pk}/dismiss/")

    record.refresh_from_db()
    assert record.sync_status == SyncStatus.SYNCED
    item.refresh_from_db()
    assert item.status == OutboxItem.Status.DISMISSED and item.record_id == record.pk


def test_retry_now_on_a_dismissed_write_sends_nothing_and_says_so(connection):
    item, _ = _stuck(connection)
    writer = _someone("ann", "change")
    writer.post(f"/outbox/{item.pk}/dismiss/")

    page = writer.post(f"/outbox/{item.pk}/retry/", follow=True).content.decode()

    assert "was not sent again: it no longer waits to be sent." in page
    item.refresh_from_db()
    assert item.status == OutboxItem.Status.DISMISSED


def test_a_dismissed_import_row_is_no_longer_waiting(connection):
    """A project import's progress stops waiting for a row someone dismissed, and counts it
    as dismissed, not as a row the provider refused."""
    batch = ImportBatch.objects.create(connection=connection, row_count=2, valid_count=2)
    for n, status in enumerate([OutboxItem.Status.DONE, OutboxItem.Status.NEEDS_ATTENTION]):
        item = OutboxItem.objects.create(
            connection=connection, operation="projecttool.project_create",
            submission_key=f"import-{n}", status=status,
        )  # fmt: skip
        ImportRow.objects.create(batch=batch, number=n + 1, outbox_item=item)
    stuck = OutboxItem.objects.get(submission_key="import-1")
    assert outbox_dismiss(stuck, user=get_user_model().objects.create_user(username="ann"))

    progress = import_progress(batch)
    assert (progress.done, progress.failed, progress.dismissed, progress.pending) == (1, 0, 1, 0)
    assert progress.finished and progress.percent == 100


def test_a_dismissed_bulk_row_reads_dismissed_not_waiting(connection, staff_user):
    key = uuid.uuid4()
    item, _ = _stuck(connection)
    OutboxItem.objects.filter(pk=item.pk).update(bulk_key=key, created_by=staff_user)
    outbox_dismiss(item, user=staff_user)

    (row,) = results(key, user=staff_user)
    assert row.state == "dismissed"
    assert row.words.startswith("Dismissed by root: it will not be sent to Recruitee.")


ADMIN_OUTBOX = "/admin/integrations/outboxitem/"


def test_the_admin_dismisses_the_selected_writes_it_may_and_says_why_not_the_others(
    connection, staff_user
):
    stuck, record = _stuck(connection)
    refused, _ = _stuck(connection, status=OutboxItem.Status.FAILED, name="Grace Hopper")
    sent, _ = _stuck(connection, status=OutboxItem.Status.DONE, name="Alan Turing")
    moving, _ = _stuck(connection, status=OutboxItem.Status.PENDING, name="Edsger Dijkstra")
    admin = Client()
    admin.force_login(staff_user)
    assert "Dismiss selected writes" in admin.get(ADMIN_OUTBOX).content.decode()

    page = admin.post(
        ADMIN_OUTBOX,
        {"action": "dismiss", "_selected_action": [stuck.pk, refused.pk, sent.pk, moving.pk]},
        follow=True,
    ).content.decode()

    assert "2 write(s) dismissed: they will not be sent." in page
    assert "2 not dismissed, nothing changed for them: 1 (" in page
    assert "1 (the provider has it already)" in page
    assert "1 (it is on its way; wait for its answer)" in page
    for item in (stuck, refused):
        item.refresh_from_db()
        assert item.status == OutboxItem.Status.DISMISSED and item.dismissed_by == staff_user
    for item, status in ((sent, OutboxItem.Status.DONE), (moving, OutboxItem.Status.PENDING)):
        item.refresh_from_db()
        assert item.status == status and item.dismissed_by is None
    # As from the outbox page: the stuck create leaves nothing behind, the admin is audited.
    assert not Candidate.objects.filter(pk=record.pk).exists()
    dismissal = AuditEntry.objects.filter(outbox_item=stuck).order_by("pk").last()
    assert (dismissal.user, dismissal.outcome) == (staff_user, AuditEntry.Outcome.DISMISSED)


def test_staff_who_may_only_view_the_outbox_cannot_dismiss_from_the_admin(connection):
    stuck, _ = _stuck(connection)
    viewer = get_user_model().objects.create_user(username="viewer", is_staff=True)
    viewer.user_permissions.add(permission_named("integrations.view_outboxitem"))
    admin = Client()
    admin.force_login(viewer)
    assert "Dismiss selected writes" not in admin.get(ADMIN_OUTBOX).content.decode()

    admin.post(ADMIN_OUTBOX, {"action": "dismiss", "_selected_action": [stuck.pk]})

    stuck.refresh_from_db()
    assert stuck.status == OutboxItem.Status.NEEDS_ATTENTION and stuck.dismissed_by is None
