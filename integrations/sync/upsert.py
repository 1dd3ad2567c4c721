"""Write one page of synced rows without the ORM's per-value preparation.

Django's `bulk_create(update_conflicts=True)` prepares every value through the SQL
compiler; for wide rows that costs more than the database's own work. Here the values
are prepared once per field type and the statement is built directly (`_write_rows`: one
multi-row statement on SQLite, `executemany` on PostgreSQL): bench/sync.py's full sync
of 100,000 candidates took 96-102 s with `bulk_create` for the candidates and their
placements, 55-61 s with `executemany` (same runs, 1,000 a page). `INSERT … ON CONFLICT …
DO UPDATE` reads the same on SQLite and PostgreSQL. `insert_rows` is the plain INSERT, and
`delete_children` the DELETE, for the child rows a sync replaces (a candidate's
placements); `stored_pks` reads a page's primary keys. They skip the ORM for the same
reason: a page's thousand ids cost Django's lookups (one prepared value at a time) more
than the database's reads.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.conf import settings
from django.db import connections, router
from django.db.models import Model

from integrations import jsoncodec
from integrations.models.synced import SyncStatus

CONFLICT_COLUMNS = ("connection_id", "remote_id")
# Field types whose Python values the database driver takes as they are. The
# sync's row mappers produce values of the fields' own types, so preparing
# them through Django (a few microseconds each, millions per large sync) would
# change nothing. Other types (JSON, dates) go through `get_db_prep_save`.
PASS_THROUGH = frozenset(
    {
        "AutoField",
        "BigIntegerField",
        "BooleanField",
        "CharField",
        "ForeignKey",
        "IntegerField",
        "PositiveIntegerField",
        "PositiveSmallIntegerField",
        "SmallIntegerField",
        "TextField",
    }
)


def upsert_rows(
    model: type[Model],
    rows: list[dict[str, Any]],
    *,
    update: list[str],
    newer_only: bool = False,
    deleted_wins_ties: bool = False,
    key: tuple[str, ...] = (),
) -> None:
    """Write `rows` (model field name -> value); fields a row lacks get their
    default. A row whose (connection, *key, remote_id) exists gets the `update` fields
    (`key`: the fields of a `SyncedResource.scope`, when one table holds several resources),
    unless it is pending (a local write not yet confirmed by the provider), and,
    with `newer_only` (webhooks, which arrive in any order), unless the stored
    `remote_updated_at` is later than the row's (either one unknown: it is written);
    with `deleted_wins_ties` too, unless it is a deletion of the same version (webhooks:
    events whose time is whole seconds, a fetch made before another worker applied the
    deletion; nothing is updated after its deletion)."""
    if not rows:
        return
    db = connections[router.db_for_write(model)]
    quote = db.ops.quote_name
    fields = _insert_fields(model)
    assignments = ", ".join(
        f"{quote(field.column)} = excluded.{quote(field.column)}"
        for field in fields
        if field.name in update
    )
    scoped = [model._meta.get_field(name).column for name in key]
    first, last = CONFLICT_COLUMNS
    conflict = ", ".join(quote(column) for column in (first, *scoped, last))
    table = quote(model._meta.db_table)
    # A row with a local write still waiting in the outbox keeps what the person typed.
    clause = (
        f" ON CONFLICT ({conflict}) DO UPDATE SET {assignments} "
        f"WHERE {table}.{quote('sync_status')} <> '{SyncStatus.PENDING.value}'"
    )
    if newer_only:
        column = quote("remote_updated_at")
        stored, given = f"{table}.{column}", f"excluded.{column}"
        clause += f" AND ({stored} IS NULL OR {given} IS NULL OR {stored} <= {given})"
    if newer_only and deleted_wins_ties:
        clause += f" AND NOT ({table}.{quote('is_deleted')} AND {stored} = {given})"
    _write_rows(db, model, fields, rows, clause)


def insert_rows(model: type[Model], rows: list[dict[str, Any]]) -> None:
    """INSERT `rows` (model field name -> value; missing fields get their default)."""
    if not rows:
        return
    db = connections[router.db_for_write(model)]
    fields = _insert_fields(model)
    _write_rows(db, model, fields, rows)


def stored_pks(
    model: type[Model],
    *,
    connection_id: Any,
    remote_ids: Iterable[str],
    scope: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Remote id -> pk of the stored rows among `remote_ids` (in the `scope`, as
    `upsert_rows`' `key`): one indexed read of two columns."""
    found = _stored(model, ("pk",), connection_id, remote_ids, scope or {})
    return dict(found)


def stored_versions(
    model: type[Model],
    *,
    connection_id: Any,
    remote_ids: Iterable[str],
    scope: Mapping[str, Any] | None = None,
) -> dict[str, tuple[Any, ...]]:
    """Remote id -> (pk, remote_updated_at, is_deleted, synced_at) as the database holds
    them, as `stored_pks`; for `stale_remote_ids`."""
    names = ("pk", "remote_updated_at", "is_deleted", "synced_at")
    found = _stored(model, names, connection_id, remote_ids, scope or {})
    return {remote_id: tuple(values) for remote_id, *values in found}


def stale_remote_ids(
    model: type[Model],
    rows: Iterable[Any],
    stored: Mapping[str, tuple[Any, ...]],
    *,
    deleted_since: dt.datetime,
) -> set[str]:
    """The remote ids of `rows` (with `remote_id`, `remote_updated_at`) that must not be
    written over the stored copy: it holds a later version (a version unknown on either
    side is not later, as `newer_only` has it), or it was marked deleted at or after
    `deleted_since` and the row's version is not later than the stored one."""
    zone = connections[router.db_for_read(model)].timezone
    stale = set()
    for row in rows:
        if row.remote_id not in stored:
            continue
        _, version, is_deleted, synced_at = stored[row.remote_id]
        known = version is not None and row.remote_updated_at is not None
        given, held = (
            (_aware(row.remote_updated_at, zone), _aware(version, zone)) if known else (0, 0)
        )
        if given < held or (
            is_deleted and _aware(synced_at, zone) >= deleted_since and given <= held
        ):
            stale.add(row.remote_id)
    return stale


def _aware(value: Any, zone: dt.tzinfo) -> dt.datetime:
    """A datetime as a raw cursor reads it (SQLite: naive, in the database's zone; or
    its text) made aware."""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value if value.utcoffset() is not None else value.replace(tzinfo=zone)


def _stored(
    model: type[Model],
    names: tuple[str, ...],
    connection_id: Any,
    remote_ids: Iterable[str],
    scope: Mapping[str, Any],
) -> list[tuple[Any, ...]]:
    """(remote_id, *the `names` columns) of the stored rows among `remote_ids`."""
    remote_ids = list(remote_ids)
    if not remote_ids:
        return []
    db = connections[router.db_for_read(model)]
    quote = db.ops.quote_name
    scoped = [model._meta.get_field(name) for name in scope]
    conditions = [f"{quote('connection_id')} = %s"]
    conditions += [f"{quote(field.column)} = %s" for field in scoped]
    conditions.append(f"{quote('remote_id')} IN ({', '.join(['%s'] * len(remote_ids))})")
    columns = ", ".join(
        quote(model._meta.pk.column if name == "pk" else model._meta.get_field(name).column)
        for name in ("remote_id", *names)
    )
    sql = (
        f"SELECT {columns} "  # noqa: S608 - names come from the model
        f"FROM {quote(model._meta.db_table)} WHERE {' AND '.join(conditions)}"
    )
    params = [connection_id]
    params += [
        field.get_db_prep_value(value, db)
        for field, value in zip(scoped, scope.values(), strict=True)
    ]
    with db.cursor() as cursor:
        cursor.execute(sql, [*params, *remote_ids])
        return cursor.fetchall()


def delete_children(model: type[Model], *, parent: str, pks: Iterable[Any]) -> None:
    """DELETE the rows of `model` whose `parent` foreign key is among `pks` (child rows
    a sync replaces; like `insert_rows`, no signals)."""
    pks = list(pks)
    if not pks:
        return
    db = connections[router.db_for_write(model)]
    quote = db.ops.quote_name
    column = quote(model._meta.get_field(parent).column)
    placeholders = ", ".join(["%s"] * len(pks))
    with db.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {quote(model._meta.db_table)} WHERE {column} IN ({placeholders})",  # noqa: S608 - names come from the model
            pks,
        )


def _insert_fields(model: type[Model]) -> list[Any]:
    return [field for field in model._meta.concrete_fields if not field.primary_key]


def insert_sql(model: type[Model], fields: list[Any], db: Any, rows: int = 1) -> str:
    """`INSERT INTO` the model's table, its `fields`' columns, one `%s` placeholder each,
    for `rows` rows."""
    quote = db.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    row = f"({', '.join(['%s'] * len(fields))})"
    return f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES {', '.join([row] * rows)}"  # noqa: S608 - names come from the model


def _write_rows(
    db: Any, model: type[Model], fields: list[Any], rows: list[dict[str, Any]], clause: str = ""
) -> None:
    """INSERT `rows` with `clause` after the values (an upsert's `ON CONFLICT`).

    PostgreSQL gets one statement run for every row (psycopg pipelines them). SQLite gets
    as few multi-row statements as its variable limit allows: FTS5 writes the terms a
    statement added to its index when the statement ends, so with a statement a row the
    search index's trigger (`core/search.py`) writes a thousand small segments a page and
    merges them. Inserting 100,000 rows of candidate-like text in pages of 1,000 took
    6.0-7.0 s of CPU a statement a row, 2.8-3.0 s a statement a page; `bench/sync.py`'s
    hub 25.3-25.6 s of CPU before, 18.9-19.7 s after. SQLite applies a statement's rows in
    order, as `executemany` would (a remote id twice in a page is inserted, then upserted);
    PostgreSQL refuses an upsert touching one row twice, so it keeps a statement a row."""
    names = [field.name for field in fields]
    defaults = {field.name: field.get_default() for field in fields}
    # Only the fields whose values need converting (JSON, dates) go through a function.
    conversions = [
        (index, prepare)
        for index, prepare in enumerate(_preparer(field, db) for field in fields)
        if prepare is not None
    ]
    params = []
    for row in rows:
        try:
            values = [row[name] for name in names]
        except KeyError:  # a row without some fields: they get their defaults
            values = [row.get(name, default) for name, default in defaults.items()]
        for index, prepare in conversions:
            values[index] = prepare(values[index])
        params.append(values)
    with db.cursor() as cursor:
        if db.vendor != "sqlite":
            cursor.executemany(insert_sql(model, fields, db) + clause, params)
            return
        limit = db.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
        per_statement = max(1, limit // len(fields))
        for start in range(0, len(params), per_statement):
            chunk = params[start : start + per_statement]
            sql = insert_sql(model, fields, db, rows=len(chunk)) + clause
            cursor.execute(sql, [value for values in chunk for value in values])


def _preparer(field: Any, db: Any) -> Callable[[Any], Any] | None:
    """The cheapest correct conversion of one field's values for the driver (None: none)."""
    kind = field.get_internal_type()
    if kind in PASS_THROUGH:
        return None
    if kind == "JSONField":
        return _json_preparer(field, db)
    if kind == "DateTimeField":
        return _datetime_preparer(db)
    if kind == "DateField":
        return db.ops.adapt_datefield_value
    return lambda value: field.get_db_prep_save(value, db)


def _datetime_preparer(db: Any) -> Callable[[Any], Any]:
    """Django's own adaptation, with SQLite's common case (an aware datetime, USE_TZ on)
    done inline: the same text, in the database's zone, without its per-value checks."""
    adapt = db.ops.adapt_datetimefield_value
    if db.vendor != "sqlite" or not settings.USE_TZ:
        return adapt
    zone = db.timezone

    def prepare(value: Any) -> Any:
        if type(value) is not dt.datetime or value.utcoffset() is None:
            return adapt(value)
        return str(value.astimezone(zone).replace(tzinfo=None))

    return prepare


def _json_preparer(field: Any, db: Any) -> Any:
    """JSON text through `jsoncodec` (the payloads are large); a custom encoder keeps Django's."""
    if field.encoder is not None:
        return lambda value: (
            None if value is None else db.ops.adapt_json_value(value, field.encoder)
        )
    if db.vendor == "postgresql":
        # Only on PostgreSQL: the module imports its driver (psycopg), which a
        # SQLite deployment need not load.
        from django.db.backends.postgresql.psycopg_any import Jsonb

        return lambda value: None if value is None else Jsonb(value, dumps=jsoncodec.dumps)
    return lambda value: None if value is None else jsoncodec.dumps(value)
