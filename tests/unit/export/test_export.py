"""Every list exported as filtered, to CSV and XLSX (core/export.py, resource_views.export_page)."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.contrib.auth import get_user_model
from openpyxl import load_workbook

from ats.models import Offer, Placement
from core.export import csv_download, plain
from core.groups import permission_named
from core.resources import registered

pytestmark = pytest.mark.django_db


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response.streaming, "a CSV export is streamed, not built in memory first"
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")  # spreadsheets read UTF-8 accents with it
    return list(csv.reader(io.StringIO(body[1:])))


def _xlsx(response) -> list[tuple]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return list(book.active.iter_rows(values_only=True))


def test_candidates_export_is_the_whole_filtered_list_in_its_order(
    logged_in_client, recruitee, candidate
):
    for n in range(30):  # more than a page (25)
        candidate(recruitee, f"Anna {n:02d}", [f"anna{n}@example.com"])
    candidate(recruitee, "Bob Other", ["bob@example.com"])

    rows = _csv(logged_in_client.get("/candidates/export.csv?q=anna&sort=-name"))

    assert rows[0][:3] == ["Recruitee id", "Name", "Emails"]
    names = [row[1] for row in rows[1:]]
    assert names == [f"Anna {n:02d}" for n in reversed(range(30))]
    assert rows[1][2] == "anna29@example.com"


def test_candidates_export_keeps_the_offer_filter_and_names_the_stage(
    logged_in_client, recruitee, candidate
):
    ann = candidate(recruitee, "Ann Placed", ["ann@example.com"])
    candidate(recruitee, "Bea Unplaced", ["bea@example.com"])
    Offer.objects.create(connection=recruitee, remote_id="7", title="Engineer")
    Placement.objects.create(candidate=ann, offer_remote_id="7", stage_name="Interview")

    rows = _csv(logged_in_client.get("/candidates/export.csv?offer=7"))

    assert [row[1] for row in rows[1:]] == ["Ann Placed"]
    assert rows[1][4] == "Engineer: Interview"


def test_a_csv_cell_never_runs_as_a_formula(logged_in_client, recruitee, candidate):
    candidate(recruitee, '=HYPERLINK("https://evil.example","x")', ["-2+3@example.com"])
    candidate(recruitee, "@SUM(A1)", ["+1 follow@example.com"])

    rows = _csv(logged_in_client.get("/candidates/export.csv?sort=name"))

    cells = {cell for row in rows[1:] for cell in row[1:3]}
    assert '\'=HYPERLINK("https://evil.example","x")' in cells
    assert "'@SUM(A1)" in cells and "'-2+3@example.com" in cells
    assert "'+1 follow@example.com" in cells
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


def test_the_xlsx_export_opens_and_holds_the_rows_as_text(logged_in_client, affinity, organization):
    organization(affinity, "Acme", ["acme.com", "acme.org"])
    organization(affinity, "=cmd|' /C calc'!A0", [])
    organization(affinity, "Other", ["other.com"])

    rows = _xlsx(logged_in_client.get("/organizations/export.xlsx?sort=name"))

    assert rows[0] == ("Affinity id", "Name", "Domains", "Global", "Persons")
    by_name = {row[1]: row for row in rows[1:]}
    assert set(by_name) == {"Acme", "=cmd|' /C calc'!A0", "Other"}
    assert by_name["Acme"][2:4] == ("acme.com; acme.org", "No")
    book = load_workbook(
        io.BytesIO(b"".join(logged_in_client.get("/organizations/export.xlsx").streaming_content))
    )
    cells = [row[1] for row in book.active.iter_rows(min_row=2)]
    assert {cell.data_type for cell in cells} == {"s"}  # never "f", a formula


def test_the_xlsx_export_keeps_the_search(logged_in_client, affinity, person):
    person(affinity, "Łukasz", "Nowak", ["lukasz@example.com"])
    person(affinity, "Jane", "Doe", ["jane@example.com"])

    rows = _xlsx(logged_in_client.get("/persons/export.xlsx?q=lukasz"))

    assert [row[1:4] for row in rows[1:]] == [("Łukasz", "Nowak", "lukasz@example.com")]


def test_projects_export_has_the_providers_columns(logged_in_client, projecttool, project):
    project(projecttool, "Launch")

    rows = _csv(logged_in_client.get("/projects/export.csv"))

    assert rows[0][:3] == ["Project tool id", "Name", "Description"]
    assert [row[1] for row in rows[1:]] == ["Launch"]


def test_an_export_over_the_cap_goes_back_to_the_list_saying_so(
    logged_in_client, recruitee, candidate, settings
):
    settings.EXPORT_MAX_ROWS = 2
    for name in ("Ann", "Anna", "Annie"):
        candidate(recruitee, name, [])

    response = logged_in_client.get("/candidates/export.xlsx?q=ann", follow=True)

    assert response.redirect_chain == [("/candidates/?q=ann", 302)]
    assert "3 candidates match; an export holds at most 2." in response.content.decode()
    assert _csv(logged_in_client.get("/candidates/export.csv?q=annie"))[1][1] == "Annie"


def test_exporting_needs_the_view_right(client, recruitee, candidate):
    candidate(recruitee, "Secret Candidate", [])
    pages = next(r for r in registered() if r.name == "candidate")
    nobody = get_user_model().objects.create_user(username="nobody", password="x-42-long-pass")
    client.force_login(nobody)
    for url in ("/candidates/export.csv", "/candidates/export.xlsx"):
        response = client.get(url)
        assert response.status_code == 403
        assert "Secret Candidate" not in response.content.decode()

    reader = get_user_model().objects.create_user(username="reader", password="x-42-long-pass")
    reader.user_permissions.set([permission_named(pages.permission("view"))])
    client.force_login(reader)
    assert [row[1] for row in _csv(client.get("/candidates/export.csv"))[1:]] == [
        "Secret Candidate"
    ]


def test_the_list_links_its_exports_with_its_filters(logged_in_client, recruitee, candidate):
    candidate(recruitee, "Ann Lee", [])
    html = logged_in_client.get("/candidates/?q=ann&sort=-name").content.decode()
    assert 'href="/candidates/export.csv?q=ann&amp;sort=-name"' in html
    assert 'href="/candidates/export.xlsx?q=ann&amp;sort=-name"' in html


def test_a_csv_time_reads_as_a_spreadsheet_takes_it():
    when = dt.datetime(2026, 1, 2, 3, 4, 5, 678, tzinfo=dt.UTC)
    response = csv_download([["Created"], [plain(when), plain(when.date())]], filename="x.csv")
    text = b"".join(response.streaming_content).decode()
    assert text.endswith('"2026-01-02 03:04:05","2026-01-02"\r\n')
