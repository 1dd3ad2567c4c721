"""The request and response the fake APIs see: plain data, no sockets."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from email.message import Message
from typing import Any
from urllib.parse import parse_qs

JSON_TYPE = "application/json; charset=utf-8"


class PayloadError(ValueError):
    """The request body is not the JSON or form data the endpoint expects."""


@dataclass
class Request:
    method: str
    path: str  # inside the provider's prefix, e.g. "/c/1/candidates"
    query: dict[str, list[str]]
    headers: Message
    body: bytes = b""
    base_url: str = ""  # scheme, host and provider prefix, e.g. "http://127.0.0.1:8001/asana"
    params: dict[str, str] = field(default_factory=dict)  # path parameters from the router
    idempotency_key: str | None = None  # the key this request holds while it is processed

    def arg(self, name: str, default: str | None = None) -> str | None:
        """The last value of a query parameter (what most frameworks do with repeats)."""
        values = self.query.get(name)
        return values[-1] if values else default

    def payload(self) -> Any:
        """The body as JSON, or as a form (repeated and `name[]` keys become lists)."""
        if not self.body:
            return {}
        content_type = self.headers.get("Content-Type", "")
        if "application/x-www-form-urlencoded" in content_type:
            return _form_dict(self.body.decode("utf-8", "replace"))
        try:
            return json.loads(self.body)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise PayloadError(f"Body is not valid JSON: {exc}") from exc


@dataclass
class Response:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


def json_response(status: int, data: Any, headers: dict[str, str] | None = None) -> Response:
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
    return Response(status, body, {"Content-Type": JSON_TYPE, **(headers or {})})


def _form_dict(text: str) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, values in parse_qs(text, keep_blank_values=True).items():
        if key.endswith("[]"):
            result[key[:-2]] = values
        else:
            result[key] = values if len(values) > 1 else values[0]
    return result
