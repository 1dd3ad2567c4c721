"""The admin's "Test connection" of an OpenAPI connection really checks it: the document
loads and validates, the base URL answers, the credentials work (wire mocked with
`responses`: an unmocked URL fails)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import requests
import responses
from responses import matchers

from integrations.http.client import ApiClient
from integrations.models import Connection, OpenApiSource
from integrations.services.connections import connection_test

from .documents import ARRAY, document, ok

DOC_URL = "https://docs.example.test/openapi.json"
BASE = "https://api.example.test/v1"
TOKEN = "tok-SECRET-1234567890"
SECURED = {"components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
           "security": [{"bearer": []}]}  # fmt: skip
DOC = document(
    {
        "/health": {"get": {"security": [], "responses": ok(ARRAY)}},  # needs no credentials
        "/things": {"get": {"parameters": [
            {"name": "limit", "in": "query", "schema": {"type": "integer"}},
            {"name": "offset", "in": "query", "schema": {"type": "integer"}}],
            "responses": ok(ARRAY)}},
    },
    **SECURED,
)  # fmt: skip

pytestmark = pytest.mark.django_db


@pytest.fixture
def rsps() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture(autouse=True)
def no_sleep(monkeypatch):
    monkeypatch.setattr(ApiClient, "sleep", lambda seconds: None)


@pytest.fixture
def connection() -> Connection:
    connection = Connection.objects.create(
        provider="openapi", name="things", base_url=BASE, api_token=TOKEN
    )
    OpenApiSource.objects.create(connection=connection, document_url=DOC_URL)
    return connection


def _serve(rsps, doc=DOC, status=200):
    rsps.add("GET", DOC_URL, body=json.dumps(doc), status=status)


def test_a_working_connection_calls_one_secured_list_for_one_item(rsps, connection):
    _serve(rsps)
    rsps.add("GET", f"{BASE}/things", json=[{"id": 1}],
             match=[matchers.query_param_matcher({"limit": "1"}),
                    matchers.header_matcher({"Authorization": f"Bearer {TOKEN}"})])  # fmt: skip
    result = connection_test(connection)
    assert result.ok, result.message
    assert "The document of OpenAPI · things is valid (2 operations)" in result.message
    assert "GET /things?limit=1 answered HTTP 200 with the credentials" in result.message
    connection.refresh_from_db()
    assert connection.last_verified_at is not None and connection.last_error == ""


def test_refused_credentials_fail_the_test_and_say_so(rsps, connection):
    _serve(rsps)
    rsps.add("GET", f"{BASE}/things", status=401, json={"message": "Invalid token"})
    result = connection_test(connection)
    assert not result.ok
    assert "the credentials were refused" in result.message and "401" in result.message
    assert "Invalid token" in result.message and TOKEN not in result.message
    connection.refresh_from_db()
    assert connection.last_error == result.message and connection.last_verified_at is None


def test_an_unreachable_base_url_fails_the_test_and_names_it(rsps, connection):
    _serve(rsps)
    rsps.add("GET", f"{BASE}/things", body=requests.ConnectionError("Name or service not known"))
    result = connection_test(connection)
    assert not result.ok
    assert f"but {BASE} did not answer" in result.message


def test_an_invalid_document_fails_before_any_call(rsps, connection):
    _serve(rsps, {"openapi": "3.0.3", "info": {"title": "x"}, "paths": {}})  # no version
    result = connection_test(connection)
    assert not result.ok and "not valid" in result.message
    assert [call.request.url for call in rsps.calls] == [DOC_URL]


def test_a_document_url_that_fails_is_reported_even_with_a_stored_copy(rsps, connection):
    _serve(rsps)
    rsps.add("GET", f"{BASE}/things", json=[])
    assert connection_test(connection).ok
    rsps.replace("GET", DOC_URL, status=503, body="down")
    result = connection_test(connection)
    assert result.ok  # the stored copy keeps the connection working
    assert "its URL failed (The OpenAPI document URL answered HTTP 503.)" in result.message


def test_without_a_list_to_call_the_test_says_what_it_did_not_try(rsps, connection):
    _serve(rsps, document({"/things/{id}": {"get": {"parameters": [
        {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}],
        "responses": ok()}}}))  # fmt: skip
    result = connection_test(connection)
    assert result.ok
    assert "the base URL and the credentials were not tried" in result.message
