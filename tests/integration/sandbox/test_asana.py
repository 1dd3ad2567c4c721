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
