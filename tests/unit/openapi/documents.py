"""Small documents written for one rule each."""

from __future__ import annotations

from typing import Any


def document(paths: dict[str, Any], *, version: str = "3.0.3", **extra: Any) -> dict[str, Any]:
    return {
        "openapi": version,
        "info": {"title": "Test API", "version": "1"},
        "servers": [{"url": "https://api.example.test/v1"}],
        "paths": paths,
        **extra,
    }


def json_body(schema: dict[str, Any], required: bool = True) -> dict[str, Any]:
    return {"required": required, "content": {"application/json": {"schema": schema}}}


def ok(schema: dict[str, Any] | None = None) -> dict[str, Any]:
    if schema is None:
        return {"200": {"description": "ok"}}
    return {"200": {"description": "ok", "content": {"application/json": {"schema": schema}}}}


OBJECT = {"type": "object", "properties": {"id": {"type": "integer"}}}
ARRAY = {"type": "array", "items": OBJECT}
