"""The projects pages: states, escaping of provider data, and refusing bad uploads."""

from __future__ import annotations

import csv
import io

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile

from integrations.models import Connection, OutboxItem, SyncRun
from integrations.providers import projecttool
from projects.csv_import import parse_projects_csv
from projects.forms import ProjectForm
from projects.models import ImportBatch, ImportRow, Project, ProjectUser, Workspace
from projects.validation import ProjectChoices


@pytest.fixture
def connection(db):
    return Connection.objects.create(
        provider="projecttool", name="t", base_url="https://pm.example.test", api_token="tok"
    )


def test_not_connected_pages_say_so(logged_in_client):
    for url in ("/projects/", "/projects/new/", "/projects/import/"):
        page = logged_in_client.get(url)
        assert page.status_code == 200
        assert b"No project tool is connected" in page.content


def test_the_list_escapes_provider_data_and_starts_the_first_sync(logged_in_client, connection):
    Project.objects.create(
        connection=connection,
        remote_id="1",
        name="<script>alert(1)</script>",
        tags=["<b>x</b>"],
        raw={"weird": [1]},
        owner_remote_id="9",
    )
    page = logged_in_client.get("/projects/")
    html = page.content.decode()
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html
    assert "&lt;b&gt;x&lt;/b&gt;" in html
    assert page.context["sync"] is not None


def test_the_detail_page_never_links_an_unsafe_url(logged_in_client, connection):
    project = Project.objects.create(
        connection=connection, remote_id="1", name="P", raw={"permalink_url": "javascript:alert(1)"}
    )
    html = logged_in_client.get(f"/projects/{project.pk}/").content.decode()
    assert "javascript:" not in html
    assert logged_in_client.get("/projects/999999/").status_code == 404


def test_the_form_offers_only_supported_fields(logged_in_client, db):
    Connection.objects.create(provider="asana", name="a", api_token="tok")
    form = logged_in_client.get("/projects/new/").context["form"]
    assert "status" not in form.fields and "tags" not in form.fields
    assert {"name", "owner", "workspace", "start_date", "end_date"} <= set(form.fields)


def test_a_20_mb_upload_is_refused_unread_and_nothing_is_kept(logged_in_client, connection):
    line = b"x,1," + b"d" * 1020 + b"\n"  # 1 KB rows: 20,000 of them
    big = SimpleUploadedFile("big.csv", b"name,workspace,description\n" + line * 20 * 1024)
    page = logged_in_client.post("/projects/import/", {"file": big})
    assert page.status_code == 413
    assert "This page accepts at most 2.1\xa0MB at once" in page.content.decode()
    assert not ImportBatch.objects.exists()


def test_a_file_just_over_2_mb_is_a_form_error(logged_in_client, connection):
    line = b"x,1," + b"d" * 1020 + b"\n"
    big = SimpleUploadedFile("big.csv", b"name,workspace,description\n" + line * 2 * 1024 + line)
    page = logged_in_client.post("/projects/import/", {"file": big})
    assert page.status_code == 200
    assert "The file is too large" in page.content.decode()
    assert not ImportBatch.objects.exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("name,workspace\nCafé,1\n".encode("latin-1"), "not UTF-8"),
        (b"workspace\n1\n", "required column"),
        (b"", "The submitted file is empty"),
    ],
)
def test_a_malformed_file_gets_a_clear_message(logged_in_client, connection, content, message):
    Workspace.objects.create(connection=connection, remote_id="1", name="Acme")
    page = logged_in_client.post(
        "/projects/import/", {"file": SimpleUploadedFile("f.csv", content)}
    )
    assert message in page.content.decode()
    assert not ImportBatch.objects.exists()


def test_the_preview_lists_rows_and_the_example_downloads(logged_in_client, connection):
    Workspace.objects.create(connection=connection, remote_id="1", name="Acme")
    upload = SimpleUploadedFile("f.csv", b'name,workspace\nGood,Acme\n"=cmd()",1\n')
    response = logged_in_client.post("/projects/import/", {"file": upload})
    page = logged_in_client.get(response.url)
    html = page.content.decode()
    assert "1 ready" in html and "1 with problems" in html and "formula" in html
    example = logged_in_client.get("/projects/import/example.csv")
    assert example["Content-Type"].startswith("text/csv")
    assert example.content.decode().startswith('"name","description","owner","workspace"')


def test_the_example_csv_never_carries_a_formula_from_synced_names(logged_in_client, connection):
    Workspace.objects.create(
        connection=connection, remote_id="1", name='=HYPERLINK("http://x";"a,b")'
    )
    example = logged_in_client.get("/projects/import/example.csv").content.decode()
    assert '"\'=HYPERLINK(""http://x"";""a,b"")"' in example
    rows = list(csv.reader(io.StringIO(example)))
    assert {len(row) for row in rows} == {len(rows[0])}  # no cell split by the ; or ,
    assert rows[1][rows[0].index("workspace")] == '\'=HYPERLINK("http://x";"a,b")'


@pytest.mark.parametrize(
    ("name", "refused"),
    [("=1+1", True), ("+SUM(A1:A2)", True), ("@SUM(A1)", True), ("-2+3", True),
     ("- kickoff notes", False), ("+1 follow-up", False), ("@design team", False),
     ("-5% budget", False)],
)  # fmt: skip
def test_the_form_refuses_what_would_run_as_a_formula_like_the_import(name, refused):
    choices = ProjectChoices(provider=projecttool.PROVIDER, workspaces=[("1", "Acme")])
    form = ProjectForm(
        {"name": name, "description": name, "workspace": "1", "submission_key": "k"},
        choices=choices,
    )
    assert form.is_valid() is not refused
    if refused:
        for field in ("name", "description"):
            assert "a spreadsheet would run it as a formula" in form.errors[field][0]
    [row] = parse_projects_csv(f'name,workspace\n"{name}",1\n', choices)
    assert bool(row.errors) is refused  # the import draws the same line


def test_the_preview_names_the_owner_and_workspace_each_row_resolves_to(
    logged_in_client, connection
):
    Workspace.objects.create(connection=connection, remote_id="1", name="Acme <Labs>")
    ProjectUser.objects.create(
        connection=connection, remote_id="42", name="Ann Smith", email="ann@example.com"
    )
    upload = SimpleUploadedFile("f.csv", b"name,owner,workspace\nGood,ann@example.com,1\n")
    response = logged_in_client.post("/projects/import/", {"file": upload})
    html = logged_in_client.get(response.url).content.decode()
    assert '<div class="text-body-secondary" data-testid="owner-label">Ann Smith</div>' in html
    assert 'data-testid="workspace-label">Acme &lt;Labs&gt;</div>' in html


def test_progress_tells_htmx_to_reload_when_finished(logged_in_client, user, connection):
    batch = ImportBatch.objects.create(
        connection=connection, row_count=1, valid_count=1, created_by=user
    )
    item = OutboxItem.objects.create(
        connection=connection, operation="projecttool.project_create", submission_key="k1"
    )
    ImportRow.objects.create(batch=batch, number=2, values={"name": "A"}, outbox_item=item)
    url = f"/projects/import/{batch.token}/progress/?polling=1"
    assert "HX-Redirect" not in logged_in_client.get(url)
    OutboxItem.objects.filter(pk=item.pk).update(status="done")
    finished = logged_in_client.get(url)
    assert finished["HX-Redirect"] == f"/projects/import/{batch.token}/"
    assert b"1 created" in finished.content


def test_progress_counts_dismissed_rows_apart_from_failed_ones(logged_in_client, user, connection):
    """A row a person dismissed is not a failure the provider gave: it is counted apart,
    and it is finished (not waiting) like a created or failed one."""
    batch = ImportBatch.objects.create(
        connection=connection, row_count=5, valid_count=5, created_by=user
    )
    statuses = ["done", "failed", "needs_attention", "dismissed", "pending"]
    for number, status in enumerate(statuses, start=2):
        item = OutboxItem.objects.create(
            connection=connection, operation="projecttool.project_create",
            submission_key=f"k{number}", status=status,
        )  # fmt: skip
        ImportRow.objects.create(batch=batch, number=number, values={}, outbox_item=item)

    page = logged_in_client.get(f"/projects/import/{batch.token}/progress/")

    html = page.content.decode()
    counts = "1 created · 2 failed · 1 dismissed · 1 waiting"
    assert f'data-testid="import-counts">{counts}</span>' in html
    assert 'data-testid="import-percent">80%</div>' in html


def test_progress_leaves_out_dismissed_when_none_was(logged_in_client, user, connection):
    batch = ImportBatch.objects.create(
        connection=connection, row_count=1, valid_count=1, created_by=user
    )
    item = OutboxItem.objects.create(
        connection=connection, operation="projecttool.project_create", submission_key="k1",
        status="done",
    )  # fmt: skip
    ImportRow.objects.create(batch=batch, number=2, values={}, outbox_item=item)

    html = logged_in_client.get(f"/projects/import/{batch.token}/progress/").content.decode()

    assert 'data-testid="import-counts">1 created · 0 failed · 0 waiting</span>' in html


def test_the_list_filters_by_status_and_workspace_and_keeps_them_in_its_links(
    logged_in_client, connection
):
    for n, (status, workspace) in enumerate([("Active", "1"), ("Active", "2"), ("Planning", "1")]):
        Project.objects.create(
            connection=connection, remote_id=str(n), name=f"P{n}", status=status,
            workspace_remote_id=workspace,
        )  # fmt: skip
    page = logged_in_client.get(
        "/projects/", {"status": "Active", "workspace": "1", "sort": "-end"}
    )
    assert [p.name for p in page.context["page_obj"]] == ["P0"]
    assert page.context["filtered"] is True
    assert page.context["querystring"] == "status=Active&workspace=1&sort=-end"
    unknown = logged_in_client.get("/projects/", {"status": "Nowhere"})
    assert list(unknown.context["page_obj"]) == []  # an unknown status filters to nothing


def test_asana_lists_only_the_columns_it_has(logged_in_client, db):
    asana = Connection.objects.create(provider="asana", name="a", api_token="tok")
    Project.objects.create(connection=asana, remote_id="1", name="P", status="Archived")
    html = logged_in_client.get("/projects/").content.decode()
    head = html[html.index("<thead") : html.index("</thead>")]
    assert "Owner" in head and "Workspace" in head
    assert "Status" not in head and "Priority" not in head and "Tags" not in head


def test_a_project_or_import_of_another_connection_is_not_shown(logged_in_client, connection):
    asana = Connection.objects.create(provider="asana", name="a", api_token="tok")
    theirs = Project.objects.create(connection=asana, remote_id="1", name="Theirs")
    batch = ImportBatch.objects.create(connection=asana, row_count=0, valid_count=0)
    assert logged_in_client.get(f"/projects/{theirs.pk}/").status_code == 404
    assert logged_in_client.get(f"/projects/import/{batch.token}/").status_code == 404
    assert logged_in_client.post(f"/projects/import/{batch.token}/submit/").status_code == 404


def test_another_persons_import_is_not_shown_or_sent(client, user, staff_user, connection):
    """An import's rows are the file its uploader chose: like an export, its pages are
    theirs (and a superuser's); a colleague with the same rights who has its link gets
    404, staff or not."""
    batch = ImportBatch.objects.create(
        connection=connection, row_count=1, valid_count=1, created_by=user
    )
    ImportRow.objects.create(batch=batch, number=2, values={"name": "Secret plan"})
    for name, staff in (("bo", False), ("support", True)):
        colleague = get_user_model().objects.create_user(username=name, password="x",
                                                         is_staff=staff)  # fmt: skip
        colleague.user_permissions.set(user.user_permissions.all())
        client.force_login(colleague)
        for path in ("", "progress/"):
            assert client.get(f"/projects/import/{batch.token}/{path}").status_code == 404
        assert client.post(f"/projects/import/{batch.token}/submit/").status_code == 404
    assert batch.rows.get().outbox_item is None
    for someone in (user, staff_user):
        client.force_login(someone)
        page = client.get(f"/projects/import/{batch.token}/")
        assert page.status_code == 200 and b"Secret plan" in page.content


def test_the_form_page_starts_the_first_syncs_of_its_pickers(logged_in_client, connection):
    logged_in_client.get("/projects/new/")
    resources = set(
        SyncRun.objects.filter(connection=connection).values_list("resource", flat=True)
    )
    assert resources == {"projecttool.users", "projecttool.workspaces"}
    logged_in_client.get("/projects/new/")
    assert SyncRun.objects.filter(connection=connection).count() == 2  # once


def test_a_write_that_waits_is_a_warning_and_opens_the_project(
    logged_in_client, connection, monkeypatch
):
    Workspace.objects.create(connection=connection, remote_id="1", name="Main")
    project = Project.objects.create(connection=connection, name="Site", sync_status="pending")
    item = OutboxItem.objects.create(
        connection=connection, operation="projecttool.project_create", submission_key="k1",
        record_type="projects.Project", record_id=project.pk,
    )  # fmt: skip
    monkeypatch.setattr("projects.views.services.project_create", lambda **kwargs: item)
    form = {"submission_key": "k1", "name": "Site", "workspace": "1"}
    response = logged_in_client.post("/projects/new/", form, follow=True)
    assert response.redirect_chain == [(f"/projects/{project.pk}/", 302)]
    [message] = list(response.context["messages"])
    assert message.level_tag == "warning"
    assert str(message) == "Saved — it will be sent to Project tool as soon as it answers."
