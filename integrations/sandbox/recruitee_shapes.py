"""Recruitee's JSON shapes: what a stored candidate or offer looks like on the wire.

A stored candidate keeps only what varies (see `seed.py`);
`candidate_list_item` and `candidate_full` add the constant and derived keys
of the shapes observed in real responses (recruitee.md §2a, §2b), with the
value types of live answers (§7: `upcoming_event` and `pending_request_link`
are booleans, a placement's `language` is null). Stages live in each offer's
`pipeline_template`.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Any

ADMINS = (
    {"id": 9001, "email": "rita.recruiter@sandbox.example", "first_name": "Rita",
     "last_name": "Recruiter"},
    {"id": 9002, "email": "hiro.manager@sandbox.example", "first_name": "Hiro",
     "last_name": "Manager"},
)  # fmt: skip
API_ADMIN_ID = ADMINS[0]["id"]  # the demo token's user: "added by" on created candidates

OFFER_REFERENCE_FIELDS = (
    "id", "guid", "kind", "lang_code", "location", "position", "slug", "status", "title",
    "department_id",
)  # fmt: skip
STAGE_REFERENCE_FIELDS = ("id", "name", "category", "position", "locked", "group", "time_limit")
OFFER_BRIEF_FIELDS = (
    "id", "title", "status", "kind", "slug", "guid", "location", "department", "created_at",
    "updated_at", "candidates_count",
)  # fmt: skip


def initials(name: str) -> str:
    return "".join(word[0] for word in name.split()[:2]).upper()


def photo_url(candidate: dict[str, Any]) -> str | None:
    # Real Recruitee generates an S3 URL even without a photo; the sandbox keeps a
    # null photo for some candidates on purpose, so the hub's templates handle it.
    if not candidate["has_avatar"]:
        return None
    return f"https://sandbox-recruitee-media.example/candidates/{candidate['id']}/photo.png"


def candidate_list_item(c: dict[str, Any]) -> dict[str, Any]:
    """The keys a list item carries, in the observed order (recruitee.md §2a)."""
    ratings = c["ratings"]
    return {
        "admin_id": c["admin_id"],
        "adminapp_url": f"https://app.recruitee.com/#/candidates/{c['id']}",
        "created_at": c["created_at"],
        "emails": c["emails"],
        "example": False,
        "followed": c["followed"],
        "has_avatar": c["has_avatar"],
        "id": c["id"],
        "initials": initials(c["name"]),
        "last_message_at": c["last_message_at"],
        "my_last_rating": None,
        "my_pending_result_request": False,
        "my_upcoming_event": False,
        "name": c["name"],
        "notes_count": c["notes_count"],
        "pending_result_request": False,
        "phones": c["phones"],
        "photo_thumb_url": photo_url(c),
        "placements": c["placements"],
        "positive_ratings": ratings["yes"] + ratings["strong_yes"],
        "rating": c["rating"],
        "ratings": ratings,
        "ratings_count": sum(ratings.values()),
        "referrer": c["referrer"],
        "source": c["source"],
        "tasks_count": c["tasks_count"],
        "unread_notifications": False,
        "upcoming_event": False,
        "updated_at": c["updated_at"],
        "viewed": c["viewed"],
    }


def candidate_full(c: dict[str, Any]) -> dict[str, Any]:
    """The 62-key object of the detail, create, update and delete answers (§2b)."""
    return {
        **candidate_list_item(c),
        "admin_ids": [c["admin_id"]] if c["admin_id"] else [],
        "attachments_count": 0,
        "cover_letter": c["cover_letter"],
        "custom_fields": [],
        "cv_original_url": None,
        "cv_processing_status": "ok",
        "cv_url": None,
        "duplicates": [],
        "fields": [],
        "gdpr_consent_ever_given": False,
        "gdpr_consent_request_completed_at": None,
        "gdpr_consent_request_sent_at": None,
        "gdpr_consent_request_type": None,
        "gdpr_expires_at": None,
        "gdpr_scheduled_to_delete_at": None,
        "gdpr_status": "no_consent",
        "grouped_open_question_answers": [],
        "in_active_share": False,
        "last_activity_at": c["updated_at"],
        "links": c["links"],
        "mailbox_messages_count": 0,
        "online_data": None,
        "open_question_answers": [],
        "pending_request_link": False,
        "photo_url": photo_url(c),
        "rating_visible": True,
        "referral_referrers_ids": [],
        "social_links": c["social_links"],
        "sources": c["sources"],
        "sourcing_data": None,
        "sourcing_origin": None,
        "tags": c["tags"],
    }


def placement(
    *, placement_id: int, candidate_id: int, offer: dict[str, Any], stage: dict[str, Any], at: str
) -> dict[str, Any]:
    """A placement not (yet) hired; `hire` marks one hired."""
    return {
        "candidate_id": candidate_id,
        "created_at": at,
        "department_id": offer["department_id"],
        "department_name": offer["department"],
        "hired_at": None,
        "hired_by_id": None,
        "hired_in_other_placement": False,
        "hired_in_this_placement": False,
        "id": placement_id,
        "job_starts_at": None,
        "language": None,
        "offer_id": offer["id"],
        "overdue_at": None,
        "overdue_diff": None,
        "position": stage["position"],
        "positive_ratings": None,
        "ratings": {},
        "stage_id": stage["id"],
        "updated_at": at,
    }


def hire(placement: dict[str, Any], *, at: str, flag: bool) -> None:
    """Mark a placement hired at `at`. Live answers show hired placements whose
    `hired_in_this_placement` is false (recruitee.md §7): `flag` sets it."""
    placement.update(hired_at=at, hired_by_id=API_ADMIN_ID, hired_in_this_placement=flag)


def is_hired(placement: dict[str, Any], hire_stage_ids: Collection[int]) -> bool:
    """Recruitee's "hired" (§7): in a stage of category `hire`, or `hired_at` set."""
    return placement["stage_id"] in hire_stage_ids or placement["hired_at"] is not None


def hire_stage_ids(offers: Iterable[dict[str, Any]]) -> set[int]:
    """The ids of the offers' pipeline stages whose category is `hire`."""
    return {
        stage["id"]
        for offer in offers
        for stage in offer["pipeline_template"]["stages"]
        if stage["category"] == "hire"
    }


def first_stage(offer: dict[str, Any]) -> dict[str, Any]:
    return min(offer["pipeline_template"]["stages"], key=lambda stage: stage["position"])


def offer_reference(offer: dict[str, Any]) -> dict[str, Any]:
    return {"type": "Offer", **{key: offer[key] for key in OFFER_REFERENCE_FIELDS}}


def stage_reference(stage: dict[str, Any], offer: dict[str, Any], count: int) -> dict[str, Any]:
    return {
        "type": "Stage",
        **{key: stage[key] for key in STAGE_REFERENCE_FIELDS},
        "placements_count": count,
        "fair_evaluations_enabled": False,
        "created_at": offer["created_at"],
        "updated_at": offer["updated_at"],
    }


def admin_reference(admin: dict[str, Any]) -> dict[str, Any]:
    name = f"{admin['first_name']} {admin['last_name']}"
    return {
        "type": "Admin",
        **admin,
        "initials": initials(name),
        "has_avatar": False,
        "photo_normal_url": None,
        "photo_thumb_url": None,
        "time_format24": True,
        "timezone": "Europe/Amsterdam",
    }
