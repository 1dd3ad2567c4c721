"""`openapi_client()`: by connection name, the document cache and the stored copy."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from datetime import timedelta

import pytest
import responses
from django.utils import timezone

from integrations.http.errors import ConfigurationError, ConnectionDisabledError
from integrations.models import Connection, OpenApiSource
from integrations.openapi import cache
from integrations.openapi.errors import DocumentError
from integrations.openapi.service import openapi_client

from .documents import OBJECT, document, ok

DOC_URL = "https://docs.example.test/openapi.json"
BASE = "https://api.example.test/v1"
DOC = document({"/things/{thingId}": {"get": {
    "parameters": [{"name": "thingId", "in": "path", "required": True,
                    "schema": {"type": "integer"}}],
    "responses": ok(OBJECT)}}})  # fmt: skip


@pytest.fixture
def rsps() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def connection(db) -> Connection:
    connection = Connection.objects.create(provider="openapi", name="things", api_token="")
    OpenApiSource.objects.create(connection=connection, document_url=DOC_URL)
    return connection


def _serve_document(rsps, doc=DOC, status=200):
    rsps.add("GET", DOC_URL, body=json.dumps(doc), status=status)


def test_by_name_fetches_stores_and_calls(rsps, connection):
    _serve_document(rsps)
    rsps.add("GET", f"{BASE}/things/3", json={"id": 3})
    client = openapi_client("things")
    assert client.things.get(3).id == 3
    source = OpenApiSource.objects.get()
    assert json.loads(source.document) == DOC
    assert source.fetched_at is not None and len(source.document_sha256) == 64


def test_memory_then_stored_copy_without_fetching(rsps, connection):
    _serve_document(rsps)
    openapi_client(connection)
    openapi_client(connection)
    assert len(rsps.calls) == 1  # the second from memory
    cache.forget()  # another process: no memory, a fresh stored copy
    openapi_client(connection)
    assert len(rsps.calls) == 1


def test_force_refresh_fetches_again(rsps, connection):
    _serve_document(rsps)
    openapi_client(connection)
    openapi_client(connection, force_refresh=True)
    assert len(rsps.calls) == 2


def test_the_stored_copy_keeps_working_when_the_url_is_down(rsps, connection):
    _serve_document(rsps)
    openapi_client(connection)
    OpenApiSource.objects.update(fetched_at=timezone.now() - timedelta(days=2))
    cache.forget()
    rsps.replace("GET", DOC_URL, status=503, body="down")
    rsps.add("GET", f"{BASE}/things/1", json={"id": 1})
    assert openapi_client(connection).things.get(1).id == 1
    assert "503" in OpenApiSource.objects.get().last_fetch_error


def test_an_invalid_new_document_keeps_the_last_good_copy(rsps, connection):
    _serve_document(rsps)
    openapi_client(connection)
    rsps.replace("GET", DOC_URL, body=json.dumps({"openapi": "3.0.3", "paths": {}}))
    client = openapi_client(connection, force_refresh=True)
    assert hasattr(client, "things")
    assert "not valid" in OpenApiSource.objects.get().last_fetch_error


def test_without_a_stored_copy_a_failing_url_is_an_error(rsps, connection):
    _serve_document(rsps, status=404)
    with pytest.raises(DocumentError, match="HTTP 404"):
        openapi_client(connection)


def test_cache_lifetime_interactive_or_not(monkeypatch):
    monkeypatch.delattr(sys, "ps1", raising=False)
    assert cache.ttl() == 24 * 3600
    monkeypatch.setattr(sys, "ps1", ">>> ", raising=False)
    assert cache.ttl() == 15 * 60


def test_memory_entry_expires_after_exactly_its_ttl(rsps, connection, monkeypatch):
    _serve_document(rsps)
    now = [1000.0]
    monkeypatch.setattr(cache, "clock", lambda: now[0])
    monkeypatch.setattr(cache, "ttl", lambda: 900.0)
    openapi_client(connection)
    now[0] += 899
    openapi_client(connection)
    assert len(rsps.calls) == 1
    now[0] += 2
    OpenApiSource.objects.update(fetched_at=timezone.now() - timedelta(seconds=901))
    openapi_client(connection)
    assert len(rsps.calls) == 2


def test_local_document_and_its_conflict_with_force_refresh(rsps, connection):
    rsps.add("GET", f"{BASE}/things/5", json={"id": 5})
    assert openapi_client(connection, local_document=DOC).things.get(5).id == 5
    with pytest.raises(TypeError, match="cannot be used together"):
        openapi_client(connection, local_document=DOC, force_refresh=True)


def test_unknown_name_disabled_connection_and_no_document(db, connection):
    with pytest.raises(ConfigurationError, match="No OpenAPI connection is named 'nope'"):
        openapi_client("nope")
    bare = Connection.objects.create(provider="openapi", name="bare")
    with pytest.raises(ConfigurationError, match="has no OpenAPI document"):
        openapi_client(bare)
    Connection.objects.filter(pk=connection.pk).update(is_active=False, disabled_reason="401s")
    connection.refresh_from_db()
    with pytest.raises(ConnectionDisabledError, match="401s"):
        openapi_client(connection, local_document=DOC)


def test_calls_are_recorded_in_the_call_log(rsps, connection):
    from integrations.http import call_log
    from integrations.models import CallLog

    _serve_document(rsps)
    rsps.add("GET", f"{BASE}/things/2", json={"id": 2})
    openapi_client(connection).things.get(2)
    call_log.flush()
    row = CallLog.objects.get()
    assert (row.provider, row.method, row.path, row.status) == (
        "openapi",
        "GET",
        "/v1/things/2",
        200,
    )


def test_a_stored_copy_is_not_validated_again_unless_it_changed(rsps, connection, monkeypatch):
    from integrations.openapi import spec_validation

    _serve_document(rsps)
    openapi_client(connection)
    validations = []
    real = spec_validation.validate
    monkeypatch.setattr(spec_validation, "validate", lambda d: validations.append(1) or real(d))
    cache.forget()
    from django.core.cache import cache as django_cache

    django_cache.clear()  # another process without a shared cache
    openapi_client(connection)
    assert validations == []
    changed = {**DOC, "info": {"title": "Edited", "version": "2"}}
    OpenApiSource.objects.update(document=json.dumps(changed))
    cache.forget()
    assert openapi_client(connection)._model.title == "Edited"
    assert validations == [1]


def test_a_document_another_process_stored_is_used_at_once(rsps, connection):
    """The admin saved a new document in another process (a gunicorn worker, another
    machine): this one's memory must not keep serving the old one for 24 hours."""
    from integrations.openapi.source import document_digest

    _serve_document(rsps)
    assert openapi_client(connection)._model.title != "Edited"
    changed = {**DOC, "info": {"title": "Edited", "version": "2"}}
    OpenApiSource.objects.update(
        document=json.dumps(changed),
        document_sha256=document_digest(changed),
        fetched_at=timezone.now(),
    )
    assert openapi_client(connection)._model.title == "Edited"
    assert len(rsps.calls) == 1  # the stored copy, not a fetch
