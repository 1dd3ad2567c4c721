"""Request bodies have a size cap, checked before anything reads them.

`RequestBodyLimitMiddleware` compares the announced Content-Length with the cap
of the view and answers 413, with a page saying the limit, before the CSRF check
or the view reads a byte; the WSGI server hands Django no more than that length,
so a body cannot grow past it. The cap is:

- the view's own, set with `@body_limit(bytes)` (the projects import, later the
  webhook receivers), for a signed-in user or a view open to everyone;
- REQUEST_MAX_BODY_ANONYMOUS_BYTES for anyone else who is not signed in (the
  login pages, and pages that will only redirect to them): the tightest;
- REQUEST_MAX_BODY_BYTES for everything else.

Django's own limits (DATA_UPLOAD_MAX_NUMBER_FIELDS, DATA_UPLOAD_MAX_NUMBER_FILES)
are answered with the same 413 page by `bad_request` (the project's handler400).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views import defaults

# A refused body is read and dropped up to this size before the answer goes out, so
# the client sees the 413 page instead of a reset connection; past it (the proxy
# should have refused it already) the connection is simply closed.
DISCARD_AT_MOST = 8 * 1024 * 1024

View = Callable[..., HttpResponse]


def body_limit(max_bytes: int) -> Callable[[View], View]:
    """Give a view its own body cap (for a signed-in user, or if it is public)."""

    def mark(view: View) -> View:
        view.max_body_bytes = max_bytes  # type: ignore[attr-defined]
        return view

    return mark


class RequestBodyLimitMiddleware:
    """Answers 413 to a body over the view's cap; listed before CsrfViewMiddleware."""

    def __init__(self, get_response: View) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: View, args: Any, kwargs: Any
    ) -> HttpResponse | None:
        return body_refusal(request, view)


def body_refusal(request: HttpRequest, view: View) -> HttpResponse | None:
    """The 413 (or 400 for an unreadable Content-Length) answered instead of `view`;
    None when the body may be read."""
    size = _announced_length(request)
    if size is None:  # Django would fail reading the body with a 500
        return defaults.bad_request(request, ValueError("Content-Length is not a number"))
    if not size:
        return None
    cap = body_cap(request, view)
    if size <= cap:
        return None
    _discard(request, size)
    return too_large(request, cap=cap, size=size)


def body_cap(request: HttpRequest, view: View) -> int:
    """The most bytes `view` takes in this request's body (see the module's docstring)."""
    own = getattr(view, "max_body_bytes", None)
    public = getattr(view, "login_required", True) is False
    if own and public:  # the same for everyone: no need to load the session
        return own
    if request.user.is_authenticated:
        return own or settings.REQUEST_MAX_BODY_BYTES
    return settings.REQUEST_MAX_BODY_ANONYMOUS_BYTES


def too_large(
    request: HttpRequest, *, cap: int | None = None, size: int | None = None
) -> HttpResponse:
    """The 413 page: what the limit is, and that nothing was saved."""
    context = {"cap": cap, "size": size, "back": request.path}
    return render(request, "413.html", context, status=413)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler400: too many fields or files is a body too large, not a bad request."""
    if isinstance(exception, RequestDataTooBig | TooManyFieldsSent | TooManyFilesSent):
        return too_large(request)
    return defaults.bad_request(request, exception)


def _announced_length(request: HttpRequest) -> int | None:
    try:
        return max(0, int(request.META.get("CONTENT_LENGTH") or 0))
    except ValueError:
        return None


def _discard(request: HttpRequest, size: int) -> None:
    if size > DISCARD_AT_MOST:
        return
    while request.read(64 * 1024):
        pass
