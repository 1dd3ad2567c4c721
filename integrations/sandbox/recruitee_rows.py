"""How a Recruitee candidate is stored: two JSON columns plus the columns filters use.

`item` is the list item exactly as the list endpoint sends it (so a page of
1,000 is a string join, not a decode and re-encode); `details` holds the few
keys only the full object adds. Placements are mirrored into their own table
for the offer, qualified and disqualified filters and the Stage counts.
"""

from __future__ import annotations

import json
import re
import sqlite3
import threading
from typing import Any

from integrations.sandbox import recruitee_shapes as shapes
from integrations.sandbox.store import dumps
from integrations.sandbox.values import is_true, parse_int
from integrations.sandbox.wire import Request

# The stored candidate's keys that its list item carries unchanged, and the rest.
BY_DATE = "created_at DESC, id DESC"  # the list's default order
ITEM_KEYS = (
    "id", "name", "emails", "phones", "created_at", "updated_at", "last_message_at",
    "placements", "referrer", "source", "admin_id", "has_avatar", "rating", "ratings",
    "notes_count", "tasks_count", "viewed", "followed",
)  # fmt: skip
DETAIL_KEYS = ("cover_letter", "links", "social_links", "tags", "sources")


def save_candidate(conn: sqlite3.Connection, candidate: dict[str, Any]) -> None:
    """Write a candidate and mirror its placements into the filter table."""
    conn.execute(
        "INSERT OR REPLACE INTO recruitee_candidates VALUES (?, ?, ?, ?, ?, ?, ?)",
        candidate_row(candidate),
    )
    conn.execute("DELETE FROM recruitee_placements WHERE candidate_id = ?", (candidate["id"],))
    conn.executemany(
        "INSERT INTO recruitee_placements VALUES (?, ?, ?, ?, ?, ?)", placement_rows(candidate)
    )


def candidate_row(c: dict[str, Any]) -> tuple[Any, ...]:
    search = " ".join([c["name"], *c["emails"]]).lower()
    item = dumps(shapes.candidate_list_item(c))
    details = dumps({key: c[key] for key in DETAIL_KEYS})
    return (c["id"], c["created_at"], c["last_message_at"], search, c["admin_id"], item, details)


def load_candidate(item: str, details: str) -> dict[str, Any]:
    """The stored candidate back from its two columns."""
    listed = json.loads(item)
    return {**{key: listed[key] for key in ITEM_KEYS}, **json.loads(details)}


def placement_rows(c: dict[str, Any]) -> list[tuple[Any, ...]]:
    return [
        (
            p["id"],
            c["id"],
            p["offer_id"],
            p["stage_id"],
            "disqualify_reason" in p,
            p["hired_in_this_placement"],
        )
        for p in c["placements"]
    ]


def marks(count: int) -> str:
    return ",".join("?" * count)


def candidate_filters(request: Request) -> tuple[str, str, list[Any]]:
    """WHERE clause, ORDER BY and parameters of the list filters (recruitee.md §2a).

    Raises ValueError on a bad parameter. Only fixed fragments and placeholders
    are put into the SQL text; every value travels as a parameter.
    """
    where, params = [], []
    if created_after := request.arg("created_after"):
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?", created_after):
            raise ValueError("created_after must look like yyyy-mm-ddThh:mm:ss")
        where.append("created_at > ?")
        params.append(created_after)
    if query := request.arg("query"):
        where.append("search LIKE ?")
        params.append(f"%{query.lower()}%")
    if offer_id := request.arg("offer_id"):
        where.append(
            "EXISTS (SELECT 1 FROM recruitee_placements p WHERE "
            "p.candidate_id = recruitee_candidates.id AND p.offer_id = ?)"
        )
        params.append(parse_int(offer_id))
    for flag, disqualified in (("qualified", 0), ("disqualified", 1)):
        if is_true(request.arg(flag)):
            where.append(
                "EXISTS (SELECT 1 FROM recruitee_placements p WHERE "
                "p.candidate_id = recruitee_candidates.id AND p.disqualified = ?)"
            )
            params.append(disqualified)
    if ids := request.arg("ids"):
        id_list = [int(item) for item in ids.split(",") if item.strip()]
        where.append(f"id IN ({marks(len(id_list))})")
        params.extend(id_list)
    sort = request.arg("sort") or "by_date"
    if sort not in ("by_date", "by_last_message"):
        raise ValueError("sort must be by_date or by_last_message")
    order = BY_DATE
    if sort == "by_last_message":
        order = "last_message_at DESC, id DESC"  # SQLite sorts NULLs last in DESC
    return (f"WHERE {' AND '.join(where)}" if where else ""), order, params


class PageWalk:
    """The candidate ids of one limit/offset page, continuing where the last page ended.

    An offset makes SQLite walk the sort index from the top on every page (5 ms
    at offset 100,000), so paging through a large list would spend most of the
    sandbox's time there. When a thread asks for the offset where its previous
    page (same filters, date order) ended, and nothing was written since, the
    walk goes on from that page's last row instead: the same rows, found at once.
    """

    def __init__(self) -> None:
        self._local = threading.local()

    def ids(
        self,
        conn: sqlite3.Connection,
        where: str,
        order: str,
        params: list[Any],
        limit: int,
        offset: int,
    ) -> list[int]:
        query, stamp = (where, order, tuple(params), limit), data_stamp(conn)
        last = getattr(self._local, "last", None)
        select = "SELECT id, created_at FROM recruitee_candidates"
        if order == BY_DATE and limit > 0 and last and last[:3] == (query, offset, stamp):
            after = f"{where} AND" if where else "WHERE"
            rows = conn.execute(
                f"{select} {after} (created_at, id) < (?, ?) ORDER BY {order} LIMIT ?",
                [*params, last[3], last[4], limit],
            ).fetchall()
        else:
            rows = conn.execute(
                f"{select} {where} ORDER BY {order} LIMIT ? OFFSET ?", [*params, limit, offset]
            ).fetchall()
        ended = (rows[-1][1], rows[-1][0]) if rows else None
        self._local.last = (query, offset + len(rows), stamp, *ended) if ended else None
        return [candidate_id for candidate_id, _ in rows]


def data_stamp(conn: sqlite3.Connection) -> tuple[int, int]:
    """Changes with every committed write: by another connection (data_version) or this one."""
    return conn.execute("PRAGMA data_version").fetchone()[0], conn.total_changes
