"""Request logging (one line per request, never a secret), the page a write comes from
(the audit trail), and response headers."""

import logging
import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve
from django.utils.cache import add_never_cache_headers

from core.log_masking import masked
from core.request_limits import body_refusal
from integrations.audit import current_page

logger = logging.getLogger("hub.requests")


class RequestLogMiddleware:
    """Logs method, path, status and duration for every request.

    Only the path is logged, never the query string or any header, so tokens
    that a client puts in a URL or a cookie cannot reach the log; a path segment
    that is a secret itself (a webhook receiver's token) is masked.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        duration_ms = (time.perf_counter() - started) * 1000
        logger.info(
            "%s %s %s %.1fms",
            request.method,
            logged_path(request),
            response.status_code,
            duration_ms,
        )
        return response


def logged_path(request: HttpRequest) -> str:
    """The request's path with a webhook receiver's token masked."""
    return masked(request.path)


class HealthzMiddleware:
    """Answers /healthz before CommonMiddleware reads the Host header.

    A load balancer asks each backend by its own address (`Host: 10.0.0.5:8000`), which
    ALLOWED_HOSTS (the public name) does not list: past this point that is a 400.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from core.views import healthz  # not at the top: apps.py imports this module early

        if request.path_info == "/healthz":
            return healthz(request)
        return self.get_response(request)


class WebhookReceiverMiddleware:
    """Answers the webhook receivers (`/webhooks/<provider>/<token>/`) before the
    middleware a signed-in page needs (sessions, CSRF, users, messages, CSP, ...).

    A receiver is public, CSRF-exempt and answers JSON to a provider, never to a
    browser; that middleware cost a stored delivery 0.15-0.25 ms of its 0.65-0.75. Listed
    after the request log and the security headers; it checks the Host header as
    CommonMiddleware would and the body cap as RequestBodyLimitMiddleware does. Any
    other path, one that resolves to no receiver included, goes down the whole chain.
    """

    PREFIX = "/webhooks/"
    VIEW_NAME = "integrations:webhook_receive"

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path_info.startswith(self.PREFIX):
            return self.get_response(request)
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return self.get_response(request)
        if match.view_name != self.VIEW_NAME:
            return self.get_response(request)
        request.get_host()  # ALLOWED_HOSTS: DisallowedHost is a 400
        request.resolver_match = match
        refusal = body_refusal(request, match.func)
        return refusal or match.func(request, *match.args, **match.kwargs)


class AuditPageMiddleware:
    """Tells the audit trail which page a write comes from: the view's URL name
    ("ats:candidate_edit"), else its path, for the length of the request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = current_page.set(request.path)
        try:
            return self.get_response(request)
        finally:
            current_page.reset(token)

    def process_view(self, request: HttpRequest, view: Callable, args: tuple, kwargs: dict) -> None:
        if match := request.resolver_match:
            current_page.set(match.view_name or request.path)


class PermissionsPolicyMiddleware:
    """Sends settings.PERMISSIONS_POLICY: the browser features no page may use."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.policy = settings.PERMISSIONS_POLICY

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", self.policy)
        return response


class NoStoreForSignedInMiddleware:
    """Nothing answered to a signed-in user is kept by a browser or proxy cache.

    Those answers show people's data (candidates, contacts, CSV exports); the
    back button after logging out must not bring them back. Static files never
    get here: whitenoise answers them first, with far-future caching.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.user.is_authenticated:
            add_never_cache_headers(response)
        return response
