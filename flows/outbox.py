"""An outbox row's way through a worker: claimed, held while it is sent, accepted, booked.

A claim marks due rows `sending` with the worker's name and a lease, and commits. On
PostgreSQL, workers on any number of hosts claim with `FOR UPDATE SKIP LOCKED`, so two never
take the same row; on SQLite one worker runs. Each row is then sent in a transaction of its
own that holds it (`hold`) and, once SMTP took the email, marks it `accepted` (`accept`).
What follows from a sent email (its event, the next step) is booked afterwards, for several
rows in one transaction (`book`), which marks them `sent`. A row still `sending` after its
lease ends (its worker was killed) is due again; a row still `accepted` after its lease ends
is claimed again only to be booked: its email went out, and never goes out again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, bindparam, case, exists, insert, or_, select, update
from sqlalchemy.orm import Session

from leads.flow_tables import LIVE_ENROLLMENT, Enrollment, OutboxItem
from leads.suppression import email_hash
from leads.tables import Base, Suppression

SENDING, ACCEPTED = "sending", "accepted"


def due_condition(now: datetime):  # type: ignore[no-untyped-def]
    """Rows a worker may take at `now`."""
    return or_(
        and_(OutboxItem.status == "pending", OutboxItem.due_at <= now),
        and_(OutboxItem.status.in_((SENDING, ACCEPTED)), OutboxItem.lease_until < now),
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
    A row to send becomes `sending` (one more attempt); an `accepted` one stays so, to be
    booked. The caller commits."""
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
    booking = OutboxItem.status == ACCEPTED
    session.execute(
        update(OutboxItem)
        .where(OutboxItem.id.in_(ids), due_condition(now))
        .values(
            status=case((booking, ACCEPTED), else_=SENDING),
            claimed_by=worker,
            lease_until=now + lease,
            attempts=case((booking, OutboxItem.attempts), else_=OutboxItem.attempts + 1),
        )
    )
    return list(
        session.scalars(
            select(OutboxItem.id)
            .where(OutboxItem.id.in_(ids), OutboxItem.claimed_by == worker)
            .where(OutboxItem.status.in_((SENDING, ACCEPTED)))
            .order_by(OutboxItem.due_at)
        )
    )


def hold(session: Session, *, item_id: int, worker: str) -> bool:
    """Lock the claimed row for its delivery; False when `worker` no longer holds it.

    The row is written first: on SQLite that takes the database's write lock, so an
    unsubscribe arriving now waits for this delivery to finish (or finished first, and this
    delivery sees it); on PostgreSQL it takes the row lock, and what committed before the
    statement is seen."""
    result = session.connection().execute(_HOLD, {"item_id": item_id, "worker": worker})
    return bool(result.rowcount)


@dataclass(frozen=True, slots=True)
class Facts:
    """What decides whether a row's lead may be emailed now."""

    email: str | None
    flow_state: str | None
    enrollment_live: bool
    suppressed: bool


def blocked(facts: Facts) -> str | None:
    """Why nothing may be sent, or None."""
    if facts.email is None:
        return "the lead has no email address"
    if facts.flow_state in ("suppressed", "meeting"):
        return f"the lead is {facts.flow_state}"
    if facts.suppressed:
        return "the address is suppressed"
    if not facts.enrollment_live:
        return "the lead left the flow"
    return None


def hold_checked(
    session: Session, *, item_id: int, worker: str, address: str | None
) -> Facts | None:
    """`hold` the row, and read in the same statement its lead's facts now (`address`, the one
    the email was written to, is the one whose suppression counts); None when `worker` no
    longer holds it."""
    hashed = email_hash(address) if address else ""
    row = (
        session.connection()
        .execute(_HOLD_CHECKED, {"item_id": item_id, "worker": worker, "address_hash": hashed})
        .one_or_none()
    )
    if row is None:
        return None
    email, flow_state, enrollment, suppressed = row
    return Facts(email, flow_state, enrollment in LIVE_ENROLLMENT, bool(suppressed))


def accept(
    session: Session,
    *,
    item_id: int,
    sent_at: datetime,
    payload: dict[str, Any],
    message: dict[str, Any],
) -> None:
    """Mark a held row's email as taken by SMTP and write its `messages` row (`message`, the
    row's values); its booking comes later."""
    connection = session.connection()
    connection.execute(
        _ACCEPT,
        {
            "item_id": item_id,
            "sent_at": sent_at,
            "message_id": message["message_id"],
            "payload": payload,
        },
    )
    connection.execute(_MESSAGE, {**message, "outbox_id": item_id, "sent_at": sent_at})


def to_book(session: Session, *, item_ids: Sequence[int], worker: str) -> list[OutboxItem]:
    """Of these rows, the accepted ones `worker` holds, marked `sent` and locked for their
    booking (another worker that took them after a lease ran out books them instead)."""
    booked = list(
        session.scalars(
            update(OutboxItem)
            .where(
                OutboxItem.id.in_(item_ids),
                OutboxItem.status == ACCEPTED,
                OutboxItem.claimed_by == worker,
            )
            .values(status="sent", lease_until=None)
            .returning(OutboxItem.id)
            .execution_options(synchronize_session=False)
        )
    )
    if not booked:
        return []
    rows = select(OutboxItem).where(OutboxItem.id.in_(booked)).order_by(OutboxItem.id)
    return list(session.scalars(rows.execution_options(populate_existing=True)))


# The statements of every send, built once (building one costs more than running it).
_outbox, _leads = Base.metadata.tables["outbox"], Base.metadata.tables["leads"]
_HOLD = (
    update(_outbox)
    .where(
        _outbox.c.id == bindparam("item_id"),
        _outbox.c.status == SENDING,
        _outbox.c.claimed_by == bindparam("worker"),
    )
    .values(claimed_by=bindparam("worker"))
)
_HOLD_CHECKED = _HOLD.returning(
    select(_leads.c.email).where(_leads.c.id == _outbox.c.lead_id).scalar_subquery(),
    select(_leads.c.flow_state).where(_leads.c.id == _outbox.c.lead_id).scalar_subquery(),
    select(Enrollment.status).where(Enrollment.id == _outbox.c.enrollment_id).scalar_subquery(),
    exists().where(
        Suppression.team_id == _outbox.c.team_id,
        Suppression.email_hash == bindparam("address_hash"),
    ),
)
_ACCEPT = (
    update(_outbox)
    .where(_outbox.c.id == bindparam("item_id"))
    .values(
        status=ACCEPTED,
        sent_at=bindparam("sent_at"),
        message_id=bindparam("message_id"),
        payload=bindparam("payload"),
    )
)
_MESSAGE = insert(Base.metadata.tables["messages"])
