"""Asana, `https://app.asana.com/api/1.0` (../shared/providers/project-tool.md §2).

Bearer personal access token. Lists page with `limit` and the opaque
`next_page.offset`. 429 carries Retry-After; no X-RateLimit-* headers are
documented, and the limit is 150/min per token on free domains (1,500 paid),
so the client starts from the lower figure.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from integrations.http.ratelimit import RateLimit
from integrations.providers.base import Provider, fallback_message, text_messages

if TYPE_CHECKING:
    from integrations.http.client import ApiClient

# Asana names the field as a prefix: "project: Missing input".
_FIELD_PREFIX = re.compile(r"^(?P<field>[A-Za-z_][\w.]*): (?P<text>.+)$", re.S)


class Asana(Provider):
    name = "asana"
    display_name = "Asana"
    default_base_url = "https://app.asana.com/api/1.0"
    auth_scheme = "bearer"
    pagination_style = "next_offset"
    rate_limit = RateLimit(150, 60.0)
    required = ("base_url", "api_token")  # the workspace can be picked from GET /workspaces
    settings_names = {
        "base_url": "ASANA_API_URL",
        "api_token": "ASANA_TOKEN",
        "workspace_id": "ASANA_WORKSPACE_GID",
    }
    sandbox_path = "/asana"
    sandbox_credentials = {"api_token": "sandbox-asana"}

    def parse_error(self, payload: Any) -> tuple[str, dict[str, list[str]]]:
        """`{"errors": [{"message": "field: text", "help", "phrase"}]}`."""
        errors = payload.get("errors") if isinstance(payload, dict) else None
        messages = text_messages(errors)
        if not messages:
            return fallback_message(payload), {}
        field_errors: dict[str, list[str]] = {}
        for message in messages:
            if match := _FIELD_PREFIX.match(message):
                field_errors.setdefault(match["field"], []).append(match["text"])
        return "; ".join(messages), field_errors

    def check_connection(self, client: ApiClient) -> None:
        client.get("/users/me")


PROVIDER = Asana()

# --- Endpoints ---------------------------------------------------------------
# Projects and workspaces (list, get, create) go below, as functions taking an
# ApiClient and returning records.
