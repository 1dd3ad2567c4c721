"""The fake Recruitee ATS API (recruitee.md): candidates, offers, departments under /c/{id}/.

How candidates are stored is in `recruitee_rows`; their JSON shapes in
`recruitee_shapes`.
"""

from __future__ import annotations

import json
import re
import sqlite3
import time
from collections import Counter
from typing import Any

from integrations.sandbox import recruitee_rows
from integrations.sandbox import recruitee_shapes as shapes
from integrations.sandbox.base import FakeApi
from integrations.sandbox.credentials import RECRUITEE_COMPANY_ID, RECRUITEE_TOKEN
from integrations.sandbox.router import Router
from integrations.sandbox.store import SandboxStore, next_id
from integrations.sandbox.values import (
    is_email,
    iso_micro,
    parse_int,
    string_list,
    utc_now,
)
from integrations.sandbox.webhook_shapes import recruitee_outgoing
from integrations.sandbox.wire import PayloadError, Request, Response, json_response

# The docs say the company subdomain may stand in for the numeric id.
COMPANY_IDS = {RECRUITEE_COMPANY_ID, "sandbox"}
OFFER_SCOPES = {
    "published": ("published",),
    "archived": ("archived",),
    "active": ("published", "internal"),
    "not_archived": ("published", "internal", "draft", "closed"),
}
STAGE_COUNT_TTL = 5.0  # seconds a Stage reference's placements_count may lag behind writes
OFFERS_SQL = "SELECT payload FROM recruitee_offers ORDER BY id"
COUNT_KEYS = (
    "candidates_count",
    "qualified_candidates_count",
    "disqualified_candidates_count",
    "hired_candidates_count",
)
TEXT_FIELDS = ("name", "cover_letter", "referrer")
ARRAY_FIELDS = ("emails", "phones", "links", "social_links", "tags")


class RecruiteeApi(FakeApi):
    name = "recruitee"
    prefix = "/recruitee"
    # No rate limit is documented (recruitee.md §5): none unless a fault sets one.
    default_rate_limit = None
    # Set up in Recruitee's own settings only: here through the control endpoint.
    webhook_table = "recruitee_webhooks"
    # A candidate's notes (POST/GET /c/{id}/candidates/{id}/notes): a table of its own.
    schema = """
        CREATE TABLE IF NOT EXISTS recruitee_notes (
            id INTEGER PRIMARY KEY,
            candidate_id INTEGER NOT NULL,
            payload TEXT NOT NULL
        );
        CREATE INDEX IF NOT EXISTS recruitee_notes_candidate ON recruitee_notes (candidate_id, id);
    """
    tables = ("recruitee_notes",)

    def __init__(self, store: SandboxStore) -> None:
        self._stage_counts_cache: dict[int, int] = {}
        self._stage_counts_at = 0.0
        super().__init__(store)

    def add_routes(self, router: Router) -> None:
        base = "/c/{company_id}"
        router.add("GET", f"{base}/candidates", self.candidate_list)
        router.add("POST", f"{base}/candidates", self.candidate_create)
        router.add("GET", f"{base}/candidates/{{id}}", self.candidate_detail)
        router.add("PATCH", f"{base}/candidates/{{id}}", self.candidate_update)
        router.add("DELETE", f"{base}/candidates/{{id}}", self.candidate_delete)
        router.add("GET", f"{base}/candidates/{{id}}/notes", self.note_list)
        router.add("POST", f"{base}/candidates/{{id}}/notes", self.note_create)
        router.add("GET", f"{base}/offers", self.offer_list)
        router.add("GET", f"{base}/offers/{{id}}", self.offer_detail)
        router.add("GET", f"{base}/departments", self.department_list)

    def authenticate(self, request: Request) -> Response | None:
        if request.headers.get("Authorization", "") == f"Bearer {RECRUITEE_TOKEN}":
            company = re.match(r"^/c/([^/]+)", request.path)
            if company and company.group(1) not in COMPANY_IDS:
                # A token belongs to one company; another company's id is refused
                # with the documented 403 body (UNCONFIRMED which status is used).
                return self.error(403, "Forbidden")
            return None
        # UNCONFIRMED: 401 vs 400. The body is the documented request-level error.
        return json_response(401, {"error": "Token not found.", "error_code": "invalid_token"})

    def error(self, status: int, message: str) -> Response:
        # The 404 body is UNCONFIRMED; the documented 403 shape is the best guess.
        return json_response(status, {"error": [message]})

    # -- candidates ---------------------------------------------------------
    def candidate_list(self, request: Request) -> Response:
        try:
            clause, order, params = recruitee_rows.candidate_filters(request)
            limit = parse_int(request.arg("limit"), -1)
            offset = parse_int(request.arg("offset"), 0)
        except ValueError as exc:
            return _request_error(str(exc))
        candidates = recruitee_rows.candidate_page(
            self.store.connection(), clause, order, params, limit, offset
        )
        placements = [p for c in candidates for p in c["placements"]]
        references = self._references(
            offer_ids={p["offer_id"] for p in placements},
            stage_ids={p["stage_id"] for p in placements},
            admin_ids={c["admin_id"] for c in candidates},
        )
        body = {
            "candidates": [shapes.candidate_list_item(c) for c in candidates],
            "generated_at": iso_micro(utc_now()),
            "references": references,
        }
        return json_response(200, body)

    def candidate_detail(self, request: Request) -> Response:
        candidate = self._candidate(request)
        if candidate is None:
            return self.error(404, "Not found")
        return self._candidate_response(200, candidate)

    def candidate_create(self, request: Request) -> Response:
        try:
            body = _object(request.payload())
            fields, offer_ids = _object(body.get("candidate")), _offer_ids(body)
        except PayloadError as exc:
            return _request_error(str(exc))
        errors = _validate(fields, creating=True)
        with self.store.transaction() as conn:
            offers = [self._offer(offer_id, conn) for offer_id in offer_ids]
            if None in offers:
                errors.setdefault("offers", []).append("is invalid")
            if errors:
                return _validation_error(errors)
            now = iso_micro(utc_now())
            candidate = _new_candidate(next_id(conn, "recruitee_candidates"), fields, now)
            first_placement = next_id(conn, "recruitee_placements")
            candidate["placements"] = [
                shapes.placement(
                    placement_id=first_placement + index,
                    candidate_id=candidate["id"],
                    offer=offer,
                    stage=shapes.first_stage(offer),
                    at=now,
                )
                for index, offer in enumerate(offers)
            ]
            recruitee_rows.save_candidate(conn, candidate)
        self._stage_counts_at = 0.0  # recount: the new placements change them
        self._notify("new_candidate", candidate)
        return self._candidate_response(201, candidate)

    def candidate_update(self, request: Request) -> Response:
        try:
            fields = _object(_object(request.payload()).get("candidate"))
        except PayloadError as exc:
            return _request_error(str(exc))
        errors = _validate(fields, creating=False)
        if errors:
            return _validation_error(errors)
        with self.store.transaction() as conn:
            candidate = self._candidate(request, conn)
            if candidate is None:
                return self.error(404, "Not found")
            candidate.update(_accepted(fields))
            candidate["updated_at"] = iso_micro(utc_now())
            recruitee_rows.save_candidate(conn, candidate)
        self._notify("candidate_updated", candidate)
        return self._candidate_response(200, candidate)

    def candidate_delete(self, request: Request) -> Response:
        with self.store.transaction() as conn:
            candidate = self._candidate(request, conn)
            if candidate is None:
                return self.error(404, "Not found")
            conn.execute("DELETE FROM recruitee_candidates WHERE id = ?", (candidate["id"],))
            conn.execute(
                "DELETE FROM recruitee_placements WHERE candidate_id = ?", (candidate["id"],)
            )
        self._stage_counts_at = 0.0
        self._notify("candidate_deleted", candidate)
        # The real DELETE body is UNCONFIRMED; MLH's client expects {"candidate": ...}.
        return json_response(200, {"candidate": shapes.candidate_full(candidate)})

    # -- notes: `POST /candidates/{id}/notes` with `{"note": {"body", "visibility":
    # {"level"}}}` and `GET` answering `{"notes": [...]}`, as public clients call them
    # (Pipedream's create-note, pier-digital's notes list; not in the official pages we
    # could read). The note's other keys, the 201 and the 422 body are UNCONFIRMED: the
    # fake answers as the candidate endpoints do.
    def note_list(self, request: Request) -> Response:
        conn = self.store.connection()
        candidate = self._candidate(request, conn)
        if candidate is None:
            return self.error(404, "Not found")
        rows = conn.execute(
            "SELECT payload FROM recruitee_notes WHERE candidate_id = ? ORDER BY id DESC",
            (candidate["id"],),
        ).fetchall()
        return json_response(200, {"notes": [json.loads(row[0]) for row in rows]})

    def note_create(self, request: Request) -> Response:
        try:
            fields = _object(_object(request.payload()).get("note"))
            level = _object(fields.get("visibility")).get("level", "public")
        except PayloadError as exc:
            return _request_error(str(exc))
        body = fields.get("body")
        if not isinstance(body, str) or not body.strip():
            return _validation_error({"body": ["can't be blank"]})
        if level not in ("public", "private"):
            return _validation_error({"visibility": ["is invalid"]})
        with self.store.transaction() as conn:
            candidate = self._candidate(request, conn)
            if candidate is None:
                return self.error(404, "Not found")
            now = iso_micro(utc_now())
            note = {
                "id": next_id(conn, "recruitee_notes"),
                "body": body,
                "visibility": {"level": level},
                "admin_id": candidate["admin_id"],
                "candidate_id": candidate["id"],
                "created_at": now,
                "updated_at": now,
                "replies": [],
            }
            conn.execute(
                "INSERT INTO recruitee_notes VALUES (?, ?, ?)",
                (note["id"], candidate["id"], json.dumps(note)),
            )
            candidate["notes_count"] = int(candidate.get("notes_count") or 0) + 1
            recruitee_rows.save_candidate(conn, candidate)
        return json_response(201, {"note": note})

    def _notify(self, event_type: str, candidate: dict[str, Any]) -> None:
        """`new_candidate` is documented (third parties); the update and delete names are
        UNCONFIRMED (openapi-webhooks-observability.md §D1)."""
        self.send_webhooks(
            [recruitee_outgoing(sub, event_type, candidate) for sub in self.webhook_subscriptions()]
        )

    # -- offers ---------------------------------------------------------------
    def offer_list(self, request: Request) -> Response:
        scope = request.arg("scope")
        try:
            limit = parse_int(request.arg("limit"), -1)
            offset = parse_int(request.arg("offset"), 0)
        except ValueError:
            return _request_error("limit and offset must be integers")
        statuses = OFFER_SCOPES.get(scope or "", ())
        where = f"WHERE status IN ({','.join('?' * len(statuses))})" if statuses else ""
        offers = self.store.payloads(
            f"SELECT payload FROM recruitee_offers {where} ORDER BY id LIMIT ? OFFSET ?",  # noqa: S608
            (*statuses, limit, offset),
        )
        counts = self._offer_counts()
        items = [{**offer, **counts.get(offer["id"], _zero_counts())} for offer in offers]
        if request.arg("view_mode") == "brief":
            items = [{key: item[key] for key in shapes.OFFER_BRIEF_FIELDS} for item in items]
        return json_response(200, {"offers": items})

    def offer_detail(self, request: Request) -> Response:
        offer = self._offer(request.params["id"])
        if offer is None:
            return self.error(404, "Not found")
        counts = self._offer_counts().get(offer["id"], _zero_counts())
        return json_response(200, {"offer": {**offer, **counts}})

    # -- departments ------------------------------------------------------------
    def department_list(self, request: Request) -> Response:
        """`{"departments": [...]}`, all of them: Airbyte's connector reads it so (§7).

        Paging and filters are UNCONFIRMED, so none; `offers_count` counts every
        offer naming the department (UNCONFIRMED whether archived ones count).
        """
        departments = self.store.payloads("SELECT payload FROM recruitee_departments ORDER BY id")
        counts = Counter(offer["department_id"] for offer in self.store.payloads(OFFERS_SQL))
        items = [{**d, "offers_count": counts[d["id"]]} for d in departments]
        return json_response(200, {"departments": items})

    # -- helpers --------------------------------------------------------------
    def _candidate(
        self, request: Request, conn: sqlite3.Connection | None = None
    ) -> dict[str, Any] | None:
        if not request.params["id"].isdigit():
            return None
        conn = conn or self.store.connection()
        row = conn.execute(
            "SELECT payload FROM recruitee_candidates WHERE id = ?", (int(request.params["id"]),)
        ).fetchone()
        return _loads(row)

    def _offer(self, offer_id: object, conn: sqlite3.Connection | None = None) -> dict | None:
        if not str(offer_id).isdigit():
            return None
        conn = conn or self.store.connection()
        row = conn.execute("SELECT payload FROM recruitee_offers WHERE id = ?", (int(offer_id),))
        return _loads(row.fetchone())

    def _candidate_response(self, status: int, candidate: dict[str, Any]) -> Response:
        placements = candidate["placements"]
        references = self._references(
            offer_ids={p["offer_id"] for p in placements},
            stage_ids={p["stage_id"] for p in placements},
            admin_ids={candidate["admin_id"]},
        )
        body = {"candidate": shapes.candidate_full(candidate), "references": references}
        return json_response(status, body)

    def _references(
        self, *, offer_ids: set[int], stage_ids: set[int], admin_ids: set[int]
    ) -> list[dict[str, Any]]:
        """The Offer, Stage and Admin objects a response points at, each once."""
        offers = self.store.payloads(OFFERS_SQL)
        offers = [o for o in offers if o["id"] in offer_ids]
        stage_counts = self._stage_counts()
        references = [shapes.offer_reference(offer) for offer in offers]
        references += [
            shapes.stage_reference(stage, offer, stage_counts.get(stage["id"], 0))
            for offer in offers
            for stage in offer["pipeline_template"]["stages"]
            if stage["id"] in stage_ids
        ]
        references += [shapes.admin_reference(a) for a in shapes.ADMINS if a["id"] in admin_ids]
        return references

    def _stage_counts(self) -> dict[int, int]:
        """Placements per stage, recounted at most every few seconds (a full scan)."""
        if time.monotonic() - self._stage_counts_at > STAGE_COUNT_TTL:
            self._stage_counts_cache = dict(
                self.store.connection().execute(
                    "SELECT stage_id, COUNT(*) FROM recruitee_placements GROUP BY stage_id"
                )
            )
            self._stage_counts_at = time.monotonic()
        return self._stage_counts_cache

    def _offer_counts(self) -> dict[int, dict[str, int]]:
        rows = self.store.connection().execute(
            "SELECT offer_id, COUNT(*), SUM(disqualified = 0), SUM(disqualified), SUM(hired) "
            "FROM recruitee_placements GROUP BY offer_id"
        )
        return {offer_id: dict(zip(COUNT_KEYS, counts, strict=True)) for offer_id, *counts in rows}


def _validate(fields: dict[str, Any], *, creating: bool) -> dict[str, list[str]]:
    """Rails-style field errors. Only `name` is known to be required (UNCONFIRMED rules)."""
    errors: dict[str, list[str]] = {}
    if (creating or "name" in fields) and not str(fields.get("name") or "").strip():
        errors["name"] = ["can't be blank"]
    for key in ARRAY_FIELDS:
        if key in fields and string_list(fields[key]) is None:
            errors[key] = ["is invalid"]
    emails = fields.get("emails") if "emails" not in errors else None
    if emails and not all(is_email(email) for email in emails):
        errors["emails"] = ["is invalid"]
    for key in ("cover_letter", "referrer"):
        if fields.get(key) is not None and not isinstance(fields[key], str):
            errors[key] = ["is invalid"]
    return errors


def _accepted(fields: dict[str, Any]) -> dict[str, Any]:
    """The writable fields; unknown keys are ignored (UNCONFIRMED what Recruitee does)."""
    return {key: fields[key] for key in (*TEXT_FIELDS, *ARRAY_FIELDS) if key in fields}


def _new_candidate(candidate_id: int, fields: dict[str, Any], now: str) -> dict[str, Any]:
    candidate: dict[str, Any] = {
        "id": candidate_id,
        "name": "",
        "emails": [],
        "phones": [],
        "links": [],
        "social_links": [],
        "tags": [],
        "cover_letter": None,
        "referrer": None,
        "source": "manual",
        "sources": ["manual"],
        "admin_id": shapes.API_ADMIN_ID,
        "has_avatar": False,
        "created_at": now,
        "updated_at": now,
        "last_message_at": None,
        "placements": [],
        "rating": 0,
        "ratings": {"yes": 0, "no": 0, "neutral": 0, "strong_yes": 0},
        "notes_count": 0,
        "tasks_count": 0,
        "viewed": False,
        "followed": False,
    }
    candidate.update(_accepted(fields))
    candidate["name"] = candidate["name"].strip()
    return candidate


def _offer_ids(body: dict[str, Any]) -> list[object]:
    offers = body.get("offers") or []
    if not isinstance(offers, list):
        raise PayloadError("offers must be an array of offer ids")
    if body.get("offer_id") is not None:
        offers = [*offers, body["offer_id"]]
    return list(dict.fromkeys(offers))


def _object(value: object) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise PayloadError("Expected a JSON object")
    return value


def _loads(row: tuple[str] | None) -> dict[str, Any] | None:
    return json.loads(row[0]) if row else None


def _zero_counts() -> dict[str, int]:
    return dict.fromkeys(COUNT_KEYS, 0)


def _validation_error(errors: dict[str, list[str]]) -> Response:
    messages = [
        f"{field.replace('_', ' ').capitalize()} {text}"
        for field, texts in errors.items()
        for text in texts
    ]
    return json_response(422, {"error": messages, "error_fields": errors})


def _request_error(message: str) -> Response:
    # Request-level errors use the documented string form (recruitee.md §4);
    # the status and error_code for bad parameters are UNCONFIRMED.
    return json_response(400, {"error": message, "error_code": "bad_request"})
