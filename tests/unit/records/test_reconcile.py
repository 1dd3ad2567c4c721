"""After an unknown outcome (the answer never came), the new writes look before sending
again: a project edit is skipped when the project already holds every change, a note when
the same text is already on the candidate."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from ats.outbox import CandidateNoteCreate
from integrations.models import Connection, OutboxItem
from integrations.providers.project_records import ProjectInput
from projects.outbox import AsanaProjectCreate, AsanaProjectUpdate, ProjectToolProjectUpdate

pytestmark = pytest.mark.django_db

PM = "https://pm.example.test/v1"
ASANA = "https://app.asana.com/api/1.0"
RECRUITEE = "https://api.recruitee.com/c/1"


def _item(provider: str, operation: str, payload: dict, **fields) -> OutboxItem:
    connection = Connection.objects.create(provider=provider, name="t", api_token="k")
    return OutboxItem.objects.create(
        connection=connection, operation=operation, payload=payload, submission_key="k",
        **fields,
    )  # fmt: skip


def _edit(**fields) -> dict:
    project = ProjectInput(name="Apollo 11", owner="4", workspace="2", tags=("moon",))
    return {"remote_id": "42", "project": project.to_json(), **fields}


@pytest.mark.parametrize(("stored", "landed"), [
    ({"name": "Apollo 11", "owner_id": 4, "tags": ["moon"]}, True),
    ({"name": "Apollo 11", "owner_id": 3, "tags": ["moon"]}, False),
    ({"name": "Apollo", "owner_id": 4, "tags": ["moon"]}, False),
])  # fmt: skip
def test_a_generic_tool_edit_is_found_only_when_every_change_is_there(
    rsps, make_client, stored, landed
):
    rsps.add("GET", f"{PM}/projects/42", json={"id": 42, "workspace_id": 2, **stored})
    item = _item("projecttool", "projecttool.project_update",
                 _edit(fields=["name", "owner", "tags"]))  # fmt: skip

    found = ProjectToolProjectUpdate().find_existing(make_client(base_url=PM), item)

    assert (found is not None) == landed


def test_an_asana_edit_is_found_by_its_changed_fields_only(rsps, make_client):
    """Fields not sent (the workspace) are not compared."""
    answer = {"data": {"gid": "42", "name": "Apollo 11", "owner": {"gid": "4"},
                       "workspace": {"gid": "9"}}}  # fmt: skip
    rsps.add("GET", f"{ASANA}/projects/42", json=answer)
    item = _item("asana", "asana.project_update", _edit(fields=["name", "owner"]))

    found = AsanaProjectUpdate().find_existing(make_client(provider="asana", base_url=ASANA), item)

    assert found["name"] == "Apollo 11"


def test_a_note_is_found_by_its_text_and_time(rsps, make_client):
    saved = timezone.now()
    old = (saved - timedelta(hours=2)).isoformat()
    new = (saved - timedelta(minutes=1)).isoformat()
    notes = {"notes": [
        {"id": 1, "body": "Call back", "created_at": old},
        {"id": 2, "body": "Call back!", "created_at": new},
    ]}  # fmt: skip
    rsps.add("GET", f"{RECRUITEE}/candidates/11/notes", json=notes)
    item = _item("recruitee", "recruitee.candidate_note_create",
                 {"candidate_id": "11", "body": "Call back"}, created_at=saved)  # fmt: skip
    client = make_client(provider="recruitee", base_url=RECRUITEE)

    assert CandidateNoteCreate().find_existing(client, item) is None  # too old, or other text

    notes["notes"].append({"id": 3, "body": "Call back", "created_at": new})
    rsps.replace("GET", f"{RECRUITEE}/candidates/11/notes", json=notes)
    assert CandidateNoteCreate().find_existing(client, item)["id"] == 3


def test_an_asana_create_is_not_taken_for_an_older_project_of_the_same_name(rsps, make_client):
    """Asana keeps any number of projects with one name: a namesake made before the write
    was saved is not the create whose answer was lost (that one is sent after the window);
    the project made since is."""
    saved = timezone.now()
    older = {"gid": "7", "name": "Launch", "workspace": {"gid": "2"},
             "created_at": (saved - timedelta(days=90)).isoformat()}  # fmt: skip
    projects = {"data": [older], "next_page": None}
    rsps.add("GET", f"{ASANA}/projects", json=projects)
    payload = ProjectInput(name="Launch", workspace="2").to_json()
    item = _item("asana", "asana.project_create", payload, created_at=saved)
    client = make_client(provider="asana", base_url=ASANA)

    assert AsanaProjectCreate().find_existing(client, item) is None

    ours = {"gid": "8", "name": "Launch", "workspace": {"gid": "2"},
            "created_at": (saved + timedelta(seconds=2)).isoformat()}  # fmt: skip
    projects["data"].append(ours)
    rsps.replace("GET", f"{ASANA}/projects", json=projects)
    assert AsanaProjectCreate().find_existing(client, item)["gid"] == "8"
