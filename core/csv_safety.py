"""CSV files a spreadsheet opens safely: one writer for every CSV the hub produces,
and one rule for what a spreadsheet would run as a formula.

A spreadsheet treats a cell starting with =, +, -, @, a tab or a carriage return
as a formula; a formula can fetch URLs or (through DDE) start programs on the
computer of whoever opens the file ("CSV injection"). The writer follows OWASP's
advice: every cell quoted (so a separator or quote inside a cell, whatever the
spreadsheet's list separator, never starts a new cell) and a single quote before
a cell that starts with one of those characters, which spreadsheets read as
"this is text".

Input is judged more finely, so ordinary text such as "- kickoff notes",
"+1 follow-up" or "@design team" is accepted: a cell is refused only when it
starts with =, a tab or a carriage return, or with +, - or @ followed by formula
syntax (a function call, a cell reference, a DDE or sheet reference, or a
calculation such as "-2+3").
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator

from django.http import HttpResponse

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

_FORMULA_SYNTAX = re.compile(
    r"[A-Za-z_][\w.]*\("  # a function call: SUM(, HYPERLINK(
    r"|[|!]"  # DDE (cmd|' /C calc'!A0) and sheet references (Sheet1!A1)
    r"|\$?\b[A-Za-z]{1,3}\$?\d+\b"  # a cell reference: A1, $B$2
    r"|[\d)%]\s*[-+*/^&<>=]"  # a calculation: 2+3, (1)*2, 5%-1
)
_CONTROL_NAMES = {"\t": "a tab", "\r": "a carriage return"}


def escape_cell(value: object) -> str:
    """The cell as text a spreadsheet shows and never runs."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def csv_lines(rows: Iterable[Iterable[object]], *, byte_order_mark: bool = False) -> Iterator[str]:
    """Rows as CSV lines (RFC 4180 line ends), every cell quoted and escaped, one row at a
    time (a streamed download). `byte_order_mark` starts with U+FEFF, which spreadsheets
    need to read a UTF-8 file's accents right."""
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    if byte_order_mark:
        yield "\ufeff"
    for row in rows:
        writer.writerow([escape_cell(cell) for cell in row])
        yield out.getvalue()
        out.seek(0)
        out.truncate()


def csv_text(rows: Iterable[Iterable[object]]) -> str:
    """Rows as CSV text (RFC 4180 line ends), every cell quoted and escaped."""
    return "".join(csv_lines(rows))


def csv_response(rows: Iterable[Iterable[object]], *, filename: str) -> HttpResponse:
    """A CSV download of `rows`; the only way a view should answer with CSV."""
    response = HttpResponse(csv_text(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def formula_reason(value: str) -> str:
    """Why a spreadsheet would run `value` as a formula, or "" for plain text.

    For example "starts with “=”, so a spreadsheet would run it as a formula".
    """
    if value[:1] in _CONTROL_NAMES:
        start = _CONTROL_NAMES[value[:1]]
    else:
        text = value.strip()
        first = text[:1]
        if first == "=":
            start = "“=”"
        elif first in ("+", "-", "@") and first and _FORMULA_SYNTAX.search(text[1:]):
            start = f"“{first}” and formula syntax (a calculation, cell or function)"
        else:
            return ""
    return f"starts with {start}, so a spreadsheet would run it as a formula"
