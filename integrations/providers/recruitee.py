"""Recruitee ATS, `https://api.recruitee.com/c/{company_id}/` (../shared/providers/recruitee.md).

Bearer personal API token. Lists page with limit/offset and carry no totals.
No rate limit or rate-limit header is documented (§5), so the client starts
unlimited and relies on 429 handling.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from integrations.providers.base import ConnectionConfig, Provider, fallback_message, text_messages

if TYPE_CHECKING:
    from integrations.http.client import ApiClient


class Recruitee(Provider):
    name = "recruitee"
    display_name = "Recruitee"
    default_base_url = "https://api.recruitee.com"
    auth_scheme = "bearer"
    pagination_style = "offset"
    required = ("base_url", "company_id", "api_token")
    settings_names = {
        "base_url": "RECRUITEE_API_URL",
        "company_id": "RECRUITEE_COMPANY_ID",
        "api_token": "RECRUITEE_API_TOKEN",
    }
    sandbox_path = "/recruitee"
    sandbox_credentials = {"company_id": "1", "api_token": "sandbox-recruitee"}

    def build_base_url(self, config: ConnectionConfig) -> str:
        """Every ATS path sits under `/c/{company_id}` (an id or the company subdomain)."""
        return f"{config.base_url.rstrip('/')}/c/{quote(config.company_id, safe='')}"

    def parse_error(self, payload: Any) -> tuple[str, dict[str, list[str]]]:
        """`{"error": str | [str], "error_fields": {field: [msg]}}` (recruitee.md §4)."""
        if not isinstance(payload, dict):
            return fallback_message(payload), {}
        fields_raw = payload.get("error_fields")
        field_errors = {
            str(name): text_messages(messages)
            for name, messages in (fields_raw.items() if isinstance(fields_raw, dict) else [])
            if text_messages(messages)
        }
        message = "; ".join(text_messages(payload.get("error")))
        if not message and field_errors:
            message = "; ".join(f"{k} {m}" for k, ms in field_errors.items() for m in ms)
        return message, field_errors

    def check_connection(self, client: ApiClient) -> None:
        client.get("/offers", params={"limit": 1})


PROVIDER = Recruitee()

# --- Endpoints ---------------------------------------------------------------
# Candidates and offers (list, get, create) go below, as functions taking an
# ApiClient and returning records.
