"""The audit trail (integrations/audit.py): a person's writes through the shared pages, with
the page and the provider's answer, and what arrives by sync or webhook.

Affinity is mocked with `responses`, so each write goes through the outbox and its delivery.
"""

from __future__ import annotations

import threading
import time
import uuid
from datetime import timedelta

import pytest
from django.db import connection as db_connection
from django.utils import timezone

from core.forms import Edit, edit_base
from core.templatetags.hub import page_words
from crm.models import Organization
from crm.selectors import DomainMatches
from crm.services import organization_update
from crm.sync import ORGANIZATIONS
from integrations.models import AuditEntry, OutboxItem, SyncRun, SyncState
from integrations.outbox.delivery import outbox_deliver_due
from integrations.outbox.service import deliver_later, outbox_write
from integrations.sync.engine import _complete, _save_page
from integrations.sync.resources import FetchedPage, FetchedRow
from integrations.webhooks.apply import record_delete, records_upsert

BASE = "https://api.affinity.co"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_duplicates(monkeypatch):
    monkeypatch.setattr(
        "crm.views.selectors.organization_domain_matches", lambda **kw: DomainMatches()
    )


def _post(client, url, **data):
    return client.post(url, {"submission_key": uuid.uuid4().hex, **data}, follow=True)


def _changes(entry: AuditEntry) -> dict[str, tuple]:
    return {c["field"]: (c["old"], c["new"]) for c in entry.changes}


def test_a_create_records_who_where_what_and_the_answer(logged_in_client, user, connection, rsps):
    rsps.add(
        "POST", f"{BASE}/organizations", json={"id": 42, "name": "Globex", "domain": "globex.com"}
    )

    _post(logged_in_client, "/organizations/new/", name="Globex", domain="globex.com")

    entry = AuditEntry.objects.get()
    org = Organization.objects.get(name="Globex")
    assert (entry.record_type, entry.record_id) == ("crm.Organization", str(org.pk))
    assert (entry.action, entry.source, entry.user, entry.page) == (
        "create", "hub", user, "crm:organization_create",
    )  # fmt: skip
    assert _changes(entry)["name"] == (None, "Globex")
    assert _changes(entry)["domain"] == (None, "globex.com")
    assert (entry.outcome, entry.answer) == ("sent", "Affinity took it (id 42).")
    assert entry.outbox_item == OutboxItem.objects.get()


def test_an_edit_records_old_and_new_values_only_of_what_changed(
    logged_in_client, user, acme, rsps
):
    rsps.add("GET", f"{BASE}/organizations/7", json={"id": 7, "name": "Acme", "person_ids": []})
    rsps.add(
        "PUT", f"{BASE}/organizations/7", json={"id": 7, "name": "Acme Inc", "domain": "acme.io"}
    )

    _post(
        logged_in_client, f"/organizations/{acme.pk}/edit/",
        name="Acme Inc", domain="acme.io", base_person_ids="",
        base=edit_base({"name": "Acme", "domain": "acme.io"}),
    )  # fmt: skip

    entry = AuditEntry.objects.get()
    assert (entry.action, entry.page, entry.user) == ("update", "crm:organization_edit", user)
    assert _changes(entry) == {"name": ("Acme", "Acme Inc")}
    assert entry.outcome == "sent" and entry.record_label == "Acme Inc"


def _update(organization: Organization, *, key: str, user, **values) -> None:
    """The edit form's save of `organization` as its page read it (queued, not sent)."""
    shown = {"name": organization.name, "domain": organization.domain}
    with deliver_later():
        organization_update(
            organization=organization, edit=Edit(base=shown, mine={**shown, **values}),
            person_ids=[], base_person_ids=[], submission_key=key, user=user,
        )  # fmt: skip


def test_an_edit_from_a_page_read_before_another_edit_records_what_it_replaced(user, acme):
    """Two people open the edit page; the first renames it, then the second saves a new
    domain from the page read before: its entry shows the domain alone, the first one's
    name stays."""
    seen_by_second = Organization.objects.get(pk=acme.pk)
    _update(Organization.objects.get(pk=acme.pk), key="first", user=user, name="Acme Inc")

    _update(seen_by_second, key="second", user=user, domain="acme.com")

    second = AuditEntry.objects.get(outbox_item__submission_key="second")
    changes = _changes(second)
    assert changes["domain"] == ("acme.io", "acme.com") and "name" not in changes
    assert Organization.objects.get(pk=acme.pk).name == "Acme Inc"


@pytest.mark.django_db(transaction=True)
def test_two_edits_at_the_same_moment_each_record_what_they_replaced(user, acme):
    """The second edit waits for the first to commit, then reads the row as stored: it
    keeps the first edit's new name (a read before the lock would put "Acme" back)."""
    first_saved, release = threading.Event(), threading.Event()

    def save_and_wait() -> Organization:
        first = Organization.objects.get(pk=acme.pk)
        first.name = "Acme Inc"
        first.save()
        first_saved.set()
        release.wait(10)
        return first

    def first_edit() -> None:
        with deliver_later():
            outbox_write(
                connection=acme.connection, operation="affinity.organization.update",
                payload={"organization_id": "7", "name": "Acme Inc"}, submission_key="first",
                summary="Update organization Acme Inc", save_record=save_and_wait, user=user,
                record=Organization.objects.get(pk=acme.pk),
            )  # fmt: skip

    seen_by_second = Organization.objects.get(pk=acme.pk)

    def second_edit() -> None:
        _update(seen_by_second, key="second", user=user, domain="acme.com")

    threads = [threading.Thread(target=_closing(run)) for run in (first_edit, second_edit)]
    threads[0].start()
    assert first_saved.wait(10)
    threads[1].start()
    time.sleep(0.5)  # the second edit is now waiting for the first one's transaction
    release.set()
    for thread in threads:
        thread.join(30)

    entries = {e.outbox_item.submission_key: _changes(e) for e in AuditEntry.objects.all()}
    assert entries["first"] == {"name": ("Acme", "Acme Inc")}
    assert entries["second"]["domain"] == ("acme.io", "acme.com")
    assert "name" not in entries["second"]
    stored = Organization.objects.get(pk=acme.pk)
    assert (stored.name, stored.domain) == ("Acme Inc", "acme.com")


def _closing(run):
    """`run` for a thread, closing the thread's database connection after it."""

    def target() -> None:
        try:
            run()
        finally:
            db_connection.close()

    return target


def test_a_delete_records_the_record_and_the_answer(logged_in_client, acme, rsps):
    rsps.add("DELETE", f"{BASE}/organizations/7", json={"success": True})

    _post(logged_in_client, f"/organizations/{acme.pk}/delete/")

    entry = AuditEntry.objects.get()
    assert (entry.action, entry.record_id, entry.record_label) == ("delete", str(acme.pk), "Acme")
    assert (entry.page, entry.changes, entry.outcome) == ("crm:organization_delete", [], "sent")


def test_a_refused_write_records_the_providers_words(logged_in_client, acme, rsps):
    rsps.add("DELETE", f"{BASE}/organizations/7", status=422, json={"message": "Locked"})

    _post(logged_in_client, f"/organizations/{acme.pk}/delete/")

    entry = AuditEntry.objects.get()
    assert entry.outcome == "refused"
    assert entry.answer == "Affinity refused the data: Locked"


def test_a_write_waiting_to_be_sent_says_so_until_the_outbox_answers(logged_in_client, acme, rsps):
    rsps.add("DELETE", f"{BASE}/organizations/7", status=503, json={})
    _post(logged_in_client, f"/organizations/{acme.pk}/delete/")
    entry = AuditEntry.objects.get()
    assert (entry.outcome, entry.answer) == ("waiting", "")

    OutboxItem.objects.update(next_attempt_at=timezone.now())
    rsps.replace("DELETE", f"{BASE}/organizations/7", json={"success": True})
    assert outbox_deliver_due() == 1
    entry.refresh_from_db()
    assert (entry.outcome, entry.answer) == ("sent", "Affinity took it (id 7).")


def test_a_double_submit_records_one_entry(logged_in_client, acme, rsps):
    rsps.add("DELETE", f"{BASE}/organizations/7", json={"success": True})
    key = uuid.uuid4().hex
    for _ in range(2):
        logged_in_client.post(f"/organizations/{acme.pk}/delete/", {"submission_key": key})
    assert AuditEntry.objects.count() == 1


def test_the_detail_page_shows_the_history_newest_first(logged_in_client, acme, rsps):
    rsps.add("GET", f"{BASE}/organizations/7", json={"id": 7, "name": "Acme", "person_ids": []})
    rsps.add(
        "PUT", f"{BASE}/organizations/7", json={"id": 7, "name": "Acme Inc", "domain": "acme.io"}
    )
    _post(
        logged_in_client, f"/organizations/{acme.pk}/edit/",
        name="Acme Inc", domain="acme.io", base_person_ids="",
        base=edit_base({"name": "Acme", "domain": "acme.io"}),
    )  # fmt: skip
    _arrive(acme.connection, acme, name="Acme International")

    html = logged_in_client.get(f"/organizations/{acme.pk}/").content.decode()

    history = html[html.index('data-testid="history"') :]
    assert history.index("from Affinity (webhook)") < history.index("by alice")
    assert "Acme</span> → Acme Inc" in history
    assert "Affinity took it (id 7)." in history


# --- what arrives from the provider ------------------------------------------------------


def _row(organization: Organization, **fields) -> FetchedRow:
    values = {"name": organization.name, "domain": organization.domain,
              "domains": organization.domains, **fields}  # fmt: skip
    return FetchedRow(
        remote_id=organization.remote_id, fields=values, raw={"id": organization.remote_id}
    )


def _arrive(connection, organization, **fields) -> None:
    records_upsert(ORGANIZATIONS, connection, [_row(organization, **fields)])


def test_a_webhook_change_is_recorded_as_from_the_provider(connection, acme):
    _arrive(connection, acme, name="Acme Corp")
    _arrive(connection, acme, name="Acme Corp")  # the same again: nothing changed

    entry = AuditEntry.objects.get()
    assert (entry.source, entry.action, entry.user, entry.who) == (
        "webhook", "update", None, "from Affinity (webhook)",
    )  # fmt: skip
    assert _changes(entry) == {"name": ("Acme", "Acme Corp")}


def test_a_webhook_delete_is_recorded(connection, acme):
    record_delete(ORGANIZATIONS, connection, "7", None)
    record_delete(ORGANIZATIONS, connection, "7", None)  # already gone: once
    entry = AuditEntry.objects.get()
    assert (entry.source, entry.action, entry.record_id) == ("webhook", "delete", str(acme.pk))


def test_a_sync_records_changes_and_deletions_but_not_first_sightings(connection, acme):
    gone = Organization.objects.create(
        connection=connection, name="Gone Ltd", remote_id="8", synced_at=timezone.now()
    )
    Organization.objects.filter(pk=gone.pk).update(synced_at=timezone.now() - timedelta(hours=1))
    run = SyncRun.objects.create(
        connection=connection, resource=ORGANIZATIONS.key, mode=SyncRun.Mode.FULL,
        started_at=timezone.now(),
    )  # fmt: skip
    new = FetchedRow(remote_id="9", fields={"name": "New Co", "domain": "", "domains": []}, raw={})
    page = FetchedPage(
        rows=[_row(acme, domain="acme.com", domains=["acme.com"]), new], checkpoint=None
    )
    _save_page(connection, ORGANIZATIONS, run, page)
    state = SyncState.objects.create(connection=connection, resource=ORGANIZATIONS.key)
    _complete(ORGANIZATIONS, run, state, owner="")

    entries = {e.record_label: e for e in AuditEntry.objects.all()}
    assert set(entries) == {"Acme", "Gone Ltd"}  # New Co: first seen, no entry
    assert _changes(entries["Acme"]) == {
        "domain": ("acme.io", "acme.com"), "domains": (["acme.io"], ["acme.com"]),
    }  # fmt: skip
    assert entries["Acme"].who == "from Affinity (sync)"
    assert entries["Gone Ltd"].action == "delete"


@pytest.mark.parametrize(
    ("url_name", "words"),
    [
        ("ats:candidate_edit", "the candidate edit form"),
        ("crm:organization_create", "the new organization form"),
        ("crm:person_delete", "the person delete page"),
        ("crm:organization_bulk", "a bulk action on the organization list"),
        ("ats:candidate_note_add", "the candidate page (a note)"),
        ("projects:project_import_submit", "project import submit"),
    ],
)
def test_the_history_names_the_page_in_words(url_name, words):
    assert page_words(url_name) == words
