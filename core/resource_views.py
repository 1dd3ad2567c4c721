"""The pages every resource description (`core.resources.ResourcePages`) gets, and the
helpers a provider's own pages share: connection required, report a write, the list
context, detail, and edit- and delete-blocked.

The URL patterns made by `ResourcePages.urls()` pass the description as the
`resource` keyword argument. A GET here never writes behind a read-sounding
name: the first sync of an empty list is `start_first_sync()`, the refresh of
a record is the description's `refresh_from_provider()`, both called by name.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.bulk import BULK_MAX_ROWS, BulkForm, results, row_key, ticked_ids
from core.export import csv_download, export_filename, table, too_many, xlsx_download
from core.forms import ConfirmForm, EditBreaksRule, EditConflict, ListFilterForm
from core.list_exports import export_file, export_request, export_visible
from core.pagination import page_number, paginate
from core.resources import ResourcePages
from core.selectors import duplicates_of
from integrations.audit import history
from integrations.models import Connection, OutboxItem
from integrations.outbox.service import (
    SubmissionChanged,
    deliver_later,
    submission_stored,
    waiting_message,
)
from integrations.shown_errors import outbox_error
from integrations.sync.service import SyncStatusView, start_first_sync, sync_status
from integrations.webhooks.stamps import stamp_of

View = Callable[..., HttpResponse]


def not_connected(request: HttpRequest, resource: ResourcePages) -> HttpResponse:
    """The one "not connected" page: names the provider and links staff to the admin."""
    context = {"resource": resource, "service": resource.service, "title": resource.plural}
    return render(request, "core/not_connected.html", context)


def resource_permission_required(action: str) -> Callable[[View], View]:
    """Let `view` run only for a user the resource `allows` to `action` ("view" or
    "change"); anyone else gets the 403 page (templates/403.html), and nothing is written.
    Goes before `connection_required`, so a refused user learns nothing about connections."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, resource: ResourcePages, **kwargs: Any):
            if not resource.allows(request.user, action):
                verb = "see" if action == "view" else "change"
                raise PermissionDenied(f"You may not {verb} {resource.plural.lower()}.")
            return view(request, *args, resource=resource, **kwargs)

        # Read by the tests: every page a resource routes says which right it needs
        # (`wraps` carries it out through the decorators above).
        wrapped.permission_action = action  # type: ignore[attr-defined]
        return wrapped

    return decorate


def connection_required(view: View) -> View:
    """Pass the resource's connection to `view`, or show the not-connected page."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, resource: ResourcePages, **kwargs: Any):
        connection = resource.connection()
        if connection is None:
            return not_connected(request, resource)
        return view(request, *args, resource=resource, connection=connection, **kwargs)

    return wrapped


def report_write(request: HttpRequest, item: OutboxItem, *, form: Any | None, done: str) -> bool:
    """Tell the user what became of a write the outbox took; False when the provider
    refused it: its field errors are then on `form`, to show again.

    DONE: `done` as a success. NEEDS_ATTENTION: an error, with the shown error.
    Pending (sent later): when it will be sent, and why not yet if it failed once.
    """
    if item.status == OutboxItem.Status.FAILED:
        shown = outbox_error(item).for_user(request.user)
        if form is None:
            messages.error(request, format_html("It was not sent. {}", shown))
        else:
            form.add_provider_errors(item.field_errors or {}, shown)
        return False
    if item.status == OutboxItem.Status.DONE:
        messages.success(request, done)
    elif item.status == OutboxItem.Status.DISMISSED:  # a stored key's write, since dismissed
        shown = outbox_error(item).for_user(request.user)
        messages.error(request, format_html("It was not sent. {}", shown))
    elif item.status == OutboxItem.Status.NEEDS_ATTENTION:
        shown = outbox_error(item).for_user(request.user)
        messages.error(request, format_html("Saved, but sending it needs attention. {}", shown))
    elif item.last_error:
        shown = outbox_error(item).for_user(request.user)
        messages.warning(request, format_html("{} {}", waiting_message(item), shown))
    else:
        messages.warning(request, waiting_message(item))
    return True


def after_write(resource: ResourcePages, item: OutboxItem) -> HttpResponse:
    """Where a reported write goes: its record's page (if it has pages), else the outbox."""
    has_page = "detail" in resource.pages and item.record_id
    if has_page and resource.model._default_manager.filter(pk=item.record_id).exists():
        return redirect(resource.url_name("detail"), pk=item.record_id)
    return redirect("integrations:outbox")


def sync_bar(
    *, connection: Connection, resource: ResourcePages, status: SyncStatusView | None, listed: bool
) -> SyncStatusView | None:
    """The list's sync bar (`status`, read before the rows); an empty, never-synced list
    first starts its first sync (and that of the resources its filters need), by name.
    When another request queued that first sync after `status` was read, the bar is read
    again, so it shows that run rather than none until a reload."""
    for needed in resource.first_syncs_needed(connection=connection):
        start_first_sync(connection=connection, resource=needed)
    if status is None:
        return None
    if not (listed or resource.has_records(connection=connection)):
        first = start_first_sync(connection=connection, resource=status.resource)
        if first.queued:
            return replace(status, run=first.run)
        if status.run is None and connection.is_active:  # queued by another request
            return sync_status(connection=connection, resource=status.resource)
    return status


@dataclass(frozen=True)
class LiveList:
    """How an open list keeps itself current (partials/live_list.html): every
    `every_seconds` it asks `poll_url` (the "changed since" stamp, since the one it was
    drawn at) and, when that says its records changed, loads `refresh_url` (the page as
    the person asked for it: search, filters, sort and page) and swaps in its table."""

    poll_url: str
    refresh_url: str
    every_seconds: int


def live_list(request: HttpRequest, *, status: SyncStatusView | None) -> LiveList | None:
    """The list's live refresh, or None for a list no sync fills. `status` is read before
    the rows: a change after that read has a later stamp, so the list refreshes rather
    than miss it."""
    if status is None:
        return None
    stamp = stamp_of(status.changed_at, status.last_success_at)
    poll = reverse("integrations:changes_stamp", args=[status.connection.pk, status.resource.key])
    since = urlencode({"since": stamp.isoformat() if stamp else ""})
    return LiveList(
        poll_url=f"{poll}?{since}",
        refresh_url=request.get_full_path(),
        every_seconds=settings.LIST_POLL_SECONDS,
    )


def list_context(
    request: HttpRequest,
    *,
    resource: ResourcePages,
    connection: Connection,
    form: ListFilterForm,
    page: Page,
    asked: int,
    status: SyncStatusView | None,
) -> dict[str, Any]:
    """What every list template gets: the page, its links' query strings, the sort, the
    filters, the exports of the list as filtered, its bulk actions for someone who may
    change it, the sync bar and the live refresh (partials/pagination.html, sort_header,
    export_buttons.html, bulk_form.html, sync_status.html, live_list.html)."""
    query = form.querystring()
    may_change = resource.allows(request.user, "change")
    actions = resource.bulk_actions(connection=connection) if may_change else []
    return {
        "bulk_form": BulkForm(actions=actions) if actions else None,
        "bulk_url": resource.url("bulk"),
        "detail_url_prefix": resource.detail_url_prefix() if "detail" in resource.pages else "",
        "export_urls": {
            kind: resource.url(f"export_{kind}") + (f"?{query}" if query else "")
            for kind in ("csv", "xlsx")
        },
        "resource": resource,
        "connection": connection,
        "page_obj": page,
        "asked": asked,
        "past_end": asked > page.number,
        "filter_form": form,
        "filters": form.filters(),
        "filtered": form.filtered,
        "querystring": query,
        "sorting": resource.sorting,
        "sort": form.sort_value(),
        "sort_query": form.querystring(sort=False),
        "sync": sync_bar(
            connection=connection, resource=resource, status=status, listed=page.paginator.count > 0
        ),
        "live": live_list(request, status=status),
    }


def filter_form(
    request: HttpRequest, *, resource: ResourcePages, connection: Connection
) -> ListFilterForm:
    """The list's search, filters and sort as asked in the query string."""
    return resource.bound_filter_form(request.GET, connection=connection)


def record_or_404(resource: ResourcePages, connection: Connection, pk: int) -> Any:
    record = resource.get_record(connection=connection, pk=pk)
    if record is None:
        raise Http404(f"No such {resource.singular.lower()}.")
    return record


def edit_blocked(request: HttpRequest, resource: ResourcePages, record: Any) -> HttpResponse | None:
    """Back to the record's page, saying why, when it cannot be edited now."""
    return _back_to_record(request, resource, record, resource.edit_blocked(record))


def delete_blocked(
    request: HttpRequest, resource: ResourcePages, record: Any
) -> HttpResponse | None:
    """Back to the record's page, saying why, when it cannot be deleted now."""
    return _back_to_record(request, resource, record, resource.delete_blocked(record))


def _back_to_record(
    request: HttpRequest, resource: ResourcePages, record: Any, reason: str
) -> HttpResponse | None:
    if reason:
        messages.info(request, reason)
        return redirect(resource.url_name("detail"), pk=record.pk)
    return None


# --- the pages -------------------------------------------------------------------------


@require_GET
@resource_permission_required("view")
@connection_required
def list_page(
    request: HttpRequest, *, resource: ResourcePages, connection: Connection
) -> HttpResponse:
    synced = resource.sync_resource_for(connection)
    # Before the rows: the live refresh's stamp (live_list) and the sync bar, one query.
    status = sync_status(connection=connection, resource=synced) if synced else None
    form = filter_form(request, resource=resource, connection=connection)
    filters = form.filters()
    rows = resource.list_rows(connection=connection, filters=filters)
    asked = page_number(request.GET.get("page"))
    count_limit = resource.list_count_limit(filters=filters)
    load = resource.load_rows if count_limit is not None else None
    page = paginate(rows, asked, resource.per_page, count_limit=count_limit, load=load)
    context = list_context(
        request,
        resource=resource,
        connection=connection,
        form=form,
        page=page,
        asked=asked,
        status=status,
    )
    context.update(resource.list_context(request, connection=connection, form=form, page=page))
    return render(request, resource.template("list"), context)


@require_http_methods(["GET", "POST"])
@resource_permission_required("view")
@connection_required
def export_page(
    request: HttpRequest, *, resource: ResourcePages, connection: Connection, kind: str
) -> HttpResponse:
    """The list as filtered (same search, filters and sort), every matching row, as a CSV
    or XLSX download; over `EXPORT_MAX_ROWS`, back to the list saying so. Over
    `EXPORT_IN_REQUEST_MAX_ROWS`, a page offering to write it in the background (GET
    writes nothing), whose POST queues it and goes to the export's page."""
    form = filter_form(request, resource=resource, connection=connection)
    rows = resource.export_rows(connection=connection, filters=form.filters())
    count = rows.count()
    query = form.querystring()
    if refused := too_many(count, plural=resource.plural):
        messages.error(request, refused)
        return redirect(resource.url("list") + (f"?{query}" if query else ""))
    if count > settings.EXPORT_IN_REQUEST_MAX_ROWS:
        if request.method == "POST":
            export = export_request(
                user=request.user, resource=resource, connection=connection, kind=kind,
                query=query, rows_total=count,
            )  # fmt: skip
            return redirect(resource.url("export", export.pk))
        context = {
            "resource": resource, "kind": kind, "count": count,
            "title": f"Export {resource.plural.lower()}",
            "list_url": resource.url("list") + (f"?{query}" if query else ""),
            "keep_hours": settings.EXPORT_KEEP_HOURS,
        }  # fmt: skip
        return render(request, "core/list_export_offer.html", context)
    lines = table(rows, resource.export_columns(connection=connection))
    filename = export_filename(resource, kind)
    if kind == "csv":
        return csv_download(lines, filename=filename)
    return xlsx_download(lines, filename=filename, title=resource.plural)


@require_GET
@resource_permission_required("view")
def list_export_page(
    request: HttpRequest, token: uuid.UUID, *, resource: ResourcePages
) -> HttpResponse:
    """A background export's progress, then its download; htmx polls the partial
    (`?progress=1`) while it is on its way. Not under the list's connection: the file is
    the person's whichever connection the list shows now (or none)."""
    export = export_visible(token, user=request.user, resource=resource)
    context = {
        "resource": resource, "export": export,
        "title": f"Export of {resource.plural.lower()}",
        "list_url": resource.url("list") + (f"?{export.query}" if export.query else ""),
        "keep_hours": settings.EXPORT_KEEP_HOURS,
    }  # fmt: skip
    if request.GET.get("progress"):
        return render(request, "partials/list_export_progress.html", context)
    return render(request, "core/list_export.html", context)


@require_GET
@resource_permission_required("view")
def list_export_download(
    request: HttpRequest, token: uuid.UUID, *, resource: ResourcePages
) -> HttpResponse:
    """The file of a finished background export."""
    return export_file(export_visible(token, user=request.user, resource=resource))


@require_GET
@resource_permission_required("view")
@connection_required
def detail_page(
    request: HttpRequest, pk: int, *, resource: ResourcePages, connection: Connection
) -> HttpResponse:
    record = record_or_404(resource, connection, pk)
    refresh = resource.refresh_from_provider(record, user=request.user, editing=False)
    context = {
        "resource": resource,
        resource.name: record,
        "refresh": refresh,
        "problem": refresh.problem,
        "duplicates": duplicates_of(record),
        "history": history(record),
        **resource.detail_context(request, record=record, refresh=refresh),
    }
    return render(request, resource.template("detail"), context)


@require_http_methods(["GET", "POST"])
@resource_permission_required("change")
@connection_required
def create_page(
    request: HttpRequest, *, resource: ResourcePages, connection: Connection
) -> HttpResponse:
    kwargs = resource.form_kwargs(connection=connection, record=None)
    form = resource.form_class(request.POST or None, **kwargs)
    context: dict[str, Any] = {}
    if request.method == "POST" and form.is_valid():
        try:
            written = resource.create(request, connection=connection, form=form)
        except SubmissionChanged:  # nothing saved: the form says so, with a new key
            form.show_changed_submission(creating=True)
            written = {}
        if isinstance(written, OutboxItem):
            record = resource.model._default_manager.filter(pk=written.record_id).first()
            done = resource.written(
                record=record, created=True, provider=connection.provider_display
            )
            if report_write(request, written, form=form, done=done):
                return after_write(resource, written)
        else:
            context = written
    context = {"resource": resource, "form": form, resource.name: None, "creating": True, **context}
    return render(request, resource.template("create"), context)


def _show_refused_edit(form: Any, refused: Exception) -> None:
    """Say on the form why nothing was saved. A form whose submission key a write has
    used already was sent before (Back, changed, sent again): whatever its merge met now,
    the stored record holds that first write, so that is what the form says."""
    if isinstance(refused, SubmissionChanged) or submission_stored(
        form.cleaned_data["submission_key"]
    ):
        form.show_changed_submission(creating=False)
    elif isinstance(refused, EditConflict):
        form.show_conflict(refused)
    else:
        form.show_broken_rule(refused)


@require_http_methods(["GET", "POST"])
@resource_permission_required("change")
@connection_required
def edit_page(
    request: HttpRequest, pk: int, *, resource: ResourcePages, connection: Connection
) -> HttpResponse:
    record = record_or_404(resource, connection, pk)
    if blocked := edit_blocked(request, resource, record):
        return blocked
    problem = ""
    if request.method == "GET":  # edit the freshest copy
        problem = resource.refresh_from_provider(record, user=request.user, editing=True).problem
    kwargs = resource.form_kwargs(connection=connection, record=record)
    form = resource.form_class(request.POST or None, initial=resource.initial(record), **kwargs)
    if request.method == "POST" and form.is_valid():
        try:
            item = resource.update(request, record=record, form=form)
        except (EditConflict, EditBreaksRule, SubmissionChanged) as refused:
            _show_refused_edit(form, refused)  # nothing saved
        else:
            if item is None:
                messages.info(request, "Nothing changed.")
                return redirect(resource.url_name("detail"), pk=record.pk)
            done = resource.written(
                record=record, created=False, provider=connection.provider_display
            )
            if report_write(request, item, form=form, done=done):
                return after_write(resource, item)
    context = {"resource": resource, "form": form, resource.name: record, "problem": problem}
    return render(request, resource.template("edit"), context)


@require_http_methods(["GET", "POST"])
@resource_permission_required("change")
@connection_required
def delete_page(
    request: HttpRequest, pk: int, *, resource: ResourcePages, connection: Connection
) -> HttpResponse:
    """GET: the confirmation. POST: the delete goes through the outbox; then the list,
    or the record's page again when the provider refused it."""
    record = record_or_404(resource, connection, pk)
    if blocked := delete_blocked(request, resource, record):
        return blocked
    form = ConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        item = resource.delete(request, record=record, form=form)
        done = resource.deleted(record=record, provider=connection.provider_display)
        if report_write(request, item, form=None, done=done):
            return redirect(resource.url_name("list"))
        return redirect(resource.url_name("detail"), pk=record.pk)
    context = {"resource": resource, "form": form, resource.name: record}
    return render(request, resource.template("delete"), context)


@require_POST
@resource_permission_required("change")
@connection_required
def bulk_page(
    request: HttpRequest, *, resource: ResourcePages, connection: Connection
) -> HttpResponse:
    """One action on the ticked rows, each row's write through the outbox (queued for the
    worker), then the result page. A row the action cannot take now is skipped, saying why;
    a double submit writes every row once (`core.bulk.row_key`)."""
    actions = resource.bulk_actions(connection=connection)
    if not actions:
        raise Http404(f"No bulk actions on {resource.plural.lower()}.")
    form = BulkForm(request.POST, actions=actions)
    ids = ticked_ids(request.POST.getlist("ids"))
    problem = _bulk_problem(form, ids)
    if problem:
        messages.error(request, problem)
        return redirect(resource.url("list"))
    action, key = form.chosen, form.cleaned_data["submission_key"]
    manager = resource.model._default_manager
    records = manager.filter(connection=connection, pk__in=ids, is_deleted=False).order_by("pk")
    skipped = []
    with deliver_later(bulk_key=key):
        for record in records:
            if reason := action.blocked(record):
                skipped.append(f"{record}: {reason}")
                continue
            try:
                action.write(request, record, form.cleaned_data["target"], row_key(key, record.pk))
            except SubmissionChanged:  # Back, another action or target, submitted again
                skipped.append(f"{record}: {BULK_CHANGED}")
    if skipped:
        messages.info(request, "Skipped: " + " · ".join(skipped))
    return redirect(resource.url("bulk_result", key))


BULK_CHANGED = "this form already sent it another action or list; reload the list to choose again"


def _bulk_problem(form: BulkForm, ids: list[int]) -> str:
    """Why the bulk form cannot be done ("" when it can)."""
    if not form.is_valid():
        return " ".join(str(e) for errors in form.errors.values() for e in errors)
    if not ids:
        return "Tick at least one row first."
    if len(ids) > BULK_MAX_ROWS:
        return f"At most {BULK_MAX_ROWS} rows at once; you ticked {len(ids)}."
    return ""


@require_GET
@resource_permission_required("change")
@connection_required
def bulk_result_page(
    request: HttpRequest, token: uuid.UUID, *, resource: ResourcePages, connection: Connection
) -> HttpResponse:
    """Each row of a bulk action and what became of it; htmx polls the partial (`?rows=1`)
    while a row is still on its way."""
    rows = results(token, user=request.user)
    context = {
        "resource": resource,
        "list_url": resource.url("list"),
        "rows": rows,
        "waiting": any(row.state == "waiting" for row in rows),
        "counts": {
            state: sum(r.state == state for r in rows)
            for state in ("sent", "refused", "waiting", "attention", "dismissed")
        },
    }
    if request.GET.get("rows"):
        return render(request, "partials/bulk_results.html", context)
    return render(request, "core/bulk_result.html", context)
