"""The receiver URL (public, CSRF-exempt, POST only, body capped) and the stamp endpoint."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.dateparse import parse_datetime
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from core.request_limits import body_limit
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
    """`{"changed_at": ISO or null}`; with `?since=<ISO>` and a later stamp the answer also
    carries `HX-Trigger: records-changed`, so an htmx list polling it can reload itself."""
    stamp = changes_stamp(connection_id=connection_id, resource_key=resource_key)
    response = JsonResponse({"changed_at": stamp.isoformat() if stamp else None})
    since = parse_datetime(request.GET.get("since", "") or "")
    if stamp and since and stamp > since:
        response["HX-Trigger"] = "records-changed"
    return response
