"""A generated API's edit from a page opened before someone else changed the record at the
API: what the person left as it was is not sent back with its old value (a PATCH leaves it
out, a PUT sends the API's value now). The API is a stateful fake behind `responses`."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import responses

from integrations.models import Connection, OpenApiSource, OutboxItem
from integrations.openapi import cache

BASE = "https://api.example.test/v1"
ITEM = {"type": "object", "properties": {
    "id": {"type": "integer"}, "name": {"type": "string"}, "note": {"type": "string"}}}  # fmt: skip
ONE = {"200": {"description": "ok", "content": {"application/json": {"schema": ITEM}}}}
ALL = {"200": {"description": "ok", "content": {"application/json": {"schema": {
    "type": "array", "items": ITEM}}}}}  # fmt: skip
WRITE = {"requestBody": {"content": {"application/json": {"schema": ITEM}}}, "responses": ONE}

pytestmark = pytest.mark.django_db


def _document(method: str) -> dict[str, Any]:
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
                method: WRITE,
            },
        },
    }


@pytest.fixture(autouse=True)
def _fresh() -> Iterator[None]:
    cache.forget()
    yield
    cache.forget()


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
