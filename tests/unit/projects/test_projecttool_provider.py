"""The generic project tool's endpoints: exact request bodies, 207 answers, errors, OAuth."""

from __future__ import annotations

from datetime import date

import pytest
import requests
from responses import matchers

from integrations.http.auth import OAuthClientCredentials
from integrations.http.errors import (
    InvalidResponseError,
    ProviderUnavailableError,
    RateLimitedError,
    ValidationError,
)
from integrations.providers import projecttool
from integrations.providers.project_records import ProjectInput

from .conftest import fixture

BASE = "https://pm.example.test/v1"
FULL = ProjectInput(
    name="Website relaunch",
    description="New design",
    owner="3",
    workspace="2",
    start_date=date(2026, 1, 5),
    end_date=date(2026, 3, 31),
    status="Active",
    priority="High",
    tags=("frontend", "q1"),
    template="7",
)


def _client(make_client, **kwargs):
    return make_client(base_url=BASE, **kwargs)


def test_create_sends_exactly_the_contracts_body(rsps, make_client):
    body = {
        "name": "Website relaunch",
        "description": "New design",
        "owner_id": 3,
        "workspace_id": 2,
        "start_date": "2026-01-05",
        "end_date": "2026-03-31",
        "status": "Active",
        "priority": "High",
        "tags": ["frontend", "q1"],
        "template_id": 7,
    }
    rsps.add(
        "POST",
        f"{BASE}/projects",
        status=201,
        json=fixture("projecttool", "project_created.json"),
        match=[matchers.json_params_matcher(body, strict_match=True)],
    )
    record = projecttool.project_create(_client(make_client), FULL)
    assert record.id == "101" and record.owner_id == "3" and record.workspace_id == "2"
    assert record.tags == ("frontend", "q1") and record.end_date == date(2026, 3, 31)


def test_create_leaves_out_empty_fields_and_accepts_200(rsps, make_client):
    rsps.add(
        "POST",
        f"{BASE}/projects",
        status=200,
        json={"id": 5, "name": "Bare"},
        match=[
            matchers.json_params_matcher({"name": "Bare", "workspace_id": 1}, strict_match=True)
        ],
    )
    record = projecttool.project_create(
        _client(make_client), ProjectInput(name="Bare", workspace="1")
    )
    assert (record.id, record.name, record.status) == ("5", "Bare", "")


def test_a_field_error_maps_onto_the_field(rsps, make_client):
    rsps.add("POST", f"{BASE}/projects", status=400, json=fixture("projecttool", "error_400.json"))
    with pytest.raises(ValidationError) as caught:
        projecttool.project_create(_client(make_client), ProjectInput(name="x", workspace="1"))
    assert caught.value.field_errors == {"start_date": ["The provided start_date is not valid."]}
    assert "Project tool API 400 (POST /v1/projects)" in str(caught.value)


def test_a_duplicate_name_409_is_a_refusal_on_the_name(rsps, make_client):
    rsps.add("POST", f"{BASE}/projects", status=409, json=fixture("projecttool", "error_409.json"))
    with pytest.raises(ValidationError) as caught:
        projecttool.project_create(_client(make_client), ProjectInput(name="First", workspace="1"))
    assert caught.value.status == 409
    assert "already exists" in caught.value.field_errors["name"][0]


def test_an_unknown_workspace_404_lands_on_workspace_id(rsps, make_client):
    body = {
        "error": {
            "code": "NOT_FOUND",
            "message": "The workspace_id 9 does not exist.",
            "details": {"field": "workspace_id", "value": 9},
        }
    }
    rsps.add("POST", f"{BASE}/projects", status=404, json=body)
    with pytest.raises(ValidationError) as caught:
        projecttool.project_create(_client(make_client), ProjectInput(name="x", workspace="9"))
    assert list(caught.value.field_errors) == ["workspace_id"]
    assert projecttool.PROVIDER.project_field_names["workspace_id"] == "workspace"


def test_non_json_500_is_provider_unavailable(rsps, make_client):
    rsps.add("POST", f"{BASE}/projects", status=500, body="<html>oops</html>")
    with pytest.raises(ProviderUnavailableError) as caught:
        projecttool.project_create(_client(make_client), ProjectInput(name="x", workspace="1"))
    assert caught.value.outcome_unknown  # a 500 after a POST: the write may have happened


def test_429_carries_retry_after(rsps, make_client):
    rsps.add(
        "POST",
        f"{BASE}/projects",
        status=429,
        json={"error": {"code": "RATE_LIMITED", "message": "Slow down."}},
        headers={"Retry-After": "30"},
    )
    with pytest.raises(RateLimitedError) as caught:
        projecttool.project_create(_client(make_client, deadline=1.0), ProjectInput(name="x"))
    assert caught.value.retry_at is not None


def test_a_timeout_is_an_unknown_outcome(rsps, make_client):
    rsps.add("POST", f"{BASE}/projects", body=requests.ReadTimeout("slow"))
    with pytest.raises(ProviderUnavailableError) as caught:
        projecttool.project_create(_client(make_client), ProjectInput(name="x"))
    assert caught.value.outcome_unknown


def test_a_created_project_without_id_is_an_invalid_response(rsps, make_client):
    rsps.add("POST", f"{BASE}/projects", status=201, json={"name": "x"})
    with pytest.raises(InvalidResponseError):
        projecttool.project_create(_client(make_client), ProjectInput(name="x"))


def test_bulk_create_sends_an_array_and_reads_207_row_by_row(rsps, make_client):
    inputs = [ProjectInput(name=n, workspace="1") for n in ("First", "Second", "Third")]
    rsps.add(
        "POST",
        f"{BASE}/projects/bulk",
        status=207,
        json=fixture("projecttool", "bulk_207.json"),
        match=[
            matchers.json_params_matcher(
                [{"name": n, "workspace_id": 1} for n in ("First", "Second", "Third")]
            )
        ],
    )
    result = projecttool.project_bulk_create(_client(make_client), inputs)
    assert {i: r.id for i, r in result.created.items()} == {0: "201", 2: "202"}
    assert result.errors[1].field_errors == {
        "start_date": ["The provided start_date is not valid."]
    }


def test_a_bulk_row_error_echoing_the_token_is_redacted(rsps, make_client):
    token = "tok-SECRET-5f4e3d2c1b"  # the test client's token
    echo = {"message": f"Token {token.upper()} may not create", "details": {"field": "name"}}
    body = {"data": [], "errors": [{"index": 0, "error": echo}]}
    rsps.add("POST", f"{BASE}/projects/bulk", status=207, json=body)
    result = projecttool.project_bulk_create(_client(make_client), [ProjectInput(name="a")])
    row = result.errors[0]
    assert token.lower() not in f"{row.message} {row.field_errors}".lower()
    assert row.message == "Token [REDACTED] may not create"


def test_bulk_answer_with_odd_shapes_never_crashes(rsps, make_client):
    body = {"data": [None, "x", {"name": "no id"}], "errors": [{"index": "1"}, {"index": 99}, 3]}
    rsps.add("POST", f"{BASE}/projects/bulk", status=207, json=body)
    result = projecttool.project_bulk_create(_client(make_client), [ProjectInput(name="a")] * 2)
    assert result.created == {} and result.errors == {}


def test_list_pages_with_meta_and_tolerates_bad_items(rsps, make_client):
    page1 = {
        "data": [{"id": 1, "name": "A", "tags": "oops", "start_date": 5}, "junk"],
        "meta": {"currentPage": 1, "totalPages": 2, "totalItems": 2, "itemsPerPage": 2},
    }
    page2 = {
        "data": [{"id": 2, "owner": {"id": 4, "name": "Bo"}}],
        "meta": {"currentPage": 2, "totalPages": 2, "totalItems": 2, "itemsPerPage": 2},
    }
    rsps.add(
        "GET",
        f"{BASE}/projects",
        json=page1,
        match=[matchers.query_param_matcher({"page": "1", "limit": "2"})],
    )
    rsps.add(
        "GET",
        f"{BASE}/projects",
        json=page2,
        match=[matchers.query_param_matcher({"page": "2", "limit": "2"})],
    )
    pages = list(projecttool.project_list(_client(make_client), page_size=2))
    assert [p.resume for p in pages] == [2, None] and pages[0].total == 2
    first, second = pages[0].records[0], pages[1].records[0]
    assert (first.tags, first.start_date) == ((), None)
    assert (second.name, second.owner_id, second.owner_name) == ("Project 2", "4", "Bo")


def test_users_and_workspaces_for_the_pickers(rsps, make_client):
    meta = {"currentPage": 1, "totalPages": 1, "totalItems": 1, "itemsPerPage": 100}
    rsps.add(
        "GET",
        f"{BASE}/users",
        json={"data": [{"id": 3, "name": "Ada", "email": "a@x.io"}], "meta": meta},
    )
    rsps.add("GET", f"{BASE}/workspaces", json={"data": [{"id": 1, "name": "Acme"}], "meta": meta})
    client = _client(make_client)
    [users] = list(projecttool.user_list(client))
    [spaces] = list(projecttool.workspace_list(client))
    assert (users.records[0].id, users.records[0].email) == ("3", "a@x.io")
    assert spaces.records[0].name == "Acme"


def test_find_by_name_is_exact_within_the_workspace(rsps, make_client):
    meta = {"currentPage": 1, "totalPages": 1}
    rsps.add(
        "GET",
        f"{BASE}/projects",
        json={
            "data": [
                {"id": 1, "name": "Launch 2", "workspace_id": 1},
                {"id": 2, "name": "Launch", "workspace_id": 2},
                {"id": 3, "name": "Launch", "workspace_id": 1},
            ],
            "meta": meta,
        },
        match=[
            matchers.query_param_matcher(
                {"search": "Launch", "workspace_id": "1", "page": "1", "limit": "100"}
            )
        ],
    )
    found = projecttool.project_find_by_name(_client(make_client), name="Launch", workspace="1")
    assert found.id == "3"


def test_oauth_token_is_refreshed_once_on_401(rsps, make_client):
    form = {"grant_type": "client_credentials", "client_id": "cid", "client_secret": "csec"}
    for token in ("at-old", "at-new"):
        rsps.add(
            "POST",
            f"{BASE}/oauth/token",
            json={"access_token": token, "expires_in": 3600},
            match=[matchers.urlencoded_params_matcher(form)],
        )
    rsps.add(
        "POST",
        f"{BASE}/projects",
        status=401,
        json={"error": {"code": "TOKEN_EXPIRED", "message": "The access token has expired."}},
        match=[matchers.header_matcher({"Authorization": "Bearer at-old"})],
    )
    rsps.add(
        "POST",
        f"{BASE}/projects",
        status=201,
        json={"id": 9, "name": "x"},
        match=[
            matchers.header_matcher({"Authorization": "Bearer at-new"}),
            matchers.json_params_matcher({"name": "x"}),
        ],
    )
    auth = OAuthClientCredentials(
        token_url=f"{BASE}/oauth/token", client_id="cid", client_secret="csec"
    )
    record = projecttool.project_create(_client(make_client, auth=auth), ProjectInput(name="x"))
    assert record.id == "9"
    assert [c.request.url.rsplit("/", 1)[-1] for c in rsps.calls] == [
        "token",
        "projects",
        "token",
        "projects",
    ]


def test_rate_limit_headers_feed_the_limiter(rsps, make_client):
    rsps.add(
        "GET",
        f"{BASE}/workspaces",
        json={"data": [], "meta": {"totalPages": 1}},
        headers={
            "X-RateLimit-Limit": "100",
            "X-RateLimit-Remaining": "0",
            "X-RateLimit-Reset": "9999999999",
        },
    )
    client = _client(make_client, deadline=1.0)
    list(projecttool.workspace_list(client))
    with pytest.raises(RateLimitedError):
        list(projecttool.workspace_list(client))  # the window is spent: not even sent
    assert len(rsps.calls) == 1


def test_a_bulk_error_at_index_true_names_no_row(rsps, make_client):
    body = {
        "data": [{"id": 1, "name": "a"}, {"id": 2, "name": "b"}],
        "errors": [{"index": True, "error": {"message": "odd"}}],
    }
    rsps.add("POST", f"{BASE}/projects/bulk", status=207, json=body)
    inputs = [ProjectInput(name="a"), ProjectInput(name="b")]
    result = projecttool.project_bulk_create(_client(make_client), inputs)
    assert result.errors == {} and [r.id for r in result.created.values()] == ["1", "2"]
