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

An export of more than `EXPORT_IN_REQUEST_MAX_ROWS` rows is written in the background
(core/list_exports.py).
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any

from django.conf import settings
from django.db.models import QuerySet
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from core.csv_safety import csv_lines

if TYPE_CHECKING:
    from core.resources import ResourcePages

# Rows read from the database at a time (and, with a prefetch, per prefetch query).
CHUNK_SIZE = 2000
FORMATS = ("csv", "xlsx")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


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
