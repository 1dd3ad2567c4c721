"""Read-only queries behind the candidate and offer pages (the hub's synced copy)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import F, OuterRef, Prefetch, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, NullIf

from ats.models import Candidate, Offer, Placement
from core.search import search_filter
from core.sorting import Column, Sort, Sorting
from integrations.models import Connection
from integrations.providers.readers import integer, records, text

# The list's columns; created, name and activity have an index each (Candidate.Meta).
CANDIDATE_SORTING = Sorting(
    columns={
        "name": Column(["name"]),
        "email": Column(["emails__0"]),
        "phone": Column(["phones__0"]),
        # A candidate in several offers sorts by the first of their titles.
        "offers": Column([
            Subquery(
                Offer.objects.filter(
                    connection=OuterRef("connection"),
                    remote_id__in=Placement.objects.filter(
                        candidate=OuterRef(OuterRef("pk"))
                    ).values("offer_remote_id"),
                )
                .order_by("title")
                .values("title")[:1]
            )
        ]),
        # What the column shows: the referrer, else the source.
        "source": Column([Coalesce(NullIf(F("referrer"), Value("")), F("source"))]),
        "created": Column(["remote_created_at"], descending_first=True),
        "activity": Column(["last_activity_at"], descending_first=True),
    },
    default="-created",
)  # fmt: skip
CANDIDATE_STATUSES = {"qualified": "Qualified", "disqualified": "Disqualified"}
# What a list row shows; `raw` (the whole payload) is never loaded for a list.
LIST_COLUMNS = (
    "pk", "remote_id", "name", "emails", "phones", "initials", "photo_thumb_url", "source",
    "referrer", "remote_created_at", "last_activity_at", "sync_status", "synced_at",
)  # fmt: skip


@dataclass(frozen=True)
class CandidateFilters:
    search: str = ""
    offer: str = ""  # an offer's remote id
    stage: str = ""  # a stage name (pipelines share names such as "Interview")
    status: str = ""  # "qualified", "disqualified" or ""
    sort: Sort | None = None  # the default order


def candidate_list(*, connection: Connection, filters: CandidateFilters) -> QuerySet[Candidate]:
    """The connection's candidates, searched, filtered and sorted: what each list row shows,
    placements prefetched (for the page's rows only)."""
    # `is_deleted__in=[False]`, not `is_deleted=False`: SQLite gets `NOT is_deleted` for the
    # latter and then cannot use the sort indexes (a full sort of every row instead).
    rows = Candidate.objects.filter(connection=connection, is_deleted__in=[False])
    rows = search_filter(rows, filters.search)
    if filters.offer or filters.stage:
        placements = Placement.objects.all()
        if filters.offer:
            placements = placements.filter(offer_remote_id=filters.offer)
        if filters.stage:
            placements = placements.filter(stage_name=filters.stage)
        rows = rows.filter(pk__in=placements.values("candidate_id"))
    if filters.status == "qualified":
        rows = rows.filter(is_qualified=True)
    elif filters.status == "disqualified":
        rows = rows.filter(is_disqualified=True)
    return _list_rows(rows.order_by(*CANDIDATE_SORTING.order_by(filters.sort)))


def candidate_rows(pks: list[int]) -> list[Candidate]:
    """What the list rows of these candidates show (any order), read by primary key alone."""
    return list(_list_rows(Candidate.objects.filter(pk__in=pks).order_by()))


def _list_rows(rows: QuerySet[Candidate]) -> QuerySet[Candidate]:
    return rows.only(*LIST_COLUMNS).prefetch_related(_listed_placements())


def _listed_placements() -> Prefetch:
    listed = Placement.objects.only(
        "candidate_id", "offer_remote_id", "stage_name", "is_disqualified"
    ).order_by("pk")
    return Prefetch("placements", queryset=listed)


def candidates_waiting(*, connection: Connection) -> list[Candidate]:
    """Candidates created here that Recruitee does not have yet (no remote id)."""
    return list(
        _list_rows(
            Candidate.objects.filter(connection=connection, remote_id=None, is_deleted=False)
        ).order_by("-pk")[:20]
    )


def candidate_get(*, connection: Connection, pk: int) -> Candidate | None:
    return (
        Candidate.objects.filter(connection=connection, pk=pk, is_deleted=False)
        .prefetch_related("placements")
        .first()
    )


def offer_list(*, connection: Connection) -> QuerySet[Offer]:
    return Offer.objects.filter(connection=connection, is_deleted=False).order_by("title", "pk")


def offer_titles(*, connection: Connection) -> dict[str, str]:
    """Offer remote id -> title, for placements (a hub has tens or hundreds of offers)."""
    return dict(
        Offer.objects.filter(connection=connection)
        .exclude(remote_id=None)
        .values_list("remote_id", "title")
    )


def offer_choices(*, connection: Connection) -> list[tuple[str, str]]:
    """(remote id, label) of the offers a candidate can be assigned to."""
    return [
        (offer.remote_id, f"{offer.title} ({offer.status})" if offer.status else offer.title)
        for offer in offer_list(connection=connection)
        .exclude(remote_id=None)
        .only("remote_id", "title", "status")
    ]


def _stage_names(pipelines: Any) -> list[str]:
    names: dict[str, int] = {}
    for stages in pipelines:
        for stage in records(stages):
            if name := text(stage.get("name")):
                names.setdefault(name, integer(stage.get("position")) or 0)
    return sorted(names, key=lambda name: (names[name], name))


@dataclass(frozen=True)
class OfferSummary:
    """What the candidate list needs about offers, from one query."""

    choices: list[tuple[str, str]]  # (remote id, label) for the offer filter
    titles: dict[str, str]  # remote id -> title, for placements
    stages: list[str]  # distinct stage names, for the stage filter


def offer_summary(*, connection: Connection) -> OfferSummary:
    offers = list(
        offer_list(connection=connection)
        .exclude(remote_id=None)
        .values_list("remote_id", "title", "status", "stages")
    )
    return OfferSummary(
        choices=[
            (rid, f"{title} ({status})" if status else title) for rid, title, status, _ in offers
        ],
        titles={rid: title for rid, title, _, _ in offers},
        stages=_stage_names([stages for *_, stages in offers]),
    )


def candidates_exist(*, connection: Connection) -> bool:
    return Candidate.objects.filter(connection=connection).exists()


def offers_exist(*, connection: Connection) -> bool:
    """Whether an offer Recruitee has is synced (the candidate filters list them)."""
    return Offer.objects.filter(connection=connection).exclude(remote_id=None).exists()
