"""Writes and live reads for candidates. Views call one of these functions.

Writes go through the outbox (`outbox_write`): the local record and the outbox
row are saved together, then sent at once; if Recruitee does not answer, the
background worker sends it later and the candidate shows as pending.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from ats.models import Candidate
from ats.outbox import CandidateCreate, CandidateNoteCreate, CandidateUpdate, remote_fields
from ats.selectors import offer_titles
from ats.sync import candidate_search_fields, placements_replace
from core.forms import Edit
from core.selectors import record_open_write, record_open_writes
from integrations.http.errors import ConfigurationError, IntegrationError, NotFoundError
from integrations.live_budget import LiveBudgetSpentError, page_client
from integrations.models import Connection, OutboxItem
from integrations.models.synced import SyncStatus
from integrations.outbox.service import outbox_write
from integrations.providers import recruitee
from integrations.providers.recruitee_records import CandidateRecord, initials_of, parse_candidate
from integrations.refresh import Refresh
from integrations.shown_errors import live_read_error

# The detail page waits this long (retries included) for Recruitee before showing the copy.
LIVE_FETCH_DEADLINE = 4.0
EDITABLE_FIELDS = ("name", "emails", "phones", "social_links", "links", "cover_letter")


@dataclass(frozen=True)
class PlacementView:
    offer_id: str
    offer_title: str
    stage_name: str
    is_disqualified: bool


@dataclass(frozen=True)
class CandidateDetail:
    candidate: Candidate
    record: CandidateRecord  # what the page shows
    placements: list[PlacementView]
    live: bool  # fetched from Recruitee just now
    problem: str = ""  # why the page shows the synced copy instead
    copy_from: datetime | None = None  # when the synced copy was read from Recruitee
    saved_at: datetime | None = None  # when the person saved the changes still on their way


def candidate_create(
    *, connection: Connection, data: dict[str, Any], submission_key: str, user: Any = None
) -> OutboxItem:
    """Save the candidate (pending) and send `POST candidates`; a repeated key writes once."""
    fields = {k: data[k] for k in EDITABLE_FIELDS if k in data}
    payload = recruitee.candidate_payload(fields, data.get("offers") or [])

    def save_record() -> Candidate:
        return Candidate.objects.create(
            connection=connection,
            sync_status=SyncStatus.PENDING,
            **_local_fields(fields),
        )

    return outbox_write(
        connection=connection,
        operation=CandidateCreate.name,
        payload=payload,
        submission_key=submission_key,
        summary=f"Create candidate {fields.get('name', '')}",
        save_record=save_record,
        user=user,
    )


def candidate_update(
    *, candidate: Candidate, edit: Edit, submission_key: str, user: Any = None
) -> OutboxItem | None:
    """Save the edit over the candidate as stored now and PATCH only the fields the person
    changed (`Edit.merged`: the others keep what is stored, a change someone saved since the
    page opened included; `EditConflict` when someone changed the same field to another
    value); None when the person changed nothing. Recruitee's PATCH takes partial bodies."""
    if not edit.changed:
        return None
    changes = {name: edit.mine[name] for name in edit.changed}

    def save_record() -> Candidate:
        # `candidate` is the row as stored now (outbox_write read it again, locked).
        stored = candidate_form_values(candidate, shown=edit.base)
        for name, value in _local_fields({**stored, **edit.merged(stored)}).items():
            setattr(candidate, name, value)
        candidate.sync_status = SyncStatus.PENDING
        candidate.save()
        return candidate

    return outbox_write(
        connection=candidate.connection,
        operation=CandidateUpdate.name,
        payload={"remote_id": candidate.remote_id, "changes": changes},
        submission_key=submission_key,
        summary=f"Update candidate {changes.get('name', candidate.name)}",
        save_record=save_record,
        user=user,
        record=candidate,
    )


def candidate_note_add(
    *, candidate: Candidate, body: str, submission_key: str, user: Any = None
) -> OutboxItem:
    """Send a note for the candidate through the outbox; a repeated key writes once. The
    note has no local row: it lives at Recruitee, and the candidate's page reads it."""
    return outbox_write(
        connection=candidate.connection,
        operation=CandidateNoteCreate.name,
        payload={"candidate_id": candidate.remote_id, "body": body},
        submission_key=submission_key,
        summary=f"Note on candidate {candidate.name}",
        save_record=lambda: None,
        user=user,
    )


@dataclass(frozen=True)
class CandidateNotes:
    notes: list[recruitee.NoteRecord]
    problem: str = ""  # why they are not shown


def candidate_notes(*, candidate: Candidate, refresh: Refresh, user: Any) -> CandidateNotes:
    """The candidate's notes, read live when the page just read the candidate from
    Recruitee (one more of `user`'s live calls); otherwise why not."""
    if not candidate.remote_id:
        return CandidateNotes([], "Notes can be added once Recruitee has this candidate.")
    if not refresh.fresh:
        return CandidateNotes([], "Recruitee did not answer, so its notes are not shown.")
    try:
        client = page_client(candidate.connection, user=user)
        client.deadline = min(client.deadline, LIVE_FETCH_DEADLINE)
        return CandidateNotes(recruitee.candidate_note_list(client, candidate.remote_id))
    except LiveBudgetSpentError as error:
        return CandidateNotes([], error.message)
    except (IntegrationError, ConfigurationError) as error:
        plain = "Recruitee did not answer, so its notes are not shown."
        return CandidateNotes([], live_read_error(plain, error, user=user))


# Only the full candidate (GET by id) carries these; a list item lacks them.
FULL_ONLY_FIELDS = ("social_links", "links", "cover_letter")


def candidate_has_full_copy(candidate: Candidate) -> bool:
    """Whether the stored copy came from the full candidate, not from a list page."""
    return isinstance(candidate.raw, dict) and "cover_letter" in candidate.raw


def candidate_form_values(
    candidate: Candidate, *, shown: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The editable fields as stored now: Recruitee's last confirmed copy with the hub's own
    edits still on their way (all six fields, `_shown_record`) on top. An edit page shows
    them, and an edit's save compares the page's copy with them (`candidate_update`).

    `shown`, an edit's base, stands in for the full-only fields a list row lacks (a list sync
    since the page opened, Recruitee not answering now): as the page showed them, the
    hub's last full copy, so the person's own change to one is sent and nothing else."""
    record = _shown_record(candidate, shown=shown or {})
    return {
        "name": record.name,
        "emails": list(record.emails),
        "phones": list(record.phones),
        "social_links": list(record.social_links),
        "links": list(record.links),
        "cover_letter": record.cover_letter,
    }


def candidate_refresh_from_provider(*, candidate: Candidate, user: Any) -> Refresh:
    """Fetch the full candidate from Recruitee and rewrite the local copy with it; on
    failure, say why the page shows the synced copy (`Refresh.problem`).

    The read spends one of `user`'s live calls (`integrations.live_budget`).
    """
    if candidate.remote_id is None:
        return Refresh(fresh=False, problem="This candidate is waiting to be sent to Recruitee.")
    if candidate.sync_status == SyncStatus.PENDING:
        return Refresh(fresh=False, problem="Your changes are waiting to be sent to Recruitee.")
    try:
        client = page_client(candidate.connection, user=user)
        client.deadline = min(client.deadline, LIVE_FETCH_DEADLINE)
        answer = recruitee.candidate_get(client, candidate.remote_id)
    except NotFoundError:
        problem = "Recruitee no longer has this candidate; this is the last synced copy."
    except LiveBudgetSpentError as error:
        problem = f"{error.message} This is the synced copy."
    except (IntegrationError, ConfigurationError) as error:
        plain = "Recruitee did not answer; this is the synced copy."
        problem = live_read_error(plain, error, user=user)
    else:
        _store_live(candidate, answer)
        return Refresh(fresh=True)
    return Refresh(fresh=False, problem=problem)


def candidate_detail(*, candidate: Candidate, refresh: Refresh) -> CandidateDetail:
    """What the detail page shows: Recruitee's answer just stored, else the synced copy
    with the local (possibly pending) edits on top."""
    if refresh.fresh and (record := parse_candidate(candidate.raw)):
        return _detail(candidate, record, live=True)
    return _detail(candidate, _shown_record(candidate), live=False, problem=refresh.problem)


def _store_live(candidate: Candidate, answer: recruitee.CandidateAnswer) -> None:
    with transaction.atomic():
        for name, value in remote_fields(answer.candidate.raw).items():
            setattr(candidate, name, value)
        candidate.raw = answer.candidate.raw
        candidate.synced_at = timezone.now()
        candidate.save()
        placements_replace(
            candidate.connection,
            [answer.candidate],
            {answer.candidate.id: candidate.pk},
            answer.references,
        )


def _detail(
    candidate: Candidate, record: CandidateRecord, *, live: bool, problem: str = ""
) -> CandidateDetail:
    titles = offer_titles(connection=candidate.connection)
    placements = [
        PlacementView(
            offer_id=p.offer_remote_id,
            offer_title=titles.get(p.offer_remote_id) or f"Offer {p.offer_remote_id}",
            stage_name=p.stage_name,
            is_disqualified=p.is_disqualified,
        )
        for p in candidate.placements.order_by("pk")
    ]
    # A copy with changes on their way says when they were saved, not when it was read.
    open_write = None if live else record_open_write(candidate)
    return CandidateDetail(
        candidate=candidate,
        record=record,
        placements=placements,
        live=live,
        problem=problem,
        copy_from=None if live or open_write else candidate.synced_at,
        saved_at=open_write.created_at if open_write else None,
    )


def _shown_record(candidate: Candidate, *, shown: dict[str, Any] | None = None) -> CandidateRecord:
    """The synced copy, with the local (possibly pending) edits on top: name, emails and
    phones from the row, the full-only fields from the updates still on their way (and,
    when the copy lacks them, from `shown`: see `candidate_form_values`)."""
    record = parse_candidate(candidate.raw) or _local_record(candidate)
    if shown and not candidate_has_full_copy(candidate):
        record = dataclasses.replace(record, **_full_only(shown))
    return dataclasses.replace(
        record,
        **_full_only_on_their_way(candidate),
        name=candidate.name,
        emails=tuple(candidate.emails or ()),
        phones=tuple(candidate.phones or ()),
    )


def _full_only_on_their_way(candidate: Candidate) -> dict[str, Any]:
    """The full-only fields (`FULL_ONLY_FIELDS`) as the candidate's updates not yet
    confirmed by Recruitee set them, the latest last: the row keeps no copy of them
    (`raw` changes only when Recruitee answers), so without these a later edit would
    compare with, and silently replace, a change still waiting in the outbox."""
    if candidate.pk is None:
        return {}
    waiting = record_open_writes(candidate).filter(operation=CandidateUpdate.name)
    waiting = waiting.order_by("created_at", "pk")
    fields: dict[str, Any] = {}
    for item in waiting:
        fields.update(_full_only(item.payload.get("changes") or {}))
    return fields


def _full_only(values: dict[str, Any]) -> dict[str, Any]:
    """The full-only fields among the form's `values`, as `CandidateRecord` holds them."""
    return {
        name: values[name] if name == "cover_letter" else tuple(values[name])
        for name in FULL_ONLY_FIELDS
        if name in values
    }


def _local_record(candidate: Candidate) -> CandidateRecord:
    return CandidateRecord(
        id=candidate.remote_id or "",
        name=candidate.name,
        emails=tuple(candidate.emails or ()),
        phones=tuple(candidate.phones or ()),
        initials=candidate.initials,
        created_at=candidate.remote_created_at,
    )


def _local_fields(fields: dict[str, Any]) -> dict[str, Any]:
    name = str(fields.get("name") or "").strip()
    emails = list(fields.get("emails") or [])
    phones = list(fields.get("phones") or [])
    return {
        "name": name,
        "emails": emails,
        "phones": phones,
        "initials": initials_of(name)[:8],
        **candidate_search_fields(name, emails, phones),
    }
