"""The candidates sync (incremental, placements) and the outbox operations' reconciliation."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection as db
from django.utils import timezone
from responses import matchers

from ats.models import Candidate, Offer, Placement
from ats.outbox import CandidateCreate, CandidateUpdate
from ats.sync import CANDIDATE_PAGE_SIZE, CANDIDATES
from integrations.models import OutboxItem, SyncState
from integrations.outbox.delivery import outbox_deliver
from integrations.sync.engine import sync_resource

from .conftest import BASE, fixture

pytestmark = pytest.mark.django_db


def test_a_sync_stores_candidates_and_their_placements(connection, rsps):
    rsps.get(f"{BASE}/candidates", json=fixture("candidates_page.json"))
    run = sync_resource(connection=connection, resource=CANDIDATES, full=True)
    assert run.status == "succeeded", run.error
    ada = Candidate.objects.get(remote_id="11")
    assert ada.search_text == "ada lovelace ada@example.com 31612345678"
    assert ada.is_qualified and not ada.is_disqualified
    odd = Candidate.objects.get(remote_id="12")
    assert (odd.name, odd.emails, odd.is_disqualified) == ("", [], True)
    assert sorted(Placement.objects.values_list("offer_remote_id", "stage_name")) == [
        ("1", "Applied"),
        ("2", "Interview"),
    ]


def test_a_sync_marks_the_placements_recruitee_counts_as_hired(connection, rsps):
    rsps.get(f"{BASE}/candidates", json=fixture("candidates_hired.json"))
    run = sync_resource(connection=connection, resource=CANDIDATES, full=True)
    assert run.status == "succeeded", run.error
    placements = Placement.objects.values_list(
        "candidate__remote_id", "offer_remote_id", "stage_name", "is_hired"
    )
    assert sorted(placements) == [
        ("21", "1", "Signed", True),
        ("21", "2", "Interview", False),
        ("22", "1", "Offer", True),
        ("22", "2", "Welcome aboard", True),
        ("23", "2", "Interview", False),
    ]


def test_a_stage_the_answer_leaves_without_a_category_takes_the_offers(connection, rsps):
    Offer.objects.create(
        connection=connection,
        remote_id="2",
        title="Designer",
        stages=[{"id": 205, "name": "Hired", "category": "hire", "position": 5}],
    )
    answer = fixture("candidates_hired.json")
    answer["candidates"] = answer["candidates"][1:2]  # Katherine: 34 is in stage 205
    answer["references"] = [{"type": "Stage", "id": 205, "name": "Welcome aboard"}]
    rsps.get(f"{BASE}/candidates", json=answer)
    run = sync_resource(connection=connection, resource=CANDIDATES, full=True)
    assert run.status == "succeeded", run.error
    placement = Placement.objects.get(offer_remote_id="2")
    assert (placement.stage_name, placement.is_hired) == ("Welcome aboard", True)


def test_an_incremental_sync_asks_for_candidates_created_after_the_newest(connection, rsps):
    SyncState.objects.create(
        connection=connection,
        resource=CANDIDATES.key,
        last_full_at=timezone.now(),
        high_water_mark=datetime(2023, 1, 15, 12, 1, 10, 725552, tzinfo=UTC),
    )
    rsps.get(
        f"{BASE}/candidates",
        json={"candidates": [], "references": []},
        match=[
            matchers.query_param_matcher(
                {
                    "created_after": "2023-01-15T12:01:10",
                    "limit": str(CANDIDATE_PAGE_SIZE),
                    "offset": "0",
                }
            )
        ],
    )
    run = sync_resource(connection=connection, resource=CANDIDATES)
    assert (run.status, run.mode) == ("succeeded", "incremental")


def _create_item(connection, **payload):
    record = Candidate.objects.create(connection=connection, name="Ada Lovelace")
    return OutboxItem.objects.create(
        connection=connection,
        operation=CandidateCreate.name,
        submission_key="k",
        payload={"candidate": {"name": "Ada Lovelace", **payload}, "offers": []},
        record_type="ats.Candidate",
        record_id=record.pk,
    )


def _search_answer(*candidates):
    return {"candidates": list(candidates), "references": []}


def _recruitee_list(*stored):
    """`GET candidates` as recruitee.md §2a documents it: `query` searches the candidate's
    name (or offer), not the emails; `created_after`, `limit` and `offset` as documented."""

    def answer(request):
        params = request.params
        query = params.get("query", "").casefold()
        after = params.get("created_after")
        found = [
            c
            for c in stored
            if query in c["name"].casefold() and (not after or c["created_at"][:19] > after)
        ]
        offset, limit = int(params.get("offset", 0)), int(params.get("limit", len(found) or 1))
        page = found[offset : offset + limit]
        return 200, {}, json.dumps(_search_answer(*page))

    return answer


def test_find_existing_finds_the_candidate_by_name_and_exact_email(connection, api, rsps):
    """Recruitee's `query` does not search emails: the lookup asks by name and compares
    the email itself, so the candidate the lost answer created is found, not sent again."""
    item = _create_item(connection, emails=["Ada@Example.com"])
    now = timezone.now().astimezone(UTC).isoformat()
    rsps.add_callback(
        "GET",
        f"{BASE}/candidates",
        callback=_recruitee_list(
            {"id": 1, "name": "Ada Lovelace", "emails": ["ada@example.com.au"], "created_at": now},
            {"id": 2, "name": "Ada Lovelace", "emails": ["ada@example.com"], "created_at": now},
        ),
    )
    assert CandidateCreate().find_existing(api, item)["id"] == 2


def test_find_existing_ignores_an_older_namesake(connection, api, rsps):
    item = _create_item(connection)
    long_ago = (timezone.now() - timedelta(days=30)).astimezone(UTC).isoformat()
    rsps.get(
        f"{BASE}/candidates",
        json=_search_answer(
            {"id": 3, "name": "Ada Lovelace", "emails": [], "created_at": long_ago}
        ),
    )
    assert CandidateCreate().find_existing(api, item) is None


def test_an_unreadable_create_answer_is_reconciled_not_resent(connection, rsps):
    item = _create_item(connection)
    rsps.post(f"{BASE}/candidates", status=201, body="<html>ok</html>")
    pending = outbox_deliver(item.pk, background=False)
    assert (pending.status, pending.outcome_unknown) == (OutboxItem.Status.PENDING, True)


def test_delivery_replaces_a_synced_duplicate(connection):
    item = _create_item(connection, emails=["ada@example.com"])
    Candidate.objects.create(connection=connection, remote_id="11", name="Ada (synced)")
    CandidateCreate().on_delivered(item, fixture("candidate_full.json")["candidate"])
    ada = Candidate.objects.get(remote_id="11")
    assert ada.pk == item.record_id and ada.sync_status == "synced"
    assert list(ada.placements.values_list("offer_remote_id", flat=True)) == ["1"]


def test_update_reconciles_by_reading_the_candidate(connection, api, rsps):
    Offer.objects.create(connection=connection, remote_id="1", title="Backend")
    item = OutboxItem(payload={"remote_id": "11", "changes": {"phones": ["+31 6 1234 5678"]}})
    rsps.get(f"{BASE}/candidates/11", json=fixture("candidate_full.json"))
    assert CandidateUpdate().find_existing(api, item)["id"] == 11
    item.payload["changes"] = {"name": "Someone else"}
    rsps.get(f"{BASE}/candidates/11", json=fixture("candidate_full.json"))
    assert CandidateUpdate().find_existing(api, item) is None


def test_a_sync_leaves_the_query_planner_statistics_of_the_candidates(connection, rsps):
    if db.vendor != "sqlite":
        pytest.skip("PostgreSQL's autovacuum keeps its own statistics")
    rsps.get(f"{BASE}/candidates", json=fixture("candidates_page.json"))
    sync_resource(connection=connection, resource=CANDIDATES, full=True)
    with db.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'ats_candidate'")
        assert cursor.fetchone()[0] > 0


def _listed(*ids: int) -> dict:
    candidates = [{"id": i, "name": f"Candidate {i}", "created_at": "2026-01-01T00:00:00Z"}
                  for i in ids]  # fmt: skip
    return {"candidates": candidates, "generated_at": "2026-01-01T00:00:00Z", "references": []}


def test_a_candidate_skipped_by_offsets_shifting_is_not_marked_deleted(
    connection, rsps, monkeypatch
):
    """Recruitee pages with limit/offset (recruitee.md §2a: next offset = offset + limit):
    a candidate deleted during a full pass (or while it waited to resume) moves the
    later ones up, so one is never listed. It is asked for by id (`ids`, comma-separated)
    before the pass marks it deleted; only the ones Recruitee no longer has are."""
    monkeypatch.setattr("ats.sync.CANDIDATE_PAGE_SIZE", 2)
    for remote_id in ("1", "2", "3", "9"):
        Candidate.objects.create(connection=connection, remote_id=remote_id, name=remote_id)
    first = {"limit": "2", "offset": "0"}
    rsps.get(f"{BASE}/candidates", json=_listed(1, 2), match=[matchers.query_param_matcher(first)])
    # Candidate 1 is deleted at Recruitee now: the list is 2, 3, 4 and offset 2 skips 3.
    second = {"limit": "2", "offset": "2"}
    rsps.get(f"{BASE}/candidates", json=_listed(4), match=[matchers.query_param_matcher(second)])
    asked = {"ids": "3,9", "limit": "2"}
    rsps.get(f"{BASE}/candidates", json=_listed(3), match=[matchers.query_param_matcher(asked)])

    run = sync_resource(connection=connection, resource=CANDIDATES, full=True)

    assert run.status == "succeeded", run.error
    gone = set(Candidate.objects.filter(is_deleted=True).values_list("remote_id", flat=True))
    assert gone == {"9"}  # 3 is still at Recruitee; 9 is not
    assert run.deleted_count == 1
