"""A generated API's edit in the audit trail (apis/views.py resource_edit; the API mocked
with `responses`: an unmocked URL fails). Its record is remote: the hub cannot lock it, so
the old values are the record as the edit read it when the form was sent."""

from __future__ import annotations

import json
import uuid

import pytest

from integrations.models import AuditEntry, Connection, OpenApiSource

BASE = "https://api.example.test/v1"
ITEM = {"type": "object", "properties": {"id": {"type": "integer"}, "name": {"type": "string"}}}
ONE = {"200": {"description": "ok", "content": {"application/json": {"schema": ITEM}}}}
ALL = {"200": {"description": "ok", "content": {"application/json": {"schema": {
    "type": "array", "items": ITEM}}}}}  # fmt: skip
DOC = {
    "openapi": "3.0.3",
    "info": {"title": "Things", "version": "1"},
    "paths": {
        "/things": {"get": {"responses": ALL}},
        "/things/{id}": {
            "parameters": [
                {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}
            ],
            "get": {"responses": ONE},
            "patch": {
                "requestBody": {"content": {"application/json": {"schema": ITEM}}},
                "responses": ONE,
            },
        },
    },
}

pytestmark = pytest.mark.django_db


def test_an_edits_old_values_are_the_record_as_the_api_had_it_when_the_form_was_sent(
    logged_in_client, rsps
):
    """Someone renames the thing at the API while the form is open: the entry's old name
    is theirs (read again when the form is sent), not the one the form showed."""
    connection = Connection.objects.create(provider="openapi", name="things", base_url=BASE)
    OpenApiSource.objects.create(connection=connection, document=json.dumps(DOC))
    rsps.add("GET", f"{BASE}/things/1", json={"id": 1, "name": "Before"})
    rsps.add("GET", f"{BASE}/things/1", json={"id": 1, "name": "Renamed elsewhere"})
    rsps.add("PATCH", f"{BASE}/things/1", json={"id": 1, "name": "Mine"})

    form = logged_in_client.get("/apis/things/things/1/edit/").context["form"]
    assert form.initial["name"] == "Before"
    logged_in_client.post(
        "/apis/things/things/1/edit/", {"submission_key": uuid.uuid4().hex, "name": "Mine"}
    )

    (entry,) = AuditEntry.objects.filter(record_type="apis:things", record_id="1")
    assert entry.changes == [{"field": "name", "old": "Renamed elsewhere", "new": "Mine"}]
