"""Reading and checking a CSV file of projects, before anything is sent."""

from __future__ import annotations

import io
from datetime import date

import pytest

from core.csv_safety import csv_text
from integrations.providers import asana, projecttool
from projects.csv_import import (
    MAX_ROWS,
    MAX_UPLOAD_BYTES,
    CsvFileError,
    example_rows,
    parse_projects_csv,
    read_upload,
)
from projects.validation import ProjectChoices

TOOL = ProjectChoices(
    provider=projecttool.PROVIDER,
    users=[("3", "Ada (ada@x.io)")],
    workspaces=[("1", "Acme"), ("2", "Beta")],
    user_emails={"ada@x.io": "3"},
)
ASANA = ProjectChoices(provider=asana.PROVIDER, workspaces=[("77", "Acme")], default_workspace="77")


def _read(data: bytes) -> str:
    return read_upload(io.BytesIO(data), len(data))


def test_a_good_file_gives_one_project_per_row():
    text = (
        "Name,Workspace,Owner,Start date,End date,Status,Priority,Tags,Template\n"
        "Launch,Acme,ada@x.io,2026-01-01,2026-02-01,active,high,a; b,7\n"
    )
    [row] = parse_projects_csv(text, TOOL)
    assert row.errors == [] and row.number == 2
    project = row.project
    assert (project.workspace, project.owner, project.status, project.priority) == (
        "1",
        "3",
        "Active",
        "High",
    )
    assert project.tags == ("a", "b") and project.start_date == date(2026, 1, 1)


def test_utf8_with_bom_is_read_and_other_encodings_are_refused():
    assert _read("\ufeffname,workspace\nCafé,1\n".encode()).startswith("name")
    with pytest.raises(CsvFileError, match="not UTF-8"):
        _read("name,workspace\nCafé,1\n".encode("latin-1"))


def test_missing_header_or_required_column_is_refused():
    with pytest.raises(CsvFileError, match="no header"):
        parse_projects_csv("\n\n", TOOL)
    with pytest.raises(CsvFileError, match="required column 'workspace'"):
        parse_projects_csv("name\nLaunch\n", TOOL)
    with pytest.raises(CsvFileError, match="required column 'name'"):
        parse_projects_csv("workspace\n1\n", TOOL)
    with pytest.raises(CsvFileError, match="Unknown column 'colour'"):
        parse_projects_csv("name,workspace,colour\nA,1,red\n", TOOL)
    with pytest.raises(CsvFileError, match="no rows"):
        parse_projects_csv("name,workspace\n", TOOL)


def test_a_default_workspace_makes_the_column_optional():
    [row] = parse_projects_csv("name\nLaunch\n", ASANA)
    assert row.project.workspace == "77"


def test_the_size_cap_is_checked_before_reading():
    class Unreadable(io.BytesIO):
        def read(self, *args):
            raise AssertionError("read past the cap")

    with pytest.raises(CsvFileError, match=r"too large \(20\.0 MB\)"):
        read_upload(Unreadable(), 20 * 1024 * 1024)
    with pytest.raises(CsvFileError, match="too large"):  # a size that was not announced
        read_upload(io.BytesIO(b"x" * (MAX_UPLOAD_BYTES + 1)), None)


@pytest.mark.parametrize(
    "cell",
    ["=1+1", "+SUM(A1:A2)", "-2+3", "@SUM(A1)", '=HYPERLINK(""http://x"")', "\tx", "\rx",
     "  =x", "+cmd|' /C calc'!A0", "-A1", "+1-555-0100"],
)  # fmt: skip
def test_formula_cells_are_refused_with_a_clear_message(cell):
    [row] = parse_projects_csv(f'name,workspace,description\nOk,1,"{cell}"\n', TOOL)
    assert row.project is None
    assert "Description: starts with" in row.errors[0]
    assert "a spreadsheet would run it as a formula; remove the first character." in row.errors[0]


@pytest.mark.parametrize(
    "cell", ["- kickoff notes", "+1 follow-up", "@design team", "-5% budget", "-5", "+44 20 7946"]
)
def test_text_that_merely_starts_with_a_sign_is_imported(cell):
    [row] = parse_projects_csv(f'name,workspace,description\n"{cell}",1,"{cell}"\n', TOOL)
    assert row.errors == []
    assert (row.project.name, row.project.description) == (cell, cell)


def test_row_errors_name_the_field_and_leave_other_rows_alone():
    text = (
        "name,workspace,owner,start_date,end_date,status\n"
        ",1,,,,\n"
        "Bad dates,1,,2026-02-01,2026-01-01,\n"
        "Bad refs,Nowhere,nobody@x.io,,,Later\n"
        "Fine,2,3,,,\n"
    )
    rows = parse_projects_csv(text, TOOL)
    assert rows[0].errors == ["Name: is required."]
    assert rows[1].errors == ["End date: The end date must be on or after the start date."]
    assert len(rows[2].errors) == 3
    assert rows[3].project is not None and rows[3].number == 5


def test_duplicates_in_the_file_and_extra_cells_are_refused():
    rows = parse_projects_csv("name,workspace\nA,1\na,1\nA,2\nB,1,extra\n", TOOL)
    assert [bool(r.project) for r in rows] == [True, False, True, False]
    assert "same as row 2" in rows[1].errors[0]
    assert "3 cells" in rows[3].errors[0]


def test_asana_refuses_what_it_cannot_store_and_its_date_rules():
    text = "name,status,tags,start_date,end_date\nA,Active,x,,\nB,,,2026-01-01,\n"
    first, second = parse_projects_csv(text, ASANA)
    assert first.errors == [
        "Status: Asana has no status; leave it empty.",
        "Tags: Asana has no tags; leave it empty.",
    ]
    assert second.errors == ["End date: Asana needs an end date (due on) when a start date is set."]


def test_a_file_of_1000_rows_works_and_one_more_is_refused():
    lines = "".join(f"Project {n},1,2026-01-01,2026-01-02\n" for n in range(MAX_ROWS))
    header = "name,workspace,start_date,end_date\n"
    rows = parse_projects_csv(header + lines, TOOL)
    assert len(rows) == 1000 and all(r.project for r in rows)
    with pytest.raises(CsvFileError, match="1,001 rows"):
        parse_projects_csv(header + lines + "One more,1,,\n", TOOL)


def test_malformed_csv_is_a_file_error():
    with pytest.raises(CsvFileError, match="NUL"):
        parse_projects_csv("name,workspace\nA\x00,1\n", TOOL)


def test_the_example_file_parses_for_each_provider():
    for choices in (TOOL, ASANA):
        rows = parse_projects_csv(csv_text(example_rows(choices)), choices)
        assert len(rows) == 2 and all(r.project for r in rows), [r.errors for r in rows]


ASANA_ORG = ProjectChoices(
    provider=asana.PROVIDER,
    workspaces=[("77", "Acme"), ("88", "Acme Org")],
    teams=[("5", "Engineering"), ("6", "Marketing")],
    team_workspaces={"5": "88", "6": "88"},
    organizations=frozenset({"88"}),
)


def test_asana_team_by_id_or_name_and_required_in_an_organization():
    text = (
        "name,workspace,team\n"
        "By name,Acme Org,marketing\n"
        "By id,88,5\n"
        "No team,Acme Org,\n"
        "Unknown team,Acme Org,Sales\n"
        "Plain,Acme,\n"
        "Team elsewhere,Acme,5\n"
    )
    rows = parse_projects_csv(text, ASANA_ORG)
    assert [r.project.team if r.project else None for r in rows] == [
        "6", "5", None, None, "", None,
    ]  # fmt: skip
    assert rows[2].errors == [
        "Team: Asana needs a team for a project in an organization workspace."
    ]
    assert rows[3].errors[0] == "Team: no team with the id or name “Sales” in this workspace."
    assert rows[5].errors == ["Team: Pick a team of the chosen workspace."]


def test_the_asana_example_file_names_a_team_for_an_organization():
    choices = ProjectChoices(
        provider=asana.PROVIDER,
        workspaces=[("88", "Acme Org")],
        teams=[("5", "Engineering")],
        team_workspaces={"5": "88"},
        organizations=frozenset({"88"}),
    )
    header, *rows = example_rows(choices)
    assert "team" in header
    parsed = parse_projects_csv(csv_text([header, *rows]), choices)
    assert all(row.project and row.project.team == "5" for row in parsed)
