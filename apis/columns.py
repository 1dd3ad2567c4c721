"""A list operation's item schema → the list's columns, and one record → what its page shows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from apis.schema_forms import SCALARS, label_for, schema_at
from integrations.openapi.model import ResponseShape
from integrations.openapi.refs import Resolver, UnresolvableRef, child
from integrations.openapi.schemas import merged, types_of

DEFAULT_COLUMNS = 5  # the id and the first four other scalar fields
ID_NAMES = ("id", "gid", "uuid", "key", "slug")


@dataclass(frozen=True)
class Column:
    field: str  # the item's property (wire name)
    label: str


def item_schema(resolver: Resolver, response: ResponseShape | None) -> dict:
    """The schema of one item of a list answer (an array, or an envelope's array)."""
    if response is None or not response.schema_pointer:
        return {}
    pointer = response.schema_pointer
    schema = schema_at(resolver, pointer)
    try:
        if response.items_key:
            pointer = child(pointer, "properties", response.items_key)
            schema = merged(resolver, (schema.get("properties") or {})[response.items_key], pointer)
        if response.is_list:
            return merged(resolver, schema.get("items") or {}, child(pointer, "items"))
    except (UnresolvableRef, KeyError):
        return {}
    return schema


def scalar_fields(resolver: Resolver, schema: dict) -> list[str]:
    """The item's properties whose values are one scalar (a table cell can hold them)."""
    names = []
    for name, raw in (schema.get("properties") or {}).items():
        try:
            prop = merged(resolver, raw, "#")
            types = types_of(resolver, prop, "#")[0]
        except UnresolvableRef:
            continue
        if len(types) == 1 and types[0] in SCALARS:
            names.append(name)
    return names


def id_field(resolver: Resolver, schema: dict) -> str:
    """The property that identifies an item: `id` (or `gid`, `uuid`…), else ""."""
    names = list(schema.get("properties") or {})
    return next((name for name in ID_NAMES if name in names), "")


def default_columns(resolver: Resolver, schema: dict, *, limit: int = DEFAULT_COLUMNS) -> list[str]:
    """The id and then the first scalar fields, in the document's order."""
    ident = id_field(resolver, schema)
    others = [name for name in scalar_fields(resolver, schema) if name != ident]
    return ([ident] if ident else []) + others[: limit - (1 if ident else 0)]


def columns(resolver: Resolver, schema: dict, chosen: list[str] | None) -> list[Column]:
    """The administrator's chosen columns (those the item has), else the default ones."""
    known = list(schema.get("properties") or {})
    names = [name for name in chosen or [] if name in known] or default_columns(resolver, schema)
    return [Column(name, label_for(name)) for name in names]


def cell(value: Any) -> str:
    """A value as a table cell or a detail line shows it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list):
        return ", ".join(cell(item) for item in value)
    if isinstance(value, dict):
        return ", ".join(f"{label_for(str(k))}: {cell(v)}" for k, v in value.items())
    return str(value)


def detail_rows(record: Any, prefix: str = "") -> list[tuple[str, str]]:
    """(label, text) for every field of a record, nested objects flattened ("Address > City")."""
    rows: list[tuple[str, str]] = []
    if not isinstance(record, dict):
        return [("Value", cell(record))]
    for key, value in record.items():
        label = f"{prefix}{label_for(str(key))}"
        if isinstance(value, dict) and value:
            rows.extend(detail_rows(value, f"{label} > "))
        else:
            rows.append((label, cell(value)))
    return rows
