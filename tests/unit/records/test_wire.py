"""The wire format of each provider call the record actions added: project edit (the
generic tool's PATCH, Asana's PUT in its `{"data": ...}` envelope), person delete
(Affinity `DELETE /persons/{id}`), Affinity's tenant subdomain for "Open in Affinity".

`responses` fails on any unregistered URL, and the matchers pin the exact body.
"""

from __future__ import annotations

from datetime import date

import pytest
from responses import matchers

from integrations.http.auth import BasicKeyAuth
from integrations.http.errors import InvalidResponseError, NotFoundError, ValidationError
from integrations.providers import affinity, asana, projecttool, recruitee
from integrations.providers.project_records import ProjectInput

from .conftest import fixture

PM = "https://pm.example.test/v1"
ASANA = "https://app.asana.com/api/1.0"
AFFINITY = "https://api.affinity.co"

EDITED = ProjectInput(
    name="Relaunch", description="", owner="", workspace="2", start_date=date(2026, 2, 1),
    end_date=date(2026, 4, 30), status="On Hold", priority="Low", tags=(),
)  # fmt: skip


def _project(**changes):
    return {**fixture("projecttool", "project_created.json"), **changes}


# --- the generic tool: PATCH /projects/{id} -------------------------------------------------


def test_a_project_edit_patches_only_the_changed_fields(rsps, make_client):
    body = {"name": "Relaunch", "owner_id": None, "status": "On Hold", "tags": []}
    rsps.add(
        "PATCH", f"{PM}/projects/42", status=200, json=_project(id=42, name="Relaunch"),
        match=[matchers.json_params_matcher(body, strict_match=True)],
    )  # fmt: skip

    record = projecttool.project_update(
        make_client(base_url=PM), "42", EDITED, ["name", "owner", "status", "tags"]
    )

    assert (record.id, record.name) == ("42", "Relaunch")


def test_a_project_edit_sends_dates_as_the_contract_writes_them(rsps, make_client):
    body = {"start_date": "2026-02-01", "end_date": "2026-04-30", "description": ""}
    rsps.add(
        "PATCH", f"{PM}/projects/42", json=_project(id=42),
        match=[matchers.json_params_matcher(body, strict_match=True)],
    )  # fmt: skip
    projecttool.project_update(
        make_client(base_url=PM), "42", EDITED, ["start_date", "end_date", "description"]
    )


def test_a_taken_name_on_edit_is_a_refusal_on_the_name_field(rsps, make_client):
    rsps.add(
        "PATCH", f"{PM}/projects/42", status=409, json=fixture("projecttool", "error_409.json")
    )

    with pytest.raises(ValidationError) as refused:
        projecttool.project_update(make_client(base_url=PM), "42", EDITED, ["name"])

    assert "name" in refused.value.field_errors


def test_a_project_gone_from_the_tool_stays_a_not_found(rsps, make_client):
    gone = {"error": {"code": "NOT_FOUND", "message": "Project 42 not found."}}
    rsps.add("PATCH", f"{PM}/projects/42", status=404, json=gone)

    with pytest.raises(NotFoundError):
        projecttool.project_update(make_client(base_url=PM), "42", EDITED, ["name"])


# --- Asana: PUT /projects/{gid} with {"data": {...}} -------------------------------------------


def _asana(make_client):
    return make_client(provider="asana", base_url=ASANA)


def test_an_asana_edit_puts_the_changes_in_asanas_envelope(rsps, make_client):
    body = {"data": {"name": "Relaunch", "notes": "", "owner": None}}
    rsps.add(
        "PUT", f"{ASANA}/projects/1201", status=200, json=fixture("asana", "project_created.json"),
        match=[matchers.json_params_matcher(body, strict_match=True)],
    )  # fmt: skip

    record = asana.project_update(_asana(make_client), "1201", EDITED, ["name", "description",
                                                                         "owner"])  # fmt: skip

    assert record.id == fixture("asana", "project_created.json")["data"]["gid"]


def test_an_asana_date_change_sends_both_dates(rsps, make_client):
    """`start_on` needs `due_on` in the same request (project-tool.md §2)."""
    body = {"data": {"start_on": "2026-02-01", "due_on": "2026-04-30"}}
    rsps.add(
        "PUT", f"{ASANA}/projects/1201", json=fixture("asana", "project_created.json"),
        match=[matchers.json_params_matcher(body, strict_match=True)],
    )  # fmt: skip
    asana.project_update(_asana(make_client), "1201", EDITED, ["start_date"])


def test_asanas_date_rules_are_checked_before_anything_is_sent(rsps, make_client):
    same_day = ProjectInput(name="X", start_date=date(2026, 2, 1), end_date=date(2026, 2, 1))

    with pytest.raises(ValidationError) as refused:
        asana.project_update(_asana(make_client), "1201", same_day, ["end_date"])

    assert "end_date" in refused.value.field_errors
    assert len(rsps.calls) == 0


def test_an_unknown_owner_at_asana_is_a_refusal_on_the_owner(rsps, make_client):
    rsps.add("PUT", f"{ASANA}/projects/1201", status=404,
             json={"errors": [{"message": "owner: Not a recognized ID: 99"}]})  # fmt: skip

    with pytest.raises(ValidationError) as refused:
        asana.project_update(_asana(make_client), "1201", EDITED, ["owner"])

    assert refused.value.field_errors == {"owner": ["Not a recognized ID: 99"]}


# --- Affinity: DELETE /persons/{id}, whoami's tenant ------------------------------------------


def _affinity(make_client):
    return make_client(provider="affinity", base_url=AFFINITY, auth=BasicKeyAuth("k"))


def test_a_person_delete_is_a_delete_of_that_person(rsps, make_client):
    rsps.add("DELETE", f"{AFFINITY}/persons/860197", json={"success": True})

    affinity.person_delete(_affinity(make_client), "860197")

    assert rsps.calls[0].request.method == "DELETE"
    assert rsps.calls[0].request.body is None


def test_a_person_affinity_does_not_have_is_not_found(rsps, make_client):
    rsps.add("DELETE", f"{AFFINITY}/persons/5", status=404, body="")

    with pytest.raises(NotFoundError):
        affinity.person_delete(_affinity(make_client), "5")


def test_the_tenant_subdomain_comes_from_whoami(rsps, make_client):
    rsps.add("GET", f"{AFFINITY}/auth/whoami", json=fixture("affinity", "whoami.json"))
    assert affinity.tenant_subdomain(_affinity(make_client)) == "affinity"


@pytest.mark.parametrize("tenant", [{}, {"subdomain": ""}, {"subdomain": "evil.example/x"}])
def test_a_missing_or_odd_subdomain_gives_no_link(rsps, make_client, tenant):
    rsps.add("GET", f"{AFFINITY}/auth/whoami", json={"tenant": tenant})
    assert affinity.tenant_subdomain(_affinity(make_client)) == ""


def test_an_organizations_web_address_follows_affinitys_documented_pattern():
    """V1 docs: "for a company profile `affinity.affinity.co/companies/[company_id]`"."""
    url = affinity.organization_web_url("acme", "7133202")
    assert url == "https://acme.affinity.co/companies/7133202"


# --- Recruitee: a candidate's notes ----------------------------------------------------------

RECRUITEE = "https://api.recruitee.com/c/1"


def _recruitee(make_client):
    return make_client(provider="recruitee", base_url=RECRUITEE)


def test_a_note_is_posted_in_recruitees_note_envelope(rsps, make_client):
    body = {"note": {"body": "Strong portfolio.", "visibility": {"level": "public"}}}
    answer = {"note": {"id": 77, "body": "Strong portfolio.", "created_at": "2026-12-01T10:00:00Z"}}
    rsps.add(
        "POST", f"{RECRUITEE}/candidates/11/notes", status=201, json=answer,
        match=[matchers.json_params_matcher(body, strict_match=True)],
    )  # fmt: skip

    note = recruitee.candidate_note_create(_recruitee(make_client), "11", "Strong portfolio.")

    assert (note.id, note.body) == ("77", "Strong portfolio.")
    assert note.created_at.isoformat() == "2026-12-01T10:00:00+00:00"


def test_an_answer_without_a_note_is_an_invalid_response(rsps, make_client):
    rsps.add("POST", f"{RECRUITEE}/candidates/11/notes", status=201, json={"ok": True})
    with pytest.raises(InvalidResponseError):
        recruitee.candidate_note_create(_recruitee(make_client), "11", "x")


def test_a_blank_note_is_refused_with_recruitees_words(rsps, make_client):
    refused = {"error": ["Body can't be blank"], "error_fields": {"body": ["can't be blank"]}}
    rsps.add("POST", f"{RECRUITEE}/candidates/11/notes", status=422, json=refused)
    with pytest.raises(ValidationError) as error:
        recruitee.candidate_note_create(_recruitee(make_client), "11", " ")
    assert error.value.field_errors == {"body": ["can't be blank"]}


def test_the_notes_list_is_read_tolerantly(rsps, make_client):
    notes = {"notes": [{"id": 2, "body": "Second"}, {"body": "no id"}, "junk", {"id": 1}]}
    rsps.add("GET", f"{RECRUITEE}/candidates/11/notes", json=notes)

    listed = recruitee.candidate_note_list(_recruitee(make_client), "11")

    assert [(n.id, n.body) for n in listed] == [("2", "Second"), ("1", "")]
