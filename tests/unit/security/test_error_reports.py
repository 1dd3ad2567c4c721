"""Error pages and reports (core.error_reports) never show a credential a frame holds."""

from __future__ import annotations

import json

import pytest

from integrations.http.auth import _Token
from integrations.models import Connection, OpenApiSource
from integrations.openapi.auth import Credentials

pytestmark = pytest.mark.django_db


def _document() -> dict:
    item = {"type": "object", "properties": {"id": {"type": "integer"}}}
    ok = {"200": {"description": "ok", "content": {
        "application/json": {"schema": {"type": "array", "items": item}}}}}  # fmt: skip
    return {
        "openapi": "3.0.3",
        "info": {"title": "Things", "version": "1"},
        "paths": {"/things": {"get": {"responses": ok}}},
    }


def test_a_debug_error_page_never_shows_the_connections_token(
    logged_in_client, settings, monkeypatch
):
    """A crash under a live read (DEBUG's page lists each frame's variables): the
    token in the auth headers and the credentials is hidden (core.error_reports)."""
    token = "live-TOKEN-4242"
    document = _document()
    document["components"] = {"securitySchemes": {"t": {"type": "http", "scheme": "bearer"}}}
    document["security"] = [{"t": []}]
    row = Connection.objects.create(
        provider="openapi", name="things", base_url="https://x.test", api_token=token
    )
    OpenApiSource.objects.create(connection=row, document=json.dumps(document))

    def crash(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("requests.Session.request", crash)
    settings.DEBUG = True
    logged_in_client.raise_request_exception = False
    response = logged_in_client.get("/apis/things/things/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "RuntimeError" in html and "Authorization" in html  # the technical page
    assert token not in html
    assert token not in repr(Credentials(token=token, client_secret=token))


def test_a_cached_oauth_token_keeps_out_of_repr():
    assert "tok-SECRET-1" not in repr(_Token("tok-SECRET-1", 0.0))
