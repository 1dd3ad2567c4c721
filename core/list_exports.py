"""List exports too large to write inside a request, written by the background worker.

An export of more than `EXPORT_IN_REQUEST_MAX_ROWS` rows (100,000 candidates take ~17 CPU
seconds as XLSX, ~9 as CSV, and gunicorn kills a request after 30 s) is a `ListExport`
row that `list_export_task` fills (`export_write`), counting its rows as it goes, then
keeps the file in 1 MB pieces (`ListExportPart`); its page shows that progress, then the
download (streamed a piece at a time), to the person who asked (or staff) for
`EXPORT_KEEP_HOURS`.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import tempfile
from collections.abc import Iterator
from typing import IO, Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.http import Http404, QueryDict, StreamingHttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django_tasks import task

from core.csv_safety import csv_lines
from core.export import CHUNK_SIZE, XLSX_TYPE, export_filename, table, too_many, xlsx_write
from core.models import ListExport, ListExportPart
from core.resources import ResourcePages, registered
from integrations.models import Connection

logger = logging.getLogger(__name__)

# A background export saves its progress every CHUNK_SIZE rows (a second or two apart);
# one silent this long lost its worker.
EXPORT_STALLED_AFTER = dt.timedelta(minutes=10)
# A written file is kept, and served, in pieces this large (`ListExportPart`).
PART_SIZE = 1024 * 1024
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
        waiting = ListExport.objects.filter(**fields, status__in=active).first()
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
    """Write a queued export's file, saving how many rows are written as it goes, then
    keep it in pieces (`ListExportPart`); a failure is marked on the export (its page
    says so) with the reason when the person can act on it (`ExportRefused`), else
    logged."""
    claimed = ListExport.objects.filter(pk=export_id, status=ListExport.Status.QUEUED).update(
        status=ListExport.Status.RUNNING, updated_at=timezone.now()
    )  # conditional, so a task run twice (retried, duplicated) writes once
    found = ListExport.objects.select_related("connection")
    if not claimed or (export := found.filter(pk=export_id).first()) is None:
        return "skipped"  # run already, failed by `exports_tidy`, or deleted meanwhile
    status, error = ListExport.Status.DONE, ""
    with tempfile.TemporaryFile() as out:
        try:
            _write(export, out)
        except ExportRefused as refused:
            status, error = ListExport.Status.FAILED, str(refused)
        except Exception:
            logger.exception("the export %s could not be written", export_id)
            status = ListExport.Status.FAILED
        size = out.seek(0, io.SEEK_END) if status == ListExport.Status.DONE else 0
        with transaction.atomic():  # the file and "done" are seen together
            saved = ListExport.objects.filter(pk=export.pk, status=ListExport.Status.RUNNING)
            if not saved.update(
                status=status, error=error, rows_written=export.rows_written, size=size,
                updated_at=timezone.now(),
            ):  # fmt: skip
                return "skipped"  # failed by `exports_tidy` meanwhile: left so
            if status == ListExport.Status.DONE:
                out.seek(0)
                for seq, data in enumerate(iter(lambda: out.read(PART_SIZE), b"")):
                    ListExportPart.objects.create(export=export, seq=seq, data=data)
    return status


def _write(export: ListExport, out: IO[bytes]) -> None:
    """The export's file, into `out`."""
    resource = next(r for r in registered() if r.url_name("list") == export.resource)
    connection = export.connection
    rows = _rows_asked(export, resource, connection)
    lines = _counting(
        export, table(rows, resource.export_columns(connection=connection)),
        rows=rows, plural=resource.plural,
    )  # fmt: skip
    if export.kind == "csv":
        out.writelines(line.encode() for line in csv_lines(lines, byte_order_mark=True))
    else:
        xlsx_write(lines, out, title=resource.plural)


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


def export_visible(token: Any, *, user: Any, resource: ResourcePages) -> ListExport:
    """The export, without its file, if it is this list's and this person's (or they are
    a superuser); otherwise 404, so no one learns of another person's export. Whichever
    connection the list shows now: the file was asked from the one it names, and is kept
    for the person who asked."""
    export = ListExport.objects.filter(pk=token, resource=resource.url_name("list")).first()
    if export is None or not (export.user_id == user.pk or user.is_superuser):
        raise Http404("No such export.")
    return export


def export_file(export: ListExport) -> StreamingHttpResponse:
    """The written file of a finished export, as a download read a piece at a time."""
    if export.status != ListExport.Status.DONE:
        raise Http404("This export has no file.")
    parts = list(export.parts.order_by("seq").values_list("pk", flat=True))

    def pieces() -> Iterator[bytes]:
        for pk in parts:
            yield bytes(ListExportPart.objects.values_list("data", flat=True).get(pk=pk))

    content_type = "text/csv; charset=utf-8" if export.kind == "csv" else XLSX_TYPE
    response = StreamingHttpResponse(pieces(), content_type=content_type)
    response["Content-Length"] = str(export.size)
    response["Content-Disposition"] = content_disposition_header(True, export.filename)
    return response


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
