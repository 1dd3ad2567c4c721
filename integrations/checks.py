"""System checks: FIELD_ENCRYPTION_KEY is usable and (with --deploy) decrypts every stored
secret, and no active connection is configured so that it cannot work."""

from __future__ import annotations

from typing import Any

from django.core.checks import CheckMessage, Error, Warning, register
from django.db import DatabaseError

from integrations.crypto import UnreadableSecret, encrypted_fields, fernet
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


# Rows named in one error; the rest are counted.
NAMED_ROWS = 10


@register("integrations", deploy=True)
def check_secrets_readable(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """The documented rotation with its last step first leaves every stored secret
    unreadable, which nothing else notices before each one is used. One query per model,
    its encrypted columns only. Deploy only: a damaged row must not stop every command
    (the scheduler and workers go on with the other connections)."""
    errors: list[CheckMessage] = []
    for model, fields in encrypted_fields():
        try:
            rows = list(model.objects.only("pk", *fields))
        except DatabaseError:
            return []  # not migrated yet
        unreadable = [
            row
            for row in rows
            if any(isinstance(getattr(row, f), UnreadableSecret) for f in fields)
        ]
        if not unreadable:
            continue
        named = ", ".join(str(row) for row in unreadable[:NAMED_ROWS])
        more = len(unreadable) - NAMED_ROWS
        meta = model._meta
        label = meta.verbose_name if len(unreadable) == 1 else meta.verbose_name_plural
        errors.append(
            Error(
                f"No key in FIELD_ENCRYPTION_KEY decrypts the stored secrets of {len(unreadable)} "
                f"{label}: {named}{f' and {more} more' if more > 0 else ''}.",
                hint=(
                    "Put back the key they were encrypted with (after the first) and run "
                    "manage.py rotate_encryption_key before removing it; or enter those "
                    "secrets again in the admin."
                ),
                id="integrations.E002",
            )
        )
    return errors


@register("integrations")
def check_connections(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    if app_configs is not None and not any(c.label == "integrations" for c in app_configs):
        return []
    try:
        connections = list(Connection.objects.filter(is_active=True))
    except DatabaseError:
        return []  # not migrated yet
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
