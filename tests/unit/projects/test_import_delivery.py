"""An import chunk whose 2xx answer cannot be read: its projects are looked up, not re-sent."""

from __future__ import annotations

import json

import pytest

from integrations.models import Connection, OutboxItem
from integrations.providers import PROVIDERS
from integrations.providers.project_records import ProjectInput
from projects import import_delivery

PM = "https://pm.example.test/v1"

pytestmark = pytest.mark.django_db


def _import_rows(*names: str) -> list[OutboxItem]:
    """An import's outbox rows for projects of these names, on a generic-tool connection."""
    connection = Connection.objects.create(
        provider="projecttool", name="t", base_url=PM, api_token="tok"
    )
    return [
        OutboxItem.objects.create(
            connection=connection,
            operation="projecttool.project_create",
            payload=ProjectInput(name=name, workspace="1").to_json(),
            submission_key=f"project-import-{name}",
        )
        for name in names
    ]


def test_an_unreadable_bulk_answer_is_confirmed_before_any_row_is_sent_again(rsps, sleeps):
    """The generic tool made the chunk's projects (207) but the body was cut off: a row
    then delivered on its own (by the scheduler) must find its project, not POST it again
    with its own key, which the tool has never seen."""
    items = _import_rows("Launch 0", "Launch 1")
    rsps.add("POST", f"{PM}/projects/bulk", status=207, body='{"data": [{"id": 1, "na')
    rsps.add(
        "GET",
        f"{PM}/projects",
        json={
            "data": [{"id": 1, "name": "Launch 0", "workspace_id": 1}],
            "meta": {"currentPage": 1, "totalPages": 1},
        },
    )

    import_delivery._send_chunk(PROVIDERS["projecttool"], [item.pk for item in items])
    first = OutboxItem.objects.get(pk=items[0].pk)
    OutboxItem.objects.filter(pk=first.pk).update(next_attempt_at=first.created_at)
    delivered = import_delivery.outbox_deliver(first.pk)

    assert [call.request.url for call in rsps.calls if call.request.method == "POST"] == [
        f"{PM}/projects/bulk"
    ]
    assert (delivered.status, delivered.remote_id) == (OutboxItem.Status.DONE, "1")


def test_a_chunk_refused_as_a_whole_sends_each_row_on_its_own(rsps, sleeps):
    """The tool refused the whole bulk request for one bad row (nothing was created): the
    good rows are still created, and only the bad one is refused, with its own message."""
    items = _import_rows("Good", "Bad")
    message = "The provided start_date is not valid."
    details = {"field": "start_date", "value": "2023-13-01"}
    refusal = {"error": {"code": "INVALID_INPUT", "message": message, "details": details}}
    rsps.add("POST", f"{PM}/projects/bulk", status=400, json=refusal)

    def one(request):
        name = json.loads(request.body)["name"]
        if name == "Bad":
            return 400, {}, json.dumps(refusal)
        return 201, {}, json.dumps({"id": 7, "name": name, "workspace_id": 1})

    rsps.add_callback("POST", f"{PM}/projects", callback=one)

    import_delivery._send_chunk(PROVIDERS["projecttool"], [item.pk for item in items])

    good, bad = (OutboxItem.objects.get(pk=item.pk) for item in items)
    assert (good.status, good.remote_id) == (OutboxItem.Status.DONE, "7")
    assert bad.status == OutboxItem.Status.FAILED
    assert "start_date is not valid" in bad.refusal
