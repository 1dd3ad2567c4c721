"""The sandbox's fake of Jotter (an EXAMPLE; in a real provider `integrations/sandbox/<name>.py`).

Standard library only, like every fake: it is the other side of the wire and
never imports the hub. Same paths, auth, payloads, pagination and error body
as the provider module documents; its notes live in its own table. Titles are
unique (a repeat is refused with 422), which is what lets the outbox find a
note by its title after an unknown outcome.
"""

from __future__ import annotations

import random
import sqlite3
from datetime import UTC, datetime, timedelta

from integrations.sandbox.base import FakeApi
from integrations.sandbox.router import Router
from integrations.sandbox.store import dumps, next_id
from integrations.sandbox.wire import PayloadError, Request, Response, json_response

TOKEN = "sandbox-jotter"  # noqa: S105 - the fake's public demo credential
ORIGIN = datetime(2024, 1, 1, 9, 0, tzinfo=UTC)
WORDS = ("kickoff", "retro", "ideas", "Łódź trip", "budget", "<b>not bold</b>", "draft")
MAX_LIMIT = 100


class JotterApi(FakeApi):
    name = "jotter"
    prefix = "/jotter"
    default_rate_limit = 120  # per minute, as the (fictional) documentation states
    schema = """
    CREATE TABLE IF NOT EXISTS jotter_notes (
        id INTEGER PRIMARY KEY, title TEXT NOT NULL, payload TEXT NOT NULL);
    CREATE INDEX IF NOT EXISTS jotter_notes_by_title ON jotter_notes (title);
    """
    tables = ("jotter_notes",)

    def add_routes(self, router: Router) -> None:
        router.add("GET", "/me", self.me)
        router.add("GET", "/notes", self.note_list)
        router.add("POST", "/notes", self.note_create)
        router.add("GET", "/notes/{id}", self.note_detail)

    def authenticate(self, request: Request) -> Response | None:
        if request.headers.get("Authorization", "") == f"Bearer {TOKEN}":
            return None
        return self.error(401, "Invalid or missing token")

    def error(self, status: int, message: str) -> Response:
        return json_response(status, {"error": {"message": message}})

    def rate_limit_headers(self) -> dict[str, str]:
        return {"X-RateLimit-Remaining": str(self.budget.remaining)}

    def seed(self, conn: sqlite3.Connection, rng: random.Random) -> None:
        for number in range(1, 31):
            created = (ORIGIN + timedelta(hours=number)).isoformat()
            title = f"{rng.choice(WORDS).capitalize()} {number}"
            note = {"id": number, "title": title, "body": rng.choice(WORDS) * 3,
                    "created_at": created, "updated_at": created}  # fmt: skip
            conn.execute("INSERT INTO jotter_notes VALUES (?, ?, ?)", (number, title, dumps(note)))

    # -- routes -----------------------------------------------------------------
    def me(self, request: Request) -> Response:
        return json_response(200, {"data": {"id": 1, "name": "Sandbox user"}})

    def note_list(self, request: Request) -> Response:
        try:
            page = int(request.arg("page") or 1)
            limit = min(int(request.arg("limit") or 25), MAX_LIMIT)
        except ValueError:
            return self._invalid("page", "must be a whole number")
        if page < 1 or limit < 1:
            return self._invalid("page", "must be 1 or more")
        where, params = "", ()
        if (title := request.arg("title")) is not None:
            where, params = "WHERE title = ?", (title,)
        total = self.store.scalar(f"SELECT COUNT(*) FROM jotter_notes {where}", params)  # noqa: S608
        notes = self.store.payloads(
            f"SELECT payload FROM jotter_notes {where} ORDER BY id LIMIT ? OFFSET ?",  # noqa: S608
            (*params, limit, (page - 1) * limit),
        )
        meta = {"currentPage": page, "totalPages": max(1, -(-total // limit)), "total": total}
        return json_response(200, {"data": notes, "meta": meta})

    def note_detail(self, request: Request) -> Response:
        note = self.store.payload(
            "SELECT payload FROM jotter_notes WHERE id = ?", (request.params["id"],)
        )
        return json_response(200, note) if note else self.error(404, "Note not found")

    def note_create(self, request: Request) -> Response:
        try:
            data = request.payload()
        except PayloadError as exc:
            return self.error(400, str(exc))
        title = data.get("title") if isinstance(data, dict) else None
        if not isinstance(title, str) or not title.strip():
            return self._invalid("title", "can't be blank")
        with self.store.transaction() as conn:
            if conn.execute("SELECT 1 FROM jotter_notes WHERE title = ?", (title,)).fetchone():
                return self._invalid("title", "has already been taken")
            note_id = next_id(conn, "jotter_notes")
            now = datetime.now(UTC).isoformat()
            body = data.get("body") if isinstance(data.get("body"), str) else ""
            note = {"id": note_id, "title": title, "body": body,
                    "created_at": now, "updated_at": now}  # fmt: skip
            conn.execute("INSERT INTO jotter_notes VALUES (?, ?, ?)", (note_id, title, dumps(note)))
        return json_response(201, note)

    def _invalid(self, field: str, message: str) -> Response:
        body = {"error": {"message": "Validation failed", "fields": {field: [message]}}}
        return json_response(422, body)
