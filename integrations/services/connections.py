"""Connections: resolving credentials, building clients, testing, counting auth failures."""

from __future__ import annotations

import logging
from dataclasses import dataclass, fields, replace

from django.conf import settings
from django.db import connections as db_connections
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from integrations.http.base_url import validate_base_url
from integrations.http.client import ApiClient
from integrations.http.errors import ConfigurationError, ConnectionDisabledError, IntegrationError
from integrations.models import Connection
from integrations.providers import ConnectionConfig, provider_for

logger = logging.getLogger(__name__)

AUTH_FAILURE_LIMIT = 5
_AUTH_FAILURE_STATUSES = frozenset({401, 403})
_CONFIG_FIELDS = [f.name for f in fields(ConnectionConfig) if f.name not in ("provider", "name")]


@dataclass(frozen=True)
class ConnectionTestResult:
    ok: bool
    message: str


def connection_config(connection: Connection) -> ConnectionConfig:
    """The connection's credentials and settings: the database row first, settings second.

    Raises ConfigurationError naming exactly what is missing and where to set it.
    """
    if problem := connection.secrets_problem:
        raise ConfigurationError(problem)
    provider = provider_for(connection.provider)
    values = {}
    for name in _CONFIG_FIELDS:
        value = getattr(connection, name) or ""
        if not value and name in provider.settings_names:
            value = getattr(settings, provider.settings_names[name], "") or ""
        values[name] = value.strip()
    values["base_url"] = values["base_url"] or provider.default_base_url
    config = ConnectionConfig(provider=provider.name, name=connection.name, **values)
    if missing := provider.missing(config):
        raise ConfigurationError(
            f"The {connection} connection is missing: {'; '.join(missing)}. "
            "Set it in the environment, or on the connection in the admin."
        )
    return config


def connection_client(connection: Connection, *, background: bool = False) -> ApiClient:
    """The client for an active connection.

    Inside a web request (`background=False`) the retry deadline is short
    (INTEGRATIONS_REQUEST_DEADLINE); background work gets
    INTEGRATIONS_BACKGROUND_DEADLINE.
    """
    if not connection.is_active:
        reason = connection.disabled_reason or "it is marked inactive"
        raise ConnectionDisabledError(f"The {connection} connection is switched off: {reason}")
    deadline = (
        settings.INTEGRATIONS_BACKGROUND_DEADLINE
        if background
        else settings.INTEGRATIONS_REQUEST_DEADLINE
    )
    return _build_client(connection, deadline=deadline)


def connection_test(connection: Connection) -> ConnectionTestResult:
    """Call the provider's cheapest authenticated endpoint; store and return the outcome.

    Works on an inactive connection too, so an administrator can check new
    credentials before switching it back on.
    """
    try:
        if connection.provider == "openapi":
            # What to call comes from the document, which only the openapi package reads
            # (imported here: it builds on this module).
            from integrations.openapi.service import openapi_connection_check

            message = openapi_connection_check(connection)
        else:
            client = _build_client(connection, deadline=settings.INTEGRATIONS_REQUEST_DEADLINE)
            try:
                client.provider.check_connection(client)
            finally:
                client.close()
            message = f"The {connection} connection works."
    except (IntegrationError, ConfigurationError) as exc:
        message = str(exc)
        _store(connection, last_error=message)
        return ConnectionTestResult(ok=False, message=message)
    _store(connection, last_verified_at=timezone.now(), last_error="", consecutive_auth_failures=0)
    return ConnectionTestResult(ok=True, message=message)


def _store(connection: Connection, **changes: object) -> None:
    for name, value in changes.items():
        setattr(connection, name, value)
    if connection.pk:
        Connection.objects.filter(pk=connection.pk).update(**changes)


def _build_client(connection: Connection, *, deadline: float) -> ApiClient:
    provider = provider_for(connection.provider)
    config = connection_config(connection)
    try:
        config = replace(config, base_url=validate_base_url(config.base_url))
    except ConfigurationError as exc:
        raise ConfigurationError(f"The {connection} connection: {exc}") from exc
    return ApiClient(
        provider=provider,
        base_url=provider.build_base_url(config),
        auth=provider.build_auth(config),
        connection_id=connection.pk,
        deadline=deadline,
        on_status=AuthFailureCounter(connection) if connection.pk else None,
        # The counter writes from whichever thread got the answer, a read-ahead
        # thread too: that thread's database connection is closed as it ends.
        on_thread_exit=db_connections.close_all,
    )


class AuthFailureCounter:
    """Counts consecutive 401/403 answers (and others that refuse the credentials, such as
    Recruitee's 400 `invalid_token`); at AUTH_FAILURE_LIMIT the connection is switched off.

    It writes only when something changes (a failure, or the first success
    after failures), so a healthy connection costs no database write per call.
    """

    def __init__(self, connection: Connection) -> None:
        self.connection_id = connection.pk
        self.label = str(connection)
        self.failures = connection.consecutive_auth_failures

    def __call__(self, status: int, auth_refused: bool = False) -> None:
        if auth_refused or status in _AUTH_FAILURE_STATUSES:
            self._record_failure(status)
        elif self.failures and status < 500 and status != 429:
            self.failures = 0
            Connection.objects.filter(pk=self.connection_id).update(consecutive_auth_failures=0)

    def _record_failure(self, status: int) -> None:
        rows = Connection.objects.filter(pk=self.connection_id)
        with transaction.atomic():
            rows.update(consecutive_auth_failures=F("consecutive_auth_failures") + 1)
            self.failures = rows.values_list("consecutive_auth_failures", flat=True).first() or 0
            if self.failures < AUTH_FAILURE_LIMIT:
                return
            reason = (
                f"Switched off on {timezone.now():%Y-%m-%d %H:%M} UTC after {self.failures} "
                f"consecutive authentication failures (last: HTTP {status}). "
                "Check the credentials, test the connection, then mark it active again."
            )
            switched = rows.filter(is_active=True).update(is_active=False, disabled_reason=reason)
        if switched:
            logger.warning("Connection %s switched off: %s", self.label, reason)
