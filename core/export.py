"""Every list exported as filtered: all the rows its search, filters and sort give, to CSV
or XLSX.

A resource says what its export holds with `ResourcePages.export_columns()` (a heading and
a function of the row per column) and which rows with `export_rows()` (by default the
list's own `list_rows()`, so the export is exactly the list, not just the page shown).

CSV is streamed row by row (`StreamingHttpResponse` over `QuerySet.iterator()`), through
`core.csv_safety`, so no cell runs as a formula. XLSX is written with openpyxl in
write-only mode: rows go to a temporary file as they are read, so 100,000 rows never sit
in memory; text starting with "=" is stored as text, never as a formula. Exports larger
than `EXPORT_MAX_ROWS` are refused with a message asking to narrow the list.

An export of more than `EXPORT_IN_REQUEST_MAX_ROWS` rows is not written inside the request
(100,000 candidates take ~17 CPU seconds as XLSX, ~9 as CSV, and gunicorn kills a request
after 30 s): it is a `ListExport` row that a worker fills (`export_write`, run by
`core.tasks.list_export_task`), counting its rows as it goes; its page shows that progress,
then the download, to the person who asked (or staff) for `EXPORT_KEEP_HOURS`.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.http import FileResponse, Http404, QueryDict, StreamingHttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from core.csv_safety import csv_lines
from core.models import ListExport

if TYPE_CHECKING:
    from core.resources import ResourcePages

logger = logging.getLogger(__name__)

# Rows read from the database at a time (and, with a prefetch, per prefetch query).
CHUNK_SIZE = 2000
FORMATS = ("csv", "xlsx")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A background export saves its progress every CHUNK_SIZE rows (a second or two apart);
# one silent this long lost its worker.
EXPORT_STALLED_AFTER = dt.timedelta(minutes=10)


@dataclass(frozen=True)
class ExportColumn:
    """One column of an export: its heading and how a row's cell is read."""

    label: str
    value: Callable[[Any], object]


def field_column(label: str, field: str) -> ExportColumn:
    """A column that is one attribute of the row."""
    return ExportColumn(label, lambda row: getattr(row, field))


def too_many(count: int, *, plural: str) -> str:
    """The message for an export over the cap ("" when it fits)."""
    limit = settings.EXPORT_MAX_ROWS
    if count <= limit:
        return ""
    return (
        f"{count:,} {plural.lower()} match; an export holds at most {limit:,}. "
        "Narrow the search or the filters and export again."
    )


def plain(value: object) -> object:
    """A cell as a spreadsheet takes it: text, a number, a date, or empty.

    Lists become "a; b", yes/no for booleans, times in the hub's time zone (without
    an offset, which XLSX cannot hold)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, dt.datetime):
        local = timezone.localtime(value) if timezone.is_aware(value) else value
        return local.replace(tzinfo=None, microsecond=0)
    if isinstance(value, (dt.date, int, float)):
        return value
    if isinstance(value, (list, tuple)):
        return "; ".join(str(plain(item)) for item in value if item not in (None, ""))
    return str(value)


def table(rows: QuerySet, columns: list[ExportColumn]) -> Iterator[list[object]]:
    """The headings, then each row's cells, reading the rows a chunk at a time."""
    yield [column.label for column in columns]
    for row in rows.iterator(chunk_size=CHUNK_SIZE):
        yield [plain(column.value(row)) for column in columns]


def csv_download(lines: Iterable[list[object]], *, filename: str) -> StreamingHttpResponse:
    """The table as a streamed CSV file (UTF-8 with a byte order mark, so a spreadsheet
    reads accents right), every cell made formula-safe by `core.csv_safety`."""
    chunks = (line.encode() for line in csv_lines(lines, byte_order_mark=True))
    response = StreamingHttpResponse(chunks, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _xlsx_cell(sheet: Any, value: object) -> object:
    if not isinstance(value, str):
        return value
    text = ILLEGAL_CHARACTERS_RE.sub("", value)  # control characters XLSX cannot hold
    if not text.startswith("="):
        return text
    cell = WriteOnlyCell(sheet, value=text)
    cell.data_type = "s"  # openpyxl would store "=…" as a formula
    return cell


def xlsx_write(lines: Iterable[list[object]], out: IO[bytes], *, title: str) -> None:
    """The table as an XLSX workbook into `out`, row by row."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    for line in lines:
        sheet.append([_xlsx_cell(sheet, value) for value in line])
    workbook.save(out)


def xlsx_download(lines: Iterable[list[object]], *, filename: str, title: str) -> FileResponse:
    """The table as an XLSX file, written row by row to a temporary file."""
    out = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it once sent
    xlsx_write(lines, out, title=title)
    out.seek(0)
    return FileResponse(out, as_attachment=True, filename=filename, content_type=XLSX_TYPE)


def export_filename(resource: ResourcePages, kind: str) -> str:
    return f"{resource.path}-{timezone.localdate():%Y-%m-%d}.{kind}"


# --- Exports written in the background ------------------------------------------------


def export_request(
    *, user: Any, resource: ResourcePages, kind: str, query: str, rows_total: int
) -> ListExport:
    """The background export of the list as filtered (`query`): the one this person
    already has on its way for the same list, format and filters, or a new one, queued."""
    from core.tasks import list_export_task  # the task module imports this one

    fields = {"user": user, "resource": resource.url_name("list"), "kind": kind, "query": query}
    active = (ListExport.Status.QUEUED, ListExport.Status.RUNNING)
    waiting = ListExport.objects.filter(**fields, status__in=active).defer("content").first()
    if waiting is not None:
        return waiting
    export = ListExport.objects.create(
        **fields, rows_total=rows_total, filename=export_filename(resource, kind)
    )
    transaction.on_commit(lambda: list_export_task.enqueue(export_id=str(export.pk)))
    return export


def export_write(export_id: str) -> str:
    """Write a queued export's file into its row, saving how many rows are written as it
    goes; a failure is logged and the export marked failed (its page says so)."""
    from core.resources import registered

    export = ListExport.objects.defer("content").filter(pk=export_id).first()
    if export is None or export.status != ListExport.Status.QUEUED:
        return "skipped"  # deleted meanwhile, or run already
    export.status = ListExport.Status.RUNNING
    export.save(update_fields=["status", "updated_at"])
    try:
        resource = next(r for r in registered() if r.url_name("list") == export.resource)
        connection = resource.connection()
        form = resource.bound_filter_form(QueryDict(export.query), connection=connection)
        rows = resource.export_rows(connection=connection, filters=form.filters())
        lines = _counting(export, table(rows, resource.export_columns(connection=connection)))
        with tempfile.TemporaryFile() as out:
            if export.kind == "csv":
                out.writelines(line.encode() for line in csv_lines(lines, byte_order_mark=True))
            else:
                xlsx_write(lines, out, title=resource.plural)
            out.seek(0)
            export.content = out.read()
        export.status = ListExport.Status.DONE
    except Exception:
        logger.exception("the export %s could not be written", export_id)
        export.status = ListExport.Status.FAILED
    export.save(update_fields=["status", "content", "rows_written", "updated_at"])
    return export.status


def _counting(export: ListExport, lines: Iterator[list[object]]) -> Iterator[list[object]]:
    """The table's lines, saving on `export` how many rows were written every chunk."""
    yield next(lines)  # the headings
    for count, line in enumerate(lines, start=1):
        yield line
        export.rows_written = count
        if count % CHUNK_SIZE == 0:
            ListExport.objects.filter(pk=export.pk).update(
                rows_written=count, updated_at=timezone.now()
            )


def export_visible(token: Any, *, user: Any, resource: ResourcePages) -> ListExport:
    """The export, without its file, if it is this list's and this person's (or they are
    staff); otherwise 404, so no one learns of another person's export."""
    found = ListExport.objects.defer("content").filter(pk=token, resource=resource.url_name("list"))
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
    """Delete the exports asked more than `EXPORT_KEEP_HOURS` ago, with their files, and
    mark failed those being written whose worker has saved no progress for
    `EXPORT_STALLED_AFTER` (it died: its page then says so instead of waiting forever)."""
    now = timezone.now()
    ListExport.objects.filter(
        created_at__lt=now - dt.timedelta(hours=settings.EXPORT_KEEP_HOURS)
    ).delete()
    ListExport.objects.filter(
        status=ListExport.Status.RUNNING, updated_at__lt=now - EXPORT_STALLED_AFTER
    ).update(status=ListExport.Status.FAILED, updated_at=now)
