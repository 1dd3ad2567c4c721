"""The document cache: per connection, in memory, with the stored copy behind it.

- In memory (per process): the compiled API of each connection, for 15 minutes
  in an interactive session (`manage.py shell`, a notebook) and 24 hours
  otherwise, while the stored copy is still the one it was loaded from (another
  process may have saved a new one). Unlike civis-python's `round(now / period)`
  key, whose real lifetime is anywhere from 0 to one period, an entry lives
  exactly its TTL.
- Stored (`OpenApiSource.document`): the last copy that loaded and validated.
  A process without the entry builds from it while it is younger than the TTL,
  without fetching; an older one is fetched again, and when the URL is down
  or answers something invalid the stored copy keeps the connection working.
- Compiled APIs are also kept by document digest, so connections (or local
  documents) with the same content share one.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from django.utils import timezone

from integrations import jsoncodec
from integrations.http.errors import ConfigurationError
from integrations.models import Connection, OpenApiSource
from integrations.openapi.client import CompiledApi, compile_api
from integrations.openapi.errors import DocumentError
from integrations.openapi.normalize import build_model
from integrations.openapi.source import (
    Document,
    document_digest,
    fetch_document,
    parse_document,
    read_document,
)
from integrations.openapi.spec_validation import validate_document

logger = logging.getLogger(__name__)

INTERACTIVE_TTL = 15 * 60.0
DEFAULT_TTL = 24 * 3600.0


@dataclass
class _Entry:
    compiled: CompiledApi
    loaded_at: float  # clock()
    stored_sha256: str  # the stored copy's digest when it was loaded


clock = time.monotonic  # tests replace it
_by_connection: dict[int, _Entry] = {}
_by_digest: dict[str, CompiledApi] = {}
_lock = threading.Lock()


def ttl() -> float:
    """15 minutes in an interactive session, 24 hours otherwise (as civis-python)."""
    return INTERACTIVE_TTL if hasattr(sys, "ps1") or sys.flags.interactive else DEFAULT_TTL


def compiled_document(document: Document, *, digest: str | None = None) -> CompiledApi:
    """Validate (once per content) and compile `document`, reusing a compiled copy."""
    return _compiled(document, validate_document(document, digest=digest))


def _compiled(document: Document, digest: str) -> CompiledApi:
    with _lock:
        compiled = _by_digest.get(digest)
    if compiled is None:
        compiled = compile_api(build_model(document, digest=digest), document)
        with _lock:
            _by_digest[digest] = compiled
    return compiled


def local_document(source: str | Path | Document) -> CompiledApi:
    """A document given directly (a file path, a URL or a dict): not stored, not cached."""
    return compiled_document(read_document(source))


def connection_document(connection: Connection, *, force_refresh: bool = False) -> CompiledApi:
    """The connection's compiled document, from memory, the stored copy, or its URL.

    The memory entry serves only while the stored copy is the one it was loaded from
    (one query): a document the admin saved in another process (a gunicorn worker, a
    `db_worker`, another machine) is used at once, not after the entry's TTL.
    """
    now = clock()
    with _lock:
        entry = _by_connection.get(connection.pk)
    if (
        entry
        and not force_refresh
        and now - entry.loaded_at < ttl()
        and entry.stored_sha256 == _stored_sha256(connection)
    ):
        return entry.compiled
    source = _source(connection)
    compiled = _load(source, force_refresh=force_refresh)
    with _lock:
        _by_connection[connection.pk] = _Entry(compiled, now, source.document_sha256)
    return compiled


def _stored_sha256(connection: Connection) -> str | None:
    rows = OpenApiSource.objects.filter(connection=connection)
    return rows.values_list("document_sha256", flat=True).first()


def forget(connection: Connection | None = None) -> None:
    """Drop the in-memory entries (one connection's, or all): tests, a changed document."""
    with _lock:
        if connection is None:
            _by_connection.clear()
            _by_digest.clear()
        else:
            _by_connection.pop(connection.pk, None)


def _source(connection: Connection) -> OpenApiSource:
    """The row as stored now (not the connection's cached relation: another process may
    have refreshed the copy)."""
    source = OpenApiSource.objects.filter(connection=connection).first()
    if source is None:
        raise ConfigurationError(
            f"The {connection} connection has no OpenAPI document: add its URL or upload it."
        )
    return source


def _load(source: OpenApiSource, *, force_refresh: bool) -> CompiledApi:
    stored_age = timezone.now() - source.fetched_at if source.fetched_at else None
    fresh = stored_age is not None and stored_age < timedelta(seconds=ttl())
    if source.document and (not source.document_url or (fresh and not force_refresh)):
        return _stored(source)
    if not source.document_url:
        raise ConfigurationError(f"{source}: no document URL and no stored copy.")
    try:
        document = fetch_document(source.document_url)
        compiled = compiled_document(document)
    except DocumentError as exc:
        if not source.document:
            raise
        logger.warning("%s: %s; using the copy stored %s", source, exc, source.fetched_at)
        OpenApiSource.objects.filter(pk=source.pk).update(last_fetch_error=str(exc))
        return _stored(source)
    source.document = jsoncodec.dumps(document)
    source.document_sha256 = compiled.model.digest
    source.fetched_at = timezone.now()
    source.last_fetch_error = ""
    source.save(update_fields=["document", "document_sha256", "fetched_at", "last_fetch_error"])
    return compiled


def _stored(source: OpenApiSource) -> CompiledApi:
    """The stored copy, compiled. Its digest is written only once the copy has validated
    (`_load`), so a copy that still has that digest is not validated again: a new
    process (or one whose cache is not shared) builds Asana's client in a fraction of
    a second instead of validating it for seconds."""
    with _lock:
        compiled = _by_digest.get(source.document_sha256)
    if compiled is not None:
        return compiled
    document = parse_document(source.document, origin=str(source))
    digest = document_digest(document)
    if digest == source.document_sha256:
        return _compiled(document, digest)
    return compiled_document(document, digest=digest)  # changed since it was stored
