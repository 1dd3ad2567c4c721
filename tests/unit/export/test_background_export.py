"""An export too large to write inside a request (over EXPORT_IN_REQUEST_MAX_ROWS) is
written by the background worker; its page shows the progress, then the download."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import IntegrityError, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

import core.export
import core.list_exports
from ats.models import Candidate, Offer, Placement
from core.groups import permission_named
from core.models import ListExport, ListExportPart
from core.resources import registered
from integrations.models import Connection

pytestmark = pytest.mark.django_db


@pytest.fixture
def three_candidates(settings, recruitee, candidate):
    settings.EXPORT_IN_REQUEST_MAX_ROWS = 2
    for name in ("Ann Lee", "Anna Berg", "=Annie Formula", "Bob Other"):
        candidate(recruitee, name, [f"{name.split()[0].lower()}@example.com"])


@pytest.fixture
def ask():
    """Ask for an export as a person does (GET offers it, POST queues it); its page's URL."""

    def ask(client, url: str) -> str:
        offered = client.get(url)
        assert offered.status_code == 200
        assert offered["Content-Type"].startswith("text/html")
        response = client.post(url)
        assert response.status_code == 302
        return response["Location"]

    return ask


def test_a_large_export_is_not_written_inside_the_request(logged_in_client, three_candidates):
    offered = logged_in_client.get("/candidates/export.xlsx?q=ann")

    assert offered.status_code == 200
    assert not offered.streaming, "the file is not written inside the request"
    html = offered.content.decode()
    assert "3 candidates" in html and "in the background" in html
    assert ListExport.objects.count() == 0, "a GET writes nothing"

    response = logged_in_client.post("/candidates/export.xlsx?q=ann")

    export = ListExport.objects.get()
    assert response["Location"] == f"/candidates/exports/{export.pk}/"
    assert (export.status, export.kind, export.query, export.rows_total) == (
        "queued", "xlsx", "q=ann", 3
    )  # fmt: skip
    page = logged_in_client.get(response["Location"]).content.decode()
    assert "Queued" in page and "Download" not in page


def test_a_small_export_still_downloads_at_once(logged_in_client, three_candidates):
    response = logged_in_client.get("/candidates/export.csv?q=annie")
    assert response.streaming and response["Content-Disposition"].startswith("attachment")


def test_the_worker_writes_the_file_and_its_page_offers_the_download(
    logged_in_client, three_candidates, immediate_tasks, ask
):
    page_url = ask(logged_in_client, "/candidates/export.xlsx?q=ann&sort=-name")

    page = logged_in_client.get(page_url).content.decode()
    assert "Ready" in page and f'href="{page_url}download/"' in page
    download = logged_in_client.get(f"{page_url}download/")
    assert download["Content-Disposition"].startswith('attachment; filename="candidates-')
    book = load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    rows = list(book.active.iter_rows(values_only=True))
    assert [row[1] for row in rows[1:]] == ["Anna Berg", "Ann Lee", "=Annie Formula"]
    assert book.active.cell(row=4, column=2).data_type == "s"  # text, never a formula
    export = ListExport.objects.get()
    assert (export.status, export.rows_written, export.percent) == ("done", 3, 100)


def test_a_background_csv_is_the_same_formula_safe_file(
    logged_in_client, three_candidates, immediate_tasks, ask
):
    page_url = ask(logged_in_client, "/candidates/export.csv?q=ann&sort=name")

    body = b"".join(logged_in_client.get(f"{page_url}download/").streaming_content).decode()
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body[1:])))
    assert [row[1] for row in rows[1:]] == ["'=Annie Formula", "Ann Lee", "Anna Berg"]


def test_asking_again_while_one_is_on_its_way_follows_that_one(
    logged_in_client, three_candidates, ask
):
    first = ask(logged_in_client, "/candidates/export.csv?q=ann")
    assert ask(logged_in_client, "/candidates/export.csv?q=ann") == first
    assert ask(logged_in_client, "/candidates/export.xlsx?q=ann") != first
    assert ListExport.objects.count() == 2


def test_only_the_person_who_asked_or_a_superuser_sees_the_export(
    client, logged_in_client, three_candidates, immediate_tasks, staff_user, ask
):
    page_url = ask(logged_in_client, "/candidates/export.csv")
    pages = next(r for r in registered() if r.name == "candidate")
    for name, staff in (("other", False), ("support", True)):  # staff: as anyone
        other = get_user_model().objects.create_user(
            username=name, password="x-42-long-pass", is_staff=staff
        )
        other.user_permissions.set([permission_named(pages.permission("view"))])
        client.force_login(other)
        for url in (page_url, f"{page_url}download/"):
            assert client.get(url).status_code == 404

    nobody = get_user_model().objects.create_user(username="nobody", password="x-42-long-pass")
    client.force_login(nobody)
    assert client.get(f"{page_url}download/").status_code == 403  # no right to the list

    client.force_login(staff_user)
    assert client.get(f"{page_url}download/").status_code == 200


def test_an_export_that_failed_says_so(
    logged_in_client, three_candidates, immediate_tasks, monkeypatch, ask
):
    def disk_full(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr("core.list_exports.xlsx_write", disk_full)

    page_url = ask(logged_in_client, "/candidates/export.xlsx")

    page = logged_in_client.get(page_url).content.decode()
    assert "could not be written" in page and "disk full" not in page
    assert ListExport.objects.get().status == "failed"
    assert logged_in_client.get(f"{page_url}download/").status_code == 404


def test_old_exports_are_deleted_by_the_scheduler(
    logged_in_client, three_candidates, settings, ask
):
    settings.EXPORT_KEEP_HOURS = 24
    ask(logged_in_client, "/candidates/export.csv")
    kept = ask(logged_in_client, "/candidates/export.xlsx")
    ListExport.objects.exclude(pk=kept.split("/")[-2]).update(
        created_at=timezone.now() - dt.timedelta(hours=25)
    )

    call_command("run_scheduler", "--once", stdout=io.StringIO())

    assert [str(e.pk) for e in ListExport.objects.all()] == [kept.split("/")[-2]]


def test_an_export_whose_worker_died_is_marked_failed_by_the_scheduler(
    logged_in_client, three_candidates, ask
):
    page_url = ask(logged_in_client, "/candidates/export.xlsx")
    ListExport.objects.update(status="running", rows_written=2)
    ListExport.objects.update(updated_at=timezone.now() - dt.timedelta(minutes=11))

    call_command("run_scheduler", "--once", stdout=io.StringIO())

    assert ListExport.objects.get().status == "failed"
    assert "could not be written" in logged_in_client.get(page_url).content.decode()


def test_the_worker_saves_its_progress_as_it_writes(
    logged_in_client, three_candidates, immediate_tasks, ask, monkeypatch
):
    seen: list[int] = []
    plain = core.export.plain

    def watching(value):
        seen.append(ListExport.objects.values_list("rows_written", flat=True).get())
        return plain(value)

    monkeypatch.setattr(core.list_exports, "CHUNK_SIZE", 1)
    monkeypatch.setattr(core.export, "plain", watching)

    ask(logged_in_client, "/candidates/export.csv?q=ann")

    assert sorted(set(seen)) == [0, 1, 2]  # what the export's page showed meanwhile


def _export_id(page_url: str) -> str:
    return page_url.rstrip("/").split("/")[-1]


def test_an_export_whose_filter_vanished_before_the_worker_ran_fails_saying_so(
    logged_in_client, three_candidates, recruitee, ask
):
    ann = Candidate.objects.get(name="Ann Lee")
    Offer.objects.create(connection=recruitee, remote_id="7", title="Engineer")
    Placement.objects.create(candidate=ann, offer_remote_id="7", stage_name="Interview")
    for name in ("Cem One", "Dee Two"):
        Placement.objects.create(
            candidate=Candidate.objects.create(connection=recruitee, remote_id=name, name=name),
            offer_remote_id="7", stage_name="Interview",
        )  # fmt: skip
    page_url = ask(logged_in_client, "/candidates/export.csv?offer=7")
    Offer.objects.all().delete()  # a sync found the offer gone before the worker ran

    assert core.list_exports.export_write(_export_id(page_url)) == "failed"

    page = logged_in_client.get(page_url).content.decode()
    assert "filters changed since you asked; export it again." in page
    assert logged_in_client.get(f"{page_url}download/").status_code == 404


def test_the_worker_never_writes_more_than_the_cap(
    logged_in_client, three_candidates, recruitee, candidate, settings, ask
):
    settings.EXPORT_MAX_ROWS = 4
    page_url = ask(logged_in_client, "/candidates/export.csv")  # 4 candidates: allowed
    candidate(recruitee, "Eve Late", [])  # synced before the worker ran

    assert core.list_exports.export_write(_export_id(page_url)) == "failed"

    page = logged_in_client.get(page_url).content.decode()
    assert "5 candidates match; an export holds at most 4." in page
    assert ListExport.objects.get().rows_written <= 4


def test_the_worker_exports_the_connection_the_list_showed(
    logged_in_client, three_candidates, recruitee, other_recruitee, candidate, ask
):
    candidate(other_recruitee, "Zed Elsewhere", [])
    page_url = ask(logged_in_client, "/candidates/export.csv")
    Connection.objects.filter(pk=recruitee.pk).update(is_active=False)  # the list moves on

    core.list_exports.export_write(_export_id(page_url))

    export = ListExport.objects.get()
    body = b"".join(core.list_exports.export_file(export).streaming_content).decode()
    names = [row[1] for row in csv.reader(io.StringIO(body[1:]))][1:]
    assert sorted(names) == ["'=Annie Formula", "Ann Lee", "Anna Berg", "Bob Other"]


@pytest.mark.parametrize("then_active", ["other", "none"])
def test_the_person_who_asked_gets_the_file_after_the_list_moved_to_another_connection(
    logged_in_client, three_candidates, immediate_tasks, recruitee, other_recruitee, ask,
    then_active,
):  # fmt: skip
    Connection.objects.filter(pk=other_recruitee.pk).update(is_active=False)
    page_url = ask(logged_in_client, "/candidates/export.csv?q=ann")
    Connection.objects.filter(pk=recruitee.pk).update(is_active=False)  # the list moves on
    if then_active == "other":
        Connection.objects.filter(pk=other_recruitee.pk).update(is_active=True)

    page = logged_in_client.get(page_url)
    assert page.status_code == 200 and "Ready" in page.content.decode()
    download = logged_in_client.get(f"{page_url}download/")
    assert download.status_code == 200
    body = b"".join(download.streaming_content).decode()
    names = [row[1] for row in csv.reader(io.StringIO(body[1:]))][1:]
    assert sorted(names) == ["'=Annie Formula", "Ann Lee", "Anna Berg"]


def test_the_database_holds_one_export_on_its_way_per_list_format_and_filters(
    admin_user, recruitee
):
    fields = {
        "user": admin_user, "connection": recruitee, "resource": "ats:candidate_list",
        "kind": "csv", "query": "q=ann",
    }  # fmt: skip
    ListExport.objects.create(**fields, status="done")
    ListExport.objects.create(**fields)  # a done one does not count
    with pytest.raises(IntegrityError), transaction.atomic():
        ListExport.objects.create(**fields, status="running")  # two POSTs at once
    ListExport.objects.create(**{**fields, "kind": "xlsx"})


def test_a_duplicated_task_writes_the_export_once(
    logged_in_client, three_candidates, ask, monkeypatch
):
    page_url = ask(logged_in_client, "/candidates/export.csv")
    written: list[int] = []
    lines = core.list_exports.csv_lines
    monkeypatch.setattr(
        core.list_exports, "csv_lines", lambda *a, **k: written.append(1) or lines(*a, **k)
    )
    now = timezone.now
    other_worker: list[str] = []

    def the_same_task_runs_meanwhile() -> dt.datetime:
        if not other_worker:  # between this worker's read and its claim
            other_worker.append("started")
            other_worker.append(core.list_exports.export_write(_export_id(page_url)))
        return now()

    monkeypatch.setattr(timezone, "now", the_same_task_runs_meanwhile)

    assert core.list_exports.export_write(_export_id(page_url)) == "skipped"
    assert other_worker == ["started", "done"] and written == [1]
    assert ListExport.objects.get().status == "done"


def test_an_export_failed_while_it_was_written_stays_failed(
    logged_in_client, three_candidates, ask, monkeypatch
):
    page_url = ask(logged_in_client, "/candidates/export.csv")
    lines = core.list_exports.csv_lines

    def tidied_meanwhile(*args, **kwargs):
        ListExport.objects.update(status="failed")  # exports_tidy: no progress for too long
        return lines(*args, **kwargs)

    monkeypatch.setattr(core.list_exports, "csv_lines", tidied_meanwhile)

    core.list_exports.export_write(_export_id(page_url))

    assert ListExport.objects.get().status == "failed"
    assert logged_in_client.get(f"{page_url}download/").status_code == 404


def test_an_export_whose_task_could_not_be_queued_is_not_kept(
    logged_in_client, three_candidates, monkeypatch, ask
):
    class Unreachable:
        def enqueue(self, **kwargs):
            raise ConnectionError("the task queue is unreachable")

    monkeypatch.setattr(core.list_exports, "list_export_task", Unreachable())
    with pytest.raises(ConnectionError):
        ask(logged_in_client, "/candidates/export.csv")

    assert ListExport.objects.count() == 0, "no export left queued with no task to write it"


def test_an_export_no_worker_took_fails_and_asking_again_makes_a_new_one(
    logged_in_client, three_candidates, ask
):
    page_url = ask(logged_in_client, "/candidates/export.csv")  # the task is lost
    ListExport.objects.update(created_at=timezone.now() - dt.timedelta(minutes=31))

    call_command("run_scheduler", "--once", stdout=io.StringIO())

    assert ListExport.objects.get().status == "failed"
    assert (
        "No background worker took this export" in logged_in_client.get(page_url).content.decode()
    )
    assert ask(logged_in_client, "/candidates/export.csv") != page_url


def test_the_file_is_kept_in_pieces_and_downloaded_a_piece_at_a_time(
    logged_in_client, three_candidates, immediate_tasks, ask, monkeypatch
):
    monkeypatch.setattr(core.list_exports, "PART_SIZE", 50)
    page_url = ask(logged_in_client, "/candidates/export.csv?sort=name")
    assert ListExportPart.objects.count() > 2

    with CaptureQueriesContext(connections["default"]) as queries:
        download = logged_in_client.get(f"{page_url}download/")
        assert download.streaming
        pieces = list(download.streaming_content)

    body = b"".join(pieces)
    assert int(download["Content-Length"]) == len(body)
    assert (
        download["Content-Disposition"]
        == f'attachment; filename="{ListExport.objects.get().filename}"'
    )
    assert [row[1] for row in csv.reader(io.StringIO(body.decode()[1:]))] == [
        "Name", "'=Annie Formula", "Ann Lee", "Anna Berg", "Bob Other"
    ]  # fmt: skip
    reads = [q["sql"] for q in queries if '"data"' in q["sql"]]
    assert len(reads) == len(pieces) == ListExportPart.objects.count(), "one piece a query"


def test_the_export_page_its_poll_and_the_tidying_never_read_the_file(
    logged_in_client, three_candidates, immediate_tasks, ask
):
    page_url = ask(logged_in_client, "/candidates/export.csv")

    for url in (page_url, f"{page_url}?progress=1"):
        with CaptureQueriesContext(connections["default"]) as queries:
            assert logged_in_client.get(url).status_code == 200
        read = " ".join(q["sql"] for q in queries)
        assert "core_listexport" in read and "core_listexportpart" not in read

    ListExport.objects.update(created_at=timezone.now() - dt.timedelta(days=2))
    with CaptureQueriesContext(connections["default"]) as queries:
        core.list_exports.exports_tidy()
    assert ListExportPart.objects.count() == 0
    assert not [q for q in queries if '"data"' in q["sql"]], "deleted without being read"
