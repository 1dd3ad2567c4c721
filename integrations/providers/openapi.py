"""APIs connected from their OpenAPI document (integrations/openapi/).

One provider for all of them: what differs (paths, auth scheme, pagination)
comes from the document, not from this class. Each client gets its own
instance named after the document's title, so errors read like
`JSONPlaceholder API 404 (GET /posts/999): …`. Error bodies are not
standardised; the common shapes are read (`message`, `error`, `detail`,
`title`, `errors` as a list or a field → messages object, `error.details.field`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from integrations.providers.base import Provider, fallback_message, text_messages

if TYPE_CHECKING:
    from integrations.http.client import ApiClient

_MESSAGE_KEYS = ("message", "error_description", "error", "detail", "title")


class OpenApi(Provider):
    name = "openapi"
    display_name = "OpenAPI"
    default_base_url = ""  # the connection's, else the document's first server
    required = ()  # which credentials depend on the document's security schemes
    environment_default = False  # connected in the admin from a document, never from settings

    @classmethod
    def named(cls, title: str) -> OpenApi:
        provider = cls()
        provider.display_name = title or cls.display_name  # type: ignore[misc]
        return provider

    def parse_error(self, payload: Any) -> tuple[str, dict[str, list[str]]]:
        if not isinstance(payload, dict):
            return fallback_message(payload), {}
        message = ""
        for key in _MESSAGE_KEYS:
            if messages := text_messages(payload.get(key)):
                message = messages[0]
                break
        field_errors: dict[str, list[str]] = {}
        errors = payload.get("errors")
        if isinstance(errors, dict):
            field_errors = {str(k): text_messages(v) or [str(v)] for k, v in errors.items()}
        elif isinstance(errors, list):
            for item in errors:
                if isinstance(item, dict) and (name := item.get("field") or item.get("path")):
                    field_errors.setdefault(str(name), []).extend(text_messages(item))
            message = message or next(iter(text_messages(errors)), "")
        error = payload.get("error")
        details = error.get("details") if isinstance(error, dict) else None
        # `{"error": {"message", "details": {"field"}}}`: the generic project tool's shape
        if isinstance(details, dict) and (name := details.get("field")) and message:
            field_errors.setdefault(str(name), []).append(message)
        return message, field_errors

    def check_connection(self, client: ApiClient) -> None:
        """Never called: no endpoint is common to every API, so `connection_test()` runs
        `integrations.openapi.service.openapi_connection_check()`, which picks one from
        the document."""
        raise NotImplementedError("an OpenAPI connection is checked from its document")


PROVIDER = OpenApi()
