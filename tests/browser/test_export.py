"""Exports in Chromium: the candidates list, searched, downloaded as CSV and as XLSX."""

import csv
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from ats.models import Candidate
from ats.sync import candidate_search_fields
from integrations.models import Connection

from .layout import layout_problems


@pytest.fixture
def candidates(transactional_db):
    connection = Connection.objects.create(
        provider="recruitee", name="test", base_url="https://example.invalid", api_token="secret"
    )
    for n, name in enumerate(["Ann Lee", "Anna Berg", "=Bob Formula", "Carla Ruiz"]):
        emails = [f"person{n}@example.com"]
        Candidate.objects.create(
            connection=connection, remote_id=str(100 + n), name=name, emails=emails,
            **candidate_search_fields(name, emails),
        )  # fmt: skip
    return connection


def test_export_the_searched_list_as_csv_and_xlsx(candidates, logged_in_page, live_server):
    page = logged_in_page
    page.goto(f"{live_server.url}/candidates/?q=ann&sort=name")
    expect(page.locator("[data-testid=candidate-table] tbody tr")).to_have_count(2)
    export = page.get_by_test_id("export")
    expect(export).to_contain_text("Export these candidates")

    with page.expect_download() as csv_download:
        export.get_by_role("link", name="CSV").click()
    download = csv_download.value
    assert download.suggested_filename.startswith("candidates-")
    text = Path(download.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert [row[1] for row in rows[1:]] == ["Ann Lee", "Anna Berg"]

    with page.expect_download() as xlsx_download:
        export.get_by_role("link", name="XLSX").click()
    assert xlsx_download.value.suggested_filename.endswith(".xlsx")
    book = load_workbook(io.BytesIO(open(xlsx_download.value.path(), "rb").read()))  # noqa: SIM115
    assert [row[1] for row in book.active.iter_rows(min_row=2, values_only=True)] == [
        "Ann Lee",
        "Anna Berg",
    ]

    page.goto(f"{live_server.url}/candidates/")
    with page.expect_download() as all_rows:
        page.get_by_test_id("export").get_by_role("link", name="CSV").click()
    text = Path(all_rows.value.path()).read_text(encoding="utf-8-sig")
    assert "'=Bob Formula" in text and len(list(csv.reader(io.StringIO(text)))) == 5


def test_a_large_export_is_prepared_in_the_background_then_downloaded(
    candidates, logged_in_page, live_server, task_worker, settings, screenshot
):
    settings.EXPORT_IN_REQUEST_MAX_ROWS = 1  # these two are "large": written by the worker
    page = logged_in_page
    page.goto(f"{live_server.url}/candidates/?q=ann&sort=name")
    page.get_by_test_id("export").get_by_role("link", name="XLSX").click()

    offer = page.get_by_test_id("export-offer")
    expect(offer).to_contain_text("2 candidates match")
    expect(offer).to_contain_text("written in the background")
    screenshot("export-offer")
    offer.get_by_role("button", name="Prepare the XLSX file").click()

    progress = page.get_by_test_id("export-progress")
    expect(page.get_by_role("heading", name="Export of candidates")).to_be_visible()
    expect(progress).to_have_attribute("data-status", "done")  # polled until the worker is done
    expect(progress).to_contain_text("2 of 2 rows written")
    expect(page.get_by_role("progressbar", name="Export progress")).to_have_attribute(
        "aria-valuenow", "100"
    )
    screenshot("export-ready")
    page.set_viewport_size({"width": 390, "height": 844})
    assert layout_problems(page, every_option=False) == []
    with page.expect_download() as download:
        progress.get_by_role("link", name="Download").click()
    assert download.value.suggested_filename.startswith("candidates-")
    book = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    assert [row[1] for row in book.active.iter_rows(min_row=2, values_only=True)] == [
        "Ann Lee",
        "Anna Berg",
    ]

    page.get_by_role(
        "link", name="Candidates"
    ).first.click()  # the breadcrumb: the list as searched
    expect(page).to_have_url(f"{live_server.url}/candidates/?q=ann&sort=name")
