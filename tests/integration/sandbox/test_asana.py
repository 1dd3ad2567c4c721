"""Asana contract (../shared/providers/project-tool.md §2)."""

import requests

from .conftest import TIMEOUT

TOKEN = {"Authorization": "Bearer sandbox-asana"}


def call(sbx, method, path, headers=TOKEN, **kwargs):
    return requests.request(
        method, f"{sbx.url_for('asana')}{path}", headers=headers, timeout=TIMEOUT, **kwargs
    )


def workspace_gid(sbx):
    return call(sbx, "GET", "/workspaces").json()["data"][0]["gid"]


def test_bearer_pat_required(sbx):
    refused = call(sbx, "GET", "/projects", headers={"Authorization": "Bearer nope"})
    assert refused.status_code == 401
    assert refused.json()["errors"][0]["message"]


def test_users_me_and_workspaces(sbx):
    me = call(sbx, "GET", "/users/me").json()["data"]
    assert me["resource_type"] == "user" and me["gid"].isdigit() and me["workspaces"]
    workspaces = call(sbx, "GET", "/workspaces").json()
    assert set(workspaces["data"][0]) == {"gid", "resource_type", "name"}
    assert "next_page" not in workspaces


def test_projects_page_with_offset_tokens_until_null(sbx):
    gid = workspace_gid(sbx)
    seen, params = [], {"workspace": gid, "limit": 3}
    while True:
        body = call(sbx, "GET", "/projects", params=params).json()
        assert set(body) == {"data", "next_page"}
        seen += [p["gid"] for p in body["data"]]
        assert all(set(p) == {"gid", "resource_type", "name"} for p in body["data"])
        if body["next_page"] is None:
            break
        assert set(body["next_page"]) == {"offset", "path", "uri"}
        assert body["next_page"]["uri"].startswith(sbx.url_for("asana") + "/projects?")
        params = {**params, "offset": body["next_page"]["offset"]}
    unpaged = call(sbx, "GET", "/projects", params={"workspace": gid}).json()
    assert "next_page" not in unpaged
    assert seen == [p["gid"] for p in unpaged["data"]]


def test_limit_and_offset_validation(sbx):
    for params in ({"limit": 0}, {"limit": 101}, {"limit": 5, "offset": "garbage"}):
        response = call(sbx, "GET", "/projects", params=params)
        assert response.status_code == 400
        assert response.json()["errors"][0]["message"].split(":")[0] in ("limit", "offset")


def test_project_detail(sbx):
    gid = call(sbx, "GET", "/projects", params={"limit": 1}).json()["data"][0]["gid"]
    project = call(sbx, "GET", f"/projects/{gid}").json()["data"]
    assert project["gid"] == gid and project["resource_type"] == "project"
    assert {"workspace", "owner", "start_on", "due_on", "notes", "archived"} <= set(project)
    assert call(sbx, "GET", "/projects/1").status_code == 404


def test_create_project(sbx):
    data = {
        "name": "Asana Contract",
        "workspace": workspace_gid(sbx),
        "notes": "<b>x</b>",
        "start_on": "2025-01-01",
        "due_on": "2025-03-01",
    }
    created = call(sbx, "POST", "/projects", json={"data": data})
    assert created.status_code == 201
    project = created.json()["data"]
    assert project["name"] == "Asana Contract" and project["start_on"] == "2025-01-01"
    assert project["workspace"]["gid"] == data["workspace"]
    assert call(sbx, "GET", f"/projects/{project['gid']}").json()["data"]["notes"] == "<b>x</b>"


def test_create_project_errors(sbx):
    gid = workspace_gid(sbx)
    cases = [
        ({"name": "No workspace"}, 400, "workspace"),
        ({"workspace": gid, "start_on": "2025-01-01"}, 400, "start_on"),
        ({"workspace": gid, "start_on": "2025-01-01", "due_on": "2025-01-01"}, 400, "start_on"),
        ({"workspace": gid, "due_on": "01/02/2025"}, 400, "due_on"),
    ]
    for data, status, field in cases:
        response = call(sbx, "POST", "/projects", json={"data": data})
        assert response.status_code == status, data
        error = response.json()["errors"][0]
        assert error["message"].startswith(f"{field}:") and error["help"]
    assert call(sbx, "POST", "/projects", json={"name": "unwrapped"}).status_code == 400


def test_rate_limit_429_has_retry_after(sbx):
    sbx.set_faults("asana", rate_limit_per_minute=1)
    call(sbx, "GET", "/users/me")
    limited = call(sbx, "GET", "/users/me")
    assert limited.status_code == 429
    assert int(limited.headers["Retry-After"]) >= 1
    assert limited.json()["errors"][0]["message"]


# --- fidelity to Asana's OpenAPI document (project-tool.md §8) ---------------------------


def organization(sbx):
    workspaces = call(sbx, "GET", "/workspaces", params={"opt_fields": "name,is_organization"})
    return next(w for w in workspaces.json()["data"] if w["is_organization"])


def test_opt_fields_outside_asanas_enum_are_refused_with_its_400(sbx):
    for path in ("/projects", f"/projects/{project_gid(sbx)}", "/users", "/workspaces"):
        response = call(sbx, "GET", path, params={"opt_fields": "name,owner.name"})
        assert response.status_code == 400, path
        [error] = response.json()["errors"]
        assert error["message"] == "opt_fields: Unknown field: owner.name" and error["help"]
    created = call(
        sbx,
        "POST",
        "/projects",
        params={"opt_fields": "bogus"},
        json={"data": {"name": "Refused opt_fields", "workspace": workspace_gid(sbx)}},
    )
    assert created.status_code == 400


def project_gid(sbx):
    return call(sbx, "GET", "/projects", params={"limit": 1}).json()["data"][0]["gid"]


def test_opt_fields_pick_only_the_named_fields_on_every_read(sbx):
    fields = "name,owner,workspace.name,due_on"
    listed = call(sbx, "GET", "/projects", params={"opt_fields": fields, "limit": 2}).json()
    for project in listed["data"]:
        assert set(project) == {"gid", "resource_type", "name", "owner", "workspace", "due_on"}
        assert set(project["owner"]) == {"gid", "resource_type"}  # `owner` alone: no name
        assert set(project["workspace"]) == {"gid", "resource_type", "name"}
    detail = call(sbx, "GET", f"/projects/{project_gid(sbx)}", params={"opt_fields": "notes"})
    assert set(detail.json()["data"]) == {"gid", "resource_type", "notes"}
    me = call(sbx, "GET", "/users/me", params={"opt_fields": "email"}).json()["data"]
    assert set(me) == {"gid", "resource_type", "email"}


def test_users_carry_their_email_when_opt_fields_asks(sbx):
    params = {"workspace": workspace_gid(sbx), "opt_fields": "name,email", "limit": 100}
    users = call(sbx, "GET", "/users", params=params).json()["data"]
    assert users and all(u["email"].endswith("@sandbox.example") for u in users)
    per_workspace = call(sbx, "GET", f"/workspaces/{workspace_gid(sbx)}/users", params=params)
    assert per_workspace.json()["data"] == users


def test_an_organization_workspace_and_its_teams(sbx):
    org = organization(sbx)
    assert call(sbx, "GET", f"/workspaces/{org['gid']}").json()["data"]["is_organization"] is True
    plain = call(sbx, "GET", f"/workspaces/{workspace_gid(sbx)}").json()["data"]
    assert plain["is_organization"] is False
    teams = call(
        sbx, "GET", f"/workspaces/{org['gid']}/teams", params={"opt_fields": "name,organization"}
    ).json()["data"]
    assert [t["name"] for t in teams] == ["Engineering", "Marketing", "Operations"]
    assert all(t["organization"]["gid"] == org["gid"] for t in teams)
    assert call(sbx, "GET", f"/organizations/{org['gid']}/teams").json()["data"] == [
        {k: t[k] for k in ("gid", "resource_type", "name")} for t in teams
    ]
    assert call(sbx, "GET", f"/workspaces/{workspace_gid(sbx)}/teams").json()["data"] == []


def test_a_project_in_an_organization_needs_a_team(sbx):
    org = organization(sbx)
    refused = call(
        sbx, "POST", "/projects", json={"data": {"name": "No team", "workspace": org["gid"]}}
    )
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["message"] == "team: Missing input"
    team = call(sbx, "GET", f"/workspaces/{org['gid']}/teams").json()["data"][0]
    data = {"name": "With team", "workspace": org["gid"], "team": team["gid"]}
    created = call(sbx, "POST", "/projects", json={"data": data})
    assert created.status_code == 201
    assert created.json()["data"]["team"]["gid"] == team["gid"]
    elsewhere = {"name": "Team elsewhere", "workspace": workspace_gid(sbx), "team": team["gid"]}
    assert call(sbx, "POST", "/projects", json={"data": elsewhere}).status_code == 400
    plain = call(
        sbx, "POST", "/projects", json={"data": {"name": "Plain", "workspace": workspace_gid(sbx)}}
    )
    assert plain.status_code == 201 and "team" not in plain.json()["data"]


def test_the_routes_the_official_sdk_uses(sbx):
    ws = workspace_gid(sbx)
    listed = call(sbx, "GET", f"/workspaces/{ws}/projects", params={"limit": 2}).json()
    assert len(listed["data"]) == 2 and listed["next_page"]["offset"]
    created = call(sbx, "POST", f"/workspaces/{ws}/projects", json={"data": {"name": "Via ws"}})
    assert created.status_code == 201 and created.json()["data"]["workspace"]["gid"] == ws
    project = created.json()["data"]["gid"]
    updated = call(sbx, "PUT", f"/projects/{project}", json={"data": {"name": "Renamed"}})
    assert updated.json()["data"]["name"] == "Renamed"
    assert call(sbx, "GET", f"/projects/{project}").json()["data"]["name"] == "Renamed"
    moved = call(sbx, "PUT", f"/projects/{project}", json={"data": {"workspace": ws}})
    assert moved.status_code == 400
    assert call(sbx, "DELETE", f"/projects/{project}").json() == {"data": {}}
    assert call(sbx, "GET", f"/projects/{project}").status_code == 404
    user = call(sbx, "GET", "/users/me").json()["data"]
    assert call(sbx, "GET", f"/users/{user['gid']}").json()["data"]["email"] == user["email"]
    team = call(sbx, "GET", f"/workspaces/{organization(sbx)['gid']}/teams").json()["data"][0]
    via_team = call(sbx, "POST", f"/teams/{team['gid']}/projects", json={"data": {"name": "T"}})
    assert via_team.status_code == 201 and via_team.json()["data"]["team"]["gid"] == team["gid"]


def test_an_offset_token_expires(sbx, monkeypatch):
    """Asana: "an offset token will expire after some time, as data may have changed"
    (asana_oas.yaml, NextPage; project-tool.md §2). A fake whose tokens last for ever
    hides a client that resumes from an old one."""
    first = call(sbx, "GET", "/projects", params={"limit": 1}).json()
    offset = first["next_page"]["offset"]
    assert call(sbx, "GET", "/projects", params={"limit": 1, "offset": offset}).status_code == 200
    monkeypatch.setattr(sbx.app.apis["asana"], "offset_ttl", 0.0)
    expired = call(sbx, "GET", "/projects", params={"limit": 1, "offset": offset})
    assert expired.status_code == 400
    assert expired.json()["errors"][0]["message"].startswith("offset: ")
