"""Names as civis-python gives them, without its bugs (facts sheet §A).

- Resource: the first path segment, lower case, `-` → `_`; `_` added to one named
  like the client's own attributes (`RESERVED_RESOURCES`).
- Method: the verb, then the static segments after the first (snake_case:
  `addFollowers` → `add_followers`), joined with `_`;
  `{param}` segments are skipped, and two in a row add the earlier one's name.
  A GET is `list` when it answers a list, `get` when it answers one object,
  and, when the document does not say, `list` if its last segment is static.
- Arguments: `camel_to_snake` of the document's names; the wire name is kept
  apart (civis formatted `{petId}` with `pet_id` and failed with KeyError).
- Collisions: civis let the last operation win silently. Here the operation
  with the fewest path parameters (then path, then verb) keeps the name and
  the others are renamed, each with a warning: to the snake case of its
  operationId when that is free, else the name plus its path parameters,
  else a number.
"""

from __future__ import annotations

import keyword
import re

_CAMEL_1 = re.compile(r"(.)([A-Z][a-z]+)")
_CAMEL_2 = re.compile(r"([a-z0-9])([A-Z])")
_NOT_IDENT = re.compile(r"[^0-9a-zA-Z_]+")
# Names a generated argument may not take: `self`, and the method's own `iterator` and
# `body` (a body that is not an object is one argument of that name).
RESERVED_ARGUMENTS = frozenset({"self", "iterator", "body"})
# Names a resource may not take: the client's own attributes (`OpenApiClient`), which a
# resource of that name would hide (`/follow`) or fail to replace (`/base_url`).
RESERVED_RESOURCES = frozenset({"base_url", "follow", "list_pages", "query_secrets"})


def camel_to_snake(name: str) -> str:
    """`userId` → `user_id`, `HTTPResponseCode` → `http_response_code`, `X-Rate` → `x_rate`."""
    snake = _CAMEL_2.sub(r"\1_\2", _CAMEL_1.sub(r"\1_\2", name))
    return identifier(snake.lower())


def identifier(text: str) -> str:
    """A valid, non-keyword Python identifier made from `text`."""
    name = _NOT_IDENT.sub("_", text).strip("_") or "value"
    name = re.sub(r"_+", "_", name)
    if name[0].isdigit():
        name = f"n{name}"
    if keyword.iskeyword(name) or name in RESERVED_ARGUMENTS:
        name += "_"
    return name


def segments(path: str) -> list[str]:
    return [part for part in path.split("/") if part]


def is_placeholder(segment: str) -> bool:
    return segment.startswith("{") and segment.endswith("}")


def resource_name(path: str) -> str:
    parts = segments(path)
    if not parts:
        return "root"
    first = parts[0].strip("{}") if is_placeholder(parts[0]) else parts[0]
    name = identifier(first.lower().replace("-", "_"))
    return f"{name}_" if name in RESERVED_RESOURCES else name


def method_name(http_method: str, path: str, *, answers_list: bool | None) -> str:
    verb = http_method.lower()
    parts = segments(path)[1:]
    if verb == "get":
        if answers_list is None:
            answers_list = not parts or not is_placeholder(parts[-1])
        verb = "list" if answers_list else "get"
    words, previous_param = [], ""
    for part in parts:
        if is_placeholder(part):
            if previous_param:
                words.append(camel_to_snake(previous_param))
            previous_param = part[1:-1]
        else:
            words.append(camel_to_snake(part))
            previous_param = ""
    return identifier("_".join([verb, *words]).lower())


def unique_names(wanted: list[tuple[str, int, str, str, str]]) -> tuple[list[str], list[str]]:
    """Resolve method-name collisions within one resource.

    `wanted` holds (name, path-parameter count, path, verb, operationId) per
    operation; returns the final names in the same order and the warnings.
    """
    order = sorted(range(len(wanted)), key=lambda i: wanted[i][1:4])
    taken: set[str] = set()
    final = [""] * len(wanted)
    warnings = []
    for index in order:
        name, _, path, verb, operation_id = wanted[index]
        if name not in taken:
            final[index] = name
        else:
            final[index] = _rename(name, path, operation_id, taken)
            warnings.append(
                f"{verb.upper()} {path}: the method name {name!r} is taken; "
                f"named {final[index]!r} instead"
            )
        taken.add(final[index])
    return final, warnings


def _rename(name: str, path: str, operation_id: str, taken: set[str]) -> str:
    candidates = []
    if operation_id:
        candidates.append(camel_to_snake(operation_id))
    params = [camel_to_snake(part[1:-1]) for part in segments(path) if is_placeholder(part)]
    if params:
        candidates.append("_".join([name, "by", *params]))
    for candidate in candidates:
        if candidate not in taken:
            return candidate
    number = 2
    while f"{name}_{number}" in taken:
        number += 1
    return f"{name}_{number}"
