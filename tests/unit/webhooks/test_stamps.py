"""The "changed since" stamp a list polls: moved by each applied change, shown only to who
may see the list, one indexed query; and every synced list polls it."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import connection as db
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.groups import permission_named
from core.resources import registered
from crm.models import Organization
from integrations.models import Connection, SyncState, WebhookDelivery
from integrations.webhooks.apply import delivery_apply
from tests.unit.webhooks.payloads import affinity_event

pytestmark = pytest.mark.django_db

KEY = "affinity.organizations"


def stamp_url(connection: Connection, key: str = KEY) -> str:
    return reverse("integrations:changes_stamp", args=[connection.pk, key])


def someone(name: str, *rights: str, **fields):
    person = get_user_model().objects.create_user(username=name, password="x-pass-42", **fields)
    person.user_permissions.set([permission_named(right) for right in rights])
    return person


@pytest.fixture
def affinity():
    return Connection.objects.create(provider="affinity", name="events")


def changed(connection: Connection, key: str = KEY, *, ago: float = 0):
    at = timezone.now() - timedelta(seconds=ago)
    SyncState.objects.update_or_create(
        connection=connection, resource=key, defaults={"changed_at": at}
    )
    return at


def test_the_stamp_moves_when_a_webhook_changes_a_record(logged_in_client, affinity):
    url = stamp_url(affinity)
    assert logged_in_client.get(url).json() == {"changed_at": None}
    delivery = WebhookDelivery.objects.create(
        provider="affinity", connection=affinity, body=affinity_event(sent_at=int(time.time())),
        dedupe_key="one",
    )  # fmt: skip
    delivery_apply(delivery.pk)
    stamp = logged_in_client.get(url).json()["changed_at"]
    assert stamp
    before = logged_in_client.get(url, {"since": "2000-01-01T00:00:00Z"})
    assert before["HX-Trigger"] == "records-changed"
    assert "HX-Trigger" not in logged_in_client.get(url, {"since": stamp})
    # A list drawn before anything changed asks with an empty `since`: any stamp is news.
    assert logged_in_client.get(url, {"since": ""})["HX-Trigger"] == "records-changed"
    assert "HX-Trigger" not in logged_in_client.get(url)  # a plain question


def test_the_stamp_needs_a_signed_in_user(client):
    response = client.get(reverse("integrations:changes_stamp", args=[1, KEY]))
    assert response.status_code == 302


def test_a_user_who_may_see_the_organizations_gets_their_stamp(client, affinity):
    at = changed(affinity)
    client.force_login(someone("sales", "crm.view_organization"))
    response = client.get(stamp_url(affinity), {"since": ""})
    assert response.status_code == 200
    assert response.json() == {"changed_at": at.isoformat()}
    assert response["HX-Trigger"] == "records-changed"


def test_a_user_who_may_not_see_them_learns_nothing(client, affinity):
    changed(affinity)
    client.force_login(someone("recruiter", "ats.view_candidate", "ats.change_candidate"))
    response = client.get(stamp_url(affinity), {"since": ""})
    assert response.status_code == 403
    assert "HX-Trigger" not in response and b"changed_at" not in response.content


def test_a_connection_no_page_uses_has_no_stamp_but_for_superusers(client, affinity):
    second = Connection.objects.create(provider="affinity", name="second account")
    at = changed(second)
    for name, staff in (("sales", False), ("staff-sales", True)):  # staff: as anyone
        client.force_login(someone(name, "crm.view_organization", is_staff=staff))
        assert client.get(stamp_url(second), {"since": ""}).json() == {"changed_at": None}
    client.force_login(someone("admin", is_staff=True, is_superuser=True))
    assert client.get(stamp_url(second)).json() == {"changed_at": at.isoformat()}


def test_an_unknown_resource_is_404_and_a_bad_since_400(logged_in_client, affinity):
    assert logged_in_client.get(stamp_url(affinity, "affinity.nothing")).status_code == 404
    assert logged_in_client.get(stamp_url(affinity), {"since": "yesterday"}).status_code == 400
    no_offset = {"since": "2026-01-01T00:00:00"}
    assert logged_in_client.get(stamp_url(affinity), no_offset).status_code == 400


@pytest.mark.parametrize(
    ("provider", "key", "right"),
    [
        ("affinity", KEY, "crm.view_organization"),
        ("openapi", "openapi:posts", "apis.view_api_records"),
    ],
    ids=["registered pages", "an API's pages"],
)
@pytest.mark.parametrize("root", [False, True], ids=["member", "superuser"])
def test_the_stamp_costs_one_indexed_query(client, provider, key, right, root):
    connection = Connection.objects.create(provider=provider, name="polled")
    changed(connection, key)
    rights = () if root else (right,)
    client.force_login(someone("poller", *rights, is_staff=root, is_superuser=root))
    url = stamp_url(connection, key)
    client.get(url)  # warm: nothing cached that a later poll would not have
    with CaptureQueriesContext(db) as queries:
        response = client.get(url, {"since": ""})
        assert response.status_code == 200 and response.json()["changed_at"]
    sqls = [q["sql"] for q in queries.captured_queries]
    # Signing in: the session and the user; a member's rights: their own and their groups'.
    signing_in = [s for s in sqls if "django_session" in s or 'FROM "auth_' in s]
    assert len(signing_in) == (2 if root else 4)
    stamp = [s for s in sqls if s not in signing_in]
    assert len(stamp) == 1 and "integrations_syncstate" in stamp[0]
    if db.vendor == "sqlite":
        with db.cursor() as cursor:
            plan = " ".join(
                str(row[-1]) for row in cursor.execute(f"EXPLAIN QUERY PLAN {stamp[0]}")
            )
        # The (connection, resource) unique index; the pages' connection by its provider.
        assert "SEARCH integrations_syncstate USING INDEX" in plan, plan
        assert "(connection_id=? AND resource=?)" in plan and "SCAN" not in plan, plan


LISTS = [r for r in registered() if "list" in r.pages and r.sync_resource is not None]


@pytest.mark.parametrize("resource", LISTS, ids=lambda r: r.url_name("list"))
def test_every_synced_list_polls_its_stamp(logged_in_client, resource):
    connection = Connection.objects.create(provider=resource.service.providers[0], name="live")
    key = resource.sync_resource_for(connection).key
    html = logged_in_client.get(resource.url("list"), {"q": "ann", "sort": "name"})
    html = html.content.decode()
    assert "data-live-poll" in html
    assert f'hx-get="/changes/{connection.pk}/{key}/?since="' in html  # nothing changed yet
    assert 'hx-trigger="every 2s, visibilitychange from:document"' in html
    assert "q=ann" in html.split('data-live-list hx-get="', 1)[1].split('"', 1)[0]

    at = changed(connection, key, ago=5)
    html = logged_in_client.get(resource.url("list")).content.decode()
    since = at.isoformat().replace(":", "%3A").replace("+", "%2B")
    assert f"/changes/{connection.pk}/{key}/?since={since}" in html


def test_the_lists_refresh_leaves_the_messages_for_the_next_page(logged_in_client, affinity):
    Organization.objects.create(connection=affinity, remote_id="1", name="Acme")
    # "Syncing …"
    logged_in_client.post(reverse("integrations:sync_start", args=[affinity.pk, KEY]))
    refresh = logged_in_client.get("/organizations/", headers={"HX-Request": "true"})
    message = "Syncing organizations in the background"
    assert "Acme" in refresh.content.decode() and message not in refresh.content.decode()
    assert message in logged_in_client.get("/organizations/").content.decode()


# --- the generated pages of an API connected from its document (`openapi:<resource>`) ---

API_KEY = "openapi:posts"


@pytest.fixture
def api():
    return Connection.objects.create(provider="openapi", name="posts-api")


def test_a_user_who_may_see_the_apis_records_gets_a_synced_resources_stamp(client, api):
    at = changed(api, API_KEY)
    client.force_login(someone("reader", "apis.view_api_records"))
    response = client.get(stamp_url(api, API_KEY), {"since": ""})
    assert response.status_code == 200
    assert response.json() == {"changed_at": at.isoformat()}
    assert response["HX-Trigger"] == "records-changed"
    assert "HX-Trigger" not in client.get(stamp_url(api, API_KEY), {"since": at.isoformat()})


def test_a_user_who_may_not_see_the_apis_records_learns_nothing_of_them(client, api):
    changed(api, API_KEY)
    client.force_login(someone("sales", "crm.view_organization", "crm.change_organization"))
    response = client.get(stamp_url(api, API_KEY), {"since": ""})
    assert response.status_code == 403
    assert "HX-Trigger" not in response and b"changed_at" not in response.content


def test_a_switched_off_api_or_another_providers_connection_has_no_stamp_but_for_superusers(
    client, api, affinity
):
    off = Connection.objects.create(provider="openapi", name="old-api", is_active=False)
    at = {row.pk: changed(row, API_KEY) for row in (off, affinity)}
    client.force_login(someone("reader", "apis.view_api_records"))
    for row in (off, affinity):
        assert client.get(stamp_url(row, API_KEY), {"since": ""}).json() == {"changed_at": None}
    client.force_login(someone("admin", is_staff=True, is_superuser=True))
    for row in (off, affinity):
        assert client.get(stamp_url(row, API_KEY)).json() == {"changed_at": at[row.pk].isoformat()}
