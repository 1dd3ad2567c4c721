"""Applying deliveries: the record fetched through the shared client (or read from an
Affinity event), written only when not older, deletions kept, any order the same."""

from __future__ import annotations

import itertools
import time
from datetime import timedelta

import pytest
import requests
from django.db import connection as db
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ats.models import Candidate
from crm.models import Organization
from crm.sync import ORGANIZATIONS
from integrations.models import AuditEntry, Connection, WebhookDelivery
from integrations.sandbox.asana_shapes import gid
from integrations.sync.resources import FetchedRow
from integrations.webhooks.apply import delivery_apply, record_delete, records_upsert
from integrations.webhooks.stamps import changes_stamp
from integrations.webhooks.verify import Inbound, affinity_verify
from projects.models import Project
from tests.unit.webhooks.payloads import affinity_event, asana_events, recruitee_event

State = WebhookDelivery.State


def stored(connection, body: bytes, key: str | None = None) -> WebhookDelivery:
    return WebhookDelivery.objects.create(
        provider=connection.provider,
        connection=connection,
        body=body,
        dedupe_key=key or f"k{WebhookDelivery.objects.count()}",
    )


@pytest.fixture
def recruitee(sandbox_connection):
    return sandbox_connection("recruitee")


def new_sandbox_candidate(sandbox, name: str) -> tuple[dict, str]:
    """A candidate made at the sandbox for one test (the seeded ones stay as they are),
    and its URL there."""
    base = sandbox.url_for("recruitee") + "/c/1/candidates"
    created = requests.post(
        base, json={"candidate": {"name": name}}, headers=SANDBOX_AUTH, timeout=5
    ).json()["candidate"]
    return created, f"{base}/{created['id']}"


SANDBOX_AUTH = {"Authorization": "Bearer sandbox-recruitee"}


def sandbox_candidate(sandbox) -> dict:
    return sandbox.record("SELECT payload FROM recruitee_candidates ORDER BY id LIMIT 1")


def test_a_candidate_event_fetches_the_candidate_and_upserts_it(recruitee, sandbox_clean):
    remote = sandbox_candidate(sandbox_clean)
    delivery = stored(recruitee, recruitee_event(remote["id"]))
    assert delivery_apply(delivery.pk) == State.APPLIED
    candidate = Candidate.objects.get(connection=recruitee, remote_id=str(remote["id"]))
    assert candidate.name == remote["name"] and not candidate.is_deleted
    delivery.refresh_from_db()
    assert delivery.applied_at and delivery.attempts == 1
    assert f"candidates {remote['id']} updated" in delivery.summary
    assert changes_stamp(connection_id=recruitee.pk, resource_key="recruitee.candidates")


def test_an_applied_delivery_is_not_applied_twice(recruitee, sandbox_clean):
    delivery = stored(recruitee, recruitee_event(sandbox_candidate(sandbox_clean)["id"]))
    assert delivery_apply(delivery.pk) == State.APPLIED
    assert delivery_apply(delivery.pk) == ""  # claimed by nobody: already applied


def test_the_hubs_newer_copy_is_not_overwritten_by_an_older_fetch(recruitee, sandbox_clean):
    remote = sandbox_candidate(sandbox_clean)
    future = timezone.now() + timedelta(days=365)
    Candidate.objects.create(
        connection=recruitee, remote_id=str(remote["id"]), name="Newer here",
        remote_updated_at=future,
    )  # fmt: skip
    delivery_apply(stored(recruitee, recruitee_event(remote["id"])).pk)
    assert Candidate.objects.get(remote_id=str(remote["id"])).name == "Newer here"


def test_a_candidate_gone_at_the_provider_is_marked_deleted(recruitee, sandbox_clean):
    base = sandbox_clean.url_for("recruitee") + "/c/1"
    auth = {"Authorization": "Bearer sandbox-recruitee"}
    created = requests.post(
        f"{base}/candidates", json={"candidate": {"name": "Short Lived"}}, headers=auth, timeout=5
    ).json()["candidate"]
    delivery_apply(stored(recruitee, recruitee_event(created["id"], "new_candidate")).pk)
    assert not Candidate.objects.get(remote_id=str(created["id"])).is_deleted
    requests.delete(f"{base}/candidates/{created['id']}", headers=auth, timeout=5)
    delivery_apply(stored(recruitee, recruitee_event(created["id"], "candidate_deleted")).pk)
    assert Candidate.objects.get(remote_id=str(created["id"])).is_deleted


def test_an_asana_event_carries_ids_only_so_the_project_is_fetched(
    sandbox_connection, sandbox_clean
):
    asana = sandbox_connection("asana")
    remote = sandbox_clean.record("SELECT payload FROM asana_projects ORDER BY id LIMIT 1")
    project_gid = gid(remote["id"])
    delivery_apply(stored(asana, asana_events(project_gid)).pk)
    assert Project.objects.get(connection=asana, remote_id=project_gid).name == remote["name"]


def test_a_provider_that_does_not_answer_postpones_then_fails(recruitee, sandbox_clean, settings):
    settings.WEBHOOK_MAX_ATTEMPTS = 2
    sandbox_clean.set_faults("recruitee", error_rate=1, error_statuses=[500])
    delivery = stored(recruitee, recruitee_event(sandbox_candidate(sandbox_clean)["id"]))
    assert delivery_apply(delivery.pk) == State.RECEIVED
    delivery.refresh_from_db()
    assert delivery.next_attempt_at > timezone.now() and "500" in delivery.error
    WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    assert delivery_apply(delivery.pk) == State.FAILED
    assert not Candidate.objects.filter(connection=recruitee).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "order", list(itertools.permutations(["created", "updated", "deleted"])), ids=str
)
def test_affinity_events_in_any_order_end_deleted(order):
    affinity = Connection.objects.create(provider="affinity", name="events")
    now = int(time.time())
    events = {
        "created": affinity_event("organization.created", 9, sent_at=now - 20, name="First"),
        "updated": affinity_event("organization.updated", 9, sent_at=now - 10, name="Second"),
        "deleted": affinity_event("organization.deleted", 9, sent_at=now),
    }
    for kind in order:
        assert delivery_apply(stored(affinity, events[kind]).pk) == State.APPLIED
    assert Organization.objects.get(connection=affinity, remote_id="9").is_deleted


@pytest.mark.django_db
@pytest.mark.parametrize("order", [("updated", "deleted"), ("deleted", "updated")], ids=str)
def test_affinity_events_of_the_same_second_end_deleted_in_either_order(order):
    """`sent_at` is whole seconds: an update and the deletion right after it can share
    one. Nothing is updated after its deletion, so the deletion wins the tie."""
    affinity = Connection.objects.create(provider="affinity", name="events")
    now = int(time.time())
    events = {
        "updated": affinity_event("organization.updated", 9, sent_at=now, name="Last words"),
        "deleted": affinity_event("organization.deleted", 9, sent_at=now),
    }
    for kind in order:
        assert delivery_apply(stored(affinity, events[kind]).pk) == State.APPLIED
    assert Organization.objects.get(connection=affinity, remote_id="9").is_deleted


@pytest.mark.django_db
@pytest.mark.parametrize("order", [("created", "updated"), ("updated", "created")], ids=str)
def test_affinity_events_in_any_order_keep_the_newest_body(order):
    affinity = Connection.objects.create(provider="affinity", name="events")
    now = int(time.time())
    events = {
        "created": affinity_event("organization.created", 9, sent_at=now - 20, name="First"),
        "updated": affinity_event("organization.updated", 9, sent_at=now - 10, name="Second"),
    }
    for kind in order:
        delivery_apply(stored(affinity, events[kind]).pk)
        delivery_apply(stored(affinity, events[kind]).pk)  # and a duplicate
    organization = Organization.objects.get(connection=affinity, remote_id="9")
    assert organization.name == "Second" and not organization.is_deleted


@pytest.mark.django_db
@pytest.mark.parametrize("order", list(itertools.permutations(["a1", "b2", "a3"])), ids=str)
def test_an_organization_changed_back_shows_the_newest_in_any_order(order):
    """A(t1), B(t2), A(t3): the hub shows A, whatever order the deliveries arrive in;
    each is its own delivery (the dedupe key holds `sent_at`)."""
    affinity = Connection.objects.create(provider="affinity", name="events")
    now = int(time.time())
    events = {
        "a1": affinity_event("organization.updated", 9, sent_at=now - 20, name="A"),
        "b2": affinity_event("organization.updated", 9, sent_at=now - 10, name="B"),
        "a3": affinity_event("organization.updated", 9, sent_at=now, name="A"),
    }
    for kind in order:
        key = affinity_verify([], Inbound(headers={}, body=events[kind], now=now)).dedupe_key
        assert delivery_apply(stored(affinity, events[kind], key).pk) == State.APPLIED
    assert Organization.objects.get(connection=affinity, remote_id="9").name == "A"


def test_a_batch_fetches_a_record_named_twice_once_and_claims_are_exclusive(
    recruitee, sandbox_clean, monkeypatch
):
    from ats import sync as ats_sync
    from integrations.webhooks.apply import deliveries_apply, deliveries_claim

    remote = sandbox_candidate(sandbox_clean)
    for kind in ("new_candidate", "candidate_updated"):
        stored(recruitee, recruitee_event(remote["id"], kind))
    calls = []
    original = ats_sync.recruitee.candidate_get
    monkeypatch.setattr(
        ats_sync.recruitee,
        "candidate_get",
        lambda client, remote_id: calls.append(remote_id) or original(client, remote_id),
    )
    assert deliveries_apply() == 2
    assert calls == [str(remote["id"])]
    assert set(WebhookDelivery.objects.values_list("state", flat=True)) == {State.APPLIED}
    WebhookDelivery.objects.update(state=State.RECEIVED)
    first = deliveries_claim(10)
    assert len(first) == 2 and deliveries_claim(10) == []  # the other worker finds none


def test_a_task_builds_its_fetch_clients_once_for_all_its_batches_and_closes_them(
    recruitee, sandbox_clean, monkeypatch
):
    """Five batches (a client built for each batch before) share at most one client per
    fetch thread."""
    from integrations.http.client import ApiClient
    from integrations.tasks import apply_webhooks_task
    from integrations.webhooks import apply

    remote = sandbox_candidate(sandbox_clean)
    for _ in range(5 * apply.BATCH):
        stored(recruitee, recruitee_event(remote["id"]))
    built, closed = [], []
    original = apply.connection_client
    monkeypatch.setattr(
        apply, "connection_client", lambda *a, **k: built.append(original(*a, **k)) or built[-1]
    )
    monkeypatch.setattr(ApiClient, "close", lambda client: closed.append(client))
    assert apply_webhooks_task.call() == 5 * apply.BATCH
    assert 1 <= len(built) <= apply.FETCH_THREADS < 5
    assert sorted(map(id, closed)) == sorted(map(id, built))
    assert set(WebhookDelivery.objects.values_list("state", flat=True)) == {State.APPLIED}


@pytest.mark.django_db
def test_a_record_the_hub_never_had_is_read_for_the_audit_once_not_again_after():
    """Nothing stored can have changed, so the audit's second read (of what is stored
    after the newer-only upsert) is skipped; a delete of it reads nothing back either."""
    connection = Connection.objects.create(
        provider="affinity", name="t", base_url="https://api.affinity.co", api_token="k"
    )
    row = FetchedRow(remote_id="70", fields={"name": "New Co", "domain": "", "domains": []}, raw={})
    with CaptureQueriesContext(db) as queries:
        records_upsert(ORGANIZATIONS, connection, [row])
        record_delete(ORGANIZATIONS, connection, "71", timezone.now())
    audit_reads = [
        q["sql"] for q in queries if q["sql"].startswith("SELECT") and "is_deleted" in q["sql"]
    ]
    assert len(audit_reads) == 2  # one before the upsert, one before the delete
    assert Organization.objects.get(remote_id="70").name == "New Co"
    assert Organization.objects.get(remote_id="71").is_deleted
    assert not AuditEntry.objects.exists()


def test_a_second_update_whose_event_has_the_same_bytes_is_applied_too(
    recruitee, sandbox_clean, provider_client
):
    """Recruitee's events carry no event id or time: two updates of one candidate send
    the same body. The second is stored once but must still bring the second change."""
    from integrations.sandbox.webhook_shapes import recruitee_outgoing
    from integrations.webhooks.apply import deliveries_apply
    from integrations.webhooks.endpoints import endpoint_for
    from tests.unit.webhooks.conftest import post

    endpoint = endpoint_for(recruitee)
    endpoint.secret_add("pasted-secret")
    endpoint.save()
    remote, url = new_sandbox_candidate(sandbox_clean, "Rang Twice")
    subscription = {"url": "unused", "secret": "pasted-secret"}
    for phone in ("+44 20 7946 0001", "+44 20 7946 0002"):
        requests.patch(
            url, json={"candidate": {"phones": [phone]}}, headers=SANDBOX_AUTH, timeout=5
        ).raise_for_status()
        attempt = recruitee_outgoing(subscription, "candidate_updated", remote).make(0, False)
        assert post(provider_client, endpoint, attempt.body, **attempt.headers).status_code == 200
        deliveries_apply()
        candidate = Candidate.objects.get(connection=recruitee, remote_id=str(remote["id"]))
        assert candidate.phones == [phone]
    assert WebhookDelivery.objects.filter(connection=recruitee).count() == 1


def test_an_event_applied_during_a_sync_is_not_undone_by_the_syncs_older_page(
    recruitee, sandbox_clean
):
    """The sync read a page, the candidate changed and its event was applied, then the
    sync saved its page: the hub keeps the newer candidate (and its audit says so)."""
    from dataclasses import replace

    from ats.sync import CANDIDATES, fetch_candidates
    from integrations.sync.engine import sync_resource

    remote, url = new_sandbox_candidate(sandbox_clean, "Changed Meanwhile")

    def pages_read_before_the_event(client, connection, request):
        for page in fetch_candidates(client, connection, request):
            if str(remote["id"]) in {row.remote_id for row in page.rows}:
                requests.patch(
                    url,
                    json={"candidate": {"phones": ["+1 555 0100"]}},
                    headers=SANDBOX_AUTH,
                    timeout=5,
                ).raise_for_status()
                event = recruitee_event(remote["id"], "candidate_updated")
                delivery_apply(stored(recruitee, event).pk)
            yield page

    resource = replace(CANDIDATES, fetch=pages_read_before_the_event)
    sync_resource(connection=recruitee, resource=resource, full=True)
    candidate = Candidate.objects.get(connection=recruitee, remote_id=str(remote["id"]))
    assert candidate.phones == ["+1 555 0100"] and not candidate.is_deleted
    assert not AuditEntry.objects.filter(record_id=str(candidate.pk), source="sync").exists()


def test_a_deletion_applied_during_a_sync_is_not_undone_by_the_syncs_older_page(
    recruitee, sandbox_clean
):
    """The sync read a page, the candidate was deleted and its event applied, then the
    sync saved its page: the candidate stays deleted (a full pass saw it, so it would
    have stayed in the list until the next one)."""
    from dataclasses import replace

    from ats.sync import CANDIDATES, fetch_candidates
    from integrations.sync.engine import sync_resource

    remote, url = new_sandbox_candidate(sandbox_clean, "Deleted Meanwhile")

    def pages_read_before_the_event(client, connection, request):
        for page in fetch_candidates(client, connection, request):
            if str(remote["id"]) in {row.remote_id for row in page.rows}:
                requests.delete(url, headers=SANDBOX_AUTH, timeout=5).raise_for_status()
                event = recruitee_event(remote["id"], "candidate_deleted")
                delivery_apply(stored(recruitee, event).pk)
            yield page

    sync_resource(
        connection=recruitee,
        resource=replace(CANDIDATES, fetch=pages_read_before_the_event),
        full=True,
    )
    assert Candidate.objects.get(connection=recruitee, remote_id=str(remote["id"])).is_deleted


def test_a_delivery_that_breaks_its_batch_holds_back_no_other_and_ends_failed(
    recruitee, sandbox_clean, monkeypatch, settings
):
    """Something no provider error explains (a bug, a value the database refuses) while
    applying one delivery: the others of its batch are applied, and it shows its error
    and is failed after its attempts, instead of all staying claimed and taken again
    with their batch, for ever."""
    from ats import sync as ats_sync
    from integrations.webhooks.apply import deliveries_apply

    settings.WEBHOOK_MAX_ATTEMPTS = 2
    first, bad, last = (
        sandbox_clean.record(
            "SELECT payload FROM recruitee_candidates ORDER BY id LIMIT 1 OFFSET ?", (n,)
        )["id"]
        for n in (0, 1, 2)
    )
    original = ats_sync.candidate_row

    def candidate_row(record, references=None):
        if record.id == str(bad):
            raise ValueError("a value the database refuses")
        return original(record, references)

    monkeypatch.setattr(ats_sync, "candidate_row", candidate_row)
    deliveries = [stored(recruitee, recruitee_event(c)) for c in (first, bad, last)]
    assert deliveries_apply() == 3
    states = dict(WebhookDelivery.objects.values_list("pk", "state"))
    assert [states[d.pk] for d in deliveries] == [State.APPLIED, State.RECEIVED, State.APPLIED]
    assert "a value the database refuses" in WebhookDelivery.objects.get(pk=deliveries[1].pk).error
    assert set(Candidate.objects.values_list("remote_id", flat=True)) == {str(first), str(last)}
    WebhookDelivery.objects.filter(pk=deliveries[1].pk).update(next_attempt_at=timezone.now())
    assert deliveries_apply() == 1
    assert WebhookDelivery.objects.get(pk=deliveries[1].pk).state == State.FAILED


@pytest.mark.django_db
def test_a_delivery_whose_worker_stopped_is_taken_again_until_its_attempts_are_spent(settings):
    settings.WEBHOOK_MAX_ATTEMPTS = 3
    from integrations.webhooks.apply import deliveries_claim

    affinity = Connection.objects.create(provider="affinity", name="events")
    delivery = stored(affinity, affinity_event())
    for _ in range(3):  # each worker stopped: the lease passes with no outcome
        assert [d.pk for d in deliveries_claim(10)] == [delivery.pk]
        WebhookDelivery.objects.update(lease_until=timezone.now() - timedelta(seconds=1))
    assert deliveries_claim(10) == []
    delivery.refresh_from_db()
    assert delivery.state == State.FAILED and "worker stopped" in delivery.error


def test_a_provider_down_for_hours_fails_no_delivery_before_a_full_pass_would_catch_up(
    monkeypatch, settings
):
    """With the default settings, the shortest the jitter can make a delivery's retries
    still spans the full pass's interval: a provider (or a token) out for an hour leaves
    no change for the next full pass, hours later, or for a person to replay."""
    from integrations.webhooks import apply

    monkeypatch.setattr(apply.random, "uniform", lambda low, high: low)
    shortest = sum(
        (apply.retry_delay(attempts) for attempts in range(1, settings.WEBHOOK_MAX_ATTEMPTS)),
        timedelta(),
    )
    assert shortest >= timedelta(minutes=settings.SYNC_FULL_INTERVAL_MINUTES)


@pytest.mark.postgres
@pytest.mark.django_db
@pytest.mark.skipif(db.vendor != "postgresql", reason="needs PostgreSQL (set DATABASE_URL)")
def test_an_event_whose_text_holds_a_nul_character_is_applied_on_postgresql():
    """PostgreSQL stores no NUL character in text or JSON, which a body may carry: the
    DataError failed the delivery (and every sync of the resource), now it reads as
    U+FFFD."""
    from integrations.webhooks.apply import deliveries_apply

    affinity = Connection.objects.create(provider="affinity", name="events")
    names = ["Good Co", "Bad\u0000Co", "Fine Co"]
    for n, name in enumerate(names):
        stored(affinity, affinity_event("organization.created", 10 + n, name=name))
    assert deliveries_apply() == 3
    assert set(WebhookDelivery.objects.values_list("state", flat=True)) == {State.APPLIED}
    assert set(Organization.objects.values_list("name", flat=True)) == {
        "Good Co",
        "Bad\ufffdCo",
        "Fine Co",
    }


def test_a_deletion_applied_by_another_worker_while_this_one_fetched_stands(
    recruitee, sandbox_clean, monkeypatch
):
    """Two workers: one fetched the candidate for an update, then the candidate was
    deleted and the other applied that; the first then writes what it fetched. The
    candidate stays deleted (it fetched the version the deletion already holds)."""
    from integrations.webhooks.apply import RecordFetcher

    remote, url = new_sandbox_candidate(sandbox_clean, "Gone Meanwhile")
    delivery_apply(stored(recruitee, recruitee_event(remote["id"], "new_candidate")).pk)
    update = stored(recruitee, recruitee_event(remote["id"], "candidate_updated"))
    original = RecordFetcher.fetch_all

    def fetch_then_the_other_worker(self, connection, steps):
        fetched = original(self, connection, steps)
        monkeypatch.setattr(RecordFetcher, "fetch_all", original)
        requests.delete(url, headers=SANDBOX_AUTH, timeout=5).raise_for_status()
        event = recruitee_event(remote["id"], "candidate_deleted")
        assert delivery_apply(stored(recruitee, event).pk) == State.APPLIED
        return fetched

    monkeypatch.setattr(RecordFetcher, "fetch_all", fetch_then_the_other_worker)
    assert delivery_apply(update.pk) == State.APPLIED
    assert Candidate.objects.get(connection=recruitee, remote_id=str(remote["id"])).is_deleted
