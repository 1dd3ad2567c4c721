"""The Recruitee endpoints: each call's exact request, tolerant parsing, every documented error."""

from datetime import UTC, datetime

import pytest
import requests
from responses import matchers

from integrations.http.errors import (
    AuthenticationError,
    InvalidResponseError,
    NotFoundError,
    ProviderUnavailableError,
    RateLimitedError,
    ValidationError,
)
from integrations.providers import recruitee

from .conftest import BASE, TOKEN, fixture

HEADERS = matchers.header_matcher(
    {"Authorization": f"Bearer {TOKEN}", "Accept": "application/json"}
)


def test_candidate_pages_sends_limit_offset_and_filters(api, rsps):
    params = {
        "created_after": "2023-01-15T12:01:10",
        "offer_id": "7",
        "qualified": "true",
        "query": "ada",
        "sort": "by_last_message",
    }
    rsps.get(
        f"{BASE}/candidates",
        json=fixture("candidates_page.json"),
        match=[matchers.query_param_matcher({**params, "limit": "3", "offset": "0"}), HEADERS],
    )
    rsps.get(
        f"{BASE}/candidates",
        json={"candidates": [], "references": []},
        match=[matchers.query_param_matcher({**params, "limit": "3", "offset": "3"})],
    )
    since = datetime(2023, 1, 15, 12, 1, 10, 725552, tzinfo=UTC)
    pages = list(
        recruitee.candidate_pages(
            api,
            page_size=3,
            created_after=since,
            offer_id="7",
            qualified=True,
            query="ada",
            sort="by_last_message",
        )
    )
    assert len(pages) == 1
    first, odd = pages[0].candidates  # the item without an id is skipped
    assert (first.id, first.name, first.emails, first.phones) == (
        "11",
        "Ada Lovelace",
        ("ada@example.com",),
        ("+31 6 1234 5678",),
    )
    assert first.placements[0].offer_id == "1" and first.placements[0].stage_id == "101"
    assert first.last_activity_at == datetime(2023, 1, 16, 9, tzinfo=UTC)
    # Nulls and wrong types become empty values, never an exception.
    assert (odd.name, odd.emails, odd.phones, odd.created_at) == ("", (), (), None)
    assert odd.placements[0].is_disqualified and len(odd.placements) == 1
    assert pages[0].references.stages["201"].name == "Interview"
    assert pages[0].references.offers == {"1": "Backend engineer"}


def test_hired_means_a_hire_stage_or_hired_at_not_the_flag(api, rsps):
    """recruitee.md §7: live answers show hired placements with `hired_in_this_placement`
    false; they also carry `upcoming_event: false` and `language: null`."""
    rsps.get(f"{BASE}/candidates", json=fixture("candidates_hired.json"))
    page = next(recruitee.candidate_pages(api))
    stages = page.references.stages
    hired = {
        p.id: p.is_hired(stages[p.stage_id].category)
        for candidate in page.candidates
        for p in candidate.placements
    }
    assert hired == {
        "31": True,  # a hire stage, hired_at set, the flag false (the live capture)
        "32": False,  # interviewing here, hired in another placement
        "33": True,  # hired_at set in an offer stage, no flag at all
        "34": True,  # a hire stage without hired_at
        "35": False,  # the flag alone
    }
    grace = page.candidates[0]
    assert grace.placements[0].hired_at == datetime(2023, 3, 1, 9, 30, 0, 123456, tzinfo=UTC)


def test_candidate_get_parses_the_full_object(api, rsps):
    rsps.get(f"{BASE}/candidates/11", json=fixture("candidate_full.json"), match=[HEADERS])
    answer = recruitee.candidate_get(api, "11")
    record = answer.candidate
    assert record.tags == ("math", "engines")
    assert record.social_links == ("https://www.linkedin.com/in/ada",)
    assert record.cover_letter == "Dear team,\n<script>alert(1)</script>"
    assert record.photo_thumb_url == ""
    assert answer.references.stages["101"].name == "Applied"


def test_candidate_create_posts_the_documented_body(api, rsps):
    body = {
        "candidate": {
            "name": "Ada Lovelace",
            "emails": ["ada@example.com"],
            "phones": ["+31 6 1234 5678"],
            "links": ["https://ada.example"],
        },
        "offers": [1, 2],
    }
    rsps.post(
        f"{BASE}/candidates",
        status=201,
        json=fixture("candidate_full.json"),
        match=[matchers.json_params_matcher(body), HEADERS],
    )
    answer = recruitee.candidate_create(
        api,
        fields={
            "name": "Ada Lovelace",
            "emails": ["ada@example.com"],
            "phones": ["+31 6 1234 5678"],
            "links": ["https://ada.example"],
            "social_links": [],
            "cover_letter": "",
            "unknown": "dropped",
        },
        offer_ids=["1", 2],
    )
    assert answer.candidate.id == "11"


@pytest.mark.parametrize("status", [200, 202])
def test_any_2xx_is_a_successful_create(api, rsps, status):
    rsps.post(f"{BASE}/candidates", status=status, json=fixture("candidate_full.json"))
    assert recruitee.candidate_create(api, fields={"name": "Ada"}).candidate.id == "11"


def test_candidate_update_patches_only_the_given_fields(api, rsps):
    rsps.patch(
        f"{BASE}/candidates/11",
        json=fixture("candidate_full.json"),
        match=[matchers.json_params_matcher({"candidate": {"phones": ["+44 20 7946 0958"]}})],
    )
    recruitee.candidate_update(api, "11", changes={"phones": ["+44 20 7946 0958"]})


def test_candidate_delete(api, rsps):
    rsps.delete(f"{BASE}/candidates/11", json={"candidate": {"id": 11}}, match=[HEADERS])
    assert recruitee.candidate_delete(api, "11") is None


def test_offers(api, rsps):
    rsps.get(
        f"{BASE}/offers",
        json={
            "offers": [
                {
                    "id": 1,
                    "title": "Backend",
                    "department": {"name": "Eng"},
                    "candidates_count": "many",
                    "pipeline_template": {"stages": [{"id": 101, "name": "Applied"}]},
                },
                {"title": "no id"},
            ]
        },
        match=[matchers.query_param_matcher({}), HEADERS],
    )
    rsps.get(f"{BASE}/offers/1", json={"offer": {"id": 1, "title": None, "status": "published"}})
    (offer,) = recruitee.offer_list(api)
    assert (offer.title, offer.department, offer.candidates_count) == ("Backend", "Eng", 0)
    assert offer.stages[0].name == "Applied"
    assert recruitee.offer_get(api, "1").title == "Offer 1"


def test_422_carries_the_field_errors(api, rsps):
    rsps.post(
        f"{BASE}/candidates",
        status=422,
        json={
            "error": ["Name can't be blank", "Emails is invalid"],
            "error_fields": {"name": ["can't be blank"], "candidate[emails][0]": ["is invalid"]},
        },
    )
    with pytest.raises(ValidationError) as caught:
        recruitee.candidate_create(api, fields={"name": ""})
    assert caught.value.field_errors == {"name": ["can't be blank"], "emails": ["is invalid"]}
    assert str(caught.value) == (
        "Recruitee API 422 (POST /c/1/candidates): Name can't be blank; Emails is invalid"
    )


@pytest.mark.parametrize(
    ("status", "body", "error"),
    [
        (401, {"error": "Token not found.", "error_code": "invalid_token"}, AuthenticationError),
        (404, {"error": ["Not found"]}, NotFoundError),
        (429, {"error": ["Too many requests"]}, RateLimitedError),
        (500, "<html>oops</html>", ProviderUnavailableError),
    ],
)
def test_documented_errors(api, rsps, status, body, error):
    kwargs = {"json": body} if isinstance(body, dict) else {"body": body}
    rsps.get(f"{BASE}/candidates/11", status=status, **kwargs)
    with pytest.raises(error) as caught:
        recruitee.candidate_get(api, "11")
    assert caught.value.status == status
    assert TOKEN not in str(caught.value)


def test_a_non_json_or_truncated_body_is_an_invalid_response(api, rsps):
    rsps.get(f"{BASE}/candidates/11", body='{"candidate": {"id": 1', content_type="text/json")
    with pytest.raises(InvalidResponseError, match="not valid JSON"):
        recruitee.candidate_get(api, "11")


def test_a_2xx_without_a_candidate_is_an_invalid_response(api, rsps):
    rsps.get(f"{BASE}/candidates/11", json={"candidate": None})
    with pytest.raises(InvalidResponseError, match="no candidate"):
        recruitee.candidate_get(api, "11")


def test_a_timeout_after_sending_a_create_is_an_unknown_outcome(api, rsps):
    rsps.post(f"{BASE}/candidates", body=requests.ReadTimeout("read timed out"))
    with pytest.raises(ProviderUnavailableError) as caught:
        recruitee.candidate_create(api, fields={"name": "Ada"})
    assert caught.value.outcome_unknown
    assert len(rsps.calls) == 1  # a create is never retried blindly


def test_a_400_token_not_found_is_an_authentication_error_not_refused_data(api, rsps):
    """recruitee.md §4: the request-level error is a 400 `{"error": "Token not found.",
    "error_code": "invalid_token"}` (401 is UNCONFIRMED). A bad token is the connection's
    problem, not the person's data: a create must wait for a fixed token, not be refused."""
    body = {"error": "Token not found.", "error_code": "invalid_token"}
    rsps.post(f"{BASE}/candidates", status=400, json=body)
    with pytest.raises(AuthenticationError) as caught:
        recruitee.candidate_create(api, fields={"name": "Ada"})
    assert (caught.value.status, caught.value.message) == (400, "Token not found.")
