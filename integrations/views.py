"""The hub's own pages: sync progress and the outbox."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from core.pagination import paginate
from core.resources import connection_on_pages, for_sync
from core.selectors import outbox_of
from integrations.models import Connection, OutboxItem, SyncRun
from integrations.outbox.delivery import outbox_retry
from integrations.selectors import provider_connection
from integrations.services.call_charts import (
    ERROR_CLASSES,
    RANGES,
    connection_chart_buckets,
    connection_headroom,
)
from integrations.services.health import connection_health
from integrations.sync.registry import resource_for
from integrations.sync.resources import SyncedResource
from integrations.sync.service import sync_request, sync_status
from integrations.tasks import enqueue_delivery


@require_POST
def sync_start(request: HttpRequest, resource_key: str) -> HttpResponse:
    resource = _synced_or_404(resource_key)
    connection = provider_connection(resource.provider)
    if connection is None:
        messages.error(request, f"{resource.label.capitalize()} cannot sync: no active connection.")
        return redirect(request.headers.get("Referer") or "core:dashboard")
    _visible_or_404(request, connection)
    _sync_allowed_or_403(request, resource, "change")
    sync_request(connection=connection, resource=resource)
    if request.headers.get("HX-Request"):
        return _render_status(request, connection, resource)
    messages.info(request, f"Syncing {resource.label} in the background.")
    return redirect(request.headers.get("Referer") or "core:dashboard")


@require_GET
def sync_run(request: HttpRequest, pk: int) -> HttpResponse:
    """The sync bar for one run, which htmx polls while the run is active; opened
    directly (a link, a reload), the run's own page around it."""
    run = get_object_or_404(SyncRun.objects.select_related("connection"), pk=pk)
    _visible_or_404(request, run.connection)
    resource = _synced_or_404(run.resource)
    _sync_allowed_or_403(request, resource, "view")
    if request.headers.get("HX-Request"):
        return _render_status(request, run.connection, resource, polled_run=run)
    status = sync_status(connection=run.connection, resource=resource)
    context = {
        "run": run,
        "resource": resource,
        "sync": status.__dict__,
        "title": f"Sync run #{run.pk}",
        "subtitle": f"{run.connection.provider_display} · {resource.label}",
    }
    return render(request, "integrations/sync_run.html", context)


@require_GET
def sync_history(request: HttpRequest, resource_key: str) -> HttpResponse:
    """A resource's sync runs on the connection its pages use, newest first."""
    resource = _synced_or_404(resource_key)
    _sync_allowed_or_403(request, resource, "view")
    connection = provider_connection(resource.provider)
    runs = SyncRun.objects.none()
    if connection is not None:
        _visible_or_404(request, connection)
        runs = SyncRun.objects.filter(connection=connection, resource=resource.key)
    page = paginate(runs.select_related("connection").order_by("-created_at", "-pk"),
                    request.GET.get("page"), 50)  # fmt: skip
    context = {"resource": resource, "connection": connection, "page_obj": page}
    return render(request, "integrations/sync_history.html", context)


def _synced_or_404(key: str) -> SyncedResource:
    try:
        return resource_for(key)
    except LookupError:
        raise Http404("No such resource") from None


def _visible_or_404(request: HttpRequest, connection: Connection) -> None:
    """Syncs of a connection no page uses (inactive, a second account) are for staff only."""
    if not request.user.is_staff and not connection_on_pages(connection):
        raise Http404("No such sync run")


def _sync_allowed_or_403(request: HttpRequest, synced, action: str) -> None:
    """A sync's progress is for who may see a list it feeds; starting one, for who may
    change one (core.resources.for_sync)."""
    if not any(r.allows(request.user, action) for r in for_sync(synced)):
        verb = "see" if action == "view" else "sync"
        raise PermissionDenied(f"You may not {verb} {synced.label}.")


def _render_status(request, connection, resource, polled_run=None) -> HttpResponse:
    status = sync_status(connection=connection, resource=resource)
    just_finished = bool(
        polled_run and status.run and status.run.finished_at and not status.run.is_active
    )
    context = {"sync": {**status.__dict__, "just_finished": just_finished}}
    return render(request, "partials/sync_status.html", context)


@require_GET
def outbox_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    items = outbox_of(request.user, "view").select_related("connection").order_by("-created_at")
    if status in OutboxItem.Status.values:
        items = items.filter(status=status)
    else:
        status = ""
    page = paginate(items, request.GET.get("page"), 50)
    context = {
        "page_obj": page,
        "status": status,
        "statuses": OutboxItem.Status.choices,
        "querystring": f"status={status}" if status else "",
        "now": timezone.now(),
        "retryable": set(
            outbox_of(request.user, "change")
            .filter(pk__in=[item.pk for item in page])
            .values_list("pk", flat=True)
        ),
    }
    return render(request, "integrations/outbox_list.html", context)


@require_POST
def outbox_retry_view(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(outbox_of(request.user, "view"), pk=pk)
    if not outbox_of(request.user, "change").filter(pk=item.pk).exists():
        raise PermissionDenied("You may not send this write again.")
    outbox_retry(item)
    enqueue_delivery(item)
    messages.success(request, f"“{item.summary or item.operation}” will be sent again now.")
    return redirect("integrations:outbox")


@staff_member_required
@require_GET
def connection_health_page(request: HttpRequest, pk: int) -> HttpResponse:
    """One connection's health with charts over a range (staff): read from the rollups only."""
    connection = get_object_or_404(Connection, pk=pk)
    range_key = request.GET.get("range", "24h")
    if range_key not in RANGES:
        range_key = "24h"
    now = timezone.now()
    buckets = connection_chart_buckets(connection, range_key, now=now)
    span_minutes = RANGES[range_key][0]
    chart_data = {
        "from": int(now.timestamp()) - span_minutes * 60,
        "to": int(now.timestamp()),
        "x": [int(b.start.timestamp()) for b in buckets],
        "calls": [round(b.calls_per_minute, 2) for b in buckets],
        # A list, not an object: "429" would sort first as a JavaScript object key.
        "errors": [
            {"label": name, "values": [round(b.error_rates[n], 2) for b in buckets]}
            for n, name in enumerate(ERROR_CLASSES)
        ],
        "p50": [b.p50 for b in buckets],
        "p95": [b.p95 for b in buckets],
        "p99": [b.p99 for b in buckets],
    }
    health = connection_health(connection, now=now)
    context = {
        "connection": connection,
        "health": health,
        "alerts": [health] if health.needs_a_look else [],
        "range_key": range_key,
        "ranges": [(key, label) for key, (_span, _step, label) in RANGES.items()],
        "range_label": RANGES[range_key][2],
        "step_minutes": RANGES[range_key][1],
        "buckets": buckets,
        "error_classes": ERROR_CLASSES,
        "headroom": connection_headroom(connection, range_key, buckets, now=now),
        "chart_data": chart_data,
    }
    return render(request, "integrations/connection_health.html", context)
