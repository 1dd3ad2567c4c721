"""Auth from the document's security schemes and the connection's credentials.

Bearer and OAuth 2.0 client credentials reuse `integrations.http.auth`; the
two the built-in providers never needed live here: an API key in a header or
the query, and HTTP Basic with a user name. Query keys cannot go through the
`Auth.headers()` hook, so `ApiKeyAuth.query()` gives the parameter the
generated methods add; the key is among `secrets`, so the client's redaction
masks it in every shown path, error and log line.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from urllib.parse import urljoin

import requests

from integrations.http.auth import Auth, BearerAuth, OAuthClientCredentials, Timeout
from integrations.http.base_url import validate_base_url
from integrations.http.errors import ConfigurationError
from integrations.openapi.model import ApiModel, SecurityScheme


class NoAuth:
    """An API (or a connection) that needs no credentials."""

    secrets: tuple[str, ...] = ()

    def headers(self, session: requests.Session, timeout: Timeout) -> dict[str, str]:
        return {}

    def invalidate(self) -> bool:
        return False


class ApiKeyAuth:
    """An API key in a header (`X-API-Key: …`) or a query parameter (`?api_key=…`)."""

    def __init__(self, *, name: str, location: str, key: str) -> None:
        self.secrets = (key,)
        self._header = {name: key} if location == "header" else {}
        self._query = {name: key} if location == "query" else {}

    def headers(self, session: requests.Session, timeout: Timeout) -> dict[str, str]:
        return self._header

    def query(self) -> dict[str, str]:
        return self._query

    def invalidate(self) -> bool:
        return False


class BasicAuth:
    """HTTP Basic with a user name and a password (or key)."""

    def __init__(self, username: str, password: str) -> None:
        encoded = base64.b64encode(f"{username}:{password}".encode()).decode()
        self.secrets = (password, encoded)
        self._header = {"Authorization": f"Basic {encoded}"}

    def headers(self, session: requests.Session, timeout: Timeout) -> dict[str, str]:
        return self._header

    def invalidate(self) -> bool:
        return False


@dataclass(frozen=True)
class Credentials:
    """What a connection can offer; each scheme takes the values it needs."""

    token: str = field(default="", repr=False)  # bearer token, API key, or Basic password
    username: str = ""
    client_id: str = ""
    client_secret: str = field(default="", repr=False)


def auth_for(
    model: ApiModel, credentials: Credentials, *, base_url: str, scheme_name: str = ""
) -> Auth:
    """The auth for `scheme_name`, else the first scheme the document asks for that the
    credentials fit; `NoAuth` when the document asks for none."""
    schemes = {scheme.name: scheme for scheme in model.security_schemes}
    if scheme_name:
        if scheme_name not in schemes:
            known = ", ".join(schemes) or "none"
            raise ConfigurationError(
                f"The document has no security scheme {scheme_name!r} (it has: {known})."
            )
        return _auth(schemes[scheme_name], credentials, base_url, model.title)
    wanted = [name for requirement in model.security for name in requirement] or list(schemes)
    if not wanted:
        return NoAuth()
    for name in dict.fromkeys(wanted):
        scheme = schemes.get(name)
        if scheme and scheme.kind != "unsupported" and _fits(scheme, credentials):
            return _auth(scheme, credentials, base_url, model.title)
    if not any((credentials.token, credentials.client_id, credentials.client_secret)):
        return NoAuth()
    raise ConfigurationError(
        "None of the document's security schemes fits the connection's credentials "
        f"(schemes: {', '.join(f'{s.name} ({s.kind})' for s in schemes.values())})."
    )


def _fits(scheme: SecurityScheme, credentials: Credentials) -> bool:
    if scheme.kind == "oauth2_client_credentials":
        return bool(credentials.client_id and credentials.client_secret)
    if scheme.kind == "basic":
        return bool(credentials.username and credentials.token)
    return bool(credentials.token)


def _auth(scheme: SecurityScheme, credentials: Credentials, base_url: str, title: str) -> Auth:
    if scheme.kind == "unsupported":
        raise ConfigurationError(f"The security scheme {scheme.name!r}: {scheme.reason}.")
    if not _fits(scheme, credentials):
        raise ConfigurationError(
            f"The security scheme {scheme.name!r} ({scheme.kind}) needs credentials "
            "the connection does not have."
        )
    if scheme.kind == "bearer":
        return BearerAuth(credentials.token)
    if scheme.kind == "basic":
        return BasicAuth(credentials.username, credentials.token)
    if scheme.kind == "api_key":
        return ApiKeyAuth(
            name=scheme.param_name, location=scheme.location or "header", key=credentials.token
        )
    token_url = urljoin(base_url.rstrip("/") + "/", scheme.token_url)
    try:  # the document names where the client secret goes: the base URL's rules hold
        validate_base_url(token_url)
    except ConfigurationError as exc:
        raise ConfigurationError(f"The security scheme {scheme.name!r}'s token URL: {exc}") from exc
    return OAuthClientCredentials(
        token_url=token_url,
        client_id=credentials.client_id,
        client_secret=credentials.client_secret,
        provider_name=title,
    )
