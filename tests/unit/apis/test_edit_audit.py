"""A generated API's edit (apis/views.py resource_edit; the API mocked with `responses`: an
unmocked URL fails). Its record is remote: the hub cannot lock it, so the audit's old
values are the record as the edit read it when the form was sent, and an edit from a page
opened before someone changed the record at the API does not send that field back with
its old value (a PATCH leaves it out, a PUT sends the API's value now)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import responses

from integrations.models import AuditEntry, Connection, OpenApiSource, OutboxItem

BASE = "https://api.example.test/v1"
ITEM = {"type": "object", "properties": {
    "id": {"type": "integer"}, "name": {"type": "string"}, "note": {"type": "string"}}}  # fmt: skip
ONE = {"200": {"description": "ok", "content": {"application/json": {"schema": ITEM}}}}
ALL = {"200": {"description": "ok", "content": {"application/json": {"schema": {
    "type": "array", "items": ITEM}}}}}  # fmt: skip


def _document(edit_method: str) -> dict[str, Any]:
    return {
        "openapi": "3.0.3",
        "info": {"title": "Things", "version": "1"},
        "paths": {
            "/things": {"get": {"responses": ALL}},
            "/things/{id}": {
                "parameters": [
                    {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}
                ],
                "get": {"responses": ONE},
                edit_method: {
                    "requestBody": {"content": {"application/json": {"schema": ITEM}}},
                    "responses": ONE,
                },
            },
        },
    }


DOC = _document("patch")

pytestmark = pytest.mark.django_db


def test_an_edits_old_values_are_the_record_as_the_api_had_it_when_the_form_was_sent(
    logged_in_client, rsps
):
    """Someone renames the thing at the API while the form is open: the form says so, and
    once saved again on purpose the entry's old name is theirs (read again when the form
    is sent), not the one the form showed."""
    connection = Connection.objects.create(provider="openapi", name="things", base_url=BASE)
    OpenApiSource.objects.create(connection=connection, document=json.dumps(DOC))
    rsps.add("GET", f"{BASE}/things/1", json={"id": 1, "name": "Before"})
    rsps.add("GET", f"{BASE}/things/1", json={"id": 1, "name": "Renamed elsewhere"})
    rsps.add("PATCH", f"{BASE}/things/1", json={"id": 1, "name": "Mine"})

    form = logged_in_client.get("/apis/things/things/1/edit/").context["form"]
    assert form.initial["name"] == "Before"
    data = {"submission_key": uuid.uuid4().hex, "name": "Mine", "base": form["base"].value()}
    conflict = logged_in_client.post("/apis/things/things/1/edit/", data).context["form"]
    assert "now “Renamed elsewhere”" in conflict.errors["name"][0]
    assert not AuditEntry.objects.exists()
    logged_in_client.post("/apis/things/things/1/edit/", {**data, "base": conflict["base"].value()})

    (entry,) = AuditEntry.objects.filter(record_type="apis:things", record_id="1")
    assert entry.changes == [{"field": "name", "old": "Renamed elsewhere", "new": "Mine"}]


# --- an edit from a page opened before a change at the API ----------------------------------


@pytest.fixture
def thing() -> Iterator[dict[str, Any]]:
    """The API's thing 1; a PATCH or PUT applies its body, and the bodies are kept."""
    state: dict[str, Any] = {"record": {"id": 1, "name": "Before", "note": "old"}, "bodies": []}

    def write(request):
        body = json.loads(request.body)
        state["bodies"].append(body)
        state["record"] = {**state["record"], **body}
        return 200, {}, json.dumps(state["record"])

    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        url = f"{BASE}/things/1"
        mock.add_callback("GET", url, callback=lambda r: (200, {}, json.dumps(state["record"])))
        mock.add_callback("PATCH", url, callback=write)
        mock.add_callback("PUT", url, callback=write)
        yield state


def _connect(method: str) -> None:
    connection = Connection.objects.create(provider="openapi", name="things", base_url=BASE)
    OpenApiSource.objects.create(connection=connection, document=json.dumps(_document(method)))


def _opened(client) -> dict[str, str]:
    page = client.get("/apis/things/things/1/edit/")
    assert 'name="base"' in page.content.decode()  # the page carries what it showed
    form = page.context["form"]
    return {name: form[name].value() or "" for name in form.fields}


@pytest.mark.parametrize(
    ("method", "sent"),
    [("patch", {"name": "Mine"}), ("put", {"id": 1, "name": "Mine", "note": "Ben's"})],
)
def test_a_change_made_at_the_api_since_the_page_opened_is_not_sent_back(
    logged_in_client, thing, method, sent
):
    _connect(method)
    ana = _opened(logged_in_client)
    thing["record"]["note"] = "Ben's"  # changed at the API meanwhile

    logged_in_client.post("/apis/things/things/1/edit/", {**ana, "name": "Mine"})

    assert OutboxItem.objects.get().status == OutboxItem.Status.DONE
    assert thing["bodies"] == [sent]
    assert thing["record"] == {"id": 1, "name": "Mine", "note": "Ben's"}


def test_a_forged_base_is_a_form_error_and_sends_nothing(logged_in_client, thing):
    _connect("patch")
    data = {**_opened(logged_in_client), "name": "Mine", "base": "e30:1x:forged"}
    page = logged_in_client.post("/apis/things/things/1/edit/", data)
    assert "Reload the page and make your change again." in page.content.decode()
    assert thing["bodies"] == [] and not OutboxItem.objects.exists()


def test_an_edit_sent_again_with_another_field_changed_is_refused(logged_in_client, thing):
    """Save, Back, change one more field, save with the page's key again: answering with
    the first write would say the note was saved; nothing is sent, the form says so."""
    _connect("patch")
    ana = _opened(logged_in_client)
    logged_in_client.post("/apis/things/things/1/edit/", {**ana, "name": "Mine"})
    page = logged_in_client.post(
        "/apis/things/things/1/edit/", {**ana, "name": "Mine", "note": "new"}
    )
    form = page.context["form"]
    assert "This form was already submitted with different values" in page.content.decode()
    assert form["note"].value() == "new" and form["submission_key"].value() != ana["submission_key"]
    assert thing["bodies"] == [{"name": "Mine"}] and OutboxItem.objects.count() == 1
