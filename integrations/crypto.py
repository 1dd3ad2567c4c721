"""Encryption at rest for credentials (Fernet, from the `cryptography` package).

FIELD_ENCRYPTION_KEY holds one or more comma-separated Fernet keys. The first
encrypts; every key decrypts (MultiFernet). To rotate: put a new key first,
keep the old ones after it, run `manage.py rotate_encryption_key` to
re-encrypt every stored secret with the new key, then drop the old keys.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
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


def decrypt(token: str) -> str:
    try:
        return fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise ConfigurationError(
            "A stored secret cannot be decrypted: FIELD_ENCRYPTION_KEY does not include "
            "the key it was encrypted with."
        ) from exc


class EncryptedTextField(models.TextField):
    """A text column holding a Fernet token; Python code sees the plaintext.

    The empty string is stored as is (no secret). Lookups on this field are
    meaningless (every encryption differs) and are not supported.
    """

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> str:
        return decrypt(value) if value else ""

    def to_python(self, value: Any) -> str:
        return "" if value is None else str(value)

    def get_prep_value(self, value: Any) -> str:
        value = super().get_prep_value(value)
        return encrypt(value) if value else ""
