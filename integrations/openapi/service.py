"""`openapi_client()`: a connection's dynamic client, for scripts, notebooks and the shell.

    >>> client = openapi_client("jsonplaceholder")
    >>> client.posts.list(user_id=1)
    >>> help(client.posts.get)

The `ApiClient` underneath is built the way `services.connections` builds
every provider's: the connection's credentials (the row first, settings
second), its base URL checked, the request or background deadline, and the
counter that switches a connection off after repeated 401/403 answers. Auth
comes from the document's security schemes.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from django.conf import settings

from integrations.http.base_url import validate_base_url
from integrations.http.client import ApiClient
from integrations.http.errors import ConfigurationError, ConnectionDisabledError
from integrations.models import Connection, OpenApiSource
from integrations.openapi import cache
from integrations.openapi.auth import Credentials, auth_for
from integrations.openapi.client import CompiledApi, OpenApiClient, build_client
from integrations.openapi.source import Document
from integrations.providers.openapi import OpenApi
from integrations.services.connections import AuthFailureCounter, connection_config


def openapi_client(
    connection: Connection | str,
    *,
    force_refresh: bool = False,
    local_document: str | Path | Document | None = None,
    background: bool = False,
) -> OpenApiClient:
    """The dynamic client of an `openapi` connection (a row, or its name).

    `force_refresh` fetches the document again now; `local_document` (a file
    path or a dict) is used instead of the connection's document, as
    civis-python's `local_api_spec`; the two together are a TypeError, as there.
    """
    if force_refresh and local_document is not None:
        raise TypeError("force_refresh and local_document cannot be used together")
    if isinstance(connection, str):
        connection = _connection_named(connection)
    if local_document is not None:
        compiled = cache.local_document(local_document)
    else:
        compiled = cache.connection_document(connection, force_refresh=force_refresh)
    return build_client(
        compiled, connection_api_client(connection, compiled, background=background)
    )


def connection_api_client(
    connection: Connection, compiled: CompiledApi, *, background: bool = False
) -> ApiClient:
    """The `ApiClient` for an `openapi` connection: base URL, auth, deadline, counters."""
    if not connection.is_active:
        reason = connection.disabled_reason or "it is marked inactive"
        raise ConnectionDisabledError(f"The {connection} connection is switched off: {reason}")
    model = compiled.model
    config = connection_config(connection)
    base_url = config.base_url or next((s for s in model.servers if "://" in s), "")
    if not base_url:
        raise ConfigurationError(
            f"The {connection} connection has no base URL and the document names no server."
        )
    try:
        config = replace(config, base_url=validate_base_url(base_url))
    except ConfigurationError as exc:
        raise ConfigurationError(f"The {connection} connection: {exc}") from exc
    source = OpenApiSource.objects.filter(connection=connection).first() if connection.pk else None
    credentials = Credentials(
        token=config.api_token,
        username=source.basic_username if source else "",
        client_id=config.oauth_client_id,
        client_secret=config.oauth_client_secret,
    )
    auth = auth_for(
        model,
        credentials,
        base_url=config.base_url,
        scheme_name=source.security_scheme if source else "",
    )
    deadline = (
        settings.INTEGRATIONS_BACKGROUND_DEADLINE
        if background
        else settings.INTEGRATIONS_REQUEST_DEADLINE
    )
    return ApiClient(
        provider=OpenApi.named(model.title),
        base_url=config.base_url,
        auth=auth,
        connection_id=connection.pk,
        deadline=deadline,
        on_status=AuthFailureCounter(connection) if connection.pk else None,
    )


def _connection_named(name: str) -> Connection:
    try:
        return Connection.objects.get(provider="openapi", name=name)
    except Connection.DoesNotExist:
        raise ConfigurationError(f"No OpenAPI connection is named {name!r}.") from None
