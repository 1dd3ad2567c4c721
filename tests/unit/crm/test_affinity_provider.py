"""The Affinity v1 endpoints over mocked HTTP (`responses`: no real call is possible)."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import pytest
import requests
from responses import matchers

from integrations.http.auth import BasicKeyAuth
from integrations.http.errors import (
    AuthenticationError,
    InvalidResponseError,
    NotFoundError,
    PermissionDeniedError,
    ProviderUnavailableError,
    RateLimitedError,
    ValidationError,
)
from integrations.providers import affinity
from integrations.providers.affinity_records import parse_organization, parse_person

from .conftest import fixture

BASE = "https://api.affinity.co"
KEY = "aff-SECRET-key-123"
ORGS = f"{BASE}/organizations"


@pytest.fixture
def client(make_client):
    return make_client("affinity", BASE, auth=BasicKeyAuth(KEY))


def _limits(user_remaining=800, user_reset=30, org_remaining=90_000, org_reset=1_000_000):
    return {
        "X-Ratelimit-Limit-User": "900",
        "X-Ratelimit-Limit-User-Remaining": str(user_remaining),
        "X-Ratelimit-Limit-User-Reset": str(user_reset),
        "X-Ratelimit-Limit-Org": "100000",
        "X-Ratelimit-Limit-Org-Remaining": str(org_remaining),
        "X-Ratelimit-Limit-Org-Reset": str(org_reset),
    }


def test_basic_auth_with_empty_username_and_the_key_as_password(rsps, client):
    expected = "Basic " + base64.b64encode(f":{KEY}".encode()).decode()
    rsps.add(
        "GET",
        f"{ORGS}/120611418",
        json=fixture("affinity", "organization.json"),
        match=[matchers.header_matcher({"Authorization": expected})],
    )
    org = affinity.organization_get(client, 120611418)
    assert org.name == "Acme Corporation"
    assert org.person_ids == (38706, 38707)
    assert org.domains == ("acme.co", "acme.com")


def test_pages_send_identical_params_with_the_token(rsps, client):
    first = fixture("affinity", "crm_organizations_page1.json")
    rsps.add(
        "GET",
        ORGS,
        json=first,
        match=[matchers.query_param_matcher({"page_size": "500"})],
    )
    rsps.add(
        "GET",
        ORGS,
        json=fixture("affinity", "crm_organizations_page2.json"),
        match=[
            matchers.query_param_matcher(
                {"page_size": "500", "page_token": first["next_page_token"]}
            )
        ],
    )
    pages = list(affinity.organization_pages(client))
    assert [[o.id for o in p.records] for p in pages] == [[1, 2], [3]]
    assert pages[0].resume == first["next_page_token"] and pages[1].resume is None
    assert pages[0].records[0].is_global and pages[0].records[0].person_ids is None


def test_pages_resume_from_a_checkpoint(rsps, client):
    rsps.add(
        "GET",
        f"{BASE}/persons",
        json={"persons": [fixture("affinity", "person.json")], "next_page_token": None},
        match=[matchers.query_param_matcher({"page_size": "500", "page_token": "tok-7"})],
    )
    pages = list(affinity.person_pages(client, start="tok-7"))
    assert pages[0].records[0].emails == ("alice@affinity.co",)


def test_page_size_is_capped_at_500(rsps, client):
    rsps.add(
        "GET",
        ORGS,
        json={"organizations": [], "next_page_token": None},
        match=[matchers.query_param_matcher({"page_size": "500"})],
    )
    assert list(affinity.organization_pages(client, page_size=10_000)) == []


def test_update_sends_the_complete_person_ids(rsps, client):
    body = {"person_ids": [1, 2, 3], "name": "Acme", "domain": "acme.co"}
    rsps.add(
        "PUT",
        f"{ORGS}/5",
        json={"id": 5, "name": "Acme", "domain": "acme.co", "person_ids": [1, 2, 3]},
        match=[matchers.json_params_matcher(body)],
    )
    org = affinity.organization_update(
        client, 5, person_ids=[1, 2, 3], name="Acme", domain="acme.co"
    )
    assert org.person_ids == (1, 2, 3)


def test_update_of_a_global_organization_leaves_name_and_domain_out(rsps, client):
    rsps.add(
        "PUT",
        f"{ORGS}/5",
        json={"id": 5, "name": "Big", "global": True, "person_ids": [9]},
        match=[matchers.json_params_matcher({"person_ids": [9]})],
    )
    assert affinity.organization_update(client, 5, person_ids=[9]).is_global


def test_create_accepts_201_and_sends_json(rsps, client):
    rsps.add(
        "POST",
        ORGS,
        status=201,
        json={"id": 9, "name": "New", "domain": "new.io", "domains": ["new.io"], "global": False},
        match=[
            matchers.json_params_matcher({"name": "New", "domain": "new.io", "person_ids": [4]})
        ],
    )
    assert affinity.organization_create(client, name="New", domain="new.io", person_ids=[4]).id == 9


def test_delete_accepts_success_body_and_204(rsps, client):
    rsps.add("DELETE", f"{ORGS}/9", json={"success": True})
    rsps.add("DELETE", f"{ORGS}/10", status=204)
    affinity.organization_delete(client, 9)
    affinity.organization_delete(client, 10)


def test_person_create_email_taken_lands_on_emails(rsps, client):
    error = {
        "errors": [{"message": "A person with the email a@b.co already exists", "param": "emails"}]
    }
    rsps.add("POST", f"{BASE}/persons", status=422, json=error)
    with pytest.raises(ValidationError) as caught:
        affinity.person_create(
            client, first_name="A", last_name="B", emails=["a@b.co"], organization_ids=[]
        )
    assert caught.value.field_errors == {
        "emails": ["A person with the email a@b.co already exists"]
    }
    assert KEY not in str(caught.value)


def test_rate_limit_headers_drive_the_limiter(rsps, client, sleeps):
    rsps.add(
        "GET",
        f"{ORGS}/1",
        json={"id": 1, "name": "x"},
        headers=_limits(user_remaining=0, user_reset=20),
    )
    affinity.organization_get(client, 1)
    # The minute is spent: the next call waits (here: past the 8 s web deadline) instead of sending.
    with pytest.raises(RateLimitedError) as caught:
        affinity.organization_get(client, 1)
    assert not isinstance(caught.value, affinity.MonthlyLimitError)
    assert len(rsps.calls) == 1


def test_spent_monthly_limit_is_reported_with_its_reset_date_and_not_retried(rsps, client, sleeps):
    reset = 12 * 24 * 3600
    headers = _limits(org_remaining=0, org_reset=reset)
    rsps.add(
        "GET",
        ORGS,
        status=429,
        headers=headers,
        json={"errors": [{"message": "Monthly API limit reached"}]},
    )
    with pytest.raises(affinity.MonthlyLimitError) as caught:
        list(affinity.organization_pages(client))
    expected = datetime.now(UTC) + timedelta(seconds=reset)
    assert abs((caught.value.retry_at - expected).total_seconds()) < 5
    assert "monthly API limit is used up" in str(caught.value)
    assert f"{expected:%B %Y}" in str(caught.value)
    assert len(rsps.calls) == 1 and sleeps == []
    # The limiter remembers: the next call fails the same way without reaching Affinity.
    with pytest.raises(affinity.MonthlyLimitError):
        affinity.organization_get(client, 1)
    assert len(rsps.calls) == 1


@pytest.mark.parametrize(
    ("status", "body", "error_class"),
    [
        (401, b"", AuthenticationError),
        (403, b'{"errors": [{"message": "Insufficient rights"}]}', PermissionDeniedError),
        (404, b'{"errors": [{"message": "Organization not found"}]}', NotFoundError),
        (422, b'{"errors": [{"message": "name is required", "param": "name"}]}', ValidationError),
        (500, b"<html>oops</html>", ProviderUnavailableError),
    ],
)
def test_each_error_status(rsps, client, status, body, error_class):
    rsps.add("POST", ORGS, status=status, body=body)
    with pytest.raises(error_class) as caught:
        affinity.organization_create(client, name="x", domain=None, person_ids=[])
    assert caught.value.status == status
    assert len(rsps.calls) == 1  # a POST is never retried on these


def test_429_on_a_read_is_retried_then_reported(rsps, client, sleeps):
    rsps.add("GET", f"{ORGS}/1", status=429, headers=_limits(user_remaining=0, user_reset=1))
    rsps.add("GET", f"{ORGS}/1", json={"id": 1, "name": "Back"})
    assert affinity.organization_get(client, 1).name == "Back"
    assert sleeps and sleeps[0] >= 0.9


def test_non_json_success_body_is_an_invalid_response(rsps, client):
    rsps.add("GET", f"{ORGS}/1", body="<html>maintenance</html>", content_type="text/html")
    with pytest.raises(InvalidResponseError):
        affinity.organization_get(client, 1)


def test_a_record_without_id_is_an_invalid_response(rsps, client):
    rsps.add("GET", f"{ORGS}/1", json={"name": "no id"})
    with pytest.raises(InvalidResponseError):
        affinity.organization_get(client, 1)


def test_timeout_on_create_is_outcome_unknown(rsps, client):
    rsps.add("POST", ORGS, body=requests.ReadTimeout())
    with pytest.raises(ProviderUnavailableError) as caught:
        affinity.organization_create(client, name="x", domain=None, person_ids=[])
    assert caught.value.outcome_unknown is True
    assert len(rsps.calls) == 1


def test_search_returns_one_page_and_its_token(rsps, client):
    rsps.add(
        "GET",
        ORGS,
        json={
            "organizations": [{"id": 1, "name": "Acme", "global": True}, "junk", {"id": "x"}],
            "next_page_token": "t2",
        },
        match=[matchers.query_param_matcher({"term": "acme", "page_size": "25"})],
    )
    page = affinity.organization_search(client, term="acme")
    assert [o.id for o in page.records] == [1] and page.resume == "t2"


@pytest.mark.parametrize(
    "payload",
    [
        {"id": 1, "name": None, "domain": 5, "domains": "x", "global": "yes", "person_ids": "1,2"},
        {
            "id": "7",
            "name": ["x"],
            "domains": [None, 3, "ok.io"],
            "person_ids": [1, "2", None, -3, True],
        },
    ],
)
def test_untrusted_organization_payloads_never_crash(payload):
    org = parse_organization(payload)
    assert org is not None and org.name and org.is_global is False
    assert all(isinstance(i, int) and i > 0 for i in org.person_ids or ())


def test_untrusted_person_payloads_never_crash():
    person = parse_person({"id": 3, "first_name": None, "emails": ["a@b.co", 4], "type": "x"})
    assert person.emails == ("a@b.co",) and person.primary_email == "a@b.co"
    assert person.organization_ids is None and person.person_type == 0
    assert parse_person({"id": None}) is None and parse_person([1]) is None
