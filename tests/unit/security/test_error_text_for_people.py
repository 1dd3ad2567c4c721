"""People who are not staff never read a provider's raw error text; staff read the detail.

Non-staff users see a plain sentence and a reference (`outbox #N`, `sync run #N`)
that staff find in the admin; the provider's validation message of a refused
write stays, because it is meant for whoever typed the data.
"""

from __future__ import annotations

from importlib import import_module

import pytest
from django.apps import apps

from integrations.models import Connection, OutboxItem, SyncRun
from projects.models import Workspace

pytestmark = pytest.mark.django_db

RAW_SYNC_ERROR = (
    "Recruitee API 503 (GET /c/1/candidates?created_after=2026-11-30T10:00:00Z): "
    "ProviderUnavailableError: upstream pool exhausted [request req-77]"
)
RAW_OUTBOX_ERROR = "Recruitee API 502 (POST /c/1/candidates): ReadTimeout: no answer [request r-9]"


@pytest.fixture
def connection(db):
    return Connection.objects.create(
        provider="recruitee", name="live", base_url="https://api.recruitee.com",
        company_id="1", api_token="token-0123456789abcdef",
    )  # fmt: skip


@pytest.fixture
def failed_run(connection):
    return SyncRun.objects.create(
        connection=connection, resource="recruitee.candidates", status=SyncRun.Status.FAILED,
        error=RAW_SYNC_ERROR,
    )  # fmt: skip


def outbox_item(connection, status, error, **fields):
    return OutboxItem.objects.create(
        connection=connection, operation="recruitee.candidate_create", summary="Create Ada",
        submission_key=f"key-{status}-{OutboxItem.objects.count()}", status=status,
        last_error=error, **fields,
    )  # fmt: skip


RAW_BITS = ("/c/1/candidates", "created_after", "ProviderUnavailableError", "ReadTimeout", "req-77")


def raw_bits(html: str) -> list[str]:
    return [bit for bit in RAW_BITS if bit in html]


def test_the_sync_bar_gives_a_plain_message_and_a_reference_to_non_staff(client, user, failed_run):
    client.force_login(user)
    for url in ("/candidates/", f"/sync/runs/{failed_run.pk}/"):
        html = client.get(url).content.decode()
        assert "The sync failed" in html
        assert f"sync run #{failed_run.pk}" in html
        assert raw_bits(html) == [], url


def test_staff_read_the_sync_error_detail(client, staff_user, failed_run):
    client.force_login(staff_user)
    html = client.get(f"/sync/runs/{failed_run.pk}/").content.decode()
    assert "/c/1/candidates?created_after=" in html and f"sync run #{failed_run.pk}" in html


def test_the_outbox_page_gives_non_staff_plain_words_and_staff_the_detail(
    client, user, staff_user, connection
):
    pending = outbox_item(connection, OutboxItem.Status.PENDING, RAW_OUTBOX_ERROR)
    refused = outbox_item(
        connection, OutboxItem.Status.FAILED,
        "Recruitee API 422 (POST /c/1/candidates): Name can't be blank [request r-3]",
        refusal="Name can't be blank",
    )  # fmt: skip
    client.force_login(user)
    html = client.get("/outbox/").content.decode()
    assert raw_bits(html) == []
    assert f"Recruitee did not answer; we will retry. Reference: outbox #{pending.pk}." in html
    assert "Recruitee refused the data: Name can&#x27;t be blank" in html
    assert "r-3" not in html and f"outbox #{refused.pk}" in html

    client.force_login(staff_user)
    html = client.get("/outbox/").content.decode()
    assert "ReadTimeout: no answer" in html


@pytest.mark.parametrize("typed", ["{pk}", "#{pk}", "{name} #{pk}"])
def test_the_admin_finds_a_reference_by_what_the_page_showed(
    typed, client, staff_user, failed_run, connection
):
    item = outbox_item(connection, OutboxItem.Status.NEEDS_ATTENTION, RAW_OUTBOX_ERROR)
    other_item = outbox_item(connection, OutboxItem.Status.PENDING, f"{item.pk} {failed_run.pk}")
    other_run = SyncRun.objects.create(connection=connection, resource="recruitee.offers")
    client.force_login(staff_user)
    for model, row, other, name in [
        ("syncrun", failed_run, other_run, "sync run"),
        ("outboxitem", item, other_item, "outbox"),
    ]:
        search = typed.format(pk=row.pk, name=name)
        html = client.get(f"/admin/integrations/{model}/", {"q": search}).content.decode()
        assert f"/admin/integrations/{model}/{row.pk}/change/" in html
        assert f"/admin/integrations/{model}/{other.pk}/change/" not in html


def test_flash_messages_after_a_write_give_non_staff_plain_words(
    client, user, staff_user, connection, monkeypatch
):
    stuck = outbox_item(connection, OutboxItem.Status.NEEDS_ATTENTION, RAW_OUTBOX_ERROR)
    monkeypatch.setattr("ats.views.services.candidate_create", lambda **kwargs: stuck)
    form = {"submission_key": "k1", "name": "Ada"}
    client.force_login(user)
    html = client.post("/candidates/new/", form, follow=True).content.decode()
    assert "Saved, but sending it needs attention. Recruitee did not take it" in html
    assert f"Reference: outbox #{stuck.pk}." in html
    assert raw_bits(html) == []
    client.force_login(staff_user)
    html = client.post("/candidates/new/", form, follow=True).content.decode()
    assert "ReadTimeout: no answer" in html


def test_a_refusal_without_field_errors_keeps_the_providers_words_not_its_path(
    client, user, connection, monkeypatch
):
    refused = outbox_item(
        connection, OutboxItem.Status.FAILED,
        "Recruitee API 422 (POST /c/1/candidates): Candidate limit reached [request r-4]",
        refusal="Candidate limit reached",
    )  # fmt: skip
    monkeypatch.setattr("ats.views.services.candidate_create", lambda **kwargs: refused)
    client.force_login(user)
    html = client.post("/candidates/new/", {"submission_key": "k1", "name": "Ada"}).content.decode()
    assert "Recruitee refused the data: Candidate limit reached" in html
    assert "/c/1/candidates" not in html and "r-4" not in html


def test_the_project_flash_message_after_a_stuck_write_is_plain_for_non_staff(
    client, user, monkeypatch
):
    tool = Connection.objects.create(
        provider="projecttool", name="tool", base_url="https://tool.example.test",
        api_token="token-0123456789abcdef",
    )  # fmt: skip
    Workspace.objects.create(connection=tool, remote_id="1", name="Main")
    stuck = outbox_item(tool, OutboxItem.Status.NEEDS_ATTENTION, RAW_OUTBOX_ERROR)
    monkeypatch.setattr("projects.views.services.project_create", lambda **kwargs: stuck)
    client.force_login(user)
    form = {"submission_key": "k1", "name": "Site", "workspace": "1"}
    html = client.post("/projects/new/", form, follow=True).content.decode()
    assert "Saved, but sending it needs attention. Project tool did not take it" in html
    assert f"Reference: outbox #{stuck.pk}." in html
    assert raw_bits(html) == []


def test_a_refusals_words_come_from_the_stored_message_not_from_parsing_the_line(
    client, user, connection
):
    """The error line is for logs and staff: however it reads, people get the provider's
    message the outbox stored from the error, and nothing of the line around it."""
    refused = outbox_item(
        connection, OutboxItem.Status.FAILED,
        "Recruitee API 422 (POST /c/1/candidates?tag=(a)): Name is taken [request r-5]",
        refusal="Name is taken",
    )  # fmt: skip
    client.force_login(user)
    html = client.get("/outbox/").content.decode()
    assert f"Recruitee refused the data: Name is taken Reference: outbox #{refused.pk}." in html
    assert "r-5" not in html and "tag=" not in html


def test_rows_refused_before_the_refusal_column_keep_their_words(connection):
    migration = import_module("integrations.migrations.0006_outboxitem_refusal")
    old = outbox_item(
        connection, OutboxItem.Status.FAILED,
        "Recruitee API 422 (POST /c/1/candidates): Name can't be blank [request r-3]",
    )  # fmt: skip
    stuck = outbox_item(connection, OutboxItem.Status.NEEDS_ATTENTION, RAW_OUTBOX_ERROR)
    migration.copy_refusals(apps, None)
    old.refresh_from_db()
    stuck.refresh_from_db()
    assert (old.refusal, stuck.refusal) == ("Name can't be blank", "")
