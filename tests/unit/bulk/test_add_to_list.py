"""Affinity lists: the wire (`providers/affinity_lists.py`, mocked with `responses`), the
outbox operation's lookup, and the lists' bulk action "Add to list"."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone
from responses import matchers

from crm.models import AffinityList, Organization, Person
from crm.outbox import ListEntryCreate
from crm.sync import LISTS
from integrations.http.auth import BasicKeyAuth
from integrations.http.errors import ValidationError
from integrations.models import AuditEntry, Connection, OutboxItem
from integrations.outbox.delivery import outbox_deliver_due
from integrations.providers import affinity_lists
from integrations.sync.engine import sync_resource

BASE = "https://api.affinity.co"

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(make_client):
    return make_client("affinity", BASE, auth=BasicKeyAuth("k"))


@pytest.fixture
def connection(db):
    return Connection.objects.create(provider="affinity", name="t", base_url=BASE, api_token="k")


@pytest.fixture
def key_accounts(connection):
    return AffinityList.objects.create(
        connection=connection, remote_id="31", name="Key accounts", list_type=1
    )


def _entry(entry_id, entity_id, created_at="2026-12-01T10:00:00.000Z", list_id=31):
    return {"id": entry_id, "list_id": list_id, "creator_id": 1, "entity_id": entity_id,
            "created_at": created_at, "entity": {"id": entity_id}}  # fmt: skip


# --- the wire ------------------------------------------------------------------------


def test_lists_are_one_bare_array(rsps, api):
    lists = [
        {"id": 31, "type": 1, "name": "Key accounts", "public": True, "list_size": 2},
        {"id": 32, "type": 0, "name": "Warm intros"},
        {"name": "no id: skipped"},
    ]
    rsps.add("GET", f"{BASE}/lists", json=lists)
    found = affinity_lists.list_all(api)
    assert [(x.id, x.name, x.type) for x in found] == [
        (31, "Key accounts", 1),
        (32, "Warm intros", 0),
    ]


def test_an_entry_is_created_with_the_entity_id_only(rsps, api):
    rsps.add(
        "POST", f"{BASE}/lists/31/list-entries", json=_entry(501, 7),
        match=[matchers.json_params_matcher({"entity_id": 7})],
    )  # fmt: skip
    entry = affinity_lists.list_entry_create(api, list_id="31", entity_id="7")
    assert (entry.id, entry.list_id, entry.entity_id) == (501, 31, 7)


def test_a_refused_entry_is_a_validation_error(rsps, api):
    error = {"errors": [{"message": "entity_id is required", "param": "entity_id"}]}
    rsps.add("POST", f"{BASE}/lists/31/list-entries", status=422, json=error)
    with pytest.raises(ValidationError) as refused:
        affinity_lists.list_entry_create(api, list_id=31, entity_id=7)
    assert "entity_id is required" in str(refused.value)


def test_an_entitys_entries_are_read_from_its_detail_on_that_list_only(rsps, api):
    entries = [_entry(1, 7), _entry(2, 7, list_id=32), {"id": "x"}]
    rsps.add("GET", f"{BASE}/organizations/7", json={"id": 7, "list_entries": entries})
    found = affinity_lists.entity_entries(api, kind="organizations", entity_id="7", list_id="31")
    assert [(e.id, e.list_id) for e in found] == [(1, 31)]


# --- the operation --------------------------------------------------------------------


def test_an_unknown_outcome_is_found_only_as_an_entry_made_since_the_write(rsps, api, connection):
    item = OutboxItem(
        connection=connection, operation=ListEntryCreate.name, submission_key="k",
        payload={"list_id": "31", "entity_id": "7"}, created_at=timezone.now(),
        record_type="crm.Organization",
    )  # fmt: skip
    earlier = (timezone.now() - timedelta(days=3)).isoformat()
    now = timezone.now().isoformat()
    entries = [_entry(1, 7, earlier), _entry(2, 7, now, list_id=32)]
    url = f"{BASE}/organizations/7"
    rsps.add("GET", url, json={"id": 7, "list_entries": entries})
    assert ListEntryCreate().find_existing(api, item) is None  # on this list before; new: another
    entries = [_entry(1, 7, earlier), _entry(3, 7, now)]
    rsps.replace("GET", url, json={"id": 7, "list_entries": entries})
    assert ListEntryCreate().find_existing(api, item)["id"] == 3
    item.record_type = "crm.Person"  # a person's entries are on its own detail
    rsps.add("GET", f"{BASE}/persons/7", json={"id": 7, "list_entries": []})
    assert ListEntryCreate().find_existing(api, item) is None


def test_the_lists_sync_keeps_every_list(rsps, connection, sleeps):
    rsps.add("GET", f"{BASE}/lists", json=[{"id": 31, "type": 1, "name": "Key accounts"}])
    sync_resource(connection=connection, resource=LISTS, full=True)
    assert list(AffinityList.objects.values_list("remote_id", "name", "list_type")) == [
        ("31", "Key accounts", 1)
    ]


# --- the bulk action ------------------------------------------------------------------


@pytest.fixture
def orgs(connection):
    return [
        Organization.objects.create(connection=connection, name=name, remote_id=str(n))
        for n, name in ((7, "Acme"), (8, "Globex"))
    ]


def _add(client, records, target, *, key=None):
    data = {"action": "add_to_list", "target": str(target.pk), "ids": [str(r.pk) for r in records],
            "submission_key": str(key or uuid.uuid4())}  # fmt: skip
    return client.post("/organizations/bulk/", data, follow=True)


def test_the_list_offers_its_kinds_lists_only(logged_in_client, orgs, key_accounts, connection):
    AffinityList.objects.create(
        connection=connection, remote_id="32", name="Warm intros", list_type=0
    )
    html = logged_in_client.get("/organizations/").content.decode()
    assert '<option value="add_to_list">Add to list</option>' in html
    assert f'<option value="{key_accounts.pk}">Key accounts</option>' in html
    assert "Warm intros" not in html


def test_each_ticked_organization_joins_the_list_through_the_outbox(
    logged_in_client, orgs, key_accounts, rsps
):
    rsps.add("POST", f"{BASE}/lists/31/list-entries", json=_entry(501, 7),
             match=[matchers.json_params_matcher({"entity_id": 7})])  # fmt: skip
    rsps.add("POST", f"{BASE}/lists/31/list-entries", status=422,
             json={"errors": [{"message": "List is full"}]},
             match=[matchers.json_params_matcher({"entity_id": 8})])  # fmt: skip
    key = uuid.uuid4()
    page = _add(logged_in_client, orgs, key_accounts, key=key)
    assert "2 waiting" in page.content.decode()
    _add(logged_in_client, orgs, key_accounts, key=key)  # a double submit
    items = OutboxItem.objects.order_by("pk")
    assert [i.payload["entity_id"] for i in items] == ["7", "8"]

    assert outbox_deliver_due() == 2
    rows = logged_in_client.get(f"/organizations/bulk/{key}/").context["rows"]
    assert [(r.state, r.label) for r in rows] == [
        ("sent", "Add Acme to the list Key accounts"),
        ("refused", "Add Globex to the list Key accounts"),
    ]
    assert "List is full" in rows[1].words
    for org in orgs:  # nothing local changed, nothing removed
        org.refresh_from_db()
        assert org.sync_status == "synced" and not org.is_deleted
    entry = AuditEntry.objects.get(record_id=str(orgs[0].pk))
    assert (entry.action, entry.outcome) == ("update", "sent")
    assert entry.changes == [{"field": "lists", "old": None, "new": "added to Key accounts"}]


def test_the_same_bulk_form_sent_again_to_another_list_adds_nothing_and_says_why(
    logged_in_client, orgs, key_accounts, connection
):
    """Back, another list chosen, sent again with the form's key: each row's key was used
    for the first list, so no row is added to the second as if it were the first."""
    prospects = AffinityList.objects.create(
        connection=connection, remote_id="33", name="Prospects", list_type=1
    )
    key = uuid.uuid4()
    _add(logged_in_client, orgs, key_accounts, key=key)
    page = _add(logged_in_client, orgs, prospects, key=key)
    assert [i.payload["list_id"] for i in OutboxItem.objects.order_by("pk")] == ["31", "31"]
    (said,) = [m.message for m in page.context["messages"]]
    assert said.startswith("Skipped: Acme: this form already sent it another action or list")


def test_a_record_not_at_affinity_yet_is_skipped(logged_in_client, orgs, key_accounts):
    Organization.objects.filter(pk=orgs[0].pk).update(remote_id=None)
    page = _add(logged_in_client, orgs, key_accounts)
    assert [m.message for m in page.context["messages"]] == [
        "Skipped: Acme: It is not in Affinity yet."
    ]
    assert OutboxItem.objects.get().payload["entity_id"] == "8"


def test_a_list_of_another_kind_is_refused(logged_in_client, connection, orgs):
    intros = AffinityList.objects.create(
        connection=connection, remote_id="32", name="Warm intros", list_type=0
    )
    page = _add(logged_in_client, orgs, intros)
    assert page.request["PATH_INFO"] == "/organizations/"
    assert not OutboxItem.objects.exists()


def test_persons_join_person_lists(logged_in_client, connection, rsps):
    intros = AffinityList.objects.create(
        connection=connection, remote_id="32", name="Warm intros", list_type=0
    )
    ann = Person.objects.create(connection=connection, first_name="Ann", remote_id="70")
    rsps.add("POST", f"{BASE}/lists/32/list-entries", json=_entry(9, 70, list_id=32))
    data = {"action": "add_to_list", "target": str(intros.pk), "ids": [str(ann.pk)],
            "submission_key": str(uuid.uuid4())}  # fmt: skip
    logged_in_client.post("/persons/bulk/", data)
    assert outbox_deliver_due() == 1
    assert OutboxItem.objects.get().status == OutboxItem.Status.DONE
