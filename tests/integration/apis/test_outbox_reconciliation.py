"""After an unknown outcome, the generated pages' writes are looked up, never blindly sent
again (apis/outbox.py), against the sandbox over HTTP."""

from __future__ import annotations

import uuid

import pytest

from apis.outbox import ApiCreate, ApiDelete, ApiUpdate
from integrations.http.errors import IntegrationError
from integrations.models import Connection, OpenApiSource, OutboxItem
from integrations.outbox.delivery import outbox_deliver, outbox_submit
from integrations.outbox.service import deliver_later, outbox_write
from integrations.sandbox.credentials import PROJECTS_TOKEN
from integrations.sandbox.jsonplaceholder import DOCUMENTS


@pytest.fixture
def tool(db, sandbox_clean) -> Connection:
    base_url = sandbox_clean.url_for("projects")
    row = Connection.objects.create(
        provider="openapi", name="tool", base_url=base_url, api_token=PROJECTS_TOKEN
    )
    OpenApiSource.objects.create(connection=row, document_url=f"{base_url}/openapi.json")
    return row


@pytest.fixture
def placeholder(db, sandbox_clean) -> Connection:
    base_url = sandbox_clean.url_for("jsonplaceholder")
    row = Connection.objects.create(provider="openapi", name="ph", base_url=base_url)
    document = (DOCUMENTS / "jsonplaceholder.json").read_text()
    OpenApiSource.objects.create(connection=row, document=document)
    return row


def _item(connection, key, **payload) -> OutboxItem:
    return OutboxItem.objects.create(
        connection=connection, operation="openapi.create", payload=payload, submission_key=key
    )


def test_a_create_is_found_through_the_list_filters(tool):
    body = {"name": "Reconciled", "workspace_id": 2, "status": "Active"}
    sent = _item(tool, "a", resource="projects", method="post", record_id=None, body=body,
                 existing_ids=[])  # fmt: skip
    remote = ApiCreate().send(None, sent)
    assert ApiCreate().find_existing(None, sent)["id"] == remote["id"]
    other = _item(tool, "b", resource="projects", method="post", record_id=None,
                  body={**body, "name": "Never sent"}, existing_ids=[])  # fmt: skip
    assert ApiCreate().find_existing(None, other) is None


def test_a_match_that_may_be_older_than_the_create_needs_a_person(tool):
    """A row whose send noted no `existing_ids` (its worker stopped first) cannot tell an
    older record of the same values from its own: it says so rather than guess."""
    body = {"name": "Unnoted", "workspace_id": 2, "status": "Active"}
    item = _item(tool, "g", resource="projects", method="post", record_id=None, body=body)
    remote = ApiCreate().send(None, item)
    with pytest.raises(IntegrationError, match=rf"the values sent \({remote['id']}\)"):
        ApiCreate().find_existing(None, item)


def test_a_create_the_api_cannot_look_up_needs_a_person(tool):
    body = {"url": "https://example.com/hook", "events": ["project.created"]}
    item = _item(tool, "c", resource="webhooks", method="post", record_id=None, body=body)
    with pytest.raises(IntegrationError, match="offers no way to look the record up"):
        ApiCreate().find_existing(None, item)


def test_an_update_is_found_when_the_record_holds_the_values(placeholder):
    item = _item(placeholder, "d", resource="posts", method="patch", record_id=1,
                 body={"userId": 1})  # fmt: skip
    assert ApiUpdate().find_existing(None, item)["id"] == 1
    item.payload["body"] = {"title": "not there (JSONPlaceholder keeps nothing)"}
    assert ApiUpdate().find_existing(None, item) is None


def test_a_delete_is_done_when_the_record_is_gone(placeholder):
    gone = _item(placeholder, "e", resource="posts", method="delete", record_id=999, body={})
    assert ApiDelete().find_existing(None, gone) == {"id": 999}
    there = _item(placeholder, "f", resource="posts", method="delete", record_id=1, body={})
    assert ApiDelete().find_existing(None, there) is None


def _projects_named(sandbox, name: str) -> list[int]:
    rows = sandbox.store.payloads("SELECT payload FROM projects_projects")
    return sorted(row["id"] for row in rows if row.get("name") == name)


def test_a_lost_create_is_not_taken_for_an_older_record_of_the_same_values(
    tool, sandbox_clean, settings
):
    """The tool keeps one project of a name per workspace: the create is refused (409), and
    that answer is lost. The older project holds every value sent, yet it is not this
    create's: once the lookups settle, the create is sent again and its refusal shown."""
    settings.OUTBOX_SETTLE_SECONDS = 0
    body = {"name": f"Twin {uuid.uuid4().hex[:6]}", "workspace_id": 2, "status": "Active"}
    older = ApiCreate().send(None, _item(tool, "older", resource="projects", method="post",
                                         record_id=None, body=body))  # fmt: skip
    payload = {"resource": "projects", "method": "post", "record_id": None, "body": body}
    item, _ = outbox_submit(
        connection=tool, operation="openapi.create", payload=payload, submission_key="twin"
    )
    sandbox_clean.set_faults("projects", drop_after_rate=1, methods=["POST"], max_faults=1)
    outbox_deliver(item.pk, background=False)
    item.refresh_from_db()
    assert item.status == OutboxItem.Status.PENDING and item.outcome_unknown

    for _ in range(5):
        OutboxItem.objects.filter(pk=item.pk).update(next_attempt_at=item.created_at)
        outbox_deliver(item.pk)
        item.refresh_from_db()
    assert item.remote_id != str(older["id"])
    assert item.status == OutboxItem.Status.FAILED
    assert "already exists" in item.field_errors["name"][0]
    assert _projects_named(sandbox_clean, body["name"]) == [older["id"]]


def test_a_lost_create_that_landed_is_found_once(tool, sandbox_clean):
    body = {"name": f"Landed {uuid.uuid4().hex[:6]}", "workspace_id": 2, "status": "Active"}
    payload = {"resource": "projects", "method": "post", "record_id": None, "body": body}
    item, _ = outbox_submit(
        connection=tool, operation="openapi.create", payload=payload, submission_key="landed"
    )
    sandbox_clean.set_faults("projects", drop_after_rate=1, methods=["POST"], max_faults=1)
    outbox_deliver(item.pk, background=False)
    item.refresh_from_db()
    assert item.status == OutboxItem.Status.PENDING and item.outcome_unknown
    assert item.payload["existing_ids"] == []  # noted before the send

    OutboxItem.objects.filter(pk=item.pk).update(next_attempt_at=item.created_at)
    outbox_deliver(item.pk)
    item.refresh_from_db()
    assert item.status == OutboxItem.Status.DONE
    assert [str(pk) for pk in _projects_named(sandbox_clean, body["name"])] == [item.remote_id]


def test_the_same_form_sent_again_after_its_first_attempt_answers_with_that_write(
    tool, sandbox_clean
):
    """The send notes `existing_ids` in the row; the same form submitted again (a double
    click that arrives late) is still that write, not a changed one."""
    body = {"name": f"Again {uuid.uuid4().hex[:6]}", "workspace_id": 2, "status": "Active"}
    payload = {"resource": "projects", "method": "post", "record_id": None, "body": body}

    def submit() -> OutboxItem:
        with deliver_later():
            return outbox_write(connection=tool, operation="openapi.create", payload=payload,
                                submission_key="again", summary="Create",
                                save_record=lambda: None)  # fmt: skip

    first = submit()
    outbox_deliver(first.pk, background=False)
    first.refresh_from_db()
    assert first.status == OutboxItem.Status.DONE and first.payload["existing_ids"] == []
    assert submit().pk == first.pk
    assert _projects_named(sandbox_clean, body["name"]) == [int(first.remote_id)]
