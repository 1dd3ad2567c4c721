"""Keep secrets out of paths, messages and logs.

Two layers: query parameters whose names look secret are masked wherever a
URL is shown, and the known secret values of a connection (tokens, keys,
client secrets) are masked in any text that leaves the client.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

MASK = "[REDACTED]"
_SECRET_PARAM = re.compile(r"token|key|secret|password|passwd|signature|sig|auth|credential", re.I)
# Pagination cursors are opaque, not secret, and worth seeing in the call log.
_SAFE_PARAMS = frozenset({"page_token", "cursor", "offset"})
_AUTH_VALUE = re.compile(r"\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+", re.I)
_MIN_SECRET_LENGTH = 4  # shorter values would mask ordinary words


def redact_url(url: str) -> str:
    """The URL (or path) with the values of secret-looking query parameters masked."""
    parts = urlsplit(url)
    if not parts.query:
        return url
    pairs = [
        (name, MASK if _is_secret_param(name) else value)
        for name, value in parse_qsl(parts.query, keep_blank_values=True)
    ]
    query = urlencode(pairs, safe="[]")
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


def _is_secret_param(name: str) -> bool:
    return name.lower() not in _SAFE_PARAMS and bool(_SECRET_PARAM.search(name))


class Redactor:
    """Masks a fixed set of secret values, and any `Bearer …`/`Basic …` credential."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self.secrets = sorted(
            {s for s in secrets if s and len(s) >= _MIN_SECRET_LENGTH}, key=len, reverse=True
        )

    def __call__(self, text: str) -> str:
        for secret in self.secrets:
            if secret in text:
                text = text.replace(secret, MASK)
        return _AUTH_VALUE.sub(lambda m: f"{m.group(1)} {MASK}", text)
