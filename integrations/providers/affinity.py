"""Affinity CRM, `https://api.affinity.co` (../shared/providers/affinity.md).

v1: HTTP Basic with an empty username and the API key as the password;
lists page with `page_token`. v2 (read-only companies/persons) pages with
`pagination.nextUrl`. Every response carries per-user (900/min) and monthly
per-account limit headers (§6); a spent monthly limit blocks the connection
until its reset instead of being retried.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from integrations.http.ratelimit import RateLimit, RateLimitWindow
from integrations.providers.base import Provider, fallback_message, text_messages

if TYPE_CHECKING:
    from integrations.http.client import ApiClient


class Affinity(Provider):
    name = "affinity"
    display_name = "Affinity"
    default_base_url = "https://api.affinity.co"
    auth_scheme = "basic_key"
    pagination_style = "page_token"
    rate_limit = RateLimit(900, 60.0)
    rate_limit_windows = (
        RateLimitWindow(
            "X-Ratelimit-Limit-User",
            "X-Ratelimit-Limit-User-Remaining",
            "X-Ratelimit-Limit-User-Reset",
        ),
        RateLimitWindow(
            "X-Ratelimit-Limit-Org",
            "X-Ratelimit-Limit-Org-Remaining",
            "X-Ratelimit-Limit-Org-Reset",
            kind="quota",
        ),
    )
    required = ("base_url", "api_token")
    settings_names = {"base_url": "AFFINITY_API_URL", "api_token": "AFFINITY_API_KEY"}
    sandbox_path = "/affinity"
    sandbox_credentials = {"api_token": "sandbox-affinity"}

    def parse_error(self, payload: Any) -> tuple[str, dict[str, list[str]]]:
        """The v1 error body is undocumented (§5): accept every shape seen in clients.

        `{"errors": [{"message", "param"}]}` (also v2), `{"errors": ["..."]}`,
        `{"message": ...}`, `{"detail": ...}`, `{"error": "..." | {"message"}}`,
        a top-level list, or an empty body.
        """
        if isinstance(payload, list):
            return "; ".join(text_messages(payload)), {}
        if not isinstance(payload, dict):
            return fallback_message(payload), {}
        errors = payload.get("errors")
        field_errors: dict[str, list[str]] = {}
        for item in errors if isinstance(errors, list) else []:
            param = item.get("param") if isinstance(item, dict) else None
            if isinstance(param, str) and param and text_messages(item):
                field_errors.setdefault(param, []).extend(text_messages(item))
        for key in ("errors", "message", "detail", "error"):
            if messages := text_messages(payload.get(key)):
                return "; ".join(messages), field_errors
        return "", field_errors

    def check_connection(self, client: ApiClient) -> None:
        client.get("/auth/whoami")


PROVIDER = Affinity()

# --- Endpoints ---------------------------------------------------------------
# Organizations and persons (list, get, create) go below, as functions taking
# an ApiClient and returning records.
