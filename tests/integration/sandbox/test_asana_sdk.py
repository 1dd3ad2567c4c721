"""The official `asana` Python SDK against the fake, over real HTTP (project-tool.md §8).

If the SDK can list with its own paging, read, create and see Asana's errors
as its `ApiException`, the fake speaks Asana's wire format, not merely the
hub's reading of it.
"""

from __future__ import annotations

import json

import asana
import pytest
from asana.rest import ApiException

from integrations.sandbox.asana_shapes import record_id
from tests.sandbox_fixtures import Sandbox


@pytest.fixture
def sdk(sbx: Sandbox) -> asana.ApiClient:
    configuration = asana.Configuration()
    configuration.host = sbx.url_for("asana")  # the SDK's base URL, /api/1.0 on Asana
    configuration.access_token = sbx.credentials["asana"]["token"]
    configuration.page_limit = 4  # several pages from the small seed
    return asana.ApiClient(configuration)  # its thread pool closes when it is collected


def workspaces(sdk) -> dict[bool, str]:
    """{is_organization: gid} of the sandbox's workspaces."""
    found = asana.WorkspacesApi(sdk).get_workspaces({"opt_fields": "name,is_organization"})
    return {w["is_organization"]: w["gid"] for w in found}


def test_the_sdk_lists_every_project_with_its_own_paging(sdk, sbx):
    plain = workspaces(sdk)[False]
    projects = asana.ProjectsApi(sdk)
    listed = list(projects.get_projects({"workspace": plain, "opt_fields": "name,workspace.name"}))
    stored = sbx.store.scalar(
        "SELECT COUNT(*) FROM asana_projects WHERE workspace_id = ?", (record_id(plain),)
    )
    assert len(listed) == stored > 4  # more than one page of 4
    assert len({p["gid"] for p in listed}) == len(listed)
    assert all(set(p) == {"gid", "resource_type", "name", "workspace"} for p in listed)
    assert all(p["workspace"]["gid"] == plain and p["workspace"]["name"] for p in listed)
    assert len(list(projects.get_projects({"workspace": plain}, item_limit=6))) == 6


def test_the_sdk_reads_one_project_and_users_with_emails(sdk):
    plain = workspaces(sdk)[False]
    first = next(iter(asana.ProjectsApi(sdk).get_projects({"workspace": plain})))
    project = asana.ProjectsApi(sdk).get_project(first["gid"], {"opt_fields": "name,notes,owner"})
    assert project["name"] == first["name"] and "notes" in project
    users = list(asana.UsersApi(sdk).get_users({"workspace": plain, "opt_fields": "name,email"}))
    assert users and all(u["email"].endswith("@sandbox.example") for u in users)
    me = asana.UsersApi(sdk).get_user("me", {"opt_fields": "email,workspaces.name"})
    assert me["email"] and {w["gid"] for w in me["workspaces"]} == set(workspaces(sdk).values())


def test_the_sdk_creates_projects_in_a_workspace_and_in_an_organizations_team(sdk, sbx):
    found = workspaces(sdk)
    projects = asana.ProjectsApi(sdk)
    body = {"data": {"name": "From the SDK", "workspace": found[False], "notes": "n"}}
    created = projects.create_project(body, {"opt_fields": "name,notes,workspace"})
    assert set(created) == {"gid", "resource_type", "name", "notes", "workspace"}
    assert projects.get_project(created["gid"], {})["notes"] == "n"
    assert asana.WorkspacesApi(sdk).get_workspace(found[True], {})["is_organization"] is True
    team = next(iter(asana.TeamsApi(sdk).get_teams_for_workspace(found[True], {})))
    in_team = projects.create_project_for_team({"data": {"name": "SDK team"}}, team["gid"], {})
    assert in_team["team"]["gid"] == team["gid"]
    assert in_team["workspace"]["gid"] == found[True]
    renamed = projects.update_project({"data": {"name": "SDK renamed"}}, in_team["gid"], {})
    assert renamed["name"] == "SDK renamed"
    projects.delete_project(in_team["gid"])
    stored = sbx.store.scalar("SELECT COUNT(*) FROM asana_projects WHERE id = ?",
                              (record_id(in_team["gid"]),))  # fmt: skip
    assert stored == 0


def message(error: ApiException) -> str:
    """Asana's first error message, from the body the SDK kept (bytes)."""
    return json.loads(error.body)["errors"][0]["message"]


def test_asanas_errors_surface_as_the_sdks_api_exception(sdk):
    projects = asana.ProjectsApi(sdk)
    with pytest.raises(ApiException) as missing:
        projects.get_project("1", {})
    assert missing.value.status == 404 and message(missing.value) == "project: Unknown object: 1"
    organization = workspaces(sdk)[True]
    with pytest.raises(ApiException) as no_team:
        projects.create_project({"data": {"name": "No team", "workspace": organization}}, {})
    assert no_team.value.status == 400 and message(no_team.value) == "team: Missing input"
    with pytest.raises(ApiException) as bad_field:
        list(projects.get_projects({"workspace": organization, "opt_fields": "owner.name"}))
    assert bad_field.value.status == 400
    assert message(bad_field.value) == "opt_fields: Unknown field: owner.name"
