"""After an unknown outcome, the generated pages' writes are looked up, never blindly sent
again (apis/outbox.py), against the sandbox over HTTP."""

from __future__ import annotations

import pytest

from apis.outbox import ApiCreate, ApiDelete, ApiUpdate
from integrations.http.errors import IntegrationError
from integrations.models import Connection, OpenApiSource, OutboxItem
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
    sent = _item(tool, "a", resource="projects", method="post", record_id=None, body=body)
    remote = ApiCreate().send(None, sent)
    assert ApiCreate().find_existing(None, sent)["id"] == remote["id"]
    other = _item(tool, "b", resource="projects", method="post", record_id=None,
                  body={**body, "name": "Never sent"})  # fmt: skip
    assert ApiCreate().find_existing(None, other) is None


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
