"""Recording events: append-only, stored once per idempotency key.

`record_event` is the one-at-a-time path (API, forms, tracking); `record_events` the bulk path
(imports, the simulator). Both insert with ON CONFLICT DO NOTHING on (team, key), so a second
delivery of the same event is a no-op on SQLite and PostgreSQL alike, even under races.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

import orjson
from sqlalchemy import Insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from leads.bulk import db_timestamp, insert_ignoring_conflicts
from leads.errors import Conflict, ValidationFailed
from leads.records import get_lead
from leads.tables import Base, Event, utcnow

EVENT_TYPES: dict[str, str] = {
    "form_submitted": "A form was submitted; payload has the form and its answers.",
    "email_sent": "An email went out to the lead.",
    "email_delivered": "The receiving server accepted the email.",
    "email_opened": "The open pixel loaded (human carries how likely a person did it).",
    "link_clicked": "A tracked link was clicked (human as for opens).",
    "email_replied": "The lead replied.",
    "unsubscribed": "The lead unsubscribed.",
    "bounced": "The email bounced (payload `permanent` says whether for good).",
    "auto_replied": "An automatic reply came back (out of office: payload `return_date`).",
    "doc_viewed": "A shared document was opened (Pulse).",
    "page_dwell": "Time spent on one page of a document (Pulse).",
    "webinar_attended": "The lead attended a webinar.",
    "meeting_booked": "A meeting was booked.",
    "imported_activity": "An activity named in an imported file, without its own time.",
    "api_event": "An action reported by API, e.g. a sign-up; payload names it.",
    "list_entered": "The lead entered a target list.",
    "list_left": "The lead left a target list.",
}
_TYPE_PATTERN = re.compile(r"^[a-z][a-z0-9_.:-]{0,63}$")
MAX_PAYLOAD_BYTES = 64 * 1024
MAX_FUTURE = timedelta(minutes=5)


@dataclass(frozen=True, slots=True)
class NewEvent:
    """An event to record."""

    lead_id: int
    type: str
    occurred_at: datetime | None = None
    source: str = "api"
    payload: dict[str, Any] = field(default_factory=dict)
    idempotency_key: str | None = None
    human: float | None = None


@dataclass(frozen=True, slots=True)
class EventRecorded:
    """The outcome of one delivery: `created` is False when the key had been seen before."""

    event_id: int
    created: bool

    @property
    def message(self) -> str:
        if self.created:
            return f"recorded as event {self.event_id}"
        return f"already recorded as event {self.event_id}; nothing changed"


def check_event(event: NewEvent, now: datetime) -> str:
    """The event's payload as JSON text; `ValidationFailed` naming the field if it is malformed."""
    if not _TYPE_PATTERN.match(event.type):
        raise ValidationFailed(
            "type", f"{event.type!r} must be lower case letters, digits and _.:- (max 64)"
        )
    if event.occurred_at is not None:
        if event.occurred_at.tzinfo is None:
            raise ValidationFailed("occurred_at", "give a time zone (e.g. 2026-01-31T09:00Z)")
        if event.occurred_at > now + MAX_FUTURE:
            raise ValidationFailed("occurred_at", "is in the future")
    if event.human is not None and not 0.0 <= event.human <= 1.0:
        raise ValidationFailed("human", "must be between 0 and 1")
    if event.idempotency_key is not None and not 0 < len(event.idempotency_key) <= 200:
        raise ValidationFailed("idempotency_key", "must be 1 to 200 characters")
    payload = orjson.dumps(event.payload)
    if len(payload) > MAX_PAYLOAD_BYTES:
        raise ValidationFailed("payload", f"larger than {MAX_PAYLOAD_BYTES} bytes")
    return payload.decode()


@lru_cache(maxsize=4)
def _insert(dialect: str) -> Insert:
    """INSERT ... ON CONFLICT DO NOTHING RETURNING id, built once per dialect (building it per
    event cost more than running it)."""
    table = Base.metadata.tables["events"]
    conflict = ["team_id", "idempotency_key"]
    if dialect == "postgresql":
        statement: Insert = postgresql.insert(table).on_conflict_do_nothing(index_elements=conflict)
    else:
        statement = sqlite.insert(table).on_conflict_do_nothing(index_elements=conflict)
    return statement.returning(table.c.id)


def _row(team_id: int, event: NewEvent, now: datetime) -> dict[str, Any]:
    return {
        "team_id": team_id,
        "lead_id": event.lead_id,
        "type": event.type,
        "occurred_at": event.occurred_at or now,
        "recorded_at": now,
        "source": event.source,
        "payload": event.payload,
        "human": event.human,
        "idempotency_key": event.idempotency_key,
    }


def record_event(session: Session, *, team_id: int, event: NewEvent) -> EventRecorded:
    """Store one event for a lead of this team; a repeated idempotency key changes nothing."""
    now = utcnow()
    check_event(event, now)
    get_lead(session, team_id=team_id, lead_id=event.lead_id)
    session.flush()
    connection = session.connection()
    new_id = connection.scalar(_insert(connection.dialect.name), _row(team_id, event, now))
    if new_id is not None:
        return EventRecorded(new_id, created=True)
    existing = session.execute(
        select(Event.id, Event.lead_id, Event.type).where(
            Event.team_id == team_id, Event.idempotency_key == event.idempotency_key
        )
    ).one()
    if (existing.lead_id, existing.type) != (event.lead_id, event.type):
        raise Conflict(
            f"idempotency_key {event.idempotency_key!r} was used for event {existing.id} "
            f"({existing.type} of lead {existing.lead_id}), not for this one"
        )
    return EventRecorded(existing.id, created=False)


_COLUMNS = (
    "team_id",
    "lead_id",
    "type",
    "occurred_at",
    "recorded_at",
    "source",
    "payload",
    "human",
    "idempotency_key",
)


def record_events(
    session: Session, *, team_id: int, events: Sequence[NewEvent], batch_size: int = 50_000
) -> int:
    """Store many events at once (leads already checked by the caller); returns how many were new.

    Events whose idempotency key is already stored are skipped, as in `record_event`.
    """
    now = utcnow()
    payloads = [check_event(event, now) for event in events]
    session.flush()
    connection = session.connection()
    dialect = connection.dialect.name
    stamp_now = db_timestamp(now, dialect)
    inserted = 0
    for start in range(0, len(events), batch_size):
        rows = [
            (
                team_id,
                e.lead_id,
                e.type,
                stamp_now if e.occurred_at is None else db_timestamp(e.occurred_at, dialect),
                stamp_now,
                e.source,
                payload,
                e.human,
                e.idempotency_key,
            )
            for e, payload in zip(
                events[start : start + batch_size],
                payloads[start : start + batch_size],
                strict=True,
            )
        ]
        inserted += insert_ignoring_conflicts(
            connection,
            table="events",
            columns=_COLUMNS,
            conflict=("team_id", "idempotency_key"),
            rows=rows,
        )
    return inserted
