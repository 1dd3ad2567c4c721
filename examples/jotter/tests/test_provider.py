"""Level 1, the wire: Jotter's endpoints against mocked HTTP (`responses`).

Each call's exact request, tolerant parsing, and every error shape: JSON
error, non-JSON 500, empty 502, 401, 404, 422 with field errors, 429, timeout.
"""

from __future__ import annotations

import pytest
import requests
from responses import matchers

from examples.jotter import provider
from integrations.http.errors import (
    AuthenticationError,
    InvalidResponseError,
    NotFoundError,
    ProviderUnavailableError,
    RateLimitedError,
    ValidationError,
)

from .conftest import BASE, TOKEN

AUTH = matchers.header_matcher({"Authorization": f"Bearer {TOKEN}"})


def note(number: int, **fields):
    return {"id": number, "title": f"Note {number}", "body": "", **fields}


def test_note_pages_follow_page_numbers_and_skip_unusable_items(api, rsps):
    rsps.get(
        f"{BASE}/notes",
        json={"data": [note(1), {"title": "no id"}], "meta": {"currentPage": 1, "totalPages": 2}},
        match=[matchers.query_param_matcher({"page": "1", "limit": "2"}), AUTH],
    )
    rsps.get(
        f"{BASE}/notes",
        json={"data": [note(3, title=None)], "meta": {"currentPage": 2, "totalPages": 2}},
        match=[matchers.query_param_matcher({"page": "2", "limit": "2"})],
    )
    pages = list(provider.note_pages(api, page_size=2))
    assert [[n.id for n in p.notes] for p in pages] == [["1"], ["3"]]
    assert pages[0].resume == 2 and pages[1].resume is None
    assert pages[1].notes[0].title == ""  # a null title reads as empty, never raises


def test_note_create_sends_title_and_body(api, rsps):
    rsps.post(
        f"{BASE}/notes",
        status=201,
        json=note(9, title="Kickoff", body="Agenda"),
        match=[matchers.json_params_matcher({"title": "Kickoff", "body": "Agenda"}), AUTH],
    )
    created = provider.note_create(api, title="Kickoff", body="Agenda")
    assert (created.id, created.title, created.body) == ("9", "Kickoff", "Agenda")


def test_a_create_answered_without_a_note_is_an_invalid_answer(api, rsps):
    rsps.post(f"{BASE}/notes", status=201, json={"ok": True})
    with pytest.raises(InvalidResponseError, match="no note"):
        provider.note_create(api, title="Kickoff", body="")


def test_422_puts_jotter_messages_on_their_fields(api, rsps):
    body = {"error": {"message": "Validation failed", "fields": {"title": ["can't be blank"]}}}
    rsps.post(f"{BASE}/notes", status=422, json=body)
    with pytest.raises(ValidationError) as raised:
        provider.note_create(api, title="", body="")
    assert raised.value.field_errors == {"title": ["can't be blank"]}
    assert "Validation failed" in str(raised.value)


@pytest.mark.parametrize(
    ("status", "body", "error"),
    [
        (401, {"error": {"message": "Invalid or missing token"}}, AuthenticationError),
        (404, {"error": {"message": "Note not found"}}, NotFoundError),
        (429, {"error": {"message": "Slow down"}}, RateLimitedError),
        (500, "<html>oops</html>", ProviderUnavailableError),  # not JSON
        (502, "", ProviderUnavailableError),  # empty
    ],
)
def test_error_statuses_become_the_hub_errors(api, rsps, status, body, error):
    kwargs = {"json": body} if isinstance(body, dict) else {"body": body}
    # GETs are retried on 429/502: answer every attempt the same.
    for _ in range(5 if status in (429, 502) else 1):
        rsps.get(f"{BASE}/notes", status=status, **kwargs)
    rsps.assert_all_requests_are_fired = False
    with pytest.raises(error):
        list(provider.note_pages(api))


def test_a_timeout_is_provider_unavailable(api, rsps):
    for _ in range(5):
        rsps.get(f"{BASE}/notes", body=requests.exceptions.ReadTimeout("slow"))
    with pytest.raises(ProviderUnavailableError):
        list(provider.note_pages(api))


def test_parse_error_never_raises_on_odd_bodies():
    for payload in (None, "", "plain text", [], {"error": "x"}, {"error": {"fields": 3}}):
        message, fields = provider.PROVIDER.parse_error(payload)
        assert isinstance(message, str) and isinstance(fields, dict)
