"""A document's `$ref` to anything outside it is refused, never fetched or read: the
document is the provider's (or an uploader's) words, and following its references
would make the hub read its own files or call its own network (SSRF)."""

from __future__ import annotations

import urllib.request
from pathlib import Path

import openapi_spec_validator
import pytest

from integrations.openapi.errors import DocumentError
from integrations.openapi.spec_validation import validate_document

VALIDATOR_FILES = Path(openapi_spec_validator.__file__).parent


def _pointing_at(ref: str) -> dict:
    schema = {"$ref": ref}
    ok = {"description": "ok", "content": {"application/json": {"schema": schema}}}
    return {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {"/x": {"get": {"responses": {"200": ok}}}},
    }


@pytest.mark.parametrize(
    "ref",
    [
        "http://169.254.169.254/latest/meta-data.json",
        "https://example.test/schemas.json#/Thing",
        "file:///etc/hostname",
        "other.yaml#/components/schemas/Thing",
    ],
)
def test_an_external_ref_is_refused_unfetched(ref, monkeypatch):
    asked = []
    real_open = urllib.request.OpenerDirector.open

    def refuse(*args, **kwargs):
        asked.append(args)
        raise OSError("no fetching in this test")

    def local_open(opener, url, *args, **kwargs):
        if str(url).startswith(f"file://{VALIDATOR_FILES}"):  # its own meta-schemas
            return real_open(opener, url, *args, **kwargs)
        return refuse(url)

    monkeypatch.setattr("requests.Session.request", refuse)
    monkeypatch.setattr("urllib.request.OpenerDirector.open", local_open)
    with pytest.raises(DocumentError):
        validate_document(_pointing_at(ref))
    assert asked == []


def test_a_ref_inside_the_document_still_resolves():
    document = _pointing_at("#/components/schemas/Thing")
    document["components"] = {"schemas": {"Thing": {"type": "object"}}}
    validate_document(document)
