"""Two imports of the same file submitted at the same moment create each project once
(projects/services.py `import_batch_submit`: the name check and the new rows under the
connection row's lock). Real threads and connections: on SQLite here, on PostgreSQL when
the suite runs there (DATABASE_URL=postgres://…), where two gunicorn workers in READ
COMMITTED would otherwise both pass the check."""

from __future__ import annotations

import csv
import io
import threading
import time
from functools import partial

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from integrations.models import Connection, OutboxItem
from projects import services
from projects.models import ImportBatch, Project, Workspace
from tests.concurrency import at_once

NAMES = [f"Launch {n}" for n in range(3)]


def _csv() -> SimpleUploadedFile:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["name", "workspace"])
    writer.writerows([name, "Marketing"] for name in NAMES)
    return SimpleUploadedFile("projects.csv", out.getvalue().encode(), content_type="text/csv")


@pytest.fixture
def sent_batches(monkeypatch) -> list[int]:
    """The batches whose sending task was queued, from any thread (nothing is sent)."""
    batches: list[int] = []
    lock = threading.Lock()

    class Task:
        def enqueue(self, *, batch_id: int) -> None:
            with lock:
                batches.append(batch_id)

    monkeypatch.setattr(services, "project_import_send_task", Task())
    return batches


@pytest.mark.django_db(transaction=True)
def test_two_imports_of_one_file_submitted_at_once_create_each_project_once(
    user, monkeypatch, sent_batches
):
    connection = Connection.objects.create(provider="asana", name="asana", api_token="tok")
    Workspace.objects.create(connection=connection, remote_id="1", name="Marketing")
    colleague = get_user_model().objects.create_user(username="bo", password="x")
    colleague.user_permissions.set(user.user_permissions.all())
    browsers = []
    for person in (user, colleague):
        browser = Client()
        browser.force_login(person)
        assert browser.post("/projects/import/", {"file": _csv()}).status_code == 302
        browsers.append(browser)
    batches = list(ImportBatch.objects.order_by("pk"))
    assert [batch.valid_count for batch in batches] == [3, 3]  # neither preview saw the other

    # Reading the names takes a moment: the window in which the other submit reads too.
    check = services.existing_project_names

    def slow_check(**kwargs):
        found = check(**kwargs)
        time.sleep(0.5)
        return found

    monkeypatch.setattr(services, "existing_project_names", slow_check)
    statuses: list[int] = []

    def submit(browser: Client, batch: ImportBatch) -> None:
        statuses.append(browser.post(f"/projects/import/{batch.token}/submit/").status_code)

    at_once(*(partial(submit, b, batch) for b, batch in zip(browsers, batches, strict=True)))

    assert statuses == [302, 302]
    assert sorted(Project.objects.values_list("name", flat=True)) == NAMES
    assert OutboxItem.objects.count() == 3
    for batch in batches:
        batch.refresh_from_db()
    winner, loser = sorted(batches, key=lambda batch: -batch.valid_count)
    assert (winner.valid_count, loser.valid_count) == (3, 0)
    assert sorted(sent_batches) == sorted(batch.pk for batch in batches)
    page = browsers[batches.index(loser)].get(
        f"/projects/import/{loser.token}/", {"show": "invalid"}
    )
    errors = [row.errors for row in page.context["page_obj"]]
    assert errors == [[services.NAME_TAKEN]] * 3
    assert b"already exists in this workspace" in page.content
