"""Request logging: one line per request, never a secret."""

import logging
import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

logger = logging.getLogger("hub.requests")


class RequestLogMiddleware:
    """Logs method, path, status and duration for every request.

    Only the path is logged, never the query string or any header, so tokens
    that a client puts in a URL or a cookie cannot reach the log.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        duration_ms = (time.perf_counter() - started) * 1000
        logger.info(
            "%s %s %s %.1fms", request.method, request.path, response.status_code, duration_ms
        )
        return response
