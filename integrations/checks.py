"""System checks: FIELD_ENCRYPTION_KEY is usable, and no active connection is configured
so that it cannot work."""

from __future__ import annotations

from typing import Any

from django.core.checks import CheckMessage, Error, Warning, register
from django.db import DatabaseError

from integrations.crypto import fernet
from integrations.http.base_url import validate_base_url
from integrations.http.errors import ConfigurationError
from integrations.models import Connection
from integrations.services.connections import connection_config


@register("integrations")
def check_encryption_key(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """A key that is no Fernet key (.env.example's placeholder left in place) would only
    fail at the first credential saved or read."""
    try:
        fernet()
    except ConfigurationError as exc:
        return [Error(str(exc), id="integrations.E001")]
    return []


@register("integrations")
def check_connections(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    if app_configs is not None and not any(c.label == "integrations" for c in app_configs):
        return []
    try:
        connections = list(Connection.objects.filter(is_active=True))
    except (DatabaseError, ConfigurationError):
        return []  # not migrated yet, or secrets unreadable (reported when used)
    warnings: list[CheckMessage] = []
    for connection in connections:
        try:
            config = connection_config(connection)
        except ConfigurationError as exc:
            warnings.append(Warning(str(exc), obj=connection, id="integrations.W001"))
            continue
        try:
            validate_base_url(config.base_url)
        except ConfigurationError as exc:
            warnings.append(Warning(f"{connection}: {exc}", obj=connection, id="integrations.W002"))
    return warnings
