"""Read-only queries behind the candidate and offer pages (the hub's synced copy)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import BigIntegerField, F, Prefetch, QuerySet, Value

from ats.models import Candidate, Offer, Placement
from core import trigrams
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
    "referrer", "remote_created_at", "last_activity_at", "sync_status", "synced_at",
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
    # `is_deleted__in=[False]`, not `is_deleted=False`: SQLite gets `NOT is_deleted` for the
    # latter and then cannot use the sort indexes (a full sort of every row instead).
    rows = Candidate.objects.filter(connection=connection, is_deleted__in=[False])
    if term := filters.search.strip().lower():
        if bits := trigrams.signature(term):  # rows lacking a bit cannot match: skip the LIKE
            # A 64-bit value: as a plain int, PostgreSQL's 32-bit integer range would refuse it.
            term_bits = Value(bits, output_field=BigIntegerField())
            rows = rows.alias(shared=F("search_bits").bitand(term_bits)).filter(shared=term_bits)
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
    return _list_rows(rows.order_by(*order))


@dataclass(frozen=True)
class RowStamp:
    """Which version of a record a list row shows: enough to find its cached HTML."""

    pk: int
    synced_at: datetime
    sync_status: str


def candidate_stamps(pks: list[int]) -> list[RowStamp]:
    """The stamps of these candidates (any order), read by primary key alone.

    `list_page` loads a page this way: the page's ids come from `candidate_list`, so
    its filters need not run again (and SQLite would then pick a list index over
    the primary key). The rows' HTML is mostly cached; `candidate_rows` reads the
    whole rows the cache lacks.
    """
    candidates = Candidate.objects.filter(pk__in=pks).order_by()
    return [
        RowStamp(*values) for values in candidates.values_list("pk", "synced_at", "sync_status")
    ]


def candidate_rows(pks: list[int]) -> dict[int, Candidate]:
    """pk -> what the list row of each of these candidates shows (placements included)."""
    return {c.pk: c for c in _list_rows(Candidate.objects.filter(pk__in=pks).order_by())}


def candidate_row_key(candidate: RowStamp | Candidate) -> str:
    """What a candidate's list row shows, as of its last sync or local write."""
    return f"{candidate.pk}:{candidate.synced_at.timestamp()}:{candidate.sync_status}"


def _list_rows(rows: QuerySet[Candidate]) -> QuerySet[Candidate]:
    return rows.only(*LIST_COLUMNS).prefetch_related(_listed_placements())


def _listed_placements() -> Prefetch:
    listed = Placement.objects.only(
        "candidate_id", "offer_remote_id", "stage_name", "is_disqualified"
    ).order_by("pk")
    return Prefetch("placements", queryset=listed)


@dataclass(frozen=True)
class ListPage:
    """One page of a long list, counted only as far as the pages around it need.

    Counting every match of a substring search over 100,000 rows costs more than
    the page itself, so the count stops at `COUNT_AHEAD_PAGES` pages past this one
    (`total_is_exact` is then False: "page 50 of 60+"), and a page that is not
    full needs no count at all.
    """

    rows: list[Any]
    number: int
    per_page: int
    total: int
    total_is_exact: bool

    @property
    def num_pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.num_pages

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def start_index(self) -> int:
        return (self.number - 1) * self.per_page + 1 if self.rows else 0


COUNT_AHEAD_PAGES = 10


def list_page(
    rows: QuerySet,
    *,
    number: int,
    per_page: int = 25,
    load: Callable[[list[Any]], Iterable[Any]] | None = None,
) -> ListPage:
    """The page `number` (from `core.pagination.page_number`) of `rows`.

    `load(pks)` reads the page's rows by primary key, in any order (default: `rows`
    filtered by them).
    """
    offset = (number - 1) * per_page
    cap = offset + per_page * (COUNT_AHEAD_PAGES + 1) + 1
    # One walk of the sort index gives the page and the count ahead: the ids from the
    # page's first row up to the counting cap (read from the index alone). Then only
    # the page's own rows are loaded, by primary key.
    window = list(rows.prefetch_related(None).values_list("pk", flat=True)[offset:cap])
    if not window and number > 1:  # past the end: an empty page that knows the real total
        return ListPage([], number, per_page, rows.order_by().count(), True)
    page_ids = window[:per_page]
    loaded = load(page_ids) if load else rows.filter(pk__in=page_ids).order_by()
    position = {pk: index for index, pk in enumerate(page_ids)}
    found = sorted((row for row in loaded if row.pk in position), key=lambda r: position[r.pk])
    total = offset + len(window)
    return ListPage(found, number, per_page, min(total, cap - 1), total < cap)


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
        for stage in stages if isinstance(stages, list) else []:
            if isinstance(stage, dict) and isinstance(stage.get("name"), str) and stage["name"]:
                position = stage.get("position") if isinstance(stage.get("position"), int) else 0
                names.setdefault(stage["name"], position)
    return sorted(names, key=lambda name: (names[name], name))


@dataclass(frozen=True)
class OfferSummary:
    """What the candidate list needs about offers, from one query."""

    choices: list[tuple[str, str]]  # (remote id, label) for the offer filter
    titles: dict[str, str]  # remote id -> title, for placements
    stages: list[str]  # distinct stage names, for the stage filter

    @property
    def version(self) -> str:
        """Changes whenever a title changes: part of each cached candidate row's key."""
        return hashlib.blake2b(
            repr(sorted(self.titles.items())).encode(), digest_size=8
        ).hexdigest()


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
