"""Every call the hub makes to Asana, on the wire, and against Asana's own document.

`responses` fails any call these tests did not register, so each test pins one
request exactly: method, path, query and body. The document checks read
Asana's OpenAPI file from ../shared/specs/ (project-tool.md §8) and skip
without it.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from responses import matchers

from integrations.providers import asana
from integrations.providers.project_records import ProjectInput
from integrations.sandbox import asana_fields

BASE = "https://app.asana.com/api/1.0"
WS = "1200000000000001"
SPEC = Path(__file__).resolve().parents[3].parent / "shared" / "specs" / "asana_oas.yaml"


def _client(make_client):
    return make_client(provider="asana", base_url=BASE)


def _query(rsps, index: int = 0) -> dict[str, str]:
    return dict(rsps.calls[index].request.params)


def test_check_connection_reads_users_me(rsps, make_client):
    rsps.add("GET", f"{BASE}/users/me", json={"data": {"gid": "1"}},
             match=[matchers.query_param_matcher({})])  # fmt: skip
    asana.PROVIDER.check_connection(_client(make_client))
    assert rsps.calls[0].request.headers["Authorization"].startswith("Bearer ")


def test_workspaces_ask_whether_they_are_organizations(rsps, make_client):
    body = {
        "data": [
            {"gid": "1", "name": "Plain", "is_organization": False},
            {"gid": "2", "name": "Org", "is_organization": True},
            {"gid": "3", "name": "Odd", "is_organization": "yes"},
        ],
        "next_page": None,
    }
    query = {"opt_fields": "name,is_organization", "limit": "100"}
    rsps.add("GET", f"{BASE}/workspaces", json=body, match=[matchers.query_param_matcher(query)])
    [page] = list(asana.workspace_list(_client(make_client)))
    assert [(w.id, w.is_organization) for w in page.records] == [
        ("1", False), ("2", True), ("3", False),
    ]  # fmt: skip


def test_users_ask_for_name_and_email(rsps, make_client):
    query = {"workspace": WS, "opt_fields": "name,email", "limit": "100"}
    body = {"data": [{"gid": "5", "name": "Bo", "email": "bo@x.io"}], "next_page": None}
    rsps.add("GET", f"{BASE}/users", json=body, match=[matchers.query_param_matcher(query)])
    [page] = list(asana.user_list(_client(make_client), workspace=WS))
    assert (page.records[0].name, page.records[0].email) == ("Bo", "bo@x.io")


def test_teams_are_listed_per_organization(rsps, make_client):
    query = {"opt_fields": "name,organization", "limit": "100"}
    body = {
        "data": [{"gid": "9", "name": "Eng", "organization": {"gid": WS}}, {"name": "no gid"}],
        "next_page": None,
    }
    rsps.add("GET", f"{BASE}/workspaces/{WS}/teams", json=body,
             match=[matchers.query_param_matcher(query)])  # fmt: skip
    [page] = list(asana.team_list(_client(make_client), workspace=WS))
    assert [(t.id, t.name, t.workspace_id) for t in page.records] == [("9", "Eng", WS)]


def test_projects_ask_for_enum_fields_only(rsps, make_client):
    query = {
        "workspace": WS,
        "opt_fields": "name,notes,owner,workspace,workspace.name,team,team.name,start_on,"
        "due_on,created_at,modified_at,permalink_url,archived",
        "limit": "100",
    }
    body = {"data": [{"gid": "42", "name": "Launch", "owner": {"gid": "5"}}], "next_page": None}
    rsps.add("GET", f"{BASE}/projects", json=body, match=[matchers.query_param_matcher(query)])
    [page] = list(asana.project_list(_client(make_client), workspace=WS))
    assert (page.records[0].owner_id, page.records[0].owner_name) == ("5", "")


def test_one_project_is_read_in_full(rsps, make_client):
    body = {"data": {"gid": "42", "name": "Launch", "owner": {"gid": "5", "name": "Bo"}}}
    rsps.add("GET", f"{BASE}/projects/42", json=body, match=[matchers.query_param_matcher({})])
    record = asana.project_get(_client(make_client), "42")
    assert (record.name, record.owner_name) == ("Launch", "Bo")


def test_a_project_in_an_organization_is_created_with_its_team(rsps, make_client):
    sent = {"data": {"name": "Launch", "workspace": WS, "team": "9"}}
    rsps.add("POST", f"{BASE}/projects", status=201, json={"data": {"gid": "43", "name": "Launch"}},
             match=[matchers.json_params_matcher(sent, strict_match=True),
                    matchers.query_param_matcher({})])  # fmt: skip
    project = ProjectInput(name="Launch", workspace=WS, team="9")
    assert asana.project_create(_client(make_client), project).id == "43"


def test_a_missing_team_refused_by_asana_lands_on_the_team_field(rsps, make_client):
    refusal = {"errors": [{"message": "team: Missing input", "help": "..."}]}
    rsps.add("POST", f"{BASE}/projects", status=400, json=refusal)
    with pytest.raises(asana.ValidationError) as caught:
        asana.project_create(_client(make_client), ProjectInput(name="x", workspace=WS))
    assert caught.value.field_errors == {"team": ["Missing input"]}
    assert "team" in asana.PROVIDER.project_fields


# --- against Asana's OpenAPI document ---------------------------------------------------


@cache
def _spec() -> dict[str, Any]:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(SPEC.read_text(), Loader=loader)  # noqa: S506 (a safe loader)


def _opt_fields_enum(path: str) -> frozenset[str]:
    """The `opt_fields` enum of `GET path` in Asana's document."""
    if not SPEC.exists():
        pytest.skip(f"Asana's OpenAPI document is not at {SPEC}")
    parameters = _spec()["components"]["parameters"]
    for parameter in _spec()["paths"][path]["get"]["parameters"]:
        if "$ref" in parameter:
            parameter = parameters[parameter["$ref"].split("/")[-1]]
        if parameter["name"] == "opt_fields":
            return frozenset(parameter["schema"]["items"]["enum"])
    raise AssertionError(f"GET {path} has no opt_fields")


@pytest.mark.parametrize(
    ("path", "asked"),
    [
        ("/projects", asana.PROJECT_OPT_FIELDS),
        ("/workspaces", asana.WORKSPACE_OPT_FIELDS),
        ("/users", asana.USER_OPT_FIELDS),
        ("/workspaces/{workspace_gid}/teams", asana.TEAM_OPT_FIELDS),
    ],
)
def test_the_hub_asks_only_for_values_asanas_document_allows(path, asked):
    assert set(asked.split(",")) <= _opt_fields_enum(path)
    assert "owner.name" not in _opt_fields_enum("/projects")  # why the hub stopped asking


@pytest.mark.parametrize(
    ("path", "allowed", "paged"),
    [
        ("/projects", asana_fields.PROJECT, True),
        ("/projects/{project_gid}", asana_fields.PROJECT, False),
        ("/workspaces/{workspace_gid}/projects", asana_fields.PROJECT, True),
        ("/workspaces", asana_fields.WORKSPACE, True),
        ("/workspaces/{workspace_gid}", asana_fields.WORKSPACE, False),
        ("/workspaces/{workspace_gid}/teams", asana_fields.TEAM, True),
        ("/users", asana_fields.USER, True),
        ("/users/{user_gid}", asana_fields.USER, False),
        ("/workspaces/{workspace_gid}/users", asana_fields.USER, False),
    ],
)
def test_the_fake_allows_exactly_asanas_opt_fields(path, allowed, paged):
    assert allowed | (set(asana_fields.PAGING) if paged else set()) == _opt_fields_enum(path)
