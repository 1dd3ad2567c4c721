"""The fake Affinity v1's lists and list entries (affinity.md §3 "Lists", "List entries").

`GET /lists` answers a bare array of `{id, type, name, public, owner_id, list_size}`
(type 0 person, 1 organization, 8 opportunity). `GET /lists/{id}/list-entries` answers a
bare array of every entry without `page_size`, and `{"list_entries", "next_page_token"}`
pages with it. `POST /lists/{id}/list-entries` takes `entity_id` (required) and
`creator_id`; the same entity may be added twice; opportunities cannot be created this way.
Its status is UNCONFIRMED, like every v1 create: the sandbox answers 200, as v1's examples.
"""

from __future__ import annotations

import json
import random
import sqlite3
from datetime import UTC, datetime
from typing import Any

from integrations.sandbox.store import next_id

SCHEMA = """
CREATE TABLE IF NOT EXISTS affinity_lists (id INTEGER PRIMARY KEY, payload TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS affinity_list_entries (
    id INTEGER PRIMARY KEY, list_id INTEGER NOT NULL, payload TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS affinity_list_entries_by_list ON affinity_list_entries (list_id);
CREATE INDEX IF NOT EXISTS affinity_list_entries_by_entity
    ON affinity_list_entries (json_extract(payload, '$.entity_id'));
"""
TABLES = ("affinity_lists", "affinity_list_entries")
PERSON, ORGANIZATION, OPPORTUNITY = 0, 1, 8
ENTITY_TABLES = {PERSON: "affinity_persons", ORGANIZATION: "affinity_organizations"}
DEMO_LISTS = (
    (ORGANIZATION, "Key accounts"),
    (ORGANIZATION, "Investors"),
    (PERSON, "Warm introductions"),
    (OPPORTUNITY, "Deals"),
)


class ListError(Exception):
    """A refused list call: its status, message and the parameter it names."""

    def __init__(self, status: int, message: str, param: str | None = None) -> None:
        super().__init__(message)
        self.status, self.param = status, param


def seed_lists(conn: sqlite3.Connection, rng: random.Random) -> None:
    conn.executemany(
        "INSERT INTO affinity_lists VALUES (?, ?)",
        [
            (n, json.dumps({"id": n, "type": kind, "name": name, "public": True, "owner_id": 1}))
            for n, (kind, name) in enumerate(DEMO_LISTS, start=1)
        ],
    )


def lists(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    sizes = dict(conn.execute("SELECT list_id, COUNT(*) FROM affinity_list_entries GROUP BY 1"))
    return [
        {**found, "list_size": sizes.get(found["id"], 0)}
        for found in (json.loads(row[0]) for row in conn.execute(
            "SELECT payload FROM affinity_lists ORDER BY id"
        ))
    ]  # fmt: skip


def entries(conn: sqlite3.Connection, list_id: str, offset: int, limit: int | None) -> list[dict]:
    _list(conn, list_id)
    rows = conn.execute(
        "SELECT payload FROM affinity_list_entries WHERE list_id = ? ORDER BY id LIMIT ? OFFSET ?",
        (int(list_id), -1 if limit is None else limit, offset),
    )
    return [json.loads(row[0]) for row in rows]


def entity_entries(conn: sqlite3.Connection, list_type: int, entity_id: int) -> list[dict]:
    """The entries of one organization or person, as its `GET /{kind}/{id}` shows them:
    `{id, list_id, creator_id, entity_id, created_at}` (without the entity)."""
    rows = conn.execute(
        "SELECT e.payload FROM affinity_list_entries e JOIN affinity_lists l ON l.id = e.list_id"
        " WHERE json_extract(e.payload, '$.entity_id') = ?"
        " AND json_extract(l.payload, '$.type') = ? ORDER BY e.id",
        (entity_id, list_type),
    )
    entries = (json.loads(row[0]) for row in rows)
    return [{k: v for k, v in entry.items() if k != "entity"} for entry in entries]


def entry_create(conn: sqlite3.Connection, list_id: str, body: Any) -> dict[str, Any]:
    found = _list(conn, list_id)
    if found["type"] == OPPORTUNITY:
        raise ListError(422, "Opportunities cannot be created through list entries")
    entity_id = body.get("entity_id") if isinstance(body, dict) else None
    if not isinstance(entity_id, int) or isinstance(entity_id, bool):
        raise ListError(422, "entity_id is required", "entity_id")
    table = ENTITY_TABLES[found["type"]]
    row = conn.execute(f"SELECT payload FROM {table} WHERE id = ?", (entity_id,)).fetchone()  # noqa: S608
    if row is None:
        raise ListError(422, "entity_id does not name an entity of this list's type", "entity_id")
    entry_id = next_id(conn, "affinity_list_entries")
    entry = {
        "id": entry_id,
        "list_id": found["id"],
        "creator_id": body.get("creator_id") or 1,
        "entity_id": entity_id,
        "created_at": datetime.now(UTC).isoformat(timespec="milliseconds"),
        "entity": json.loads(row[0]),
    }
    conn.execute(
        "INSERT INTO affinity_list_entries VALUES (?, ?, ?)",
        (entry_id, found["id"], json.dumps(entry)),
    )
    return entry


def _list(conn: sqlite3.Connection, list_id: str) -> dict[str, Any]:
    row = None
    if str(list_id).isdigit():
        row = conn.execute("SELECT payload FROM affinity_lists WHERE id = ?", (int(list_id),))
        row = row.fetchone()
    if row is None:
        raise ListError(404, "List not found")
    return json.loads(row[0])
