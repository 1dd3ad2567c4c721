"""The resources this app lists, declared for the sync engine.

Offers come in one answer (the list is short). Candidates page by
limit/offset; an incremental pass asks only for those created after the
newest one already synced (`created_after`, recruitee.md §2a), and the
engine's regular full pass catches edits and deletions.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from ats.models import Candidate, Offer, Placement
from core.search import planner_statistics, search_document
from integrations.http.errors import NotFoundError
from integrations.providers import recruitee
from integrations.providers.readers import items
from integrations.providers.recruitee_records import (
    CandidateRecord,
    OfferRecord,
    References,
    StageRecord,
    parse_stage,
)
from integrations.sync.resources import (
    FetchedPage,
    FetchedRow,
    FetchRequest,
    Presence,
    SyncedResource,
)
from integrations.sync.upsert import delete_children, insert_rows

# Recruitee documents no largest page for the candidate list (recruitee.md §2a). At 100 a
# full sync was bound by its 1,001 round trips (bench/sync.py: 111-135 s for 100,000); at
# 1,000 (~1.3 MB answers) by its own CPU (50-75 s, 130 MB); 5,000 was no faster and peaked
# at 240 MB, 10,000 near 380 MB, past the 250 MB goal.
CANDIDATE_PAGE_SIZE = 1000


def candidate_search_fields(
    name: str, emails: Iterable[str], phones: Iterable[str] = ()
) -> dict[str, Any]:
    """What the list's search matches (`core.search`): name, emails and phone digits."""
    return {"search_text": search_document(name, *emails, phones=phones)}


def candidate_fields(record: CandidateRecord) -> dict[str, Any]:
    """Model fields of a candidate (the same keys for every row: the engine needs that)."""
    placements = record.placements
    return {
        "name": record.name[:300],
        **candidate_search_fields(record.name, record.emails, record.phones),
        "emails": list(record.emails),
        "phones": list(record.phones),
        "initials": record.initials[:8],
        "photo_thumb_url": record.photo_thumb_url[:1000],
        "source": record.source[:100],
        "referrer": record.referrer[:200],
        "last_activity_at": record.last_activity_at,
        "is_qualified": any(not p.is_disqualified for p in placements),
        "is_disqualified": any(p.is_disqualified for p in placements),
    }


@dataclass(frozen=True)
class CandidateRow(FetchedRow):
    """A candidate row plus the stages its answer's `references` gave (for placements).

    They travel with the row rather than beside it, so `after_upsert` gets them even
    when the pages are fetched ahead in another thread.
    """

    stages: dict[str, StageRecord] = field(default_factory=dict)
    record: CandidateRecord | None = field(default=None, repr=False)


def candidate_row(record: CandidateRecord, references: References | None = None) -> CandidateRow:
    known = references.stages if references else {}
    return CandidateRow(
        remote_id=record.id,
        fields=candidate_fields(record),
        raw=record.raw,
        remote_created_at=record.created_at,
        remote_updated_at=record.updated_at,
        stages={p.stage_id: known[p.stage_id] for p in record.placements if p.stage_id in known},
        record=record,
    )


def offer_fields(record: OfferRecord) -> dict[str, Any]:
    return {
        "title": record.title[:300],
        "status": record.status[:40],
        "kind": record.kind[:40],
        "location": record.location[:300],
        "department": record.department[:200],
        "candidates_count": record.candidates_count,
        "stages": [
            {"id": s.id, "name": s.name, "category": s.category, "position": s.position}
            for s in record.stages
        ],
    }


def fetch_candidates(client: Any, connection: Any, request: FetchRequest) -> Iterator[FetchedPage]:
    pages = recruitee.candidate_pages(
        client,
        page_size=CANDIDATE_PAGE_SIZE,
        start=request.checkpoint,
        read_ahead=True,  # a full pass is long: fetch while saving
        created_after=request.since,
    )
    for page in pages:
        rows = [candidate_row(record, page.references) for record in page.candidates]
        yield FetchedPage(rows=rows, checkpoint=page.resume)


def fetch_offers(client: Any, connection: Any, request: FetchRequest) -> Iterator[FetchedPage]:
    records = recruitee.offer_list(client)
    rows = [
        FetchedRow(
            remote_id=r.id,
            fields=offer_fields(r),
            raw=r.raw,
            remote_created_at=r.created_at,
            remote_updated_at=r.updated_at,
        )
        for r in records
    ]
    yield FetchedPage(rows=rows, checkpoint=None, expected_total=len(rows))


def fetch_candidate(client: Any, connection: Any, remote_id: str) -> CandidateRow | None:
    """One candidate as Recruitee has it now (a webhook's hint); None once it is gone."""
    try:
        answer = recruitee.candidate_get(client, remote_id)
    except NotFoundError:
        return None
    return candidate_row(answer.candidate, answer.references)


def fetch_offer(client: Any, connection: Any, remote_id: str) -> FetchedRow | None:
    try:
        record = recruitee.offer_get(client, remote_id)
    except NotFoundError:
        return None
    return FetchedRow(
        remote_id=record.id,
        fields=offer_fields(record),
        raw=record.raw,
        remote_created_at=record.created_at,
        remote_updated_at=record.updated_at,
    )


def placements_replace(
    connection: Any,
    records: Iterable[CandidateRecord],
    pk_by_remote_id: dict[str, int],
    references: References | None = None,
    *,
    stages: Mapping[str, StageRecord] | None = None,
) -> None:
    """Make each candidate's Placement rows match its `placements` (offer, stage, hired)."""
    records = [r for r in records if r.id in pk_by_remote_id]
    known = stages_for(connection, references.stages if references else {}, stages or {})
    delete_children(Placement, parent="candidate", pks=[pk_by_remote_id[r.id] for r in records])
    insert_rows(
        Placement,
        [
            {
                "candidate": pk_by_remote_id[record.id],
                "offer_remote_id": p.offer_id,
                "stage_remote_id": p.stage_id,
                "stage_name": stage.name[:200] if (stage := known.get(p.stage_id)) else "",
                "is_disqualified": p.is_disqualified,
                "is_hired": p.is_hired(stage.category if stage else ""),
            }
            for record in records
            for p in record.placements
        ],
    )


def stages_for(connection: Any, *answers: Mapping[str, StageRecord]) -> dict[str, StageRecord]:
    """Stage id -> stage: the synced offers' pipelines, then each answer's Stage references
    over them (a name or category a reference leaves empty keeps the pipeline's)."""
    stages: dict[str, StageRecord] = {}
    for pipeline in Offer.objects.filter(connection=connection).values_list("stages", flat=True):
        for stage in map(parse_stage, items(pipeline)):
            if stage is not None:
                stages[stage.id] = stage
    for answer in answers:
        for stage_id, stage in answer.items():
            if known := stages.get(stage_id):
                stage = replace(
                    stage, name=stage.name or known.name, category=stage.category or known.category
                )
            stages[stage_id] = stage
    return stages


def _after_candidates_upsert(
    connection: Any, rows: list[FetchedRow], pk_by_remote_id: dict[str, int]
) -> None:
    records = [r for r in (getattr(row, "record", None) for row in rows) if r is not None]
    stages = {k: v for row in rows for k, v in getattr(row, "stages", {}).items()}
    placements_replace(connection, records, pk_by_remote_id, stages=stages)


OFFERS = SyncedResource(
    key="recruitee.offers",
    provider="recruitee",
    label="offers",
    model=Offer,
    fetch=fetch_offers,
    fetch_one=fetch_offer,
)
CANDIDATES = SyncedResource(
    key="recruitee.candidates",
    provider="recruitee",
    label="candidates",
    model=Candidate,
    fetch=fetch_candidates,
    fetch_one=fetch_candidate,
    incremental=True,
    still_present=lambda client, connection, ids: Presence(
        recruitee.candidates_present(client, ids)
    ),
    after_upsert=_after_candidates_upsert,
    after_sync=lambda connection: planner_statistics(Candidate),
)
RESOURCES: list[SyncedResource] = [OFFERS, CANDIDATES]
