"""Read-only queries behind the candidate and offer pages (the hub's synced copy)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet

from ats.models import Candidate, Offer, Placement
from integrations.models import Connection

# ?sort= value -> ORDER BY; each has an index (see Candidate.Meta), pk breaks ties.
CANDIDATE_SORTS: dict[str, tuple[str, ...]] = {
    "created": ("-remote_created_at", "-pk"),
    "name": ("name", "pk"),
    "activity": ("-last_activity_at", "-pk"),
}
CANDIDATE_SORT_LABELS = {"created": "Newest", "name": "Name", "activity": "Last activity"}
CANDIDATE_STATUSES = {"qualified": "Qualified", "disqualified": "Disqualified"}
# What a list row shows; `raw` (the whole payload) is never loaded for a list.
LIST_COLUMNS = (
    "pk", "remote_id", "name", "emails", "phones", "initials", "photo_thumb_url", "source",
    "referrer", "remote_created_at", "last_activity_at", "sync_status",
)  # fmt: skip


@dataclass(frozen=True)
class CandidateFilters:
    search: str = ""
    offer: str = ""  # an offer's remote id
    stage: str = ""  # a stage name (pipelines share names such as "Interview")
    status: str = ""  # "qualified", "disqualified" or ""
    sort: str = "created"


def candidate_list(*, connection: Connection, filters: CandidateFilters) -> QuerySet[Candidate]:
    """The connection's candidates, searched, filtered and sorted; placements prefetched."""
    rows = Candidate.objects.filter(connection=connection, is_deleted=False)
    if term := filters.search.strip().lower():
        rows = rows.filter(search_text__contains=term)
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
    order = CANDIDATE_SORTS.get(filters.sort, CANDIDATE_SORTS["created"])
    listed_placements = Placement.objects.only(
        "candidate_id", "offer_remote_id", "stage_name", "is_disqualified"
    ).order_by("pk")
    return (
        rows.only(*LIST_COLUMNS)
        .order_by(*order)
        .prefetch_related(Prefetch("placements", queryset=listed_placements))
    )


def candidates_waiting(*, connection: Connection) -> list[Candidate]:
    """Candidates created here that Recruitee does not have yet (no remote id)."""
    return list(
        Candidate.objects.filter(connection=connection, remote_id=None, is_deleted=False)
        .only(*LIST_COLUMNS)
        .order_by("-pk")[:20]
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


def stage_choices(*, connection: Connection) -> list[str]:
    """The distinct stage names of the synced offers' pipelines, in pipeline order."""
    names: dict[str, int] = {}
    for stages in Offer.objects.filter(connection=connection, is_deleted=False).values_list(
        "stages", flat=True
    ):
        for stage in stages if isinstance(stages, list) else []:
            if isinstance(stage, dict) and isinstance(stage.get("name"), str) and stage["name"]:
                position = stage.get("position") if isinstance(stage.get("position"), int) else 0
                names.setdefault(stage["name"], position)
    return sorted(names, key=lambda name: (names[name], name))


def candidates_exist(*, connection: Connection) -> bool:
    return Candidate.objects.filter(connection=connection).exists()


def offers_exist(*, connection: Connection) -> bool:
    return Offer.objects.filter(connection=connection).exists()
