"""Validating a document with openapi-spec-validator, once per content.

The meta-schema check runs on openapi-spec-validator's jsonschema-rs backend (its
"auto" backend, chosen because jsonschema-rs is installed): on Asana's document it
takes validation from about 3.2 s to 1.3 s; the rest is the validator's own walk of
paths, operations and schemas, which still runs in Python. Its verdict depends only on
the content, so a pass is remembered
in Django's cache under the document's digest: a stored copy validated when it
was fetched is not validated again in every process that builds a client.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from jsonschema_path import SchemaPath
from openapi_spec_validator.settings import OpenAPISpecValidatorSettings
from openapi_spec_validator.shortcuts import get_validator_cls
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

from integrations.openapi.errors import DocumentError
from integrations.openapi.source import Document, document_digest

VERDICT_SECONDS = 30 * 24 * 3600


def validate_document(document: Document, *, digest: str | None = None) -> str:
    """Raise DocumentError unless `document` is valid OpenAPI 2.0/3.x; return its digest."""
    digest = digest or document_digest(document)
    key = f"openapi:valid:{digest}"
    if cache.get(key):
        return digest
    if not any(isinstance(document.get(k), str) for k in ("openapi", "swagger")):
        raise DocumentError("Not an OpenAPI document: no 'openapi' or 'swagger' version.")
    try:
        validate(document)
    except OpenAPIValidationError as exc:
        where = "/".join(str(part) for part in exc.absolute_path) or "the top"
        # The Rust backend's message goes on with the schema and the instance: its first
        # line is the reason.
        reason = exc.message.splitlines()[0] if exc.message else str(exc)
        raise DocumentError(f"The OpenAPI document is not valid at {where}: {reason}") from exc
    except Exception as exc:  # the validator's own errors on odd documents (unknown version…)
        raise DocumentError(f"The OpenAPI document could not be validated: {exc}") from exc
    cache.set(key, True, VERDICT_SECONDS)
    return digest


class _RefuseEveryScheme(dict):
    """jsonschema-path's handlers by URL scheme. For a scheme it has no handler for, it
    fetches anyway (requests or urllib, without a timeout), so every scheme gets one:
    the refusal."""

    def __contains__(self, scheme: object) -> bool:
        return True

    def __missing__(self, scheme: str) -> Callable[[str], Any]:
        return _refuse_ref


def _refuse_ref(uri: str) -> Any:
    raise DocumentError(f"{uri} is outside the document: only references inside it are read.")


def validate(document: Document) -> None:
    """openapi-spec-validator's `validate()`, where a `$ref` outside the document is an
    error: its own resolver would GET any URL and open any file a document names (a
    request to the hub's own network, a read of its files)."""
    cache_size = OpenAPISpecValidatorSettings().resolved_cache_maxsize
    refs = _RefuseEveryScheme()
    path = SchemaPath.from_dict(document, handlers=refs, resolved_cache_maxsize=cache_size)
    get_validator_cls(document)(path).validate()
