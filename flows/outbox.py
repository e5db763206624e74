"""Claiming due outbox rows: at most one worker holds a row, and a dead worker's rows return.

A claim marks due rows `sending` with the worker's name and a lease, and commits. On
PostgreSQL, workers on any number of hosts claim with `FOR UPDATE SKIP LOCKED`, so two never
take the same row; on SQLite one worker runs. A row still `sending` after its lease ends (its
worker was killed) is due again. Delivery then runs in a second transaction per row.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from leads.flow_tables import OutboxItem


def due_condition(now: datetime):  # type: ignore[no-untyped-def]
    """Rows a worker may take at `now`."""
    return or_(
        and_(OutboxItem.status == "pending", OutboxItem.due_at <= now),
        and_(OutboxItem.status == "sending", OutboxItem.lease_until < now),
    )


def claim(
    session: Session,
    *,
    worker: str,
    now: datetime,
    limit: int,
    lease: timedelta,
    team_id: int | None = None,
) -> list[int]:
    """Take up to `limit` due rows (oldest first; of one team if given) for `worker`; their ids.
    The caller commits."""
    statement = (
        select(OutboxItem.id).where(due_condition(now)).order_by(OutboxItem.due_at).limit(limit)
    )
    if team_id is not None:
        statement = statement.where(OutboxItem.team_id == team_id)
    if session.get_bind().dialect.name == "postgresql":
        statement = statement.with_for_update(skip_locked=True)
    ids = list(session.scalars(statement))
    if not ids:
        return []
    session.execute(
        update(OutboxItem)
        .where(OutboxItem.id.in_(ids), due_condition(now))
        .values(
            status="sending",
            claimed_by=worker,
            lease_until=now + lease,
            attempts=OutboxItem.attempts + 1,
        )
    )
    return list(
        session.scalars(
            select(OutboxItem.id)
            .where(OutboxItem.id.in_(ids), OutboxItem.claimed_by == worker)
            .where(OutboxItem.status == "sending")
            .order_by(OutboxItem.due_at)
        )
    )


def hold(session: Session, *, item_id: int, worker: str) -> OutboxItem | None:
    """The claimed row, locked for this delivery, if `worker` still holds it.

    The row is written first: on SQLite that takes the database's write lock, on PostgreSQL
    the row lock, so an unsubscribe arriving now waits for this delivery to finish (or
    finishes first, and this delivery sees it)."""
    result = session.execute(
        update(OutboxItem)
        .where(
            OutboxItem.id == item_id,
            OutboxItem.status == "sending",
            OutboxItem.claimed_by == worker,
        )
        .values(claimed_by=worker)
    )
    if not result.rowcount:  # type: ignore[attr-defined]
        return None
    return session.get(OutboxItem, item_id, populate_existing=True)
