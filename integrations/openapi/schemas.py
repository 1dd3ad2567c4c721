"""Reading schemas the way OpenAPI 3.0, 3.1 and Swagger 2.0 write them.

- `allOf` is merged (properties, required, type), recursively, each pointer once;
- a type is a string, a 3.1 list such as `["string", "null"]`, or absent
  (then read from `properties`, `items`, `enum`, `oneOf`/`anyOf` members);
- `nullable: true` (3.0), `x-nullable` (2.0) and `"null"` in a type list (3.1) all
  mean the value may be null.
"""

from __future__ import annotations

import functools
import operator
from typing import Any

from integrations.openapi.refs import Resolver, UnresolvableRef, child

_PYTHON_TYPES: dict[str, Any] = {
    "string": str,
    "integer": int,
    "number": float,
    "boolean": bool,
    "array": list,
    "object": dict,
}


def merged(
    resolver: Resolver, schema: Any, pointer: str, seen: frozenset[str] = frozenset()
) -> dict:
    """The schema with its `$ref` followed and its `allOf` parts merged into one object."""
    schema, pointer = resolver.deref(schema, pointer)
    if not isinstance(schema, dict):
        return {}
    if not isinstance(schema.get("allOf"), list):
        return schema
    out = {key: value for key, value in schema.items() if key != "allOf"}
    properties = dict(out.get("properties") or {})
    required = list(out.get("required") or [])
    for index, part in enumerate(schema["allOf"]):
        if pointer in seen:
            break  # an allOf cycle: what was merged so far is all there is
        try:
            part = merged(resolver, part, child(pointer, "allOf", index), seen | {pointer})
        except UnresolvableRef:
            continue
        properties.update(part.get("properties") or {})
        required.extend(part.get("required") or [])
        for key, value in part.items():
            if key not in ("properties", "required"):
                out.setdefault(key, value)
    if properties:
        out["properties"] = properties
        out.setdefault("type", "object")
    if required:
        out["required"] = list(dict.fromkeys(required))
    return out


def types_of(resolver: Resolver, schema: dict, pointer: str) -> tuple[tuple[str, ...], bool]:
    """(the JSON types a value may have, without null; whether null is allowed)."""
    declared = schema.get("type")
    nullable = schema.get("nullable") is True or schema.get("x-nullable") is True
    if isinstance(declared, list):
        nullable = nullable or "null" in declared
        types = tuple(t for t in declared if isinstance(t, str) and t != "null")
    elif isinstance(declared, str):
        types = () if declared == "null" else (declared,)
        nullable = nullable or declared == "null"
    elif "properties" in schema or "additionalProperties" in schema:
        types = ("object",)
    elif "items" in schema:
        types = ("array",)
    elif isinstance(schema.get("enum"), list):
        types = tuple(dict.fromkeys(_json_type(v) for v in schema["enum"] if v is not None))
        nullable = nullable or None in schema["enum"]
    else:
        types, nullable = _member_types(resolver, schema, pointer, nullable)
    return types, nullable


def type_label(resolver: Resolver, schema: Any, pointer: str) -> str:
    """A short human label: `integer`, `string | null`, `array[string]`, `any`."""
    try:
        schema = merged(resolver, schema, pointer)
        types, nullable = types_of(resolver, schema, pointer)
    except UnresolvableRef:
        return "any"
    labels = []
    for kind in types or ("any",):
        if kind == "array" and isinstance(schema.get("items"), dict):
            try:
                items = merged(resolver, schema["items"], child(pointer, "items"))
                item_types = types_of(resolver, items, pointer)[0]
            except UnresolvableRef:
                item_types = ()
            labels.append(f"array[{' | '.join(item_types) or 'any'}]")
        else:
            labels.append(kind)
    if nullable:
        labels.append("null")
    return " | ".join(labels)


def python_annotation(label: str, *, optional: bool = False) -> Any:
    """The Python type of a `type_label`: `int`, `str | None`, `list`, `Any`."""
    types: list[Any] = []
    for part in label.split(" | "):
        kind = type(None) if part == "null" else _PYTHON_TYPES.get(part.split("[")[0], Any)
        if kind not in types:
            types.append(kind)
    if optional and type(None) not in types:
        types.append(type(None))
    return functools.reduce(operator.or_, types)


def _member_types(
    resolver: Resolver, schema: dict, pointer: str, nullable: bool
) -> tuple[tuple[str, ...], bool]:
    types: list[str] = []
    for keyword in ("oneOf", "anyOf"):
        for index, member in enumerate(schema.get(keyword) or []):
            try:
                member = merged(resolver, member, child(pointer, keyword, index))
            except UnresolvableRef:
                continue
            if "oneOf" in member or "anyOf" in member:
                continue  # nested unions: labelled "any" rather than walked without end
            member_types, member_null = types_of(resolver, member, pointer)
            types.extend(member_types)
            nullable = nullable or member_null
    return tuple(dict.fromkeys(types)), nullable


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    return "string"
