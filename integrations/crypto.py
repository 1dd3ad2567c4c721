"""Encryption at rest for credentials (Fernet, from the `cryptography` package).

FIELD_ENCRYPTION_KEY holds one or more comma-separated Fernet keys. The first
encrypts; every key decrypts (MultiFernet). To rotate: put a new key first,
keep the old ones after it, run `manage.py rotate_encryption_key` to
re-encrypt every stored secret with the new key, then drop the old keys.

A column no configured key decrypts loads as an `UnreadableSecret`, not an error: one
such row (a rotation done in the wrong order, a damaged value) must not break every
query, page and task that reads many rows. Only using that secret fails.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.apps import apps
from django.conf import settings
from django.db import models

from integrations.http.errors import ConfigurationError


@cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    try:
        return MultiFernet([Fernet(key.strip().encode()) for key in keys if key.strip()])
    except ValueError as exc:
        raise ConfigurationError(
            "FIELD_ENCRYPTION_KEY must be one or more comma-separated Fernet keys "
            "(generate one with: python -c 'from cryptography.fernet import Fernet; "
            "print(Fernet.generate_key().decode())')"
        ) from exc


def fernet() -> MultiFernet:
    return _fernet(tuple(settings.FIELD_ENCRYPTION_KEYS))


def encrypt(plaintext: str) -> str:
    return fernet().encrypt(plaintext.encode()).decode()


def encrypted_fields() -> list[tuple[type[models.Model], list[str]]]:
    """Every model with encrypted fields (connections' credentials, webhook endpoints'
    signing secrets), with those fields' names."""
    found = []
    for model in apps.get_models():
        names = [f.name for f in model._meta.fields if isinstance(f, EncryptedTextField)]
        if names:
            found.append((model, names))
    return found


class UnreadableSecret:
    """A stored secret no configured key decrypts. It keeps the column's token, so saving
    the row writes it back unchanged (putting the key back recovers the secret); it is no
    string, so it cannot be sent or compared as one by mistake."""

    __slots__ = ("token",)

    def __init__(self, token: str) -> None:
        self.token = token

    def __repr__(self) -> str:
        return "<UnreadableSecret>"


class EncryptedTextField(models.TextField):
    """A text column holding a Fernet token; Python code sees the plaintext.

    The empty string is stored as is (no secret). Lookups on this field are
    meaningless (every encryption differs) and are not supported.
    """

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> str | UnreadableSecret:
        if not value:
            return ""
        try:
            return fernet().decrypt(value.encode()).decode()
        except InvalidToken:
            return UnreadableSecret(value)

    def to_python(self, value: Any) -> str | UnreadableSecret:
        if isinstance(value, UnreadableSecret):
            return value
        return "" if value is None else str(value)

    def get_prep_value(self, value: Any) -> str:
        value = super().get_prep_value(value)
        if isinstance(value, UnreadableSecret):
            return value.token
        return encrypt(value) if value else ""
