"""Meetings: the booking link in sequence emails, free slots, and booking."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from flows.loop import process_event
from flows.schedule import as_zone
from leads.errors import ValidationFailed
from leads.events import NewEvent
from leads.flow_tables import Meeting, OutboxItem
from leads.signing import sign, verify
from leads.tables import Lead, Team
from leads.teams import settings_of
from model.champion import Champion

_PURPOSE = "meeting"
INVITE = "meeting_invite"  # the outbox kind of an ICS invite


def booking_token(key: bytes, *, team_id: int, lead_id: int) -> str:
    """The signed token of one lead's booking page."""
    return f"{team_id}-{lead_id}-{sign(key, _PURPOSE, f'{team_id}:{lead_id}')}"


def booking_url(key: bytes, *, team_id: int, lead_id: int, base_url: str) -> str:
    """The lead's booking page."""
    return f"{base_url.rstrip('/')}/meet/{booking_token(key, team_id=team_id, lead_id=lead_id)}"


def read_booking_token(token: str) -> tuple[int, int, str] | None:
    """(team id, lead id, signature) of a well-formed token; check it with `booking_valid`."""
    parts = token.split("-", 2)
    if len(parts) != 3 or not parts[0].isdigit() or not parts[1].isdigit():
        return None
    return int(parts[0]), int(parts[1]), parts[2]


def booking_valid(key: bytes, token: str) -> bool:
    """Whether the token was signed with the team's key."""
    parsed = read_booking_token(token)
    if parsed is None:
        return False
    team_id, lead_id, signature = parsed
    return verify(key, _PURPOSE, f"{team_id}:{lead_id}", signature)


def free_slots(session: Session, *, team: Team, now: datetime, limit: int = 40) -> list[datetime]:
    """The next open slots of the team's booking page (UTC), without booked ones."""
    hours = settings_of(team).meetings
    zone = as_zone(settings_of(team).timezone)
    length = timedelta(minutes=hours.minutes)
    end = now + timedelta(days=hours.horizon_days)
    booked = [
        (m.starts_at, m.ends_at)
        for m in session.scalars(
            select(Meeting).where(
                Meeting.team_id == team.id, Meeting.ends_at > now, Meeting.starts_at < end
            )
        )
    ]
    days = {name: i for i, name in enumerate(("mon", "tue", "wed", "thu", "fri", "sat", "sun"))}
    open_days = {days[d] for d in hours.days}
    slots: list[datetime] = []
    day = now.astimezone(zone).date()
    while len(slots) < limit and datetime.combine(day, time(0), zone) < end:
        if day.weekday() in open_days:
            moment = datetime.combine(day, hours.start, zone)
            closing = datetime.combine(day, hours.end, zone)
            while moment + length <= closing and len(slots) < limit:
                start = moment.astimezone(UTC)
                taken = any(s < start + length and start < e for s, e in booked)
                if start > now + timedelta(hours=1) and not taken:
                    slots.append(start)
                moment += length
        day += timedelta(days=1)
    return slots


def book(
    session: Session,
    *,
    team: Team,
    lead: Lead,
    starts_at: datetime,
    ends_at: datetime | None,
    champion: Champion,
    now: datetime,
    source: str = "page",
    external_id: str | None = None,
) -> Meeting:
    """Book a meeting: record `meeting_booked` (flows stop; the lead's state is `meeting`) and
    put an ICS invite in the outbox. The booking page may only take an offered slot; a
    scheduler's webhook is taken as it comes, once per (source, external id)."""
    if starts_at.tzinfo is None:
        raise ValidationFailed("starts_at", "give a time zone (e.g. 2026-12-01T05:00Z)")
    if source == "page" and starts_at not in free_slots(session, team=team, now=now, limit=500):
        raise ValidationFailed("starts_at", "that slot is not free; choose one of the offered")
    if external_id is not None:
        seen = session.scalar(
            select(Meeting).where(
                Meeting.team_id == team.id, Meeting.source == source,
                Meeting.external_id == external_id,
            )
        )  # fmt: skip
        if seen is not None:
            return seen
    minutes = settings_of(team).meetings.minutes
    ends_at = ends_at or starts_at + timedelta(minutes=minutes)
    if ends_at <= starts_at:
        raise ValidationFailed("ends_at", "must be after starts_at")
    meeting = Meeting(
        team_id=team.id, lead_id=lead.id, starts_at=starts_at, ends_at=ends_at,
        source=source, external_id=external_id, created_at=now,
    )  # fmt: skip
    session.add(meeting)
    session.flush()
    process_event(
        session, team=team, champion=champion, now=now,
        event=NewEvent(lead.id, "meeting_booked", now, source,
                       {"meeting_id": meeting.id, "starts_at": starts_at.isoformat()},
                       f"meeting:{meeting.id}"),
    )  # fmt: skip
    session.add(
        OutboxItem(
            team_id=team.id, lead_id=lead.id, enrollment_id=None, step=0, kind=INVITE,
            due_at=now, status="pending", payload={"meeting_id": meeting.id, "flow": "meeting"},
        )
    )  # fmt: skip
    session.flush()
    return meeting
