"""The hub's own pages: sync progress, the outbox, connection health and the call log."""

from __future__ import annotations

import hmac
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

from core.pagination import paginate
from core.redirects import redirect_back
from core.resources import connection_on_pages, list_of, sync_allows
from core.selectors import outbox_of
from integrations.forms import CallLogFilterForm
from integrations.models import CallLog, Connection, OutboxItem, SyncRun
from integrations.outbox.delivery import (
    outbox_dismiss,
    outbox_retry,
    outbox_send_again,
    why_not_dismissed,
)
from integrations.selectors import call_log_search
from integrations.services.call_charts import (
    RANGES,
    connection_chart_buckets,
    connection_headroom,
)
from integrations.services.health import connection_health
from integrations.services.health_page import call_tables, outbox_table, sync_tables
from integrations.services.metrics import HubCollector
from integrations.services.sync_charts import sync_chart_buckets
from integrations.sync.registry import connection_resources, resource_for
from integrations.sync.resources import SyncedResource
from integrations.sync.service import sync_request, sync_status
from integrations.tasks import enqueue_delivery


@require_POST
def sync_start(request: HttpRequest, connection_id: int, resource_key: str) -> HttpResponse:
    """A list's "Sync now": queue a sync of the resource on the list's connection."""
    resource = _synced_or_404(resource_key)
    _sync_allowed_or_403(request, resource, "change")
    connection = _connection_or_404(request, connection_id, resource)
    if not connection.is_active:
        messages.error(request, f"{resource.label.capitalize()} cannot sync: no active connection.")
        return redirect_back(request, request.headers.get("Referer"), "core:dashboard")
    if resource.key not in {r.key for r in connection_resources(connection)}:
        raise Http404("That list is read live: an administrator turns its sync on.")
    sync_request(connection=connection, resource=resource)
    if request.headers.get("HX-Request"):
        return _render_status(request, connection, resource)
    messages.info(request, f"Syncing {resource.label} in the background.")
    return redirect_back(request, request.headers.get("Referer"), "core:dashboard")


@require_GET
def sync_run(request: HttpRequest, pk: int) -> HttpResponse:
    """One run's page: its own state, counts and times (`sync_run_panel` refreshes them
    while it runs). Polled by htmx (`HX-Request`), the sync bar of a list page, which
    follows the resource's latest run: a list's bar polls its active run's URL."""
    run, resource = _run_or_404(request, pk)
    if request.headers.get("HX-Request"):
        return _render_status(request, run.connection, resource, polled_run=run)
    context = {
        "run": run,
        "resource": resource,
        **_list_crumb(resource, run.connection),
        "title": f"Sync run #{run.pk}",
        "subtitle": f"{run.connection.provider_display} · {resource.label}",
    }
    return render(request, "integrations/sync_run.html", context)


@require_GET
def sync_run_panel(request: HttpRequest, pk: int) -> HttpResponse:
    """The run page's panel of that one run, which htmx polls while the run is active."""
    run, resource = _run_or_404(request, pk)
    return render(request, "integrations/_sync_run_panel.html", {"run": run, "resource": resource})


@require_GET
def sync_history(request: HttpRequest, connection_id: int, resource_key: str) -> HttpResponse:
    """A resource's sync runs on a connection (its list's), newest first."""
    resource = _synced_or_404(resource_key)
    _sync_allowed_or_403(request, resource, "view")
    connection = _connection_or_404(request, connection_id, resource)
    runs = SyncRun.objects.filter(connection=connection, resource=resource.key)
    page = paginate(runs.select_related("connection").order_by("-created_at", "-pk"),
                    request.GET.get("page"), 50)  # fmt: skip
    context = {
        "resource": resource, "connection": connection, "page_obj": page,
        **_list_crumb(resource, connection),
    }  # fmt: skip
    return render(request, "integrations/sync_history.html", context)


def _list_crumb(resource: SyncedResource, connection: Connection) -> dict[str, str]:
    """The breadcrumb back to the list `resource` fills: `list_label`, `list_url` (none
    for a resource without a list of its own)."""
    pages = list_of(resource, connection)
    return {"list_label": pages.plural, "list_url": pages.url("list")} if pages else {}


def _run_or_404(request: HttpRequest, pk: int) -> tuple[SyncRun, SyncedResource]:
    """A sync run and its resource, for who may see that resource's list."""
    run = get_object_or_404(SyncRun.objects.select_related("connection"), pk=pk)
    _visible_or_404(request, run.connection)
    resource = _synced_or_404(run.resource)
    _sync_allowed_or_403(request, resource, "view")
    return run, resource


def _synced_or_404(key: str) -> SyncedResource:
    try:
        return resource_for(key)
    except LookupError:
        raise Http404("No such resource") from None


def _connection_or_404(
    request: HttpRequest, connection_id: int, resource: SyncedResource
) -> Connection:
    """A connection of the resource's provider that the asker may see syncs of."""
    connection = get_object_or_404(Connection, pk=connection_id, provider=resource.provider)
    _visible_or_404(request, connection)
    return connection


def _visible_or_404(request: HttpRequest, connection: Connection) -> None:
    """Syncs of a connection no page uses (inactive, a second account) are for superusers
    only: staff follow the pages' connections, as anyone (the connection health page,
    staff's, charts every connection's syncs)."""
    if not request.user.is_superuser and not connection_on_pages(connection):
        raise Http404("No such sync run")


def _sync_allowed_or_403(request: HttpRequest, synced: SyncedResource, action: str) -> None:
    """A sync's progress is for who may see a list it feeds; starting one, for who may
    change one (core.resources.sync_allows)."""
    if not sync_allows(synced, request.user, action):
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
    items = outbox_of(request.user, "view").select_related("connection", "dismissed_by")
    items = items.order_by("-created_at")
    if status in OutboxItem.Status.values:
        items = items.filter(status=status)
    else:
        status = ""
    page = paginate(items, request.GET.get("page"), 50)
    context = {
        "page_obj": page,
        "status": status,
        "status_label": OutboxItem.Status(status).label if status else "",
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


SEND_AGAIN = "Send again (I checked it is not there)"


def _changeable_or_404(request: HttpRequest, pk: int) -> OutboxItem:
    item = get_object_or_404(outbox_of(request.user, "view"), pk=pk)
    if not outbox_of(request.user, "change").filter(pk=item.pk).exists():
        raise PermissionDenied("You may not change this write.")
    return item


@require_POST
def outbox_retry_view(request: HttpRequest, pk: int) -> HttpResponse:
    item = _changeable_or_404(request, pk)
    what = item.summary or item.operation
    if item.lookup_unavailable:
        messages.warning(
            request,
            f"“{what}”: its answer never came and the hub cannot look it up, so trying again "
            "would only end here again, and sending it again unchecked could create it "
            f"twice. Check at {item.connection} whether it exists; if it "
            f"does not, press “{SEND_AGAIN}”.",
        )
        return redirect("integrations:outbox")
    if not outbox_retry(item):  # sent, refused or dismissed meanwhile (another tab)
        messages.info(request, f"“{what}” was not sent again: it no longer waits to be sent.")
        return redirect("integrations:outbox")
    enqueue_delivery(item)
    messages.success(request, f"“{what}” will be sent again now.")
    return redirect("integrations:outbox")


@require_POST
def outbox_send_again_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The person checked at the provider that a write the hub cannot look up is not
    there: send it again (`outbox_send_again`)."""
    item = _changeable_or_404(request, pk)
    what = item.summary or item.operation
    if not outbox_send_again(item, user=request.user):
        messages.info(request, f"“{what}” was not sent again: it no longer waits for a check.")
        return redirect("integrations:outbox")
    enqueue_delivery(item)
    messages.success(request, f"“{what}” will be sent again now.")
    return redirect("integrations:outbox")


@require_POST
def outbox_dismiss_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The person checked at the provider that a stuck or refused write is not wanted (or
    was done there by hand): it ends, never sent again (`outbox_dismiss`)."""
    item = _changeable_or_404(request, pk)
    what = item.summary or item.operation
    if not outbox_dismiss(item, user=request.user):
        why = why_not_dismissed(item)
        messages.error(request, f"“{what}” was not dismissed: {why}. Nothing was changed.")
        return redirect("integrations:outbox")
    messages.success(request, f"“{what}” was dismissed: it will not be sent.")
    return redirect("integrations:outbox")


def staff_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """For staff, whatever their permissions: the operators' pages (connection health, the
    call log), which only read; anyone else signed in gets the 403 page
    (LoginRequiredMiddleware sends the signed-out to the login page first). A write does
    not belong behind it: it needs its change permission (as the admin's webhook replay)."""

    @wraps(view)
    def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_staff:
            raise PermissionDenied("This page is for staff.")
        return view(request, *args, **kwargs)

    return checked


@staff_only
@require_GET
def connection_health_page(request: HttpRequest, pk: int) -> HttpResponse:
    """One connection's health with charts over a range (staff): calls, errors, latency
    and the outbox backlog from the rollups, syncs from their runs."""
    connection = get_object_or_404(Connection, pk=pk)
    range_key = request.GET.get("range", "24h")
    if range_key not in RANGES:
        range_key = "24h"
    now = timezone.now()
    span, step, range_label = RANGES[range_key]
    buckets = connection_chart_buckets(connection, range_key, now=now)
    runs = sync_chart_buckets(connection, range_key, now=now)
    sections = {
        "Calls": call_tables(buckets, range_label),
        "Syncs": sync_tables(runs, range_label),
        "Outbox": [outbox_table(buckets, range_label)],
    }
    chart_data = {
        "from": int(now.timestamp()) - span * 60,
        "to": int(now.timestamp()),
        "charts": {t.name: t.chart() for tables in sections.values() for t in tables},
    }
    health = connection_health(connection, now=now)
    context = {
        "connection": connection,
        "health": health,
        "alerts": [health] if health.needs_a_look else [],
        "range_key": range_key,
        "ranges": [(key, label) for key, (_span, _step, label) in RANGES.items()],
        "range_label": range_label,
        "step_minutes": step,
        "sections": sections,
        "headroom": connection_headroom(connection, range_key, buckets, now=now),
        "chart_data": chart_data,
    }
    return render(request, "integrations/connection_health.html", context)


CALLS_PER_PAGE = 50
# The count stops this many rows past the page shown ("more than N calls").
CALLS_COUNT_LIMIT = 1000


@staff_only
@require_GET
def call_log_list(request: HttpRequest) -> HttpResponse:
    """Every provider call (staff), filtered by connection, method, status, error and time."""
    form = CallLogFilterForm(request.GET)
    calls = call_log_search(**form.cleaned_data) if form.is_valid() else CallLog.objects.none()
    page = paginate(calls, request.GET.get("page"), CALLS_PER_PAGE, count_limit=CALLS_COUNT_LIMIT)
    filters = request.GET.copy()
    filters.pop("page", None)
    context = {"form": form, "page_obj": page, "querystring": filters.urlencode()}
    return render(request, "integrations/call_log_list.html", context)


@staff_only
@require_GET
def call_log_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One call as the call log stores it (redacted), with its sync run or outbox row."""
    call = get_object_or_404(
        CallLog.objects.select_related("connection", "sync_run", "outbox_item"), pk=pk
    )
    context = {"call": call, "title": f"Call #{call.pk}"}
    return render(request, "integrations/call_log_detail.html", context)


@login_not_required
@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    """Prometheus metrics for `Authorization: Bearer <METRICS_TOKEN>`; without a
    configured token the endpoint does not exist (404)."""
    token = settings.METRICS_TOKEN
    if not token:
        raise Http404("No metrics here")
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.encode(), token.encode()):
        answer = HttpResponse("A valid bearer token is needed.\n", status=401)
        answer["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return answer
    registry = CollectorRegistry(auto_describe=False)
    registry.register(HubCollector(now=timezone.now()))
    return HttpResponse(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)
