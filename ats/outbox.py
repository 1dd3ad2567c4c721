"""The writes this app offers, declared for the outbox.

Payloads: a create stores `{"candidate": {...}, "offers": [ids]}` exactly as it
goes on the wire (recruitee.md §2c); an update stores
`{"remote_id": "...", "changes": {only the changed fields}}`; a note
`{"candidate_id": "...", "body": "..."}`.
"""

from __future__ import annotations

from typing import Any

from ats.sync import candidate_fields, placements_replace
from integrations.models import OutboxItem
from integrations.outbox.identity import Identity, IdentityRule, first_identity
from integrations.outbox.operations import RECONCILE_SLACK, OutboxOperation
from integrations.providers import recruitee
from integrations.providers.recruitee_records import CandidateRecord, parse_candidate


def remote_fields(remote: dict[str, Any]) -> dict[str, Any]:
    """Model fields (with the remote times) of a candidate answer."""
    record = parse_candidate(remote)
    if record is None:
        return {}
    return {
        **candidate_fields(record),
        "remote_created_at": record.created_at,
        "remote_updated_at": record.updated_at,
    }


class CandidateOperation(OutboxOperation):
    record_model = "ats.Candidate"

    def fields_from_remote(self, remote: dict[str, Any]) -> dict[str, Any]:
        return remote_fields(remote)

    def on_delivered(self, item: OutboxItem, remote: dict[str, Any]) -> None:
        super().on_delivered(item, remote)
        record = parse_candidate(remote)
        candidate = self.record(item)
        if record is not None and candidate is not None:
            placements_replace(candidate.connection, [record], {record.id: candidate.pk})


class CandidateCreate(CandidateOperation):
    name = "recruitee.candidate_create"
    identity_rules = {"email": IdentityRule("emails")}

    def send(self, client: Any, item: OutboxItem) -> dict[str, Any]:
        payload = item.payload
        answer = recruitee.candidate_create(
            client, fields=payload.get("candidate") or {}, offer_ids=payload.get("offers") or []
        )
        return answer.candidate.raw

    def find_existing(self, client: Any, item: OutboxItem) -> dict[str, Any] | None:
        """The candidates created since the write was saved (less the slack) whose name
        Recruitee's `query` matches: it searches the name or offer, not the emails
        (recruitee.md §2a), and fuzzily, so name and email are compared here exactly."""
        wanted = item.payload.get("candidate") or {}
        name = str(wanted.get("name") or "").strip()
        emails = {str(e).strip().lower() for e in wanted.get("emails") or [] if str(e).strip()}
        pages = recruitee.candidate_pages(
            client, query=name, created_after=item.created_at - RECONCILE_SLACK
        )
        for page in pages:
            for record in page.candidates:
                if self._is_it(record, name=name, emails=emails, saved_at=item.created_at):
                    return record.raw
        return None

    @staticmethod
    def _is_it(record: CandidateRecord, *, name: str, emails: set[str], saved_at: Any) -> bool:
        if record.name.strip().casefold() != name.casefold():
            return False
        if emails and not emails & {e.lower() for e in record.emails}:
            return False
        return record.created_at is None or record.created_at >= saved_at - RECONCILE_SLACK

    def identity(self, payload: dict[str, Any]) -> Identity | None:
        """The first email the person gave (Recruitee keeps one candidate per person)."""
        return first_identity("email", (payload.get("candidate") or {}).get("emails") or ())


class CandidateUpdate(CandidateOperation):
    name = "recruitee.candidate_update"
    creates_record = False

    def send(self, client: Any, item: OutboxItem) -> dict[str, Any]:
        answer = recruitee.candidate_update(
            client, item.payload["remote_id"], changes=item.payload.get("changes") or {}
        )
        return answer.candidate.raw

    def find_existing(self, client: Any, item: OutboxItem) -> dict[str, Any] | None:
        """A PATCH is safe to repeat; skip it only when Recruitee already shows the changes."""
        answer = recruitee.candidate_get(client, item.payload["remote_id"])
        changes = item.payload.get("changes") or {}
        current = answer.candidate.raw
        landed = all(_same(current.get(key), value) for key, value in changes.items())
        return current if landed else None


class CandidateNoteCreate(OutboxOperation):
    """A note added to a candidate: `{"candidate_id": remote id, "body": text}`. The
    candidate's own row is not the note's record, so nothing of it changes on delivery."""

    name = "recruitee.candidate_note_create"
    record_model = "ats.Candidate"
    creates_record = False

    def send(self, client: Any, item: OutboxItem) -> dict[str, Any]:
        p = item.payload
        return recruitee.candidate_note_create(client, p["candidate_id"], p["body"]).raw

    def find_existing(self, client: Any, item: OutboxItem) -> dict[str, Any] | None:
        """The same text on the same candidate, written no earlier than the slack before
        the person saved it, is the note (Recruitee keeps no idempotency key)."""
        body = item.payload["body"]
        for note in recruitee.candidate_note_list(client, item.payload["candidate_id"]):
            recent = note.created_at is None or note.created_at >= item.created_at - RECONCILE_SLACK
            if note.body == body and recent:
                return note.raw
        return None

    def fields_from_remote(self, remote: dict[str, Any]) -> dict[str, Any]:
        return {}

    def on_delivered(self, item: OutboxItem, remote: dict[str, Any]) -> None:
        """Nothing local to update: the note lives at Recruitee."""


def _same(current: Any, wanted: Any) -> bool:
    if isinstance(wanted, list):
        return isinstance(current, list) and list(current) == list(wanted)
    return (current or "") == (wanted or "")


OPERATIONS: list[type[OutboxOperation]] = [CandidateCreate, CandidateUpdate, CandidateNoteCreate]
