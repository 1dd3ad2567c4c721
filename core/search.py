"""List search: what is stored to be searched, how a typed term matches it, and its index.

Every list (candidates, organizations, persons, projects) keeps a `search_text`
column made by `search_document()`, and its search box goes through
`search_filter()`. Both sides are folded by the one function `fold()`, so
`lukasz` finds "Łukasz", `SOREN` finds "Søren", and a phone number typed with
or without spaces (`612345678`, `+31 6 1234`) finds "+31 6 1234 5678": the
document carries each phone's digits, and a term made only of phone characters
is reduced to its digits.

A term is split into words; a row matches when its text contains every word
(substring, any order). The databases' own indexes answer that:

- SQLite: an FTS5 table with the trigram tokenizer over the `search_text`
  column (external content, kept current by triggers, so the sync's upsert and
  every save update it). A phrase query of a word of three or more characters
  is a substring match read from the index; shorter words are checked with a
  LIKE on the rows the index found (or on all rows when every word is short).
- PostgreSQL: a GIN `pg_trgm` index on `search_text`, which its planner uses for
  `LIKE '%word%'` directly.

A word in DENSE_MATCHES rows or more is left to the `LIKE` on SQLite too (the
list walks its sort index). When the index answered, the search finds fewer
than DENSE_MATCHES rows: `search_bound()` says so, and a list whose count is
otherwise capped counts those exactly. PostgreSQL's index gives no such bound.

`search_index()` is the migration operation that creates either.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable
from typing import Any

from django.db import connections, migrations, router
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

# Letters that carry their mark in the letter itself, so NFKD does not split
# them off (the keys are already case-folded).
_UNMARKED = str.maketrans(
    {
        "ł": "l",
        "ø": "o",
        "đ": "d",
        "ð": "d",
        "ħ": "h",
        "\u0131": "i",  # dotless i
        "ŀ": "l",
        "ŧ": "t",
        "æ": "ae",
        "œ": "oe",
        "þ": "th",
    }
)
PHONE_CHARACTERS = frozenset("0123456789+-()./ ")
MIN_INDEXED = 3  # the trigram index answers words of three characters or more
# A word in this many rows or more is common: the list finds a page of it sooner by
# walking its sort index (which holds `search_text`) than by sorting every match.
DENSE_MATCHES = 5_000
MAX_WORDS = 8
DOCUMENT_MAX = 1000
REWRITE_BATCH = 2000  # characters: a longer text adds nothing anyone searches for


def fold(text: str) -> str:
    """`text` without case or accents: "Łukasz Ødegaard-Søren" -> "lukasz odegaard-soren"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(_UNMARKED))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).translate(_UNMARKED)


def digits(text: str) -> str:
    return "".join(c for c in text if c.isascii() and c.isdigit())


def search_document(*texts: str, phones: Iterable[str] = ()) -> str:
    """The `search_text` of a record: its texts folded, then each phone's digits."""
    words = [fold(t) for t in texts if t] + [d for d in map(digits, phones) if d]
    return " ".join(words)[:DOCUMENT_MAX]


def search_words(term: str) -> list[str]:
    """The words a typed term must all match; a phone number is one word of digits."""
    folded = fold(term).strip()
    if folded and set(folded) <= PHONE_CHARACTERS and len(digits(folded)) >= MIN_INDEXED:
        return [digits(folded)]
    return list(dict.fromkeys(folded.split()))[:MAX_WORDS]


def search_filter(rows: QuerySet, term: str) -> QuerySet:
    """`rows` whose `search_text` contains every word of `term` (all rows for a blank term)."""
    words = search_words(term)
    if (found := _index_match(rows, words)) is not None:
        rows = rows.filter(pk__in=found)
        words = [w for w in words if len(w) < MIN_INDEXED]
    for word in words:
        rows = rows.filter(search_text__contains=word)
    return rows


def search_bound(rows: QuerySet, term: str) -> int | None:
    """At most how many of `rows` `search_filter(rows, term)` finds, when the index bounds it:
    DENSE_MATCHES when the SQLite index answers (it found fewer), else None (a blank term,
    only short or common words, or PostgreSQL, whose pg_trgm index has no such bound). A
    list counts a bounded search exactly (core/pagination.py)."""
    return None if _index_match(rows, search_words(term)) is None else DENSE_MATCHES


def _index_match(rows: QuerySet, words: list[str]) -> RawSQL | None:
    """The ids the SQLite index finds for the words of three characters or more, when it
    finds fewer than DENSE_MATCHES rows; else None (the words are checked by `LIKE`)."""
    indexed = [w for w in words if len(w) >= MIN_INDEXED]
    if not indexed or connections[rows.db].vendor != "sqlite":
        return None
    table = fts_table(rows.model._meta.db_table)
    phrases = " ".join('"' + w.replace('"', '""') + '"' for w in indexed)
    # The table's name comes from the model; the typed words travel as a parameter.
    sql = f"SELECT rowid FROM {table} WHERE {table} MATCH %s"  # noqa: S608
    if not _fewer_than(rows.db, sql, phrases, DENSE_MATCHES):
        return None
    return RawSQL(sql, [phrases])  # noqa: S611


def _fewer_than(db: str, sql: str, phrases: str, limit: int) -> bool:
    """Whether the index finds fewer than `limit` rows (reading at most that many ids)."""
    with connections[db].cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM ({sql} LIMIT {limit:d})", [phrases])  # noqa: S608
        return cursor.fetchone()[0] < limit


def planner_statistics(model: Any) -> None:
    """Refresh SQLite's statistics of `model`'s table and indexes, after a sync filled it.

    Without them SQLite guesses that an index's first columns pick out a few rows, so a
    rare word's search walks a list index over every candidate (200 ms at a million)
    instead of reading the few rows the search index found (under 1 ms). A sampled
    ANALYZE takes milliseconds. PostgreSQL's autovacuum keeps its own statistics.
    """
    db = connections[router.db_for_write(model)]
    if db.vendor == "sqlite":
        with db.cursor() as cursor:
            cursor.execute("PRAGMA analysis_limit = 1000")
            cursor.execute(f"ANALYZE {db.ops.quote_name(model._meta.db_table)}")


def rewrite_documents(
    model: Any, columns: tuple[str, ...], document: Callable[..., str], schema_editor: Any
) -> None:
    """For a data migration: give every stored row of `model` the `document(*columns)` it
    would get today, a batch of rows at a time."""
    table = schema_editor.connection.ops.quote_name(model._meta.db_table)
    rows = model._base_manager.order_by("pk").values_list("pk", *columns)
    last = 0
    with schema_editor.connection.cursor() as cursor:
        while batch := list(rows.filter(pk__gt=last)[:REWRITE_BATCH]):
            cursor.executemany(
                f"UPDATE {table} SET search_text = %s WHERE id = %s",  # noqa: S608 - the model's table
                [(document(*values), pk) for pk, *values in batch],
            )
            last = batch[-1][0]


def fts_table(table: str) -> str:
    return f"{table}_fts"


def search_index(table: str) -> migrations.RunPython:
    """A migration operation: the search index of `table`'s `search_text`, on either database."""

    def create(apps, schema_editor) -> None:
        for statement in _index_sql(table, schema_editor.connection.vendor):
            schema_editor.execute(statement)

    def drop(apps, schema_editor) -> None:
        for statement in _drop_sql(table, schema_editor.connection.vendor):
            schema_editor.execute(statement)

    return migrations.RunPython(create, drop)


def _index_sql(table: str, vendor: str) -> list[str]:
    if vendor == "postgresql":
        return [
            "CREATE EXTENSION IF NOT EXISTS pg_trgm",
            f"CREATE INDEX {table}_search_trgm ON {table} USING gin (search_text gin_trgm_ops)",
        ]
    if vendor != "sqlite":
        return []
    fts = fts_table(table)
    # Names come from the models (ruff's S608 cannot see that).
    old = (
        f"INSERT INTO {fts} ({fts}, rowid, search_text) VALUES ('delete', old.id, old.search_text)"  # noqa: S608
    )
    new = f"INSERT INTO {fts} (rowid, search_text) VALUES (new.id, new.search_text)"  # noqa: S608
    return [
        f"CREATE VIRTUAL TABLE {fts} USING fts5("
        f"search_text, content='{table}', content_rowid='id', tokenize='trigram')",
        f"INSERT INTO {fts} ({fts}) VALUES ('rebuild')",  # noqa: S608
        f"CREATE TRIGGER {fts}_insert AFTER INSERT ON {table} BEGIN {new}; END",
        f"CREATE TRIGGER {fts}_delete AFTER DELETE ON {table} BEGIN {old}; END",
        # Only when the text changed: a sync that sees a record again costs the index nothing.
        f"CREATE TRIGGER {fts}_update AFTER UPDATE OF search_text ON {table} "
        f"WHEN old.search_text IS NOT new.search_text BEGIN {old}; {new}; END",
    ]


def _drop_sql(table: str, vendor: str) -> list[str]:
    if vendor == "postgresql":
        return [f"DROP INDEX IF EXISTS {table}_search_trgm"]
    if vendor != "sqlite":
        return []
    fts = fts_table(table)
    return [
        *(f"DROP TRIGGER IF EXISTS {fts}_{event}" for event in ("insert", "delete", "update")),
        f"DROP TABLE IF EXISTS {fts}",
    ]
