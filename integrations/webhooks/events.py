"""A stored delivery -> the records it says changed, as change hints.

An event is never trusted as the record's state, except where the provider's
events carry the whole record (Affinity, with `sent_at` as its version): the
worker fetches the record instead (webhooks/apply.py). Event shapes:
openapi-webhooks-observability.md §D. What an event names that the hub does
not sync (Asana tasks, Affinity notes…) gives no change.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from integrations import jsoncodec


@dataclass(frozen=True)
class Change:
    label: str  # the synced resource's label at this provider: "candidates", "projects"…
    remote_id: str
    # Set when the event itself carries the record (Affinity), else None: fetch it.
    body: dict[str, Any] | None = None
    deleted: bool = False
    version: datetime | None = None  # the event's own time, where it is the version


def _id(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, int | str):
        return ""
    return str(value)[:64]


def _object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def recruitee_changes(data: dict[str, Any]) -> Iterator[Change]:
    """`{"event_type", "event_subtype", "payload": {"candidate": {...}, "offer": {...}}}`.
    Candidate events name the candidate (and often an offer); offer events the offer."""
    payload = _object(data.get("payload"))
    kind = str(data.get("event_type", ""))
    if candidate := _id(_object(payload.get("candidate")).get("id")):
        yield Change("candidates", candidate)
    offer = _id(_object(payload.get("offer")).get("id"))
    if kind.startswith(("offer_", "job_")) and offer:
        yield Change("offers", offer)


def asana_changes(data: dict[str, Any]) -> Iterator[Change]:
    """`{"events": [{"resource": {"gid", "resource_type"}, "action", ...}]}`: ids only."""
    events = data.get("events")
    for event in events if isinstance(events, list) else []:
        resource = _object(_object(event).get("resource"))
        if resource.get("resource_type") == "project" and (gid := _id(resource.get("gid"))):
            yield Change("projects", gid)


def projecttool_changes(data: dict[str, Any]) -> Iterator[Change]:
    """`{"type": "project.created", "timestamp", "data": {...project...}}`."""
    if str(data.get("type", "")).startswith("project.") and (
        project := _id(_object(data.get("data")).get("id"))
    ):
        yield Change("projects", project)


AFFINITY_LABELS = {"organization": "organizations", "person": "persons"}


def affinity_changes(data: dict[str, Any]) -> Iterator[Change]:
    """`{"type": "organization.updated", "body": {...record...}, "sent_at": epoch}`; a
    merge deletes `removed_company` and updates `company`."""
    kind, _, action = str(data.get("type", "")).partition(".")
    label = AFFINITY_LABELS.get(kind)
    body = _object(data.get("body"))
    sent_at = data.get("sent_at")
    version = datetime.fromtimestamp(sent_at, tz=UTC) if isinstance(sent_at, int) else None
    if label is None:
        return
    if action == "merged":
        if removed := _id(_object(body.get("removed_company")).get("id")):
            yield Change(label, removed, body={}, deleted=True, version=version)
        company = _object(body.get("company"))
        if merged := _id(company.get("id")):
            yield Change(label, merged, body=company, version=version)
    elif record := _id(body.get("id")):
        yield Change(label, record, body=body, deleted=action == "deleted", version=version)


PARSERS: dict[str, Callable[[dict[str, Any]], Iterator[Change]]] = {
    "recruitee": recruitee_changes,
    "asana": asana_changes,
    "projecttool": projecttool_changes,
    "affinity": affinity_changes,
}


def changes_of(provider: str, body: bytes) -> list[Change]:
    """The changes a stored delivery names (none for a body that is not a JSON object)."""
    try:
        data = jsoncodec.loads(body)
    except ValueError:
        return []
    parse = PARSERS.get(provider)
    return list(parse(data)) if parse and isinstance(data, dict) else []
