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
from integrations.http.errors import (
    AuthenticationError,
    ConfigurationError,
    ConnectionDisabledError,
    IntegrationError,
    PermissionDeniedError,
    ProviderUnavailableError,
)
from integrations.models import Connection, OpenApiSource
from integrations.openapi import cache
from integrations.openapi.auth import Credentials, auth_for
from integrations.openapi.client import CompiledApi, OpenApiClient, build_client
from integrations.openapi.errors import CheckFailed
from integrations.openapi.model import ApiModel, Operation
from integrations.openapi.responses import ListResponse, Response, meta
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
    """The `ApiClient` for an active `openapi` connection: base URL, auth, deadline, counters."""
    if not connection.is_active:
        reason = connection.disabled_reason or "it is marked inactive"
        raise ConnectionDisabledError(f"The {connection} connection is switched off: {reason}")
    deadline = (
        settings.INTEGRATIONS_BACKGROUND_DEADLINE
        if background
        else settings.INTEGRATIONS_REQUEST_DEADLINE
    )
    return _api_client(connection, compiled, deadline=deadline)


def _api_client(connection: Connection, compiled: CompiledApi, *, deadline: float) -> ApiClient:
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


def openapi_connection_check(connection: Connection) -> str:
    """The admin's "Test connection" of an `openapi` connection, step by step: the
    document loads (fetched again from its URL, if it has one) and validates; then one
    cheap authenticated GET of a list operation (a page of one item where the list
    takes a size) shows that the base URL answers and the credentials work.

    Works on an inactive connection too. Returns what was checked; raises
    `CheckFailed` (or the document's `DocumentError`) saying which step failed.
    """
    compiled = cache.connection_document(connection, force_refresh=True)
    model = compiled.model
    source = OpenApiSource.objects.filter(connection=connection).first()
    document = f"The document of {connection} is valid ({len(model.operations)} operations)"
    if source is not None and source.last_fetch_error:
        document += (
            f", from the copy stored {source.fetched_at:%Y-%m-%d %H:%M} UTC: its URL failed"
            f" ({source.last_fetch_error})"
        )
    op = probe_operation(model)
    if op is None:
        return (
            f"{document}; it has no list operation callable without arguments, so the base"
            " URL and the credentials were not tried."
        )
    api = _api_client(connection, compiled, deadline=settings.INTEGRATIONS_REQUEST_DEADLINE)
    size = op.pagination.size_param if op.pagination else ""
    arguments = {p.python_name: 1 for p in op.parameters if size and p.wire_name == size}
    method = getattr(getattr(build_client(compiled, api), op.resource), op.name)
    try:
        answer = method(**arguments)
    except AuthenticationError as exc:
        raise CheckFailed(f"{document}, but the credentials were refused: {exc}") from exc
    except PermissionDeniedError as exc:
        raise CheckFailed(f"{document}, but the credentials may not read it: {exc}") from exc
    except ProviderUnavailableError as exc:
        raise CheckFailed(f"{document}, but {api.base_url} did not answer: {exc}") from exc
    except IntegrationError as exc:
        raise CheckFailed(f"{document}, but the test call failed: {exc}") from exc
    finally:
        api.close()
    status = meta(answer).status if isinstance(answer, Response | ListResponse) else "2xx"
    called = f"{op.endpoint}{f'?{size}=1' if arguments else ''}"
    needs = "with the credentials" if _secured(model, op) else "(it needs no credentials)"
    return f"{document}; {called} answered HTTP {status} {needs}."


def probe_operation(model: ApiModel) -> Operation | None:
    """The list operation a connection test calls: the first that needs no argument,
    preferring one that needs credentials (so that they are tried)."""
    lists = [
        op
        for op in model.operations
        if op.supported
        and op.http_method == "GET"
        and op.pagination is not None
        and not any(p.required for p in op.parameters)
    ]
    return next((op for op in lists if _secured(model, op)), lists[0] if lists else None)


def _secured(model: ApiModel, op: Operation) -> bool:
    """Whether the operation needs credentials (an empty requirement makes them optional)."""
    requirements = model.security if op.security is None else op.security
    return bool(requirements) and all(requirements)
