"""How a Recruitee candidate is stored: one JSON column plus the columns filters use.

`payload` is the stored candidate (what varies, see `seed.py`); each answer
decodes it and builds its JSON shape (`recruitee_shapes`), as a plain
provider serializes the records a query returns. Placements are mirrored
into their own table for the offer, qualified and disqualified filters, the
Stage counts and the offers' hired counts.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Collection
from typing import Any

from integrations.sandbox import recruitee_shapes as shapes
from integrations.sandbox.store import dumps
from integrations.sandbox.values import is_true, parse_int
from integrations.sandbox.wire import Request

BY_DATE = "created_at DESC, id DESC"  # the list's default order


def save_candidate(conn: sqlite3.Connection, candidate: dict[str, Any]) -> None:
    """Write a candidate and mirror its placements into the filter table."""
    conn.execute(
        "INSERT OR REPLACE INTO recruitee_candidates VALUES (?, ?, ?, ?, ?, ?)",
        candidate_row(candidate),
    )
    conn.execute("DELETE FROM recruitee_placements WHERE candidate_id = ?", (candidate["id"],))
    offers = (json.loads(row[0]) for row in conn.execute("SELECT payload FROM recruitee_offers"))
    conn.executemany(
        "INSERT INTO recruitee_placements VALUES (?, ?, ?, ?, ?, ?)",
        placement_rows(candidate, shapes.hire_stage_ids(offers)),
    )


def candidate_row(c: dict[str, Any]) -> tuple[Any, ...]:
    # `query` searches "the candidate's name or offer" (recruitee.md §2a): not the emails.
    # The offer half is not served here; no caller of the hub searches by offer.
    search = c["name"].lower()
    return (c["id"], c["created_at"], c["last_message_at"], search, c["admin_id"], dumps(c))


def candidate_page(
    conn: sqlite3.Connection, where: str, order: str, params: list[Any], limit: int, offset: int
) -> list[dict[str, Any]]:
    """One limit/offset page of stored candidates: one indexed query, as a plain app runs it.

    `LIMIT -1` (neither limit nor offset given) is the whole list.
    """
    rows = conn.execute(
        f"SELECT payload FROM recruitee_candidates {where} ORDER BY {order} LIMIT ? OFFSET ?",  # noqa: S608 - fixed fragments
        [*params, limit, offset],
    )
    return [json.loads(payload) for (payload,) in rows]


def placement_rows(c: dict[str, Any], hire_stage_ids: Collection[int]) -> list[tuple[Any, ...]]:
    return [
        (
            p["id"],
            c["id"],
            p["offer_id"],
            p["stage_id"],
            "disqualify_reason" in p,
            shapes.is_hired(p, hire_stage_ids),
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
