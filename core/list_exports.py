"""List exports too large to write inside a request, written by the background worker.

An export of more than `EXPORT_IN_REQUEST_MAX_ROWS` rows (100,000 candidates take ~17 CPU
seconds as XLSX, ~9 as CSV, and gunicorn kills a request after 30 s) is a `ListExport`
row that `list_export_task` fills (`export_write`), counting its rows as it goes; its page
shows that progress, then the download, to the person who asked (or staff) for
`EXPORT_KEEP_HOURS`.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import tempfile
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.http import FileResponse, Http404, QueryDict
from django.utils import timezone
from django_tasks import task

from core.csv_safety import csv_lines
from core.export import CHUNK_SIZE, XLSX_TYPE, export_filename, table, too_many, xlsx_write
from core.models import ListExport
from core.resources import ResourcePages, registered
from integrations.models import Connection

logger = logging.getLogger(__name__)

# A background export saves its progress every CHUNK_SIZE rows (a second or two apart);
# one silent this long lost its worker.
EXPORT_STALLED_AFTER = dt.timedelta(minutes=10)
# A worker takes a queued export within seconds; one queued this long was never taken.
EXPORT_UNCLAIMED_AFTER = dt.timedelta(minutes=30)
UNCLAIMED = (
    f"No background worker took this export within {EXPORT_UNCLAIMED_AFTER.seconds // 60} "
    "minutes; export it again, and if this happens again tell an administrator (is "
    "manage.py db_worker running?)."
)


@task()
def list_export_task(export_id: str) -> str:
    """Write a list export too large for a request (`export_request` queued it)."""
    return export_write(export_id)


def export_request(
    *,
    user: Any,
    resource: ResourcePages,
    connection: Connection,
    kind: str,
    query: str,
    rows_total: int,
) -> ListExport:
    """The background export of the list as filtered (`query`) from `connection`: the one
    this person already has on its way for the same list, format and filters, or a new
    one, queued."""
    fields = {
        "user": user, "connection": connection, "resource": resource.url_name("list"),
        "kind": kind, "query": query,
    }  # fmt: skip
    new = {**fields, "rows_total": rows_total, "filename": export_filename(resource, kind)}
    try:
        return _queue(new)
    except IntegrityError:  # this one is on its way already (`one_list_export_on_its_way`)
        active = (ListExport.Status.QUEUED, ListExport.Status.RUNNING)
        waiting = ListExport.objects.filter(**fields, status__in=active).defer("content").first()
        return waiting if waiting is not None else _queue(new)  # it finished meanwhile


def _queue(fields: dict[str, Any]) -> ListExport:
    """A new export and its task, in one transaction: the task queue (django-tasks-db) is
    this database, so both are kept or neither, and the worker, reading committed rows,
    never sees the task before the export. (Enqueued on commit instead, a failed or
    never-run callback would leave an export queued with no task, handed back to every
    later identical request; the outbox can enqueue on commit because the scheduler
    delivers what is due anyway.)"""
    with transaction.atomic():
        export = ListExport.objects.create(**fields)
        list_export_task.enqueue(export_id=str(export.pk))
    return export


class ExportRefused(Exception):
    """Why the worker will not write an export, in words its page shows."""


FILTERS_CHANGED = "The list's filters changed since you asked; export it again."


def export_write(export_id: str) -> str:
    """Write a queued export's file into its row, saving how many rows are written as it
    goes; a failure is marked on the export (its page says so) with the reason when the
    person can act on it (`ExportRefused`), else logged."""
    claimed = ListExport.objects.filter(pk=export_id, status=ListExport.Status.QUEUED).update(
        status=ListExport.Status.RUNNING, updated_at=timezone.now()
    )  # conditional, so a task run twice (retried, duplicated) writes once
    found = ListExport.objects.defer("content").select_related("connection")
    if not claimed or (export := found.filter(pk=export_id).first()) is None:
        return "skipped"  # run already, failed by `exports_tidy`, or deleted meanwhile
    status, error, content = ListExport.Status.DONE, "", None
    try:
        resource = next(r for r in registered() if r.url_name("list") == export.resource)
        connection = export.connection
        rows = _rows_asked(export, resource, connection)
        lines = _counting(
            export, table(rows, resource.export_columns(connection=connection)),
            rows=rows, plural=resource.plural,
        )  # fmt: skip
        with tempfile.TemporaryFile() as out:
            if export.kind == "csv":
                out.writelines(line.encode() for line in csv_lines(lines, byte_order_mark=True))
            else:
                xlsx_write(lines, out, title=resource.plural)
            out.seek(0)
            content = out.read()
    except ExportRefused as refused:
        status, error = ListExport.Status.FAILED, str(refused)
    except Exception:
        logger.exception("the export %s could not be written", export_id)
        status = ListExport.Status.FAILED
    saved = ListExport.objects.filter(pk=export.pk, status=ListExport.Status.RUNNING).update(
        status=status, error=error, content=content, rows_written=export.rows_written,
        updated_at=timezone.now(),
    )  # fmt: skip
    return status if saved else "skipped"  # failed by `exports_tidy` meanwhile: left so


def _rows_asked(export: ListExport, resource: ResourcePages, connection: Connection) -> QuerySet:
    """The rows of the list as it was filtered when the export was asked; refused when
    the filters no longer read the same (an offer or stage filtered on is gone: the form
    drops it, and the export would hold every row under the filtered export's name)."""
    form = resource.bound_filter_form(QueryDict(export.query), connection=connection)
    if not form.is_valid() or form.querystring() != export.query:
        raise ExportRefused(FILTERS_CHANGED)
    return resource.export_rows(connection=connection, filters=form.filters())


def _counting(
    export: ListExport, lines: Iterator[list[object]], *, rows: QuerySet, plural: str
) -> Iterator[list[object]]:
    """The table's lines, saving on `export` how many rows were written every chunk, and
    refused past `EXPORT_MAX_ROWS` (rows synced since it was asked): never a larger file."""
    yield next(lines)  # the headings
    limit = settings.EXPORT_MAX_ROWS
    for count, line in enumerate(lines, start=1):
        if count > limit:
            raise ExportRefused(too_many(max(count, rows.count()), plural=plural))
        yield line
        export.rows_written = count
        if count % CHUNK_SIZE == 0:
            ListExport.objects.filter(pk=export.pk).update(
                rows_written=count, updated_at=timezone.now()
            )


def export_visible(
    token: Any, *, user: Any, resource: ResourcePages, connection: Connection
) -> ListExport:
    """The export, without its file, if it is this list's as `connection` shows it and
    this person's (or they are staff); otherwise 404, so no one learns of another
    person's export."""
    found = ListExport.objects.defer("content").filter(
        pk=token, resource=resource.url_name("list"), connection=connection
    )
    export = found.first()
    if export is None or not (export.user_id == user.pk or user.is_staff):
        raise Http404("No such export.")
    return export


def export_file(export: ListExport) -> FileResponse:
    """The written file of a finished export, as a download."""
    content = ListExport.objects.filter(pk=export.pk, status=ListExport.Status.DONE)
    data = content.values_list("content", flat=True).first()
    if data is None:
        raise Http404("This export has no file.")
    content_type = "text/csv; charset=utf-8" if export.kind == "csv" else XLSX_TYPE
    return FileResponse(
        io.BytesIO(bytes(data)), as_attachment=True, filename=export.filename,
        content_type=content_type,
    )  # fmt: skip


def exports_tidy() -> None:
    """Delete the exports asked more than `EXPORT_KEEP_HOURS` ago, with their files; mark
    failed those queued for `EXPORT_UNCLAIMED_AFTER` (no worker took the task: none runs,
    or it was lost) and those being written whose worker has saved no progress for
    `EXPORT_STALLED_AFTER` (it died). Their pages then say so instead of waiting forever,
    and asking again makes a new export."""
    now = timezone.now()
    ListExport.objects.filter(
        created_at__lt=now - dt.timedelta(hours=settings.EXPORT_KEEP_HOURS)
    ).delete()
    ListExport.objects.filter(
        status=ListExport.Status.QUEUED, created_at__lt=now - EXPORT_UNCLAIMED_AFTER
    ).update(status=ListExport.Status.FAILED, error=UNCLAIMED, updated_at=now)
    ListExport.objects.filter(
        status=ListExport.Status.RUNNING, updated_at__lt=now - EXPORT_STALLED_AFTER
    ).update(status=ListExport.Status.FAILED, updated_at=now)
