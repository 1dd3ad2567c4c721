"""Reading an OpenAPI document: from a URL, a file, text or a dict, into a plain dict.

JSON is tried first (orjson), then YAML (PyYAML's C loader when built with
libyaml). YAML turns unquoted keys such as response codes (`200:`) into
integers and dates into `date` objects; the document is rewritten with string
keys and values JSON can carry, so every later step sees what a JSON document
would give.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import orjson
import requests
import yaml
from django.conf import settings

from integrations import jsoncodec
from integrations.http.base_url import validate_base_url
from integrations.http.client import USER_AGENT
from integrations.http.errors import ConfigurationError
from integrations.openapi.errors import DocumentError

_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_CHUNK = 64 * 1024

Document = dict[str, Any]


def parse_document(text: str | bytes, *, origin: str = "the document") -> Document:
    """A document's text (JSON or YAML) as a dict with string keys."""
    try:
        data = jsoncodec.loads(text)
    except ValueError:
        try:
            data = _json_safe(yaml.load(text, Loader=_YAML_LOADER))  # noqa: S506 (safe loader)
        except yaml.YAMLError as exc:
            raise DocumentError(f"{origin} is neither JSON nor YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise DocumentError(f"{origin} is not an OpenAPI document (not an object at the top).")
    return data


def read_file(path: str | Path) -> Document:
    try:
        text = Path(path).read_bytes()
    except OSError as exc:
        raise DocumentError(f"Cannot read the OpenAPI document {path}: {exc.strerror}") from exc
    return parse_document(text, origin=str(path))


def fetch_text(url: str) -> bytes:
    """The document at `url`: timeouts, no redirects, at most INTEGRATIONS_MAX_RESPONSE_BYTES.

    The document is not JSON an `ApiClient` could parse (it may be YAML), so it is
    read with requests directly, under the same base-URL rules, timeouts and cap.
    """
    try:
        url = validate_base_url(url)
    except ConfigurationError as exc:
        raise DocumentError(f"The OpenAPI document URL: {exc}") from exc
    cap = settings.INTEGRATIONS_MAX_RESPONSE_BYTES
    timeout = (settings.INTEGRATIONS_CONNECT_TIMEOUT, settings.INTEGRATIONS_READ_TIMEOUT)
    headers = {"User-Agent": USER_AGENT, "Accept": "application/json, application/yaml, */*"}
    try:
        with requests.get(
            url, headers=headers, timeout=timeout, stream=True, allow_redirects=False
        ) as response:
            if response.status_code != 200:
                raise DocumentError(
                    f"The OpenAPI document URL answered HTTP {response.status_code}."
                )
            chunks, size = [], 0
            for chunk in response.iter_content(_CHUNK):
                size += len(chunk)
                if size > cap:
                    raise DocumentError(f"The OpenAPI document is over the {cap}-byte cap.")
                chunks.append(chunk)
    except requests.RequestException as exc:
        raise DocumentError(
            f"The OpenAPI document could not be fetched ({type(exc).__name__})."
        ) from exc
    return b"".join(chunks)


def fetch_document(url: str) -> Document:
    """The document at a connection's document URL: http(s) only (`fetch_text`), never a
    file path, since an administrator types it and the hub's own files are not theirs."""
    return parse_document(fetch_text(url), origin=url)


def read_document(source: str | Path | Document) -> Document:
    """A dict as it is, an http(s) URL fetched, anything else read as a file path (for
    scripts and the shell; a connection's document URL goes through `fetch_document`)."""
    if isinstance(source, dict):
        return source
    if isinstance(source, str) and source.startswith(("http://", "https://")):
        return fetch_document(source)
    return read_file(source)


def document_digest(document: Document) -> str:
    """A stable hash of the document's content (key order does not matter)."""
    return hashlib.sha256(orjson.dumps(document, option=orjson.OPT_SORT_KEYS)).hexdigest()


def _json_safe(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(key): _json_safe(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_json_safe(item) for item in value]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)  # dates and timestamps YAML recognised
