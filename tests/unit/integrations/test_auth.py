"""OAuth client credentials: cached token, one refresh on 401."""

from __future__ import annotations

import pytest
from responses import matchers

from integrations.http.auth import OAuthClientCredentials
from integrations.http.errors import AuthenticationError

BASE = "https://pm.example.test/v1"
TOKEN_URL = f"{BASE}/oauth/token"
FORM = {"grant_type": "client_credentials", "client_id": "cid", "client_secret": "csecret-123"}


def _oauth() -> OAuthClientCredentials:
    return OAuthClientCredentials(
        token_url=TOKEN_URL,
        client_id="cid",
        client_secret="csecret-123",
        provider_name="Project tool",
    )


def _token(rsps, value: str, expires_in: int = 3600) -> None:
    rsps.add(
        "POST",
        TOKEN_URL,
        json={"access_token": value, "token_type": "Bearer", "expires_in": expires_in},
        match=[matchers.urlencoded_params_matcher(FORM)],
    )


def _bearer(value: str) -> list:
    return [matchers.header_matcher({"Authorization": f"Bearer {value}"})]


def test_token_is_fetched_once_and_cached(rsps, make_client):
    _token(rsps, "at-first-0001")
    rsps.add("GET", f"{BASE}/users/me", json={"id": 1}, match=_bearer("at-first-0001"))
    make_client(base_url=BASE, auth=_oauth()).get("/users/me")
    make_client(base_url=BASE, auth=_oauth()).get("/users/me")  # a new client, same cache
    assert [c.request.method for c in rsps.calls] == ["POST", "GET", "GET"]


def test_token_near_expiry_is_fetched_again(rsps, make_client):
    _token(rsps, "at-short-0001", expires_in=30)  # inside the 60 s margin
    rsps.add("GET", f"{BASE}/users/me", json={})
    client = make_client(base_url=BASE, auth=_oauth())
    client.get("/users/me")
    client.get("/users/me")
    assert [c.request.method for c in rsps.calls] == ["POST", "GET", "POST", "GET"]


def test_401_refreshes_the_token_once_and_repeats(rsps, make_client):
    _token(rsps, "at-old-00001")
    rsps.add("GET", f"{BASE}/users/me", status=401, match=_bearer("at-old-00001"))
    _token(rsps, "at-new-00002")
    rsps.add("GET", f"{BASE}/users/me", json={"id": 1}, match=_bearer("at-new-00002"))
    assert make_client(base_url=BASE, auth=_oauth()).get("/users/me").data == {"id": 1}
    assert [c.request.method for c in rsps.calls] == ["POST", "GET", "POST", "GET"]


def test_a_second_401_is_an_authentication_error(rsps, make_client):
    _token(rsps, "at-any-00001")
    rsps.add("GET", f"{BASE}/users/me", status=401, json={"error": {"message": "expired"}})
    with pytest.raises(AuthenticationError, match="expired"):
        make_client(base_url=BASE, auth=_oauth()).get("/users/me")
    assert [c.request.method for c in rsps.calls] == ["POST", "GET", "POST", "GET"]


def test_refused_token_request_names_no_secret(rsps, make_client):
    rsps.add("POST", TOKEN_URL, status=401, json={"error": "invalid_client csecret-123"})
    with pytest.raises(AuthenticationError) as caught:
        make_client(base_url=BASE, auth=_oauth()).get("/users/me")
    assert caught.value.status == 401
    assert "csecret-123" not in str(caught.value) + caught.value.body_excerpt
