"""Read and check a CSV file of projects before anything is sent.

A problem with the file itself (too large, not UTF-8, no header, an unknown or
missing column, too many rows) raises `CsvFileError` with a message for a
person, and nothing is kept. A problem with one row is listed on that row;
the other rows can still be sent.

Cells that a spreadsheet would run as a formula (`core.csv_safety.formula_reason`:
=1+1, -2+3, @SUM(A1), a leading tab…) are refused on their row, so the data never
carries a formula to whoever opens an export of it (CSV injection); ordinary text
that merely starts with -, + or @ ("- kickoff notes") is kept.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date
from typing import IO

from core.csv_safety import formula_reason
from integrations.providers.project_records import ProjectInput
from projects.validation import FIELD_LABELS, ProjectChoices, project_problems

MAX_UPLOAD_BYTES = 2 * 1024 * 1024
MAX_ROWS = 1000

# Every column the hub knows, with what goes in it (shown on the import page).
COLUMN_HELP = {
    "name": "Required. The project's name, up to 300 characters.",
    "description": "Free text.",
    "owner": "The owner's id or email address, as the provider lists its users.",
    "workspace": "The workspace's id or exact name.",
    "team": "The team's id or exact name; required in an organization workspace.",
    "start_date": "A date as YYYY-MM-DD.",
    "end_date": "A date as YYYY-MM-DD, on or after the start date.",
    "status": "One of the provider's statuses.",
    "priority": "One of the provider's priorities.",
    "tags": "Tags separated by semicolons, e.g. backend;q3.",
    "template": "The id of a project template (a number).",
}


class CsvFileError(Exception):
    """The file as a whole cannot be imported; the message says why."""


@dataclass
class ParsedRow:
    number: int  # the row number a spreadsheet shows: the header is row 1
    values: dict[str, str]
    project: ProjectInput | None = None
    errors: list[str] = field(default_factory=list)


def columns_for(choices: ProjectChoices) -> list[tuple[str, str, bool]]:
    """(column, help, required) for the provider's fields, in the documented order."""
    columns = []
    for name in choices.fields:
        text = COLUMN_HELP[name]
        if name == "status" and choices.statuses:
            text = f"One of: {', '.join(choices.statuses)}."
        if name == "priority" and choices.priorities:
            text = f"One of: {', '.join(choices.priorities)}."
        if name == "workspace" and choices.default_workspace:
            text += " Empty: the default workspace."
        columns.append((name, text, name in choices.required))
    return columns


def example_rows(choices: ProjectChoices) -> list[list[str]]:
    """A small example file (header first) with every column the provider supports."""
    workspace = choices.workspaces[0] if choices.workspaces else ("", "")
    teams = [t for t, ws in choices.team_workspaces.items() if ws == workspace[0]]
    sample = {
        "name": "Website relaunch",
        "description": "New design, same content",
        "owner": choices.users[0][0] if choices.users else "",
        "workspace": workspace[1],
        "team": teams[0] if teams else "",
        "start_date": "2026-01-05",
        "end_date": "2026-03-31",
        "status": choices.statuses[0] if choices.statuses else "",
        "priority": choices.priorities[-1] if choices.priorities else "",
        "tags": "frontend;q1",
        "template": "",
    }
    second = {**sample, "name": "Customer portal", "description": "", "tags": "customer"}
    second.update({"start_date": "2026-02-01", "end_date": "2026-06-30"})
    return [
        list(choices.fields),
        *([row[name] for name in choices.fields] for row in (sample, second)),
    ]


def read_upload(upload: IO[bytes], size: int | None) -> str:
    """The file's text: refused past the size cap before it is read, and unless UTF-8."""
    if size is not None and size > MAX_UPLOAD_BYTES:
        raise CsvFileError(_too_large(size))
    data = upload.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise CsvFileError(_too_large(None))
    if not data.strip():
        raise CsvFileError("The file is empty. Add a header row and one row per project.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CsvFileError(
            "The file is not UTF-8 text. In your spreadsheet, save it as “CSV UTF-8” "
            "and upload it again."
        ) from None


def _too_large(size: int | None) -> str:
    cap = MAX_UPLOAD_BYTES // (1024 * 1024)
    shown = f" ({size / (1024 * 1024):.1f} MB)" if size else ""
    return f"The file is too large{shown}: the limit is {cap} MB ({MAX_ROWS:,} rows)."


def parse_projects_csv(text: str, choices: ProjectChoices) -> list[ParsedRow]:
    """Every data row, each with its project or its errors. Raises CsvFileError."""
    if "\x00" in text:
        raise CsvFileError("The file contains NUL characters: it is not a CSV text file.")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = _header(next(reader, None), choices)
        raw_rows = list(_data_rows(reader))
    except csv.Error as error:
        raise CsvFileError(
            f"The file is not valid CSV (line {reader.line_num}): {error}."
        ) from None
    if not raw_rows:
        raise CsvFileError("The file has a header but no rows.")
    if len(raw_rows) > MAX_ROWS:
        raise CsvFileError(
            f"The file has {len(raw_rows):,} rows; at most {MAX_ROWS:,} can be imported at once. "
            "Split it into smaller files."
        )
    rows = [_parse_row(number, cells, header, choices) for number, cells in raw_rows]
    _flag_duplicates(rows)
    return rows


def _header(cells: list[str] | None, choices: ProjectChoices) -> list[str]:
    if not cells or not any(c.strip() for c in cells):
        raise CsvFileError("The file has no header row. The first row must name the columns.")
    header = [re.sub(r"[\s-]+", "_", c.strip().lower()) for c in cells]
    unknown = [c for c in header if c not in COLUMN_HELP]
    if unknown:
        raise CsvFileError(
            f"Unknown column {unknown[0]!r}. The columns are: {', '.join(choices.fields)}."
        )
    repeated = sorted({c for c in header if header.count(c) > 1})
    if repeated:
        raise CsvFileError(f"The column {repeated[0]!r} appears more than once.")
    missing = [c for c in choices.required if c not in header]
    if missing == ["workspace"] and choices.default_workspace:
        missing = []
    if missing:
        raise CsvFileError(f"The required column {missing[0]!r} is missing from the header row.")
    return header


def _data_rows(reader):
    for number, cells in enumerate(reader, start=2):
        if any(c.strip() for c in cells):
            yield number, cells


def _parse_row(number: int, cells: list[str], header: list[str], choices) -> ParsedRow:
    values = {name: (cells[i] if i < len(cells) else "") for i, name in enumerate(header)}
    row = ParsedRow(number=number, values=values)
    if len(cells) > len(header):
        row.errors.append(f"It has {len(cells)} cells but the header names {len(header)} columns.")
    for name, value in values.items():
        if reason := formula_reason(value):
            row.errors.append(f"{FIELD_LABELS[name]}: {reason}; remove the first character.")
    if row.errors:
        return row
    project, errors = _clean(values, choices)
    row.errors.extend(errors)
    row.project = None if errors else project
    return row


def _clean(values: dict[str, str], choices: ProjectChoices) -> tuple[ProjectInput, list[str]]:
    errors: list[str] = []
    get = {name: values.get(name, "").strip() for name in COLUMN_HELP}

    def fail(name: str, message: str) -> None:
        errors.append(f"{FIELD_LABELS[name]}: {message}")

    if not get["name"]:
        fail("name", "is required.")
    elif len(get["name"]) > 300:
        fail("name", "is longer than 300 characters.")
    dates: dict[str, date | None] = {}
    for name in ("start_date", "end_date"):
        try:
            dates[name] = date.fromisoformat(get[name]) if get[name] else None
        except ValueError:
            dates[name] = None
            fail(name, f"“{get[name]}” is not a date as YYYY-MM-DD.")
    status = _choice(get["status"], choices.statuses, "status", fail)
    priority = _choice(get["priority"], choices.priorities, "priority", fail)
    owner = _owner(get["owner"], choices, fail)
    given_workspace = get["workspace"] or choices.default_workspace
    workspace = _workspace(given_workspace, choices, fail)
    if "workspace" in choices.required and choices.supports("workspace") and not given_workspace:
        fail("workspace", "is required.")
    team = _team(get["team"], workspace, choices, fail)
    if get["template"] and not get["template"].isdigit():
        fail("template", "must be a template id (a number).")
    project = ProjectInput(
        name=get["name"],
        description=values.get("description", "").strip(),
        owner=owner,
        workspace=workspace,
        team=team,
        start_date=dates["start_date"],
        end_date=dates["end_date"],
        status=status,
        priority=priority,
        tags=tuple(t.strip() for t in re.split(r"[;,]", get["tags"]) if t.strip()),
        template=get["template"],
    )
    problems = project_problems(choices.provider, project)
    for name, messages in {**problems, **choices.team_problems(project)}.items():
        for message in messages:
            fail(name, message)
    return project, errors


def _choice(value: str, options: tuple[str, ...], name: str, fail) -> str:
    if not value or not options:
        return value  # an unsupported field with a value is reported by project_problems
    by_lower = {option.lower(): option for option in options}
    if value.lower() in by_lower:
        return by_lower[value.lower()]
    fail(name, f"“{value}” is not one of: {', '.join(options)}.")
    return ""


def _owner(value: str, choices: ProjectChoices, fail) -> str:
    if not value:
        return ""
    ids = {user_id for user_id, _ in choices.users}
    found = value if value in ids else choices.user_emails.get(value.lower(), "")
    if not found:
        fail("owner", f"no user with the id or email “{value}”.")
    return found


def _workspace(value: str, choices: ProjectChoices, fail) -> str:
    if not value:
        return ""
    by_name = {label.lower(): ws_id for ws_id, label in choices.workspaces}
    found = value if value in dict(choices.workspaces) else by_name.get(value.lower(), "")
    if not found and value == choices.default_workspace:
        found = value
    if not found:
        fail("workspace", f"no workspace with the id or name “{value}”.")
    return found


def _team(value: str, workspace: str, choices: ProjectChoices, fail) -> str:
    """A team id, or the exact name of a team of `workspace`."""
    if not value or value in choices.team_workspaces:
        return value
    by_name = {
        name.lower(): team_id
        for team_id, name in choices.teams
        if choices.team_workspaces.get(team_id) == workspace
    }
    found = by_name.get(value.lower(), "")
    if not found:
        fail("team", f"no team with the id or name “{value}” in this workspace.")
    return found


def _flag_duplicates(rows: list[ParsedRow]) -> None:
    """Two rows with the same name in the same workspace: the second is refused."""
    seen: dict[tuple[str, str], int] = {}
    for row in rows:
        if row.project is None:
            continue
        key = (row.project.workspace, row.project.name.lower())
        if key in seen:
            row.errors.append(f"Name: the same as row {seen[key]} in the same workspace.")
            row.project = None
        else:
            seen[key] = row.number
