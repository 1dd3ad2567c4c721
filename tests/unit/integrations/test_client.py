"""ApiClient: transport, JSON, size cap, errors, secrets, call log."""

from __future__ import annotations

import base64
import logging

import pytest
import requests
from django.test import override_settings
from responses import matchers

from integrations.http import call_log
from integrations.http.auth import BasicKeyAuth, BearerAuth
from integrations.http.errors import (
    AuthenticationError,
    IntegrationError,
    InvalidResponseError,
    ProviderUnavailableError,
    ValidationError,
)
from integrations.models import CallLog

from .conftest import SECRET, fixture

URL = "https://api.example.test/things"


def test_sends_json_with_user_agent_auth_and_timeouts(rsps, make_client):
    rsps.add(
        "POST",
        URL,
        status=201,
        json={"id": 1},
        match=[
            matchers.json_params_matcher({"name": "Website"}),
            matchers.header_matcher(
                {"User-Agent": "IntegrationHub/0.1.0", "Authorization": f"Bearer {SECRET}"}
            ),
            matchers.request_kwargs_matcher({"timeout": (5.0, 20.0)}),
        ],
    )
    response = make_client(rate_limiting=False, deadline=300).post(
        "/things", json={"name": "Website"}
    )
    assert (response.status, response.data) == (201, {"id": 1})


def test_basic_key_auth_has_an_empty_username(rsps, make_client):
    rsps.add(
        "GET",
        "https://api.affinity.co/auth/whoami",
        json=fixture("affinity", "whoami.json"),
        match=[matchers.header_matcher({"Authorization": "Basic OnNlY3JldC1rZXktMTIz"})],
    )
    client = make_client("affinity", "https://api.affinity.co", auth=BasicKeyAuth("secret-key-123"))
    assert client.get("/auth/whoami").data["user"]["id"] == 2


def test_request_id_is_kept(rsps, make_client):
    rsps.add("GET", URL, json={}, headers={"X-Request-Id": "req-42"})
    assert make_client().get("/things").request_id == "req-42"


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ("<html><body>Bad gateway</body></html>", "not valid JSON"),
        ('{"data": [1, 2', "not valid JSON"),
        ("", "empty"),
    ],
)
def test_unusable_2xx_bodies_raise_and_keep_the_first_bytes(rsps, make_client, body, problem):
    rsps.add("GET", URL, body=body, status=200)
    with pytest.raises(InvalidResponseError) as caught:
        make_client().get("/things")
    assert problem in str(caught.value)
    assert caught.value.body_excerpt == body[:500]
    assert caught.value.status == 200
    assert len(rsps.calls) == 1  # not retried


def test_no_content_is_fine(rsps, make_client):
    rsps.add("DELETE", URL, status=204)
    assert make_client().delete("/things").data is None


def test_connection_dropped_mid_body_is_unavailable_with_unknown_outcome(rsps, make_client):
    rsps.add("POST", URL, body='{"id": 1', headers={"Content-Length": "100"}, status=201)
    with pytest.raises(ProviderUnavailableError) as caught:
        make_client().post("/things", json={})
    assert caught.value.outcome_unknown is True
    assert len(rsps.calls) == 1


@override_settings(INTEGRATIONS_MAX_RESPONSE_BYTES=1000)
def test_oversize_response_is_refused(rsps, make_client):
    rsps.add("GET", URL, body="x" * 5000)
    rsps.add("GET", URL + "/declared", body="{}", headers={"Content-Length": "999999"})
    client = make_client()
    with pytest.raises(InvalidResponseError, match="1000-byte cap"):
        client.get("/things")
    with pytest.raises(InvalidResponseError, match="999999 bytes"):
        client.get("/things/declared")


def test_error_bodies_non_json_and_empty_keep_status(rsps, make_client):
    client = make_client(rate_limiting=False)
    rsps.add("GET", URL, status=500, body="<html>Internal error</html>")
    with pytest.raises(ProviderUnavailableError) as caught:
        client.get("/things")
    assert caught.value.status == 500
    assert caught.value.body_excerpt.startswith("<html>")
    assert str(caught.value) == "Project tool API 500 (GET /things): HTTP 500"
    rsps.reset()
    rsps.add("POST", URL, status=502, body="")
    with pytest.raises(ProviderUnavailableError, match="HTTP 502"):
        client.post("/things", json={})


def test_a_2xx_body_nested_too_deeply_to_read_is_an_invalid_response(rsps, make_client):
    """Past orjson's depth the standard library's reader runs out of stack (a
    RecursionError, no ValueError): it is a provider answer the hub cannot read."""
    rsps.add("GET", URL, status=200, body=b"[" * 100_000 + b"]" * 100_000)
    with pytest.raises(InvalidResponseError, match="not valid JSON"):
        make_client().get("/things")


def test_a_nul_character_in_an_answer_reads_as_the_replacement_character(rsps, make_client):
    """PostgreSQL stores no NUL in text or JSON: one in a record stopped its every sync."""
    rsps.add("GET", URL, status=200, body=b'{"name": "Bad\\u0000Co", "tags": ["\\u0000"]}')
    assert make_client().get("/things").data == {"name": "Bad\ufffdCo", "tags": ["\ufffd"]}


def test_redirects_are_not_followed(rsps, make_client):
    rsps.add("GET", URL, status=302, headers={"Location": "https://evil.test/"})
    with pytest.raises(IntegrationError) as caught:
        make_client().get("/things")
    assert caught.value.status == 302
    assert len(rsps.calls) == 1


def test_urls_outside_the_base_are_refused(rsps, make_client):
    client = make_client()
    with pytest.raises(InvalidResponseError, match="outside"):
        client.get("https://evil.test/steal")
    with pytest.raises(InvalidResponseError, match="outside"):
        client.get("https://api.example.test.evil.test/x")
    with pytest.raises(InvalidResponseError, match=r"'\.\.'"):
        client.get("/things/../admin")
    assert len(rsps.calls) == 0


def test_recruitee_error_reads_well(rsps, make_client):
    rsps.add(
        "POST",
        "https://api.recruitee.com/c/123/candidates",
        status=422,
        json=fixture("recruitee", "error_422.json"),
    )
    client = make_client("recruitee", "https://api.recruitee.com/c/123")
    with pytest.raises(ValidationError) as caught:
        client.post("/candidates", json={"candidate": {}})
    assert str(caught.value) == "Recruitee API 422 (POST /c/123/candidates): Name can't be blank"
    assert caught.value.field_errors == {"name": ["can't be blank"]}


@pytest.mark.django_db
def test_secrets_never_leak(rsps, make_client, caplog):
    caplog.set_level(logging.DEBUG)
    echo = {"error": f"Token {SECRET} not found.", "error_code": "invalid_token"}
    rsps.add("GET", URL, status=401, json=echo)
    client = make_client(record_calls=True)
    with pytest.raises(AuthenticationError) as caught:
        client.get("/things", params={"api_key": SECRET, "access_token": SECRET, "page": 2})
    error = caught.value
    assert SECRET not in str(error)
    assert SECRET not in error.body_excerpt
    assert SECRET not in repr(error.args)
    assert "page=2" in error.path
    assert SECRET not in caplog.text
    call_log.flush()
    rows = list(CallLog.objects.values_list("path", "error_class"))
    assert rows and all(SECRET not in path for path, _ in rows)


@pytest.mark.django_db
def test_an_echo_in_a_next_page_url_or_request_id_stays_out_of_the_call_log(rsps, make_client):
    encoded = base64.urlsafe_b64encode(f":{SECRET}".encode()).decode().rstrip("=")
    rsps.add("GET", URL, json={}, headers={"Request-Id": f"req/{SECRET.lower()}"})
    make_client(record_calls=True, rate_limiting=False).get(f"/things?ref={encoded}")
    call_log.flush()
    row = CallLog.objects.get()
    assert "[REDACTED]" in row.path and "[REDACTED]" in row.request_id
    assert encoded[4:] not in row.path and SECRET.lower() not in row.request_id.lower()


@pytest.mark.django_db
def test_every_attempt_is_recorded(rsps, make_client):
    rsps.add("GET", URL, status=503, headers={"X-Request-Id": "r1"})
    rsps.add("GET", URL, json={"ok": True}, headers={"X-Request-Id": "r2"})
    make_client(record_calls=True, rate_limiting=False).get("/things", params={"limit": 1})
    assert call_log.flush() == 2
    rows = list(CallLog.objects.order_by("attempt").values())
    assert [(r["attempt"], r["status"], r["request_id"]) for r in rows] == [
        (1, 503, "r1"),
        (2, 200, "r2"),
    ]
    assert rows[0]["error_class"] == "ProviderUnavailableError"
    assert rows[1]["path"] == "/things?limit=1"
    assert rows[1]["response_bytes"] == len(b'{"ok": true}')
    assert rows[1]["provider"] == "projecttool"


def test_transport_errors_are_chained(rsps, make_client):
    rsps.add("GET", URL, body=requests.ReadTimeout("slow"))
    with pytest.raises(ProviderUnavailableError) as caught:
        make_client(rate_limiting=False, deadline=0).get("/things")
    assert isinstance(caught.value.__cause__, requests.ReadTimeout)


def test_an_unregistered_url_fails(make_client, rsps):
    with pytest.raises(ProviderUnavailableError):
        make_client(rate_limiting=False, deadline=0).get("/not-mocked")


def test_bearer_auth_exposes_its_secret_for_redaction():
    assert BearerAuth("abc-123-xyz").secrets == ("abc-123-xyz",)


def test_read_timeout_shrinks_to_the_deadline(rsps, make_client):
    rsps.add("GET", URL, json={})
    make_client(deadline=3).get("/things")
    connect, read = rsps.calls[0].request.req_kwargs["timeout"]
    assert connect == 5.0 and 2.5 < read <= 3


def test_the_environments_proxy_settings_apply_and_no_proxy_is_honoured(make_client, monkeypatch):
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.corp.test:3128")
    monkeypatch.setenv("NO_PROXY", "internal.example.test")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/etc/corp-ca.pem")
    proxied = make_client(base_url="https://api.example.test").session
    assert proxied.proxies["https"] == "http://proxy.corp.test:3128"
    assert proxied.verify == "/etc/corp-ca.pem"
    direct = make_client(base_url="https://internal.example.test/api").session
    assert "https" not in direct.proxies
