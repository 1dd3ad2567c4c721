"""Affinity v1 contract (../shared/providers/affinity.md)."""

import base64
import json

import requests

from .conftest import TIMEOUT

KEY = ("", "sandbox-affinity")
RATE_HEADERS = (
    "X-Ratelimit-Limit-User",
    "X-Ratelimit-Limit-User-Remaining",
    "X-Ratelimit-Limit-User-Reset",
    "X-Ratelimit-Limit-Org",
    "X-Ratelimit-Limit-Org-Remaining",
    "X-Ratelimit-Limit-Org-Reset",
)


def call(sbx, method, path, auth=KEY, **kwargs):
    return requests.request(
        method, f"{sbx.url_for('affinity')}{path}", auth=auth, timeout=TIMEOUT, **kwargs
    )


def test_basic_auth_with_the_key_as_password_and_bearer(sbx):
    assert call(sbx, "GET", "/auth/whoami").status_code == 200
    bearer = {"Authorization": "Bearer sandbox-affinity"}
    assert call(sbx, "GET", "/auth/whoami", auth=None, headers=bearer).status_code == 200
    refused = call(sbx, "GET", "/organizations", auth=("", "wrong"))
    assert refused.status_code == 401
    assert refused.json()["errors"][0]["message"]
    assert set(RATE_HEADERS) <= set(refused.headers)


def test_whoami_shape(sbx):
    assert set(call(sbx, "GET", "/auth/whoami").json()) == {"tenant", "user", "grant"}


def test_rate_limit_headers_on_every_response_and_a_real_minute_budget(sbx):
    first = call(sbx, "GET", "/organizations", params={"page_size": 1})
    second = call(sbx, "GET", "/organizations/999999")
    assert second.status_code == 404
    for response in (first, second):
        assert all(response.headers[name].isdigit() for name in RATE_HEADERS)
    assert first.headers["X-Ratelimit-Limit-User"] == "900"
    remaining = int(first.headers["X-Ratelimit-Limit-User-Remaining"])
    assert int(second.headers["X-Ratelimit-Limit-User-Remaining"]) == remaining - 1
    assert (
        int(second.headers["X-Ratelimit-Limit-Org-Remaining"])
        == int(first.headers["X-Ratelimit-Limit-Org-Remaining"]) - 1
    )


def test_minute_budget_answers_429_once_spent(sbx):
    sbx.set_faults("affinity", rate_limit_per_minute=2)
    statuses = [call(sbx, "GET", "/auth/whoami").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    spent = call(sbx, "GET", "/auth/whoami")
    assert spent.headers["X-Ratelimit-Limit-User-Remaining"] == "0"
    assert 1 <= int(spent.headers["X-Ratelimit-Limit-User-Reset"]) <= 60


def test_monthly_budget_and_rate_limit_endpoint(sbx):
    monthly = sbx.app.apis["affinity"].monthly
    limit = monthly.limit
    monthly.limit = monthly.used + 1
    try:
        assert call(sbx, "GET", "/organizations", params={"page_size": 1}).status_code == 200
        assert call(sbx, "GET", "/organizations", params={"page_size": 1}).status_code == 429
        # whoami and rate-limit don't count toward the monthly budget
        assert call(sbx, "GET", "/auth/whoami").status_code == 200
        rate = call(sbx, "GET", "/rate-limit").json()["rate"]
    finally:
        monthly.limit = limit
    assert set(rate) == {"org_monthly", "api_key_per_minute"}
    assert set(rate["org_monthly"]) == {"limit", "remaining", "reset", "used"}
    assert rate["org_monthly"]["remaining"] == 0
    assert rate["api_key_per_minute"]["limit"] == 900


def test_organization_search_pages_with_base64_json_tokens(sbx):
    first = call(sbx, "GET", "/organizations", params={"page_size": 5}).json()
    assert set(first) == {"organizations", "next_page_token"}
    assert len(first["organizations"]) == 5
    assert "person_ids" not in first["organizations"][0]
    assert set(first["organizations"][0]) == {"id", "name", "domain", "domains", "global"}
    token = json.loads(base64.b64decode(first["next_page_token"]))
    assert token == {"params": {}, "page_size": 5, "offset": 5}
    second = call(
        sbx, "GET", "/organizations", params={"page_token": first["next_page_token"]}
    ).json()
    assert second["organizations"][0]["id"] == first["organizations"][-1]["id"] + 1


def test_walking_every_page_ends_with_a_null_token(sbx):
    seen, params = [], {"page_size": 7}
    while True:
        body = call(sbx, "GET", "/persons", params=params).json()
        seen += [p["id"] for p in body["persons"]]
        if body["next_page_token"] is None:
            break
        params = {"page_token": body["next_page_token"]}
    assert len(seen) == len(set(seen)) == sbx.count("affinity_persons")


def test_a_token_with_changed_params_is_refused(sbx):
    token = call(sbx, "GET", "/organizations", params={"term": "a", "page_size": 2}).json()[
        "next_page_token"
    ]
    response = call(sbx, "GET", "/organizations", params={"term": "b", "page_token": token})
    assert response.status_code == 422
    assert response.json()["errors"][0]["message"] == "Invalid page_token variable"
    same = call(sbx, "GET", "/organizations", params={"term": "a", "page_token": token})
    assert same.status_code == 200


def test_page_size_above_500_is_refused(sbx):
    assert call(sbx, "GET", "/organizations", params={"page_size": 501}).status_code == 422


def test_term_matches_name_or_domain(sbx):
    org = call(sbx, "GET", "/organizations/2").json()
    by_domain = call(sbx, "GET", "/organizations", params={"term": org["domain"]}).json()
    assert org["id"] in [o["id"] for o in by_domain["organizations"]]


def test_organization_detail(sbx):
    org = call(sbx, "GET", "/organizations/2").json()
    assert {"person_ids", "list_entries", "crunchbase_uuid"} <= set(org)
    assert org["crunchbase_uuid"] is None
    assert call(sbx, "GET", "/organizations/999999").status_code == 404


def test_create_update_delete_organization(sbx):
    created = call(
        sbx,
        "POST",
        "/organizations",
        json={"name": "Sandbox Test Org", "domain": "sto.example", "person_ids": [1, 2]},
    )
    assert created.status_code == 200
    org = created.json()
    assert (
        org["person_ids"] == [1, 2] and org["domains"] == ["sto.example"] and org["global"] is False
    )
    updated = call(sbx, "PUT", f"/organizations/{org['id']}", json={"person_ids": [3]}).json()
    assert updated["person_ids"] == [3]  # replaced wholesale
    assert updated["name"] == "Sandbox Test Org"
    assert call(sbx, "DELETE", f"/organizations/{org['id']}").json() == {"success": True}
    assert call(sbx, "GET", f"/organizations/{org['id']}").status_code == 404


def test_create_organization_form_encoded_and_name_required(sbx):
    form = call(sbx, "POST", "/organizations", data={"name": "Form Org", "domain": "form.example"})
    assert form.status_code == 200 and form.json()["name"] == "Form Org"
    missing = call(sbx, "POST", "/organizations", json={"domain": "x.example"})
    assert missing.status_code == 422
    assert missing.json() == {"errors": [{"message": "name is required", "param": "name"}]}


def test_global_organizations_are_read_only(sbx):
    org = call(sbx, "GET", "/organizations/1").json()
    assert org["global"] is True
    renamed = call(sbx, "PUT", "/organizations/1", json={"name": "Renamed"})
    assert renamed.status_code == 422 and "global" in renamed.json()["errors"][0]["message"]
    assert call(sbx, "PUT", "/organizations/1", json={"person_ids": [4]}).status_code == 200
    assert call(sbx, "DELETE", "/organizations/1").status_code == 422


def test_persons(sbx):
    search = call(sbx, "GET", "/persons", params={"page_size": 3}).json()
    assert set(search) == {"persons", "next_page_token"}
    assert "organization_ids" not in search["persons"][0]
    body = {
        "first_name": "Ana",
        "last_name": "Núñez",
        "emails": ["ana.nunez@sandbox-test.example"],
        "organization_ids": [2],
    }
    created = call(sbx, "POST", "/persons", json=body)
    assert created.status_code == 200
    person = created.json()
    assert person["type"] == 0 and person["primary_email"] == body["emails"][0]
    assert person["organization_ids"] == [2]
    duplicate = call(sbx, "POST", "/persons", json={**body, "first_name": "Other"})
    assert duplicate.status_code == 422
    assert body["emails"][0] in duplicate.json()["errors"][0]["message"]
    found = call(sbx, "GET", "/persons", params={"term": "ana.nunez@sandbox-test"}).json()[
        "persons"
    ]
    assert [p["id"] for p in found] == [person["id"]]
    assert (
        call(sbx, "PUT", f"/persons/{person['id']}", json={"emails": []}).json()["primary_email"]
        is None
    )
    assert call(sbx, "DELETE", f"/persons/{person['id']}").json() == {"success": True}


def test_person_requires_names_and_emails(sbx):
    for body, param in (
        ({"last_name": "X", "emails": []}, "first_name"),
        ({"first_name": "X", "emails": []}, "last_name"),
        ({"first_name": "X", "last_name": "Y"}, "emails"),
    ):
        response = call(sbx, "POST", "/persons", json=body)
        assert response.status_code == 422
        assert response.json()["errors"][0]["param"] == param
    assert (
        call(
            sbx, "POST", "/persons", json={"first_name": "No", "last_name": "Mail", "emails": []}
        ).status_code
        == 200
    )


def test_awkward_organizations_exist(sbx):
    orgs = call(sbx, "GET", "/organizations").json()["organizations"]
    assert any(o["domain"] is None and o["domains"] == [] for o in orgs)
    assert any(o["global"] for o in orgs)
    assert any("<" in o["name"] or ord(max(o["name"])) > 0x2E80 for o in orgs)
