"""A generated API's create whose answer never came, at an API whose list cannot look it
up: "Retry now" would only look again and need attention again, for good, so the outbox
page explains that and offers "Send again (I checked it is not there)" instead
(integrations/views.py, integrations/outbox/delivery.py), against the sandbox over HTTP."""

from __future__ import annotations

import uuid

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from core.groups import permission_named
from core.resources import ACTIONS, registered
from integrations.models import AuditEntry, Connection, OpenApiSource, OutboxItem
from integrations.outbox.delivery import outbox_deliver
from integrations.outbox.service import outbox_write
from integrations.sandbox.credentials import PROJECTS_TOKEN

SEND_AGAIN = "Send again (I checked it is not there)"


@pytest.fixture
def tool(db, sandbox_clean) -> Connection:
    base_url = sandbox_clean.url_for("projects")
    row = Connection.objects.create(
        provider="openapi", name="tool", base_url=base_url, api_token=PROJECTS_TOKEN
    )
    OpenApiSource.objects.create(connection=row, document_url=f"{base_url}/openapi.json")
    return row


@pytest.fixture
def staff(client, staff_user):
    client.force_login(staff_user)
    return client


def _hooks_to(sandbox, url: str) -> int:
    rows = sandbox.store.payloads("SELECT payload FROM projects_webhooks")
    return sum(1 for row in rows if row.get("url") == url)


@pytest.fixture
def lost_create(tool, sandbox_clean, staff_user) -> OutboxItem:
    """A webhook create the person submitted whose request was dropped unanswered, and
    whose lookup found the tool cannot list webhooks by any value sent."""
    body = {"url": f"https://example.com/{uuid.uuid4().hex[:8]}", "events": ["project.created"]}
    sandbox_clean.set_faults("projects", drop_before_rate=1, methods=["POST"], max_faults=1)
    item = outbox_write(
        connection=tool,
        operation="openapi.create",
        payload={"resource": "webhooks", "method": "post", "record_id": None, "body": body},
        submission_key="hook-1",
        summary="Create webhook",
        save_record=lambda: None,
        user=staff_user,
        audit_record=("apis:webhooks", ""),
    )
    item.refresh_from_db()
    assert item.outcome_unknown and item.status == OutboxItem.Status.PENDING
    OutboxItem.objects.filter(pk=item.pk).update(next_attempt_at=item.created_at)
    outbox_deliver(item.pk)
    item.refresh_from_db()
    assert item.status == OutboxItem.Status.NEEDS_ATTENTION
    assert "offers no way to look the record up" in item.last_error
    return item


def _row_html(page: str, item: OutboxItem) -> str:
    row = page.split(f'data-outbox-id="{item.pk}"', 1)[1]
    return row.split("</tr>", 1)[0]


def test_retry_now_on_a_create_that_cannot_be_looked_up_explains_instead_of_looping(
    staff, lost_create
):
    item = lost_create
    row = _row_html(staff.get("/outbox/").content.decode(), item)
    assert SEND_AGAIN in row
    assert "Retry now" not in row  # it would only end here again

    page = staff.post(f"/outbox/{item.pk}/retry/", follow=True).content.decode()

    assert "sending it again unchecked could create it twice" in page
    item.refresh_from_db()
    assert item.status == OutboxItem.Status.NEEDS_ATTENTION  # not queued for the same loop
    assert SEND_AGAIN in _row_html(page, item)


def test_send_again_after_a_person_checked_sends_it_once_and_is_in_the_history(
    staff, lost_create, sandbox_clean, staff_user
):
    item = lost_create
    url = item.payload["body"]["url"]
    assert _hooks_to(sandbox_clean, url) == 0  # the dropped request never landed

    response = staff.post(f"/outbox/{item.pk}/send-again/")
    assert response.status_code == 302 and response.url == "/outbox/"
    item.refresh_from_db()
    assert item.status == OutboxItem.Status.PENDING and not item.outcome_unknown
    outbox_deliver(item.pk)
    # A second press (another tab) finds nothing left to send again.
    staff.post(f"/outbox/{item.pk}/send-again/")
    outbox_deliver(item.pk)

    item.refresh_from_db()
    assert item.status == OutboxItem.Status.DONE
    assert _hooks_to(sandbox_clean, url) == 1
    entries = list(AuditEntry.objects.filter(outbox_item=item).order_by("pk"))
    assert [(e.user, e.page) for e in entries] == [
        (staff_user, ""),
        (staff_user, "integrations:outbox_send_again"),
    ]
    assert all(e.outcome == AuditEntry.Outcome.SENT for e in entries)


def test_send_again_is_for_who_may_change_the_row_and_only_a_row_that_cannot_be_looked_up(
    staff, lost_create
):
    item = lost_create
    other = Client()
    # Every registered resource's rights, but not the connected APIs' (core.selectors.outbox_of).
    recruiter = get_user_model().objects.create_user(username="recruiter")
    rights = {r.permission(action) for r in registered() for action in ACTIONS}
    recruiter.user_permissions.set([permission_named(right) for right in rights])
    other.force_login(recruiter)
    assert other.post(f"/outbox/{item.pk}/send-again/").status_code == 404
    assert staff.get(f"/outbox/{item.pk}/send-again/").status_code == 405
    OutboxItem.objects.filter(pk=item.pk).update(lookup_unavailable=False)

    page = staff.post(f"/outbox/{item.pk}/send-again/", follow=True)

    assert "was not sent again" in page.content.decode()
    item.refresh_from_db()
    assert item.status == OutboxItem.Status.NEEDS_ATTENTION and item.outcome_unknown
