"""The generated pages of connected APIs: the APIs menu, and per resource list, detail,
create, edit and delete, each driven by the resource's `ApiResourcePages` description.

They are not `core.resource_views`' pages because those read a synced model
(a queryset, a local record by primary key); these read live through the
connection's dynamic client. The shared pieces are the same: the
not-connected page, `report_write()` for every write through the outbox, and for a
synced list `sync_bar()` and `live_list()` (its table refreshes itself).
A failed live read is a message on the page, never a 500.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models.fields.json import KeyTransform
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from apis import paging
from apis.columns import cell, detail_rows
from apis.models import ApiRecord
from apis.pages import ApiResourcePages, api_connections, api_pages, compiled_for, listed_resources
from apis.sync import sync_key, synced_resource
from core.forms import ConfirmForm
from core.pagination import page_number
from core.resource_views import live_list, report_write, sync_bar
from integrations.audit import field_changes
from integrations.http.errors import (
    ConfigurationError,
    IntegrationError,
    InvalidResponseError,
    NotFoundError,
    ValidationError,
)
from integrations.models import Connection, OutboxItem
from integrations.openapi.client import OpenApiClient
from integrations.openapi.errors import DocumentError
from integrations.openapi.responses import ListResponse, Response, meta
from integrations.openapi.service import openapi_client
from integrations.outbox.service import SubmissionChanged, outbox_write
from integrations.shown_errors import live_read_error
from integrations.sync.service import sync_status

OPERATION = {"create": "openapi.create", "edit": "openapi.update", "delete": "openapi.delete"}


def _pages(request: HttpRequest, connection: str, resource: str, page: str) -> ApiResourcePages:
    """The page's description, for a user with the right to it (checked first, so a refused
    user learns nothing about the connections)."""
    _require(request, "view" if page in ("list", "detail") else "change")
    row = Connection.objects.filter(provider="openapi", name=connection, is_active=True).first()
    if row is None:
        raise Http404("No such API is connected.")
    try:
        pages = api_pages(row, resource)
    except (ConfigurationError, DocumentError) as exc:
        raise Http404(f"The document of {row.name} cannot be read: {exc}") from exc
    if pages is None or page not in pages.pages:
        raise Http404("That API has no such page.")
    return pages


def _require(request: HttpRequest, action: str) -> None:
    if not ApiResourcePages.allows(request.user, action):
        verb = "see" if action == "view" else "change"
        raise PermissionDenied(f"You may not {verb} the records of connected APIs.")


def _api(pages: ApiResourcePages) -> OpenApiClient:
    """The connection's dynamic client."""
    return openapi_client(pages.connection_row)


def _client(pages: ApiResourcePages) -> Any:
    """The resource's methods on the connection's dynamic client (`client.posts`)."""
    return getattr(_api(pages), pages.name)


def _record_id(pages: ApiResourcePages, page: str, record_id: str) -> Any:
    """The id as the path parameter's type wants it (a 404 for a non-number id of a number)."""
    if pages.path_type(page).startswith("integer"):
        if not record_id.isdigit():
            raise Http404("No such record.")
        return int(record_id)
    return record_id


def _read(request: HttpRequest, pages: ApiResourcePages, what: str, call: Any) -> Any:
    """A live read; on failure None, with a message saying what could not be read."""
    try:
        return call()
    except NotFoundError:
        raise Http404(f"{pages.title} has no such {pages.singular.lower()}.") from None
    except (IntegrationError, ConfigurationError) as exc:
        plain = f"{pages.title} did not answer the {what}; try again shortly."
        messages.error(request, live_read_error(plain, exc, user=request.user))
        return None


def _answer(pages: ApiResourcePages, answer: Any) -> Response | ListResponse:
    """A live read's answer, which must be a JSON object or array (the API's body is
    untrusted: a bare string or number is an answer the page cannot show)."""
    if not isinstance(answer, Response | ListResponse):
        raise InvalidResponseError(f"{pages.title} answered with no JSON object or array.")
    return answer


@require_GET
def api_index(request: HttpRequest) -> HttpResponse:
    """The connected APIs and the resources each offers (the "APIs" menu's page)."""
    _require(request, "view")
    apis = []
    for connection in api_connections():
        try:
            compiled = compiled_for(connection)
        except (ConfigurationError, DocumentError) as exc:
            apis.append({"connection": connection, "title": connection.name, "error": str(exc)})
            continue
        apis.append(
            {
                "connection": connection,
                "title": compiled.model.title or connection.name,
                "resources": listed_resources(compiled),
            }
        )
    return render(request, "apis/api_index.html", {"apis": apis})


@require_GET
def resource_list(request: HttpRequest, connection: str, resource: str) -> HttpResponse:
    pages = _pages(request, connection, resource, "list")
    form = pages.filter_form(request.GET, sorting=pages.sorting)
    context: dict[str, Any] = {
        "resource": pages,
        "filter_form": form,
        "problem": False,
        "sorting": pages.sorting,
        "sort": form.sort_value(),
        "sort_query": form.querystring(sort=False),
    }
    context["querystring"] = filters = form.querystring()
    if missing := form.missing():
        messages.info(request, f"Fill in {', '.join(missing)} to list the {pages.plural.lower()}.")
        context.update(rows=[], problem=True, missing_filters=missing)
        return render(request, pages.template("list"), context)
    if pages.synced:
        context.update(_synced_page(request, pages, form, filters))
    elif pages.paging == "numbers":
        context.update(_numbered_page(request, pages, form.filters(), filters))
    else:
        context.update(_marked_page(request, pages, form.filters(), filters))
    return render(request, pages.template("list"), context)


def _numbered_page(
    request: HttpRequest, pages: ApiResourcePages, arguments: dict[str, Any], filters: str
) -> dict[str, Any]:
    """Page N asked of the API by its page number or offset."""
    asked = page_number(request.GET.get("page"))
    arguments = {**arguments, **pages.pagination_args(asked)}
    answer = _read(request, pages, "list", lambda: _answer(pages, _client(pages).list(**arguments)))
    items = _items(pages, answer.json() if answer is not None else None)
    total = _total(answer)
    last = -(-total // pages.per_page) if total is not None else None
    has_next = (asked < last) if last is not None else len(items) >= pages.per_page
    return {
        "rows": _rows(pages, items),
        "problem": answer is None,
        "number": asked,
        "total": total,
        "last": last,
        "previous_query": paging.number_link(filters, asked - 1) if asked > 1 else None,
        "next_query": paging.number_link(filters, asked + 1) if has_next else None,
    }


def _marked_page(
    request: HttpRequest, pages: ApiResourcePages, arguments: dict[str, Any], filters: str
) -> dict[str, Any]:
    """The page a marker (a cursor token, a `Link` URL) starts, or the first; a list
    without paging is one answer paged here (see `apis.paging`)."""
    at = paging.position(pages, request.GET, request.session)
    if at.refused:
        messages.info(request, "That page link is not one this list gave; here is the first page.")

    def page_at(client: OpenApiClient, marker: paging.Marker | None) -> Any:
        if marker is not None and marker.link:
            return _answer(pages, client.follow(marker.link))
        token = marker.token if marker else None
        answer = getattr(client, pages.name).list(**arguments, **pages.marker_args(token))
        return _answer(pages, answer)

    def call() -> tuple[OpenApiClient, Any]:
        nonlocal at
        client = _api(pages)
        try:
            return client, page_at(client, at.marker)
        except ValidationError:
            if at.marker is None:
                raise
        # The API refuses the page's cursor now: cursors expire (Asana's offset tokens,
        # project-tool.md §2), and asking again would be refused alike.
        messages.info(
            request, f"That page is no longer available at {pages.title}; here is the first page."
        )
        at = paging.Position()
        return client, page_at(client, None)

    client, answer = _read(request, pages, "list", call) or (None, None)
    marker = at.marker
    data = answer.json() if answer is not None else None
    items = _items(pages, data)
    following = None
    if client is not None and answer is not None:
        following = paging.following(pages, meta(answer).headers, data, client.query_secrets)
    if marker is None and following is None and pages.paging == "local":
        page = Paginator(items, pages.per_page).get_page(request.GET.get("page"))
        rows = _rows(pages, page.object_list)
        return {**_local_page(page, filters, rows), "problem": answer is None}
    previous_query, next_query = paging.marker_links(pages, request.session, at, following, filters)
    return {
        "rows": _rows(pages, items),
        "problem": answer is None,
        "number": at.number,
        "total": _total(answer),
        "last": None,
        "previous_query": previous_query,
        "next_query": next_query,
    }


def _synced_page(
    request: HttpRequest, pages: ApiResourcePages, form: Any, filters: str
) -> dict[str, Any]:
    """The page read from the hub's copy (`apis.sync`): search and filters in SQL, Django's
    Paginator; the first visit of a never-synced resource starts its first sync. The sync
    bar is read before the rows, as every synced list's: the table refreshes itself from
    its stamp (`live_list`)."""
    connection, synced = pages.connection_row, synced_resource(sync_key(pages.name))
    status = sync_status(connection=connection, resource=synced)
    records = ApiRecord.objects.filter(connection=connection, resource=pages.name, is_deleted=False)
    for word in form.valid_data().get("q", "").lower().split():
        records = records.filter(search_text__contains=word)
    for n, (wire_name, value) in enumerate(form.item_filters().items()):
        # The key as one explicit JSON key: `raw__<name>` would read `a__b` as a path and
        # `contains` as a lookup.
        alias = f"filter_{n}"
        records = records.alias(**{alias: KeyTransform(wire_name, "raw")}).filter(**{alias: value})
    ordered = records.order_by(*pages.sorting.order_by(form.sort_value()))
    page = Paginator(ordered, pages.per_page).get_page(request.GET.get("page"))
    rows = [_synced_row(pages, record) for record in page.object_list]
    listed = page.paginator.count > 0
    return {
        **_local_page(page, filters, rows),
        "sync": sync_bar(connection=connection, resource=pages, status=status, listed=listed),
        "live": live_list(request, status=status),
    }


def _local_page(page: Page, filters: str, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """A page of Django's `Paginator` (one live answer paged here, or the synced copy)."""
    before, after = page.number - 1, page.number + 1
    return {
        "rows": rows,
        "number": page.number,
        "total": page.paginator.count,
        "last": page.paginator.num_pages,
        "previous_query": paging.number_link(filters, before) if page.has_previous() else None,
        "next_query": paging.number_link(filters, after) if page.has_next() else None,
    }


def _synced_row(pages: ApiResourcePages, record: ApiRecord) -> dict[str, Any]:
    """Its cells as synced; a column chosen since then, from the JSON."""
    cells = [
        record.columns[c.field] if c.field in record.columns else cell(record.raw.get(c.field))
        for c in pages.columns
    ]
    return {"id": record.remote_id, "cells": cells}


def _total(answer: Any) -> int | None:
    return meta(answer).total_count if answer is not None else None


def _items(pages: ApiResourcePages, data: Any) -> list[dict[str, Any]]:
    """The list's records in its answer's plain data (None: no answer)."""
    key = pages.operations["list"].response.items_key
    if key and isinstance(data, dict):
        data = data.get(key)
    return [item for item in data if isinstance(item, dict)] if isinstance(data, list) else []


def _rows(pages: ApiResourcePages, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "id": pages.record_id(item),
            "cells": [cell(item.get(column.field)) for column in pages.columns],
        }
        for item in items
    ]


@require_GET
def resource_detail(
    request: HttpRequest, connection: str, resource: str, record_id: str
) -> HttpResponse:
    pages = _pages(request, connection, resource, "detail")
    ident = _record_id(pages, "detail", record_id)
    answer = _read(request, pages, "record", lambda: _answer(pages, _client(pages).get(ident)))
    record = answer.json() if answer is not None else None
    context = {
        "resource": pages,
        "record": record,
        "record_id": record_id,
        "rows": detail_rows(record) if record is not None else [],
        "problem": record is None,
    }
    return render(request, pages.template("detail"), context)


def _write(
    request: HttpRequest,
    pages: ApiResourcePages,
    page: str,
    *,
    record_id: str | None,
    body: dict[str, Any],
    submission_key: str,
    before: dict[str, Any] | None = None,
) -> OutboxItem:
    """Send a write through the outbox; `before` is the record as read (an edit), so the
    audit trail has the old values."""
    op = pages.operations[page]
    what = {"create": "Create", "edit": "Update", "delete": "Delete"}[page]
    target = f" {record_id}" if record_id else ""
    return outbox_write(
        connection=pages.connection_row,
        operation=OPERATION[page],
        payload={
            "resource": pages.name,
            "method": op.name,
            "record_id": _record_id(pages, page, record_id) if record_id else None,
            "body": body,
        },
        submission_key=submission_key,
        summary=f"{what} {pages.singular.lower()}{target} ({pages.title})",
        save_record=lambda: None,
        user=request.user,
        changes=field_changes(before or {}, body),
        audit_record=(f"apis:{pages.name}", str(record_id or "")),
    )


@require_http_methods(["GET", "POST"])
def resource_create(request: HttpRequest, connection: str, resource: str) -> HttpResponse:
    pages = _pages(request, connection, resource, "create")
    layout = pages.layout("create")
    form = pages.form_for("create")(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            item = _write(
                request,
                pages,
                "create",
                record_id=None,
                body=form.body,
                submission_key=form.cleaned_data["submission_key"],
            )
        except SubmissionChanged:  # nothing saved: the form says so, with a new key
            form.show_changed_submission(creating=True)
        else:
            created = f" (id {item.remote_id})" if item.remote_id else ""
            done = f"{pages.singular} created in {pages.title}{created}."
            if report_write(request, item, form=form, done=done):
                return redirect(pages.url("list"))
    context = {
        "resource": pages,
        "form": form,
        "creating": True,
        "skipped": layout.skipped,
        "title": f"New {pages.singular.lower()}",
    }
    return render(request, pages.template("create"), context)


@require_http_methods(["GET", "POST"])
def resource_edit(
    request: HttpRequest, connection: str, resource: str, record_id: str
) -> HttpResponse:
    pages = _pages(request, connection, resource, "edit")
    ident = _record_id(pages, "edit", record_id)
    answer = _read(request, pages, "record", lambda: _answer(pages, _client(pages).get(ident)))
    if answer is None:
        return redirect(pages.url("detail", record_id))
    record = answer.json()
    initial = pages.initial(record)
    form = pages.form_for("edit")(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        if not form.body:
            messages.info(request, "Nothing changed.")
            return redirect(pages.url("detail", record_id))
        try:
            item = _write(
                request,
                pages,
                "edit",
                record_id=record_id,
                body=form.body,
                submission_key=form.cleaned_data["submission_key"],
                before=record if isinstance(record, dict) else {},  # an array: no old values
            )
        except SubmissionChanged:  # nothing saved: the form says so, with a new key
            form.show_changed_submission(creating=False)
        else:
            done = f"{pages.singular} {record_id} updated in {pages.title}."
            if report_write(request, item, form=form, done=done):
                return redirect(pages.url("detail", record_id))
    context = {
        "resource": pages,
        "form": form,
        "record_id": record_id,
        "skipped": pages.layout("edit").skipped,
        "title": f"Edit {pages.singular.lower()} {record_id}",
    }
    return render(request, pages.template("edit"), context)


@require_http_methods(["GET", "POST"])
def resource_delete(
    request: HttpRequest, connection: str, resource: str, record_id: str
) -> HttpResponse:
    pages = _pages(request, connection, resource, "delete")
    form = ConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        item = _write(
            request,
            pages,
            "delete",
            record_id=record_id,
            body={},
            submission_key=form.cleaned_data["submission_key"],
        )
        done = f"{pages.singular} {record_id} deleted in {pages.title}."
        if report_write(request, item, form=None, done=done):
            return redirect(pages.url("list"))
        return redirect(pages.url("detail", record_id))
    context = {
        "resource": pages,
        "form": form,
        "record_id": record_id,
        "title": f"Delete {pages.singular.lower()} {record_id}",
    }
    return render(request, pages.template("delete"), context)
