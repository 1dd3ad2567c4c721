"""Answers as read-only objects, the way civis-python hands them out.

Attribute and `[]` access look the snake_case key up first, then its
camelCase form (`post.user_id` reads `userId`); nested objects are wrapped
too, lazily, on access. `.json()` gives the plain data back, `.headers` the
response headers, and `.calls_remaining` / `.rate_limit` the
`X-RateLimit-Remaining` / `X-RateLimit-Limit` figures when the API sends them.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from typing import Any

_EMPTY: Mapping[str, str] = {}


def snake_to_camel(name: str) -> str:
    first, *rest = name.split("_")
    return first + "".join(word[:1].upper() + word[1:] for word in rest)


def wrap(value: Any, headers: Mapping[str, str] = _EMPTY, status: int | None = None) -> Any:
    """Objects become `Response`, lists `ListResponse`; scalars stay as they are."""
    if isinstance(value, dict):
        return Response(value, headers, status)
    if isinstance(value, list):
        return ListResponse(value, headers, status)
    return value


class _Answer:
    __slots__ = ("_data", "headers", "status")

    def __init__(self, data: Any, headers: Mapping[str, str], status: int | None) -> None:
        object.__setattr__(self, "_data", data)
        object.__setattr__(self, "headers", headers)
        object.__setattr__(self, "status", status)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{type(self).__name__} is read-only")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"{type(self).__name__} is read-only")

    def json(self) -> Any:
        """The plain data (a copy: changing it leaves this answer as it was)."""
        return copy.deepcopy(self._data)

    @property
    def calls_remaining(self) -> int | None:
        return _int(self.headers.get("X-RateLimit-Remaining"))

    @property
    def rate_limit(self) -> int | None:
        return _int(self.headers.get("X-RateLimit-Limit"))


class Response(_Answer):
    """One JSON object, read-only."""

    __slots__ = ()

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None

    def __getitem__(self, name: str) -> Any:
        data = self._data
        if name in data:
            return wrap(data[name])
        camel = snake_to_camel(name)
        if camel in data:
            return wrap(data[camel])
        raise KeyError(name)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and (name in self._data or snake_to_camel(name) in self._data)

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Response):
            return self._data == other._data
        return self._data == other

    __hash__ = None  # type: ignore[assignment]

    def keys(self) -> Any:
        return self._data.keys()

    def get(self, name: str, default: Any = None) -> Any:
        try:
            return self[name]
        except KeyError:
            return default

    def __dir__(self) -> list[str]:
        return sorted({*super().__dir__(), *(k for k in self._data if k.isidentifier())})

    def __repr__(self) -> str:
        return f"Response({self._data!r})"


class ListResponse(_Answer):
    """A JSON array, read-only; its items are wrapped on access."""

    __slots__ = ()

    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            return [wrap(item) for item in self._data[index]]
        return wrap(self._data[index])

    def __iter__(self) -> Iterator[Any]:
        return (wrap(item) for item in self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, ListResponse):
            return self._data == other._data
        return self._data == other

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"ListResponse({self._data!r})"


def _int(value: str | None) -> int | None:
    return int(value) if value is not None and value.strip().isdigit() else None
