"""The fast path for many rows: DBAPI executemany on SQLite, COPY on PostgreSQL.

SQLAlchemy's per-row processing (type decorators, JSON, dict rows) costs more than the insert
itself at a million rows, so bulk writers hand over tuples that are already in the database's
own format. Values must match what the ORM columns would store: UTC timestamps, JSON text.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
from sqlalchemy import Connection

_ZERO = timedelta(0)


def db_timestamp(value: datetime, dialect: str) -> Any:
    """A timestamp as the `UTCDateTime` column stores it on `dialect`."""
    if dialect == "sqlite":
        if value.utcoffset() != _ZERO:
            value = value.astimezone(UTC)
        return value.isoformat(" ", "microseconds")[:26]  # what strftime would give, faster
    return value


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic collector while building millions of acyclic objects (rows, tuples).

    Each generation-0 collection would rescan them all for cycles they cannot have; pausing
    saves a fifth of the CPU time of building or reading two million rows.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def db_json(value: Any) -> str:
    """JSON text for a JSON/JSONB column."""
    return orjson.dumps(value).decode()


def insert_ignoring_conflicts(
    connection: Connection,
    *,
    table: str,
    columns: Sequence[str],
    conflict: Sequence[str],
    rows: Sequence[tuple[Any, ...]],
) -> int:
    """Insert `rows`, skipping those that collide on `conflict`; returns how many were new."""
    if not rows:
        return 0
    names = ", ".join(columns)
    on_conflict = f"ON CONFLICT ({', '.join(conflict)}) DO NOTHING" if conflict else ""
    if connection.dialect.name == "postgresql":
        return _copy_then_insert(connection, table, names, on_conflict, rows)
    marks = ", ".join("?" for _ in columns)
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks}) {on_conflict}", rows)
        return int(cursor.rowcount)
    finally:
        cursor.close()


def _copy_then_insert(
    connection: Connection,
    table: str,
    names: str,
    on_conflict: str,
    rows: Sequence[tuple[Any, ...]],
) -> int:
    staging = f"_staging_{table}"
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS {staging} "
            f"(LIKE {table} INCLUDING DEFAULTS) ON COMMIT DROP"
        )
        cursor.execute(f"TRUNCATE {staging}")
        with cursor.copy(f"COPY {staging} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        cursor.execute(f"INSERT INTO {table} ({names}) SELECT {names} FROM {staging} {on_conflict}")
        return int(cursor.rowcount)
    finally:
        cursor.close()
