"""Answers as read-only objects, the way civis-python hands them out.

Attribute and `[]` access look the snake_case key up first, then its
camelCase form (`post.user_id` reads `userId`); nested objects are wrapped
too, lazily, on access.

**A record's fields always win.** `r.status` and `r["status"]` are the record's
`status` whenever it has one; `[]` only ever reads fields. The answer's own
facts, `.status` (the HTTP status), `.headers`, `.calls_remaining` and
`.rate_limit` (`X-RateLimit-Remaining` / `X-RateLimit-Limit`), are attributes only
for the names the record lacks, and always `meta(r)` (`AnswerMeta`), which code
handling any API's records uses. The methods `json()` (a copy of the plain data),
`get()` and `keys()` stay the answer's, since `dict(r)` and `**r` call them: a field
named like one of them is read with `r["json"]`.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

_EMPTY: Mapping[str, str] = {}
_FACTS = frozenset({"status", "headers", "calls_remaining", "rate_limit"})


@dataclass(frozen=True)
class AnswerMeta:
    """What the HTTP answer said besides its body (nested objects: no status, no headers)."""

    status: int | None
    headers: Mapping[str, str]

    @property
    def calls_remaining(self) -> int | None:
        return _int(self.headers.get("X-RateLimit-Remaining"))

    @property
    def rate_limit(self) -> int | None:
        return _int(self.headers.get("X-RateLimit-Limit"))

    @property
    def total_count(self) -> int | None:
        """The list's `X-Total-Count`, when the API sends one."""
        return _int(self.headers.get("X-Total-Count"))


_NO_META = AnswerMeta(None, _EMPTY)


def snake_to_camel(name: str) -> str:
    first, *rest = name.split("_")
    return first + "".join(word[:1].upper() + word[1:] for word in rest)


def wrap(value: Any, headers: Mapping[str, str] = _EMPTY, status: int | None = None) -> Any:
    """Objects become `Response`, lists `ListResponse`; scalars stay as they are."""
    facts = AnswerMeta(status, headers) if headers or status is not None else _NO_META
    if isinstance(value, dict):
        return Response(value, facts)
    if isinstance(value, list):
        return ListResponse(value, facts)
    return value


def meta(answer: Response | ListResponse) -> AnswerMeta:
    """The answer's status, headers and rate-limit figures, whatever its fields are named."""
    return answer._Answer__meta


class _Answer:
    # Name-mangled (`_Answer__data`), so that no field name a record is likely to have
    # is hidden by the answer's own storage.
    __slots__ = ("__data", "__meta")

    def __init__(self, data: Any, facts: AnswerMeta) -> None:
        object.__setattr__(self, "_Answer__data", data)
        object.__setattr__(self, "_Answer__meta", facts)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{type(self).__name__} is read-only")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"{type(self).__name__} is read-only")

    def json(self) -> Any:
        """The plain data (a copy: changing it leaves this answer as it was)."""
        return copy.deepcopy(self.__data)

    def __len__(self) -> int:
        return len(self.__data)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, _Answer):
            return type(other) is type(self) and self.__data == other.__data
        return self.__data == other

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.__data!r})"


def _data(answer: _Answer) -> Any:
    return answer._Answer__data


class Response(_Answer):
    """One JSON object, read-only: its fields first, then the answer's facts (see the module)."""

    __slots__ = ()

    def __getattr__(self, name: str) -> Any:
        # Called only when `name` is not a method or a slot: a field, else a fact.
        try:
            return self[name]
        except KeyError:
            if name in _FACTS:
                return getattr(meta(self), name)
            raise AttributeError(name) from None

    def __getitem__(self, name: str) -> Any:
        data = _data(self)
        if name in data:
            return wrap(data[name])
        camel = snake_to_camel(name)
        if camel in data:
            return wrap(data[camel])
        raise KeyError(name)

    def __contains__(self, name: object) -> bool:
        data = _data(self)
        return isinstance(name, str) and (name in data or snake_to_camel(name) in data)

    def __iter__(self) -> Iterator[str]:
        return iter(_data(self))

    def keys(self) -> Any:
        return _data(self).keys()

    def get(self, name: str, default: Any = None) -> Any:
        try:
            return self[name]
        except KeyError:
            return default

    def __dir__(self) -> list[str]:
        fields = {k for k in _data(self) if k.isidentifier()}
        return sorted({"json", "get", "keys", *fields, *(_FACTS - set(map(_snake, fields)))})


class ListResponse(_Answer):
    """A JSON array, read-only; its items are wrapped on access."""

    __slots__ = ()

    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            return [wrap(item) for item in _data(self)[index]]
        return wrap(_data(self)[index])

    def __iter__(self) -> Iterator[Any]:
        return (wrap(item) for item in _data(self))

    # An array has no fields, so its facts are plain attributes.
    @property
    def status(self) -> int | None:
        return meta(self).status

    @property
    def headers(self) -> Mapping[str, str]:
        return meta(self).headers

    @property
    def calls_remaining(self) -> int | None:
        return meta(self).calls_remaining

    @property
    def rate_limit(self) -> int | None:
        return meta(self).rate_limit


def _snake(name: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name)


def _int(value: str | None) -> int | None:
    return int(value) if value is not None and value.strip().isdigit() else None
