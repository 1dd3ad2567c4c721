"""The generic project tool (../shared/providers/README.md, "The generic project tool").

Configurable base URL; a static Bearer token or OAuth 2.0 client credentials
from `POST {base}/oauth/token`. Lists page with `page`/`limit` and
`meta.totalPages`. Every response carries `X-RateLimit-Limit/-Remaining/-Reset`
(Reset is a Unix time); no limit is documented, so the headers set it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from integrations.http.auth import Auth, BearerAuth, OAuthClientCredentials
from integrations.http.ratelimit import RateLimitWindow
from integrations.providers.base import (
    ConnectionConfig,
    Provider,
    fallback_message,
    text_messages,
)

if TYPE_CHECKING:
    from integrations.http.client import ApiClient


class ProjectTool(Provider):
    name = "projecttool"
    display_name = "Project tool"
    default_base_url = ""  # no default service: PROJECTS_API_URL names it
    auth_scheme = "bearer_or_oauth"
    pagination_style = "page_number"
    rate_limit_windows = (
        RateLimitWindow(
            "X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset", reset_is_epoch=True
        ),
    )
    settings_names = {
        "base_url": "PROJECTS_API_URL",
        "api_token": "PROJECTS_API_TOKEN",
        "oauth_client_id": "PROJECTS_OAUTH_CLIENT_ID",
        "oauth_client_secret": "PROJECTS_OAUTH_CLIENT_SECRET",
    }
    sandbox_path = "/projects-api"
    sandbox_credentials = {
        "oauth_client_id": "sandbox-client",
        "oauth_client_secret": "sandbox-secret",
    }

    def missing(self, config: ConnectionConfig) -> list[str]:
        """A base URL, and either a token or an OAuth client id and secret."""
        missing = [] if config.base_url else [self.describe("base_url")]
        has_oauth = config.oauth_client_id and config.oauth_client_secret
        if not (config.api_token or has_oauth):
            oauth = f"{self.describe('oauth_client_id')} and {self.describe('oauth_client_secret')}"
            missing.append(f"{self.describe('api_token')}, or {oauth}")
        return missing

    def build_auth(self, config: ConnectionConfig) -> Auth:
        if config.api_token:
            return BearerAuth(config.api_token)
        return OAuthClientCredentials(
            token_url=f"{self.build_base_url(config)}/oauth/token",
            client_id=config.oauth_client_id,
            client_secret=config.oauth_client_secret,
            provider_name=self.display_name,
        )

    def parse_error(self, payload: Any) -> tuple[str, dict[str, list[str]]]:
        """`{"error": {"code", "message", "details": {"field", "value"}}}`."""
        error = payload.get("error") if isinstance(payload, dict) else None
        if not isinstance(error, dict):
            return "; ".join(text_messages(error)) or fallback_message(payload), {}
        message = "; ".join(text_messages(error.get("message")))
        details = error.get("details")
        field = details.get("field") if isinstance(details, dict) else None
        if isinstance(field, str) and field:
            return message, {field: [message or "is invalid"]}
        return message, {}

    def check_connection(self, client: ApiClient) -> None:
        client.get("/users/me")


PROVIDER = ProjectTool()

# --- Endpoints ---------------------------------------------------------------
# Projects, users and workspaces (list, get, create, bulk create) go below, as
# functions taking an ApiClient and returning records.
