"""One error hierarchy for every provider call.

Everything a provider call can raise derives from `IntegrationError`, so a
view can catch one class and show a message a person understands. The
configuration error deliberately sits outside the tree: a missing credential
or a bad base URL is the operator's mistake, and `except IntegrationError`
must never hide it.
"""

from __future__ import annotations

from datetime import datetime


class ConfigurationError(Exception):
    """A connection cannot be used as configured (missing credential, bad URL)."""


class IntegrationError(Exception):
    """A provider call failed. Carries what a log line and a person need.

    `str(error)` reads like
    ``Recruitee API 422 (POST /c/123/candidates): Name can't be blank``.
    The path is stored already redacted; no secret ever reaches the message.
    """

    def __init__(
        self,
        message: str,
        *,
        provider: str = "",
        status: int | None = None,
        method: str = "",
        path: str = "",
        request_id: str = "",
        body_excerpt: str = "",
    ) -> None:
        super().__init__(message)
        self.message = message
        self.provider = provider
        self.status = status
        self.method = method
        self.path = path
        self.request_id = request_id
        self.body_excerpt = body_excerpt

    def __str__(self) -> str:
        where = f" ({self.method} {self.path})" if self.method else ""
        status = f" {self.status}" if self.status is not None else ""
        name = f"{self.provider} API" if self.provider else "Provider API"
        request_id = f" [request {self.request_id}]" if self.request_id else ""
        return f"{name}{status}{where}: {self.message}{request_id}"


class ValidationError(IntegrationError):
    """400/422: the provider rejected the data. `field_errors` maps our field names to messages."""

    def __init__(
        self, message: str, *, field_errors: dict[str, list[str]] | None = None, **kwargs
    ) -> None:
        super().__init__(message, **kwargs)
        self.field_errors: dict[str, list[str]] = field_errors or {}


class AuthenticationError(IntegrationError):
    """401: the credentials are missing, wrong or revoked."""


class PermissionDeniedError(IntegrationError):
    """403: the credentials are valid but may not do this."""


class NotFoundError(IntegrationError):
    """404: the record or endpoint does not exist."""


class ConflictError(IntegrationError):
    """409: the write conflicts with the provider's state (e.g. a duplicate)."""


class RateLimitedError(IntegrationError):
    """429, or a wait that would pass the deadline. `retry_at` says when to try again."""

    def __init__(self, message: str, *, retry_at: datetime | None = None, **kwargs) -> None:
        super().__init__(message, **kwargs)
        self.retry_at = retry_at


class ProviderUnavailableError(IntegrationError):
    """5xx, a timeout or a connection error: the provider did not give an answer we can use.

    `outcome_unknown` is true when the request may have reached the provider
    (a read timeout, a dropped connection after sending): a write must then be
    reconciled before it is retried.
    """

    def __init__(self, message: str, *, outcome_unknown: bool = False, **kwargs) -> None:
        super().__init__(message, **kwargs)
        self.outcome_unknown = outcome_unknown


class InvalidResponseError(IntegrationError):
    """The provider answered 2xx with a body we cannot use: not JSON, truncated, too large."""
