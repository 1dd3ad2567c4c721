"""The provider contract: what differs between providers, as data and a few hooks.

A provider module declares its name, default base URL, auth scheme,
pagination style, rate limits and retryable statuses as class attributes,
and fills in the hooks below. It knows the wire and nothing else: it never
sees Django models, views, forms or templates (connections reach it as a
plain `ConnectionConfig`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from integrations.http.auth import Auth, BasicKeyAuth, BearerAuth
from integrations.http.errors import IntegrationError
from integrations.http.ratelimit import RateLimit, RateLimitWindow
from integrations.providers.project_records import ProjectInput

if TYPE_CHECKING:
    from integrations.http.client import ApiClient

CredentialField = Literal[
    "base_url", "api_token", "company_id", "workspace_id", "oauth_client_id", "oauth_client_secret"
]
FIELD_LABELS: dict[str, str] = {
    "base_url": "base URL",
    "api_token": "API token",
    "company_id": "company id",
    "workspace_id": "workspace id",
    "oauth_client_id": "OAuth client id",
    "oauth_client_secret": "OAuth client secret",
}


@dataclass(frozen=True)
class WebhookSupport:
    """How a provider pushes events, as its documentation states (facts in
    ../shared/providers/openapi-webhooks-observability.md §D). The receiver
    (integrations/webhooks/) reads the header names from here."""

    registration: Literal["api", "ui"]  # subscribed through the API, or by a person in its UI
    signature_header: str = ""  # "" where deliveries are not signed
    event_id: bool = False  # whether a delivery carries an id to dedupe on
    # Asana: the header of the handshake made while a subscription is created.
    handshake_header: str = ""
    # Seconds a delivery's own time may be away from now (0: it carries none).
    replay_window_seconds: int = 0


@dataclass(frozen=True)
class ConnectionConfig:
    """A connection's resolved settings and credentials; secrets stay out of repr."""

    provider: str
    name: str
    base_url: str
    api_token: str = field(default="", repr=False)
    company_id: str = ""
    workspace_id: str = ""
    oauth_client_id: str = ""
    oauth_client_secret: str = field(default="", repr=False)


class Provider:
    """Base class. Data first, then the hooks each provider fills in."""

    name: ClassVar[str] = ""
    display_name: ClassVar[str] = ""
    default_base_url: ClassVar[str] = ""
    auth_scheme: ClassVar[Literal["bearer", "basic_key", "bearer_or_oauth"]] = "bearer"
    pagination_style: ClassVar[str] = "offset"  # a key of http.pagination.PAGINATORS
    rate_limit: ClassVar[RateLimit | None] = None  # the documented limit, if any
    rate_limit_windows: ClassVar[tuple[RateLimitWindow, ...]] = ()
    retry_statuses: ClassVar[frozenset[int]] = frozenset({429, 502, 503, 504})
    write_retry_statuses: ClassVar[frozenset[int]] = frozenset({429, 503})
    max_attempts: ClassVar[int] = 5
    # Capabilities. The resources the hub reads from this provider (the sync
    # registry refuses a resource its provider does not declare).
    resources: ClassVar[tuple[str, ...]] = ()
    # Projects in one request (0: no bulk endpoint, one create per project).
    bulk_create_limit: ClassVar[int] = 0
    # None: the provider cannot push events (or the hub knows of no way).
    webhooks: ClassVar[WebhookSupport | None] = None
    # Project field rules (project providers): the hub's project fields it supports
    # and requires, its error field -> the hub's field, its statuses and priorities.
    project_fields: ClassVar[tuple[str, ...]] = ()
    required_project_fields: ClassVar[tuple[str, ...]] = ()
    project_field_names: ClassVar[dict[str, str]] = {}
    project_statuses: ClassVar[tuple[str, ...]] = ()
    project_priorities: ClassVar[tuple[str, ...]] = ()
    request_id_headers: ClassVar[tuple[str, ...]] = ("X-Request-Id", "Request-Id")
    # Idempotency keys: the header a POST may carry so a repeat creates nothing, and
    # how long the provider remembers a key. "" where it has none: the outbox then
    # lets an unknown outcome settle and looks the record up before any re-send.
    idempotency_header: ClassVar[str] = ""
    idempotency_key_ttl: ClassVar[timedelta] = timedelta(0)
    # Error codes (as `error_code` reads them) that mean something other than the status.
    error_code_classes: ClassVar[dict[str, type[IntegrationError]]] = {}
    required: ClassVar[tuple[CredentialField, ...]] = ("base_url", "api_token")
    # Environment bootstrap and credential fallback: connection field -> setting name.
    settings_names: ClassVar[dict[str, str]] = {}
    # The sandbox: its path under SANDBOX_URL and its demo credentials.
    sandbox_path: ClassVar[str] = ""
    sandbox_credentials: ClassVar[dict[str, str]] = {}
    # False: connections are only made in the admin (`connections_from_env` skips it).
    environment_default: ClassVar[bool] = True

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name}>"

    # --- hooks with a default ----------------------------------------------------

    def missing(self, config: ConnectionConfig) -> list[str]:
        """What a usable connection still lacks, each with the setting that provides it."""
        return [self.describe(name) for name in self.required if not getattr(config, name)]

    def describe(self, field_name: str) -> str:
        """`API token (RECRUITEE_API_TOKEN)`: a field's label and its setting."""
        setting = self.settings_names.get(field_name)
        label = FIELD_LABELS[field_name]
        return f"{label} ({setting})" if setting else label

    def build_base_url(self, config: ConnectionConfig) -> str:
        """The URL every request path is relative to."""
        return config.base_url.rstrip("/")

    def build_auth(self, config: ConnectionConfig) -> Auth:
        if self.auth_scheme == "basic_key":
            return BasicKeyAuth(config.api_token)
        return BearerAuth(config.api_token)

    def error_code(self, payload: Any) -> str:
        """The provider's machine-readable code in an error body, if it has such codes."""
        return ""

    def project_rule_errors(self, project: ProjectInput) -> dict[str, list[str]]:
        """{hub field: [messages]} for the provider's own rules on a project, checked
        before sending (the form, the CSV import and the create itself); empty: none."""
        return {}

    # --- hooks every provider must implement -------------------------------------

    def parse_error(self, payload: Any) -> tuple[str, dict[str, list[str]]]:
        """An error body (parsed JSON, text, or None) -> (message, {field: [messages]}).

        Bodies are untrusted and often undocumented: never raise on an odd shape.
        """
        raise NotImplementedError(f"{type(self).__name__} must implement parse_error()")

    def check_connection(self, client: ApiClient) -> None:
        """Call the cheapest authenticated endpoint; raise an IntegrationError if it fails."""
        raise NotImplementedError(f"{type(self).__name__} must implement check_connection()")


def text_messages(value: Any) -> list[str]:
    """Messages from a str, a list of str/objects with "message", or an object with "message"."""
    if isinstance(value, str):
        return [value] if value.strip() else []
    if isinstance(value, dict):
        return text_messages(value.get("message"))
    if isinstance(value, list):
        return [m for item in value for m in text_messages(item)]
    return []


def fallback_message(payload: Any) -> str:
    """A short plain-text body as the message; HTML pages and long bodies stay in the excerpt."""
    if not isinstance(payload, str):
        return ""
    text = payload.strip()
    if not text or text.startswith("<") or len(text) > 300:
        return ""
    return text.splitlines()[0]
