"""The receiver URL (public, CSRF-exempt, POST only, body capped) and the stamp endpoint."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import BadRequest, PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.dateparse import parse_datetime
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from core.request_limits import body_limit
from core.resources import connections_shown
from integrations.sync.registry import resource_for
from integrations.tasks import enqueue_webhook_apply
from integrations.webhooks.receive import webhook_receive
from integrations.webhooks.stamps import changes_stamp


@csrf_exempt
@login_not_required
@require_POST
@body_limit(settings.WEBHOOK_MAX_BODY_BYTES)
def webhook_receive_view(request: HttpRequest, provider: str, token: str) -> HttpResponse:
    reply = webhook_receive(
        provider=provider,
        token=token,
        headers=request.headers,
        body=request.body,
        enqueue=enqueue_webhook_apply,
    )
    response = JsonResponse(reply.body, status=reply.status)
    for name, value in reply.headers.items():
        response[name] = value
    return response


@require_GET
def changes_stamp_view(request: HttpRequest, connection_id: int, resource_key: str) -> HttpResponse:
    """`{"changed_at": ISO or null}`, for a user who may see a list the resource feeds.

    With `?since=<ISO>` older than the stamp (or `?since=` empty: nothing seen yet) the
    answer also carries `HX-Trigger: records-changed`, so the polling list reloads its
    table (partials/live_list.html). Besides signing in, one indexed query: superusers see
    any connection's stamp, everyone else (staff too) only those of the connections the
    pages show."""
    try:
        synced = resource_for(resource_key)
    except LookupError:
        raise Http404("No such resource") from None
    shown = connections_shown(synced, request.user)
    if shown is None:
        raise PermissionDenied(f"You may not see {synced.label}.")
    since_text = request.GET.get("since")
    since = _since(since_text)
    stamp = changes_stamp(
        connection_id=connection_id,
        resource_key=resource_key,
        shown=None if request.user.is_superuser else shown,
    )
    response = JsonResponse({"changed_at": stamp.isoformat() if stamp else None})
    if stamp and since_text is not None and (since is None or stamp > since):
        response["HX-Trigger"] = "records-changed"
    return response


def _since(text: str | None) -> datetime | None:
    """`?since=`: absent or empty is None; anything but an ISO time is a 400."""
    if not text:
        return None
    try:
        since = parse_datetime(text)
    except ValueError:
        since = None
    if since is None or since.tzinfo is None:
        raise BadRequest("since must be an ISO 8601 time with its offset")
    return since
