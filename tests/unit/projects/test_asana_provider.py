"""Asana's project endpoints: the {"data": ...} body, its rules, errors, pagination."""

from __future__ import annotations

from datetime import date

import pytest
from responses import matchers

from integrations.http.errors import AuthenticationError, ValidationError
from integrations.providers import asana
from integrations.providers.project_records import ProjectInput

from .conftest import fixture

BASE = "https://app.asana.com/api/1.0"
WS = "1200000000000001"


def _client(make_client):
    return make_client(provider="asana", base_url=BASE)


def test_create_maps_the_hub_fields_to_asanas(rsps, make_client):
    body = {
        "data": {
            "name": "Launch",
            "workspace": WS,
            "notes": "Notes",
            "owner": "1200000000000003",
            "start_on": "2026-03-01",
            "due_on": "2026-03-20",
        }
    }
    rsps.add(
        "POST",
        f"{BASE}/projects",
        status=201,
        json=fixture("asana", "project_created.json"),
        match=[matchers.json_params_matcher(body, strict_match=True)],
    )
    project = ProjectInput(
        name="Launch",
        description="Notes",
        owner="1200000000000003",
        workspace=WS,
        start_date=date(2026, 3, 1),
        end_date=date(2026, 3, 20),
    )
    record = asana.project_create(_client(make_client), project)
    assert record.id == "1200000000000042"
    assert (record.owner_name, record.workspace_name) == ("Ada Lovelace", "Acme")
    assert record.url.startswith("https://app.asana.com/")


def test_minimal_create_sends_name_and_workspace_only(rsps, make_client):
    rsps.add(
        "POST",
        f"{BASE}/projects",
        status=201,
        json={"data": {"gid": "7", "name": "Bare"}},
        match=[
            matchers.json_params_matcher(
                {"data": {"name": "Bare", "workspace": WS}}, strict_match=True
            )
        ],
    )
    assert (
        asana.project_create(_client(make_client), ProjectInput(name="Bare", workspace=WS)).id
        == "7"
    )


@pytest.mark.parametrize(
    ("start", "end", "field"),
    [(date(2026, 1, 1), None, "end_date"), (date(2026, 1, 1), date(2026, 1, 1), "end_date")],
)
def test_asanas_date_rules_are_checked_before_sending(rsps, make_client, start, end, field):
    project = ProjectInput(name="x", workspace=WS, start_date=start, end_date=end)
    with pytest.raises(ValidationError) as caught:
        asana.project_create(_client(make_client), project)
    assert list(caught.value.field_errors) == [field]
    assert len(rsps.calls) == 0  # nothing was sent


def test_field_prefixed_errors_map_onto_fields(rsps, make_client):
    body = {
        "errors": [
            {"message": "due_on: Must be a date in the format YYYY-MM-DD"},
            {"message": "notes: Too long"},
            {"message": "Something else"},
        ]
    }
    rsps.add("POST", f"{BASE}/projects", status=400, json=body)
    with pytest.raises(ValidationError) as caught:
        asana.project_create(_client(make_client), ProjectInput(name="x", workspace=WS))
    assert caught.value.field_errors == {
        "due_on": ["Must be a date in the format YYYY-MM-DD"],
        "notes": ["Too long"],
    }
    assert asana.PROVIDER.project_field_names["due_on"] == "end_date"
    assert asana.PROVIDER.project_field_names["notes"] == "description"


def test_an_unknown_workspace_404_is_a_refusal_on_workspace(rsps, make_client):
    rsps.add(
        "POST", f"{BASE}/projects", status=404, json=fixture("asana", "error_404_workspace.json")
    )
    with pytest.raises(ValidationError) as caught:
        asana.project_create(_client(make_client), ProjectInput(name="x", workspace="99"))
    assert caught.value.field_errors == {"workspace": ["Unknown object: 99"]}


def test_401_is_an_authentication_error(rsps, make_client):
    rsps.add(
        "POST", f"{BASE}/projects", status=401, json={"errors": [{"message": "Not Authorized"}]}
    )
    with pytest.raises(AuthenticationError, match="Not Authorized"):
        asana.project_create(_client(make_client), ProjectInput(name="x", workspace=WS))


def test_project_list_asks_for_fields_and_follows_the_offset(rsps, make_client):
    base = {"workspace": WS, "opt_fields": asana.PROJECT_OPT_FIELDS, "limit": "100"}
    first = fixture("asana", "projects_page1.json")
    rsps.add("GET", f"{BASE}/projects", json=first, match=[matchers.query_param_matcher(base)])
    rsps.add(
        "GET",
        f"{BASE}/projects",
        json=fixture("asana", "projects_page2.json"),
        match=[matchers.query_param_matcher({**base, "offset": first["next_page"]["offset"]})],
    )
    pages = list(asana.project_list(_client(make_client), workspace=WS))
    assert [r.name for p in pages for r in p.records] == ["Stuff to buy", "Launch"]
    assert pages[0].resume == first["next_page"]["offset"] and pages[1].resume is None


def test_odd_project_payloads_never_crash():
    assert asana.parse_project(None) is None
    record = asana.parse_project({"gid": 12, "owner": "x", "start_on": "soon", "archived": True})
    assert (record.id, record.name, record.start_date, record.status) == (
        "12",
        "Project 12",
        None,
        "Archived",
    )
