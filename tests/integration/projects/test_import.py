"""Bulk import through the sandbox: invalid rows are reported, valid ones created once."""

from __future__ import annotations

import csv
import io

from django.core.files.uploadedfile import SimpleUploadedFile

from integrations.models import AuditEntry, OutboxItem
from projects.models import ImportBatch, Project


def _csv(rows: list[dict[str, str]]) -> SimpleUploadedFile:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return SimpleUploadedFile("projects.csv", out.getvalue().encode(), content_type="text/csv")


def _rows(count: int) -> list[dict[str, str]]:
    return [
        {
            "name": f"Imported {n:03d}",
            "workspace": "Workspace 1" if n % 2 else "2",
            "owner": "1",
            "start_date": "2026-01-01",
            "end_date": "2026-02-01",
            "status": "active",
            "priority": "Low",
            "tags": "import;bulk",
        }
        for n in range(count)
    ]


def test_bulk_import_of_200_rows(
    logged_in_client,
    sandbox_connection,
    sandbox_clean,
    synced,
    django_capture_on_commit_callbacks,
):
    synced(sandbox_connection("projecttool"), "workspaces", "users")
    taken = sandbox_clean.record("SELECT payload FROM projects_projects WHERE workspace_id = 1")
    rows = _rows(200)
    rows[5]["start_date"] = "2026-13-01"  # not a date
    rows[17]["status"] = "Unknown"  # not a status
    rows[42]["name"] = '=HYPERLINK("http://evil")'  # a formula
    rows[99]["workspace"] = "Nowhere"  # no such workspace
    rows[151]["name"] = taken["name"]  # exists at the provider (not synced here): a 409 row
    rows[151]["workspace"] = "1"
    before = sandbox_clean.count("projects_projects")

    response = logged_in_client.post("/projects/import/", {"file": _csv(rows)})
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response.url == f"/projects/import/{batch.token}/"
    assert (batch.row_count, batch.valid_count) == (200, 196)
    preview = logged_in_client.get(response.url, {"show": "invalid"})
    invalid = {row.number: row.errors for row in preview.context["page_obj"]}
    assert set(invalid) == {7, 19, 44, 101}  # spreadsheet rows: the header is row 1
    assert "not a date" in invalid[7][0]
    assert "formula" in invalid[44][0]
    assert sandbox_clean.count("projects_projects") == before  # nothing sent yet

    with django_capture_on_commit_callbacks(execute=True):
        submitted = logged_in_client.post(f"/projects/import/{batch.token}/submit/")
    assert submitted.status_code == 302
    assert sandbox_clean.count("projects_projects") == before + 195
    items = OutboxItem.objects.filter(submission_key__startswith="project-import-")
    assert items.filter(status="done").count() == 195
    failed = items.get(status="failed")
    assert "already exists" in failed.last_error
    assert Project.objects.filter(name__startswith="Imported ", sync_status="synced").count() == 195
    # Each row is in the audit trail, answered as the bulk endpoint's 207 said.
    entries = AuditEntry.objects.filter(page="projects:project_import_submit", action="create")
    assert entries.count() == 196
    assert entries.filter(outcome="sent").count() == 195
    assert "already exists" in entries.get(outcome="refused").answer

    # A second submit (a double click, a reload) sends nothing again.
    with django_capture_on_commit_callbacks(execute=True):
        logged_in_client.post(f"/projects/import/{batch.token}/submit/")
    assert sandbox_clean.count("projects_projects") == before + 195
    assert items.count() == 196

    page = logged_in_client.get(f"/projects/import/{batch.token}/")
    progress = page.context["progress"]
    assert (progress.done, progress.failed, progress.pending) == (195, 1, 0)
    assert progress.finished and progress.percent == 100
    assert "Created" in page.content.decode()


def test_import_through_asana_goes_one_by_one(
    logged_in_client, sandbox_connection, sandbox_clean, synced, django_capture_on_commit_callbacks
):
    synced(sandbox_connection("asana"), "workspaces", "users")
    rows = [
        {
            "name": f"Asana import {n}",
            "workspace": "Sandbox Workspace 1",
            "start_date": "2026-01-01",
            "end_date": "2026-01-02" if n else "2026-01-01",
        }
        for n in range(5)
    ]
    before = sandbox_clean.count("asana_projects")
    response = logged_in_client.post("/projects/import/", {"file": _csv(rows)})
    batch = ImportBatch.objects.get()
    assert batch.valid_count == 4  # row 2: start equals end, refused before sending
    with django_capture_on_commit_callbacks(execute=True):
        logged_in_client.post(f"/projects/import/{batch.token}/submit/")
    assert sandbox_clean.count("asana_projects") == before + 4
    assert response.status_code == 302


def test_a_status_column_is_refused_for_asana(logged_in_client, sandbox_connection, synced):
    synced(sandbox_connection("asana"), "workspaces")
    rows = [{"name": "With status", "workspace": "Sandbox Workspace 1", "status": "Active"}]
    logged_in_client.post("/projects/import/", {"file": _csv(rows)})
    row = ImportBatch.objects.get().rows.get()
    assert row.errors == ["Status: Asana has no status; leave it empty."]


def test_the_same_file_uploaded_twice_creates_each_project_once(
    logged_in_client, sandbox_connection, sandbox_clean, synced, django_capture_on_commit_callbacks
):
    """The upload seemed to hang and was sent again (or a colleague imported the same
    file): both previews were clean, as neither was submitted yet. Asana keeps any number
    of projects with one name, so the second submit must find the first one's rows."""
    synced(sandbox_connection("asana"), "workspaces", "users")
    rows = [
        {"name": f"Twice {n}", "workspace": "Sandbox Workspace 1",
         "start_date": "2026-01-01", "end_date": "2026-01-02"}
        for n in range(3)
    ]  # fmt: skip
    before = sandbox_clean.count("asana_projects")
    for _ in range(2):
        logged_in_client.post("/projects/import/", {"file": _csv(rows)})
    first, second = ImportBatch.objects.order_by("pk")
    assert (first.valid_count, second.valid_count) == (3, 3)

    for batch in (first, second):
        with django_capture_on_commit_callbacks(execute=True):
            logged_in_client.post(f"/projects/import/{batch.token}/submit/")

    assert sandbox_clean.count("asana_projects") == before + 3
    assert Project.objects.filter(name__startswith="Twice ").count() == 3
    page = logged_in_client.get(f"/projects/import/{second.token}/", {"show": "invalid"})
    assert all("already exists" in row.errors[0] for row in page.context["page_obj"])
