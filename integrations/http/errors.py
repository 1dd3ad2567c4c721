"""One error hierarchy for every provider call.

Everything a provider call can raise derives from `IntegrationError`, so a
view can catch one class and show a message a person understands. The
configuration error deliberately sits outside the tree: a missing credential
or a bad base URL is the operator's mistake, and `except IntegrationError`
must never hide it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol

BODY_EXCERPT_BYTES = 500


class ConfigurationError(Exception):
    """A connection cannot be used as configured (missing credential, bad URL)."""


class ConnectionDisabledError(ConfigurationError):
    """The connection is switched off; the message carries the stored reason."""


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

    @property
    def context(self) -> dict[str, Any]:
        """Where the error came from, to raise a more precise error for the same call."""
        return {
            "provider": self.provider,
            "status": self.status,
            "method": self.method,
            "path": self.path,
            "request_id": self.request_id,
            "body_excerpt": self.body_excerpt,
        }

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

    def __init__(
        self,
        message: str,
        *,
        outcome_unknown: bool = False,
        retry_at: datetime | None = None,
        **kwargs,
    ) -> None:
        super().__init__(message, **kwargs)
        self.outcome_unknown = outcome_unknown
        self.retry_at = retry_at


class IdempotencyInProgressError(ProviderUnavailableError):
    """The provider is still processing the first request with this idempotency key:
    its outcome is not known yet, and asking again later is safe."""

    def __init__(self, message: str, **kwargs) -> None:
        super().__init__(message, outcome_unknown=True, **kwargs)


class IdempotencyMismatchError(IntegrationError):
    """The provider saw this idempotency key with another body: a bug on our side,
    never the person's data, so it needs a person rather than a form error."""


class InvalidResponseError(IntegrationError):
    """The provider answered 2xx with a body we cannot use: not JSON, truncated, too large."""


class ErrorParser(Protocol):
    """What `error_for_response` needs from a provider."""

    display_name: str
    error_code_classes: dict[str, type[IntegrationError]]

    def parse_error(self, payload: Any) -> tuple[str, dict[str, list[str]]]: ...

    def error_code(self, payload: Any) -> str: ...


_STATUS_CLASSES: dict[int, type[IntegrationError]] = {
    400: ValidationError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: ValidationError,
    429: RateLimitedError,
}


def body_excerpt(body: bytes) -> str:
    """The first bytes of a body as text, for logs and error details."""
    return body[:BODY_EXCERPT_BYTES].decode("utf-8", errors="replace")


def _payload(body: bytes) -> Any:
    """The body as JSON when it is JSON, otherwise as text (error bodies are untrusted)."""
    text = body.decode("utf-8", errors="replace").strip()
    try:
        return json.loads(text) if text else None
    except ValueError:
        return text[:BODY_EXCERPT_BYTES]


def error_for_response(
    *,
    provider: ErrorParser,
    status: int,
    body: bytes,
    method: str,
    path: str,
    request_id: str = "",
    retry_at: datetime | None = None,
    redact: Callable[[str], str] = str,
) -> IntegrationError:
    """The one place that maps an unsuccessful HTTP status to its exception class.

    The provider's `parse_error` hook turns the body into a message and
    per-field errors; `redact` scrubs known secrets from both.
    """
    payload = _payload(body)
    try:
        message, field_errors = provider.parse_error(payload)
        code_class = provider.error_code_classes.get(provider.error_code(payload))
    except Exception:  # an odd error body must never hide the error itself
        message, field_errors, code_class = "", {}, None
    message = redact(message or f"HTTP {status}")
    context = {
        "provider": provider.display_name,
        "status": status,
        "method": method,
        "path": path,
        "request_id": request_id,
        "body_excerpt": redact(body_excerpt(body)),
    }
    if code_class is not None:
        return code_class(message, **context)
    cls = _STATUS_CLASSES.get(status)
    if cls is ValidationError:
        fields = {k: [redact(m) for m in v] for k, v in field_errors.items()}
        return ValidationError(message, field_errors=fields, **context)
    if cls is RateLimitedError:
        return RateLimitedError(message, retry_at=retry_at, **context)
    if status >= 500:
        # A 503 means the provider did not take the request on; after any other
        # 5xx a write may or may not have happened.
        return ProviderUnavailableError(
            message, outcome_unknown=status != 503, retry_at=retry_at, **context
        )
    return (cls or IntegrationError)(message, **context)
