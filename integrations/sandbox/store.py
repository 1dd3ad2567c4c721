"""The sandbox's own SQLite file: JSON payloads plus the indexed columns filters need.

Never the hub's database. Each thread gets its own connection (the server
answers on many threads); WAL lets readers run beside a writer, and writes
take the lock up front (`BEGIN IMMEDIATE`) so read-then-write checks such as
"is this email taken?" cannot race. A transaction opened inside another is a
savepoint, so an endpoint's writes and its idempotency record commit together.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

# Bump on any change to an existing table below: older files are rebuilt (the data is fake).
# A new table needs no bump: `CREATE TABLE IF NOT EXISTS` adds it to older files.
SCHEMA_VERSION = 3  # 3: Asana organizations and teams (older files lack them)
SCHEMA = """
CREATE TABLE IF NOT EXISTS recruitee_departments (id INTEGER PRIMARY KEY, payload TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS recruitee_offers (
    id INTEGER PRIMARY KEY, status TEXT NOT NULL, payload TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS recruitee_candidates (
    id INTEGER PRIMARY KEY, created_at TEXT NOT NULL, last_message_at TEXT,
    search TEXT NOT NULL, admin_id INTEGER,
    payload TEXT NOT NULL);  -- the stored candidate; recruitee_shapes builds each answer
CREATE INDEX IF NOT EXISTS recruitee_candidates_by_date
    ON recruitee_candidates (created_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS recruitee_candidates_by_last_message
    ON recruitee_candidates (last_message_at DESC, id DESC);
CREATE TABLE IF NOT EXISTS recruitee_placements (
    id INTEGER PRIMARY KEY, candidate_id INTEGER NOT NULL, offer_id INTEGER NOT NULL,
    stage_id INTEGER NOT NULL, disqualified INTEGER NOT NULL, hired INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS recruitee_placements_by_offer
    ON recruitee_placements (offer_id, candidate_id);
CREATE INDEX IF NOT EXISTS recruitee_placements_by_candidate
    ON recruitee_placements (candidate_id, offer_id, disqualified);
CREATE INDEX IF NOT EXISTS recruitee_placements_by_stage ON recruitee_placements (stage_id);

CREATE TABLE IF NOT EXISTS recruitee_webhooks (id INTEGER PRIMARY KEY, payload TEXT NOT NULL);

CREATE TABLE IF NOT EXISTS affinity_webhooks (id INTEGER PRIMARY KEY, payload TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS affinity_organizations (
    id INTEGER PRIMARY KEY, search TEXT NOT NULL, payload TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS affinity_persons (
    id INTEGER PRIMARY KEY, search TEXT NOT NULL, payload TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS affinity_person_emails (
    email TEXT PRIMARY KEY, person_id INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS affinity_person_emails_by_person
    ON affinity_person_emails (person_id);
CREATE TABLE IF NOT EXISTS affinity_memberships (
    organization_id INTEGER NOT NULL, person_id INTEGER NOT NULL,
    PRIMARY KEY (organization_id, person_id));
CREATE INDEX IF NOT EXISTS affinity_memberships_by_person
    ON affinity_memberships (person_id);

CREATE TABLE IF NOT EXISTS projects_workspaces (id INTEGER PRIMARY KEY, payload TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS projects_users (id INTEGER PRIMARY KEY, payload TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS projects_projects (
    id INTEGER PRIMARY KEY, workspace_id INTEGER NOT NULL, status TEXT NOT NULL,
    name_key TEXT NOT NULL, payload TEXT NOT NULL, UNIQUE (workspace_id, name_key));
CREATE TABLE IF NOT EXISTS projects_webhooks (id INTEGER PRIMARY KEY, payload TEXT NOT NULL);

CREATE TABLE IF NOT EXISTS asana_webhooks (id INTEGER PRIMARY KEY, payload TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS asana_workspaces (id INTEGER PRIMARY KEY, payload TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS asana_users (id INTEGER PRIMARY KEY, payload TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS asana_teams (
    id INTEGER PRIMARY KEY, workspace_id INTEGER NOT NULL, payload TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS asana_projects (
    id INTEGER PRIMARY KEY, workspace_id INTEGER NOT NULL, archived INTEGER NOT NULL,
    payload TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS asana_projects_by_workspace ON asana_projects (workspace_id, id);

CREATE TABLE IF NOT EXISTS idempotency_keys (  -- idempotency.py
    scope TEXT NOT NULL, key TEXT NOT NULL, fingerprint TEXT NOT NULL,
    created_at REAL NOT NULL,  -- Unix time of the key's first request
    status INTEGER, headers TEXT, body BLOB,  -- the stored answer; NULL while in progress
    PRIMARY KEY (scope, key));
CREATE INDEX IF NOT EXISTS idempotency_keys_by_age ON idempotency_keys (created_at);
"""

# Tables whose rows a person would call "records", for counts and resets.
TABLES = (
    "recruitee_departments",
    "recruitee_offers",
    "recruitee_candidates",
    "recruitee_placements",
    "recruitee_webhooks",
    "affinity_organizations",
    "affinity_persons",
    "affinity_person_emails",
    "affinity_memberships",
    "affinity_webhooks",
    "projects_workspaces",
    "projects_users",
    "projects_projects",
    "projects_webhooks",
    "asana_workspaces",
    "asana_users",
    "asana_teams",
    "asana_projects",
    "asana_webhooks",
)
# What else `clear()` empties: a reseed forgets the answers about the old records.
STATE_TABLES = ("idempotency_keys",)


def dumps(payload: Any) -> str:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"))


class SandboxStore:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        conn = self.connection()
        if conn.execute("PRAGMA user_version").fetchone()[0] != SCHEMA_VERSION:
            for table in (*TABLES, *STATE_TABLES):
                conn.execute(f"DROP TABLE IF EXISTS {table}")
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        conn.executescript(SCHEMA)
        self.tables: tuple[str, ...] = TABLES

    def add_tables(self, schema: str, tables: tuple[str, ...]) -> None:
        """A fake's own tables (`FakeApi.schema`), counted, cleared and reset like these.

        `CREATE TABLE IF NOT EXISTS` statements: an older file gains them as it opens.
        """
        self.connection().executescript(schema)
        self.tables = (*self.tables, *(name for name in tables if name not in self.tables))

    def connection(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            # Autocommit mode: transactions are explicit, in `transaction()`.
            conn = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            self._local.conn = conn
        return conn

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction; inside another one, a savepoint that rolls back on its own."""
        conn = self.connection()
        if conn.in_transaction:
            conn.execute("SAVEPOINT nested")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK TO nested")
                conn.execute("RELEASE nested")
                raise
            conn.execute("RELEASE nested")
            return
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def payloads(self, sql: str, params: tuple[Any, ...] | list[Any] = ()) -> list[dict[str, Any]]:
        """Run a query whose first column is a JSON payload; return the decoded payloads."""
        return [json.loads(row[0]) for row in self.connection().execute(sql, params)]

    def payload(self, sql: str, params: tuple[Any, ...] | list[Any] = ()) -> dict[str, Any] | None:
        row = self.connection().execute(sql, params).fetchone()
        return json.loads(row[0]) if row else None

    def scalar(self, sql: str, params: tuple[Any, ...] | list[Any] = ()) -> Any:
        row = self.connection().execute(sql, params).fetchone()
        return row[0] if row else None

    def count(self, table: str) -> int:
        if table not in self.tables:
            known = ", ".join(self.tables)
            raise ValueError(f"Unknown sandbox table {table!r}; known: {known}")
        return self.scalar(f"SELECT COUNT(*) FROM {table}")  # noqa: S608 (table checked above)

    def is_empty(self) -> bool:
        return all(self.count(table) == 0 for table in self.tables)

    def clear(self) -> None:
        with self.transaction() as conn:
            for table in (*self.tables, *STATE_TABLES):
                conn.execute(f"DELETE FROM {table}")  # noqa: S608 (declared table names)

    def close(self) -> None:
        """Close this thread's connection (other threads' close when they end)."""
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None


def next_id(conn: sqlite3.Connection, table: str, floor: int = 0) -> int:
    """The next id of a table, inside a write transaction (which holds the lock)."""
    current = conn.execute(f"SELECT MAX(id) FROM {table}").fetchone()[0]  # noqa: S608
    return max(current or 0, floor) + 1
