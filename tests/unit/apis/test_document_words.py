"""An OpenAPI document is the provider's words, untrusted: its names, titles and
descriptions reach the generated pages as text, never as HTML."""

from __future__ import annotations

import json

import pytest

from integrations.models import Connection, OpenApiSource

pytestmark = pytest.mark.django_db
SCRIPT = '<img src=x onerror="alert(1)">'


def _document() -> dict:
    item = {"type": "object", "properties": {
        "id": {"type": "integer"},
        "name": {"type": "string", "description": f"The name {SCRIPT}", "title": SCRIPT},
        SCRIPT: {"type": "object", "properties": {"street": {"type": "string"}}},
        f"x{SCRIPT}": {"type": "string", "enum": [SCRIPT, "b"]},
    }}  # fmt: skip
    ok = {"200": {"description": "ok", "content": {"application/json": {"schema": item}}}}
    body = {"content": {"application/json": {"schema": item}}}
    return {
        "openapi": "3.0.3",
        "info": {"title": f"Things {SCRIPT}", "version": "1", "description": SCRIPT},
        "paths": {"/things": {
            "get": {"summary": SCRIPT, "responses": {"200": {"description": "ok", "content": {
                "application/json": {"schema": {"type": "array", "items": item}}}}}},
            "post": {"summary": SCRIPT, "requestBody": body, "responses": ok},
        }},
    }  # fmt: skip


def test_the_create_form_shows_a_description_as_text(logged_in_client, staff_user):
    row = Connection.objects.create(provider="openapi", name="things", base_url="https://x.test")
    OpenApiSource.objects.create(connection=row, document=json.dumps(_document()))
    logged_in_client.force_login(staff_user)
    page = logged_in_client.get("/apis/things/things/new/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "The name &lt;img" in html
    assert SCRIPT not in html and "<img" not in html
