"""A tiny path router: `/c/{company_id}/candidates/{id}` patterns per HTTP method."""

from __future__ import annotations

import re
from collections.abc import Callable

from integrations.sandbox.wire import Request, Response

Handler = Callable[[Request], Response]


class Router:
    def __init__(self) -> None:
        self._routes: list[tuple[str, re.Pattern[str], Handler]] = []

    def add(self, method: str, pattern: str, handler: Handler) -> None:
        regex = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", pattern)
        self._routes.append((method, re.compile(f"^{regex}/?$"), handler))

    def match(self, method: str, path: str) -> tuple[Handler, dict[str, str]] | None:
        for route_method, regex, handler in self._routes:
            found = regex.match(path)
            if found and route_method == method:
                return handler, found.groupdict()
        return None
