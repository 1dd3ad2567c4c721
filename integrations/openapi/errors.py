"""What can go wrong with an OpenAPI document before any API call is made.

A document that cannot be read or is not valid OpenAPI is the operator's
mistake, like a missing credential, so `DocumentError` is a
`ConfigurationError`: `except IntegrationError` never hides it.
"""

from __future__ import annotations

from integrations.http.errors import ConfigurationError


class DocumentError(ConfigurationError):
    """The OpenAPI document cannot be fetched, parsed or validated."""


class CheckFailed(ConfigurationError):
    """A connection test found a problem; the message says which step (document, base URL,
    credentials) and what the API answered."""


class NamingWarning(UserWarning):
    """Two operations wanted the same method name; one was renamed (deterministically)."""
