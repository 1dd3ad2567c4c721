"""Auth strategies: small objects that produce the Authorization header.

The client asks a strategy for its headers before every attempt and tells it
about a 401 through `invalidate()`; a strategy that can get fresh credentials
(OAuth) answers True once, and the client repeats the request once.
"""

from __future__ import annotations

import base64
import hashlib
import threading
import time
from dataclasses import dataclass, field
from typing import Protocol

import requests

from integrations.http.errors import (
    AuthenticationError,
    ProviderUnavailableError,
    body_excerpt,
)
from integrations.http.redaction import Redactor, redact_url

Timeout = tuple[float, float]


class Auth(Protocol):
    """What the client needs from an auth strategy."""

    secrets: tuple[str, ...]

    def headers(self, session: requests.Session, timeout: Timeout) -> dict[str, str]: ...

    def invalidate(self) -> bool: ...


class BearerAuth:
    """`Authorization: Bearer <token>` (Recruitee, Asana, the generic tool's static token)."""

    def __init__(self, token: str) -> None:
        self.secrets = (token,)
        self._header = {"Authorization": f"Bearer {token}"}

    def headers(self, session: requests.Session, timeout: Timeout) -> dict[str, str]:
        return self._header

    def invalidate(self) -> bool:
        return False


class BasicKeyAuth:
    """HTTP Basic with an empty username and the API key as the password (Affinity v1)."""

    def __init__(self, key: str) -> None:
        encoded = base64.b64encode(f":{key}".encode()).decode()
        self.secrets = (key, encoded)
        self._header = {"Authorization": f"Basic {encoded}"}

    def headers(self, session: requests.Session, timeout: Timeout) -> dict[str, str]:
        return self._header

    def invalidate(self) -> bool:
        return False


@dataclass
class _Token:
    value: str = field(repr=False)
    expires_at: float  # time.monotonic()


# Tokens outlive any one client (a client is built per use), so they are kept
# per process, keyed by the token URL, the client id and a hash of the secret.
_tokens: dict[tuple[str, str, str], _Token] = {}
_tokens_lock = threading.Lock()


class OAuthClientCredentials:
    """OAuth 2.0 client credentials: `POST {base}/oauth/token`, then Bearer.

    The token is cached until `EXPIRY_MARGIN` seconds before it expires; a 401
    drops it so the next attempt fetches a new one.
    """

    EXPIRY_MARGIN = 60.0
    DEFAULT_LIFETIME = 3600.0

    def __init__(
        self, *, token_url: str, client_id: str, client_secret: str, provider_name: str = ""
    ) -> None:
        self.token_url = token_url
        self.client_id = client_id
        self.provider_name = provider_name
        self._client_secret = client_secret
        secret_hash = hashlib.sha256(client_secret.encode()).hexdigest()
        self._key = (token_url, client_id, secret_hash)
        self.secrets: tuple[str, ...] = (client_secret,)

    def headers(self, session: requests.Session, timeout: Timeout) -> dict[str, str]:
        with _tokens_lock:
            token = _tokens.get(self._key)
            if token is None or token.expires_at <= time.monotonic():
                token = self._fetch(session, timeout)
                _tokens[self._key] = token
        self.secrets = (self._client_secret, token.value)
        return {"Authorization": f"Bearer {token.value}"}

    def invalidate(self) -> bool:
        with _tokens_lock:
            return _tokens.pop(self._key, None) is not None

    def _fetch(self, session: requests.Session, timeout: Timeout) -> _Token:
        data = {
            "grant_type": "client_credentials",
            "client_id": self.client_id,
            "client_secret": self._client_secret,
        }
        context = {
            "provider": self.provider_name,
            "method": "POST",
            "path": redact_url(self.token_url),
        }
        try:
            response = session.post(
                self.token_url, data=data, timeout=timeout, allow_redirects=False
            )
        except requests.RequestException as exc:
            # The API request itself was not sent yet, so its outcome is known.
            raise ProviderUnavailableError(
                f"token request failed: {type(exc).__name__}", **context
            ) from exc
        payload = _json_or_none(response)
        access_token = payload.get("access_token") if isinstance(payload, dict) else None
        if response.ok and isinstance(access_token, str) and access_token:
            lifetime = _lifetime(payload.get("expires_in"), self.DEFAULT_LIFETIME)
            expires_at = time.monotonic() + max(0.0, lifetime - self.EXPIRY_MARGIN)
            return _Token(access_token, expires_at)
        redact = Redactor([self._client_secret, *([access_token] if access_token else [])])
        excerpt = redact(body_excerpt(response.content))
        cls = ProviderUnavailableError if response.status_code >= 500 else AuthenticationError
        raise cls(
            "the OAuth token request was refused",
            status=response.status_code,
            body_excerpt=excerpt,
            **context,
        )


def _json_or_none(response: requests.Response) -> object:
    try:
        return response.json()
    except ValueError:
        return None


def _lifetime(value: object, default: float) -> float:
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return default


def clear_token_cache() -> None:
    """Forget every cached OAuth token (tests, key changes)."""
    with _tokens_lock:
        _tokens.clear()
