"""Bulk actions on a list (core/bulk.py, resource_views.bulk_page and bulk_result_page):
the organizations' "Delete", each ticked row through the outbox, mocked Affinity."""

from __future__ import annotations

import uuid
from importlib import import_module
from unittest import mock

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import connection as db_connection
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from core.bulk import submission_rows
from core.groups import permission_named
from crm.models import Organization
from crm.views import ORGANIZATION_PAGES
from integrations.models import AuditEntry, Connection, OutboxItem
from integrations.outbox.delivery import outbox_deliver_due

BASE = "https://api.affinity.co"

pytestmark = pytest.mark.django_db


@pytest.fixture
def connection(db):
    return Connection.objects.create(provider="affinity", name="t", base_url=BASE, api_token="k")


@pytest.fixture
def orgs(connection):
    return [
        Organization.objects.create(
            connection=connection,
            name=name,
            domain=f"{name.lower()}.io",
            remote_id=str(n),
            links_loaded_at=timezone.now(),
        )
        for n, name in enumerate(["Acme", "Globex", "Initech"], start=7)
    ]


def _bulk(client, records, *, key=None, action="delete", follow=True):
    data = {"action": action, "submission_key": str(key or uuid.uuid4()),
            "ids": [str(r.pk) for r in records]}  # fmt: skip
    return client.post("/organizations/bulk/", data, follow=follow)


def _said(page) -> list[str]:
    return [m.message for m in page.context["messages"]]


def test_the_list_offers_checkboxes_and_the_action_to_who_may_change(logged_in_client, orgs):
    html = logged_in_client.get("/organizations/").content.decode()
    assert 'data-testid="bulk-form"' in html and 'name="csrfmiddlewaretoken"' in html
    assert html.count('name="ids"') == 3 and 'aria-label="Select all on this page"' in html
    assert f'value="{orgs[0].pk}" form="bulk-form" aria-label="Select Acme"' in html
    assert (
        '<option value="delete" data-confirm="Delete the ticked organizations from Affinity? '
        'This cannot be undone.">Delete</option>'
    ) in html


def test_a_reader_sees_no_bulk_form_and_may_not_post_it(client, orgs):
    reader = get_user_model().objects.create_user(username="reader", password="x-42-long-pass")
    reader.user_permissions.set([permission_named(ORGANIZATION_PAGES.permission("view"))])
    client.force_login(reader)
    assert 'data-testid="bulk-form"' not in client.get("/organizations/").content.decode()
    assert _bulk(client, orgs, follow=False).status_code == 403
    assert not OutboxItem.objects.exists()


def test_each_ticked_row_is_one_outbox_write_queued_for_the_worker(logged_in_client, orgs, rsps):
    key = uuid.uuid4()
    page = _bulk(logged_in_client, orgs[:2], key=key)

    assert page.request["PATH_INFO"] == f"/organizations/bulk/{key}/"
    items = list(OutboxItem.objects.order_by("pk"))
    assert [i.submission_key for i in items] == [f"{key}-{orgs[0].pk}", f"{key}-{orgs[1].pk}"]
    assert {i.operation for i in items} == {"affinity.organization.delete"}
    assert {i.status for i in items} == {OutboxItem.Status.PENDING}  # nothing sent in-request
    assert len(rsps.calls) == 0
    html = page.content.decode()
    assert "0 sent · 0 refused · 2 waiting" in html and 'hx-trigger="every 2s"' in html
    assert AuditEntry.objects.filter(action="delete", page="crm:organization_bulk").count() == 2


def test_a_double_submit_writes_each_row_once(logged_in_client, orgs):
    key = uuid.uuid4()
    _bulk(logged_in_client, orgs, key=key)
    _bulk(logged_in_client, orgs, key=key)
    assert OutboxItem.objects.count() == 3


def test_the_result_page_follows_the_outbox_sent_and_refused_with_why(logged_in_client, orgs, rsps):
    rsps.add("DELETE", f"{BASE}/organizations/7", json={"success": True})
    rsps.add("DELETE", f"{BASE}/organizations/8", status=422, json={"message": "Locked"})
    rsps.add("DELETE", f"{BASE}/organizations/9", status=503, json={})
    key = uuid.uuid4()
    _bulk(logged_in_client, orgs, key=key)

    assert outbox_deliver_due() == 3
    rows = logged_in_client.get(f"/organizations/bulk/{key}/?rows=1")

    html = rows.content.decode()
    assert "<html" not in html  # the partial htmx swaps in
    assert "1 sent · 1 refused · 1 waiting" in html
    states = {r.label: (r.state, r.words) for r in rows.context["rows"]}
    assert states["Delete organization Acme"] == ("sent", "Sent to Affinity.")
    assert states["Delete organization Globex"][0] == "refused"
    assert states["Delete organization Globex"][1].startswith("Affinity refused the data: Locked")
    assert states["Delete organization Initech"][0] == "waiting"
    assert "Affinity did not answer; we will retry" in states["Delete organization Initech"][1]
    assert Organization.objects.filter(pk=orgs[0].pk, is_deleted=True).exists()
    assert Organization.objects.filter(pk=orgs[1].pk, is_deleted=False).exists()


def test_the_polling_stops_once_every_row_has_its_answer(logged_in_client, orgs, rsps):
    rsps.add("DELETE", f"{BASE}/organizations/7", json={"success": True})
    key = uuid.uuid4()
    _bulk(logged_in_client, orgs[:1], key=key)
    outbox_deliver_due()
    html = logged_in_client.get(f"/organizations/bulk/{key}/").content.decode()
    assert "1 sent · 0 refused · 0 waiting" in html and "hx-trigger" not in html


def test_a_row_the_action_cannot_take_is_skipped_saying_why(logged_in_client, orgs):
    Organization.objects.filter(pk=orgs[0].pk).update(is_global=True)
    page = _bulk(logged_in_client, orgs[:2])
    assert OutboxItem.objects.get().record_id == orgs[1].pk
    assert _said(page) == [
        "Skipped: Acme: Global organizations come from Affinity's own dataset and cannot be "
        "deleted."
    ]


def test_rows_of_another_connection_or_nothing_ticked_write_nothing(logged_in_client, orgs):
    other = Connection.objects.create(provider="affinity", name="other", base_url=BASE)
    stranger = Organization.objects.create(connection=other, name="Other", remote_id="99")
    page = _bulk(logged_in_client, [stranger])
    assert "0 sent · 0 refused · 0 waiting" in page.content.decode()
    page = _bulk(logged_in_client, [])
    assert page.request["PATH_INFO"] == "/organizations/"
    assert _said(page) == ["Tick at least one row first."]
    page = _bulk(logged_in_client, orgs, action="explode")
    assert page.request["PATH_INFO"] == "/organizations/"
    assert not OutboxItem.objects.exists()


@pytest.mark.parametrize("staff", [False, True], ids=["member", "staff"])
def test_someone_elses_results_are_not_shown(client, logged_in_client, orgs, staff):
    key = uuid.uuid4()
    _bulk(logged_in_client, orgs[:1], key=key)
    writer = get_user_model().objects.create_user(
        username="writer", password="x-42-long-pass", is_staff=staff
    )
    writer.user_permissions.set([permission_named(ORGANIZATION_PAGES.permission("change"))])
    client.force_login(writer)
    assert client.get(f"/organizations/bulk/{key}/").context["rows"] == []
    root = get_user_model().objects.create_superuser(username="root", password="x-42-long-pass")
    client.force_login(root)
    assert len(client.get(f"/organizations/bulk/{key}/").context["rows"]) == 1


def test_a_list_without_bulk_actions_answers_404(logged_in_client, db):
    Connection.objects.create(
        provider="recruitee", name="r", base_url="https://api.recruitee.com", company_id="1",
        api_token="k",
    )  # fmt: skip
    response = logged_in_client.post("/candidates/bulk/", {"action": "delete"})
    assert response.status_code == 404  # candidates have no delete page, nor another action


def test_the_result_page_lists_exactly_the_rows_of_its_bulk_action(
    logged_in_client, user, orgs, connection
):
    key = uuid.uuid4()
    _bulk(logged_in_client, orgs[:2], key=key)
    _bulk(logged_in_client, orgs[2:])  # another bulk action
    OutboxItem.objects.create(  # a single write whose key happens to start like the rows'
        connection=connection, operation="affinity.organization.delete", created_by=user,
        summary="Delete organization Initech", submission_key=f"{key}-{orgs[2].pk}-again",
    )  # fmt: skip

    rows = logged_in_client.get(f"/organizations/bulk/{key}/?rows=1").context["rows"]

    assert [r.label for r in rows] == ["Delete organization Acme", "Delete organization Globex"]


@pytest.mark.parametrize("root", [False, True])
def test_the_polls_query_reads_its_rows_through_the_bulk_key_index(user, root):
    """The result page is polled every 2 s while a bulk action runs: its query must not
    scan the outbox (SQLite scanned it for a `submission_key` prefix)."""
    user.is_superuser = root
    rows = submission_rows(uuid.uuid4(), user=user)
    with transaction.atomic(), db_connection.cursor() as cursor:
        if db_connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")  # a test's few rows: a scan is cheaper
        plan = rows.explain()
    assert "outbox_bulk_rows" in plan


def test_rows_of_bulk_actions_made_before_the_bulk_key_column_keep_their_result_page(
    logged_in_client, user, orgs, connection
):
    key = uuid.uuid4()
    _bulk(logged_in_client, orgs[:2], key=key)
    OutboxItem.objects.update(bulk_key=None)  # as the rows were before the migration
    single = OutboxItem.objects.create(
        connection=connection, operation="x", submission_key=str(uuid.uuid4()), created_by=user
    )

    import_module("integrations.migrations.0013_outboxitem_bulk_key").copy_bulk_keys(apps, None)

    rows = logged_in_client.get(f"/organizations/bulk/{key}/?rows=1").context["rows"]
    assert [r.label for r in rows] == ["Delete organization Acme", "Delete organization Globex"]
    single.refresh_from_db()
    assert single.bulk_key is None


def test_the_bulk_key_copy_writes_a_large_outbox_in_batches(connection):
    """2,500 old bulk rows: all get their key, written 1,000 at a time (never all held)."""
    keys = [uuid.uuid4() for _ in range(5)]
    OutboxItem.objects.bulk_create(
        OutboxItem(connection=connection, operation="x", submission_key=f"{keys[n % 5]}-{n}")
        for n in range(2500)
    )
    written = []
    real_bulk_update = QuerySet.bulk_update

    def recording(queryset, objs, fields, **kwargs):
        written.append(len(objs))
        return real_bulk_update(queryset, objs, fields, **kwargs)

    with mock.patch.object(QuerySet, "bulk_update", autospec=True, side_effect=recording):
        import_module("integrations.migrations.0013_outboxitem_bulk_key").copy_bulk_keys(apps, None)
    assert written == [1000, 1000, 500]
    assert OutboxItem.objects.filter(bulk_key=keys[0]).count() == 500
    assert not OutboxItem.objects.filter(bulk_key=None).exists()
