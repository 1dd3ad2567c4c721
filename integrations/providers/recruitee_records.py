"""Recruitee records: small frozen dataclasses parsed from untrusted JSON (recruitee.md §2, §3).

Every parser tolerates missing keys, nulls and wrong types
(`integrations.providers.readers`): a value that is not what the docs describe
becomes empty rather than an exception. Each record keeps the untouched
payload in `raw`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from integrations.providers.readers import (
    integer,
    mapping,
    records,
    text,
    text_id,
    texts,
    timestamp,
)


@dataclass(frozen=True)
class StageRecord:
    id: str
    name: str
    category: str = ""
    position: int = 0


# The stage category of a hired placement (recruitee.md §3 lists the categories).
HIRE_CATEGORY = "hire"


@dataclass(frozen=True)
class PlacementRecord:
    id: str
    offer_id: str
    stage_id: str
    is_disqualified: bool = False
    hired_at: datetime | None = None
    created_at: datetime | None = None

    def is_hired(self, stage_category: str) -> bool:
        """Hired as Recruitee means it: in a stage of category `hire`, or `hired_at` set.

        Live answers show a hired placement in a `hire` stage, `hired_at` set, with
        `hired_in_this_placement` false (recruitee.md §7), so that flag is not read.
        The category is the stage's (Stage references or the offer's pipeline): a
        placement carries only its `stage_id`.
        """
        return stage_category == HIRE_CATEGORY or self.hired_at is not None


@dataclass(frozen=True)
class CandidateRecord:
    id: str
    name: str
    emails: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    initials: str = ""
    photo_thumb_url: str = ""
    source: str = ""
    referrer: str = ""
    created_at: datetime | None = None
    updated_at: datetime | None = None
    last_activity_at: datetime | None = None
    placements: tuple[PlacementRecord, ...] = ()
    # Only the single-candidate, create and update answers carry these (§2a).
    tags: tuple[str, ...] = ()
    links: tuple[str, ...] = ()
    social_links: tuple[str, ...] = ()
    cover_letter: str = ""
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)


@dataclass(frozen=True)
class OfferRecord:
    id: str
    title: str
    status: str = ""
    kind: str = ""
    location: str = ""
    department: str = ""
    candidates_count: int = 0
    stages: tuple[StageRecord, ...] = ()
    created_at: datetime | None = None
    updated_at: datetime | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)


@dataclass(frozen=True)
class References:
    """The `references` list of a candidates answer: Offer and Stage entries by id."""

    offers: dict[str, str] = field(default_factory=dict)  # offer id -> title
    stages: dict[str, StageRecord] = field(default_factory=dict)


# --- parsers -------------------------------------------------------------------


def parse_candidate(data: Any) -> CandidateRecord | None:
    """A candidate object (list item or full), or None when it has no usable id."""
    if not isinstance(data, dict) or not text_id(data.get("id")):
        return None
    name = text(data.get("name"))
    placements = (parse_placement(p) for p in records(data.get("placements")))
    times = [timestamp(data.get(k)) for k in ("last_activity_at", "last_message_at", "updated_at")]
    return CandidateRecord(
        id=text_id(data.get("id")),
        name=name,
        emails=texts(data.get("emails")),
        phones=texts(data.get("phones")),
        initials=text(data.get("initials"))[:8] or initials_of(name),
        photo_thumb_url=text(data.get("photo_thumb_url")),
        source=text(data.get("source")),
        referrer=text(data.get("referrer")),
        created_at=timestamp(data.get("created_at")),
        updated_at=timestamp(data.get("updated_at")),
        last_activity_at=max((t for t in times if t), default=None),
        placements=tuple(p for p in placements if p is not None),
        tags=texts(data.get("tags")),
        links=texts(data.get("links")),
        social_links=texts(data.get("social_links")),
        cover_letter=text(data.get("cover_letter")),
        raw=data,
    )


def parse_placement(data: Any) -> PlacementRecord | None:
    if not isinstance(data, dict) or not text_id(data.get("offer_id")):
        return None
    return PlacementRecord(
        id=text_id(data.get("id")),
        offer_id=text_id(data.get("offer_id")),
        stage_id=text_id(data.get("stage_id")),
        # A disqualified placement carries `disqualify_reason` / `disqualify_kind` (§2a).
        is_disqualified=bool(data.get("disqualify_reason") or data.get("disqualify_kind")),
        hired_at=timestamp(data.get("hired_at")),
        created_at=timestamp(data.get("created_at")),
    )


def parse_offer(data: Any) -> OfferRecord | None:
    if not isinstance(data, dict) or not text_id(data.get("id")):
        return None
    stages = records(mapping(data.get("pipeline_template")).get("stages"))
    department = data.get("department")
    if isinstance(department, dict):  # some answers nest it as {"id", "name"}
        department = department.get("name")
    return OfferRecord(
        id=text_id(data.get("id")),
        title=text(data.get("title")) or f"Offer {text_id(data.get('id'))}",
        status=text(data.get("status")),
        kind=text(data.get("kind")),
        location=text(data.get("location")),
        department=text(department),
        candidates_count=integer(data.get("candidates_count"), minimum=0) or 0,
        stages=tuple(s for s in map(parse_stage, stages) if s is not None),
        created_at=timestamp(data.get("created_at")),
        updated_at=timestamp(data.get("updated_at")),
        raw=data,
    )


def parse_stage(data: Any) -> StageRecord | None:
    if not isinstance(data, dict) or not text_id(data.get("id")):
        return None
    return StageRecord(
        id=text_id(data.get("id")),
        name=text(data.get("name")),
        category=text(data.get("category")),
        position=integer(data.get("position")) or 0,
    )


def parse_references(data: Any) -> References:
    """Offer titles and stages from a response's `references` (§2a), ignoring the rest."""
    offers, stages = {}, {}
    for entry in records(mapping(data).get("references")):
        if not text_id(entry.get("id")):
            continue
        if entry.get("type") == "Offer":
            offers[text_id(entry["id"])] = text(entry.get("title"))
        elif entry.get("type") == "Stage" and (stage := parse_stage(entry)):
            stages[stage.id] = stage
    return References(offers=offers, stages=stages)


# --- helpers ---------------------------------------------------------------------


def initials_of(name: str) -> str:
    return "".join(word[0] for word in name.split()[:2]).upper()
