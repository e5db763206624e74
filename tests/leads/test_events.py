from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from leads.errors import Conflict, NotFound, ValidationFailed
from leads.events import NewEvent, record_event, record_events
from leads.tables import Event, Team
from leads.teams import create_team
from tests.factories import make_lead


def count_events(session: Session, team: Team) -> int:
    return session.scalar(select(func.count()).where(Event.team_id == team.id)) or 0


def test_a_second_delivery_is_a_no_op_and_says_so(session: Session, team: Team) -> None:
    lead = make_lead(session, team)
    signup = NewEvent(
        lead_id=lead.id, type="api_event", payload={"action": "signup"}, idempotency_key="signup-1"
    )
    first = record_event(session, team_id=team.id, event=signup)
    second = record_event(session, team_id=team.id, event=signup)
    assert first.created and not second.created
    assert second.event_id == first.event_id
    assert "already recorded" in second.message
    assert count_events(session, team) == 1


def test_the_same_key_in_another_team_is_another_event(session: Session, team: Team) -> None:
    other, _ = create_team(session, name="events-other")
    for owner in (team, other):
        lead = make_lead(session, owner)
        recorded = record_event(
            session,
            team_id=owner.id,
            event=NewEvent(lead_id=lead.id, type="email_opened", idempotency_key="k"),
        )
        assert recorded.created


def test_reusing_a_key_for_a_different_event_is_refused(session: Session, team: Team) -> None:
    lead = make_lead(session, team)
    record_event(
        session,
        team_id=team.id,
        event=NewEvent(lead_id=lead.id, type="email_opened", idempotency_key="k2"),
    )
    with pytest.raises(Conflict, match="k2"):
        record_event(
            session,
            team_id=team.id,
            event=NewEvent(lead_id=lead.id, type="link_clicked", idempotency_key="k2"),
        )


def test_bulk_recording_skips_keys_already_stored(session: Session, team: Team) -> None:
    lead = make_lead(session, team)
    events = [
        NewEvent(
            lead_id=lead.id,
            type="email_opened",
            idempotency_key=f"b{i}",
            payload={"subject": "안녕하세요", "n": i},
        )
        for i in range(50)
    ]
    assert record_events(session, team_id=team.id, events=events) == 50
    assert record_events(session, team_id=team.id, events=events[:20]) == 0
    more = [*events[40:], NewEvent(lead_id=lead.id, type="email_opened", idempotency_key="new")]
    assert record_events(session, team_id=team.id, events=more) == 1
    assert count_events(session, team) == 51


def test_bulk_and_single_paths_store_the_same_values(session: Session, team: Team) -> None:
    lead = make_lead(session, team)
    at = datetime(2026, 3, 1, 9, 30, 15, 123456, tzinfo=UTC)
    payload = {"text": "미팅 가능합니다", "nested": {"a": [1, 2.5, None]}}
    record_events(
        session,
        team_id=team.id,
        events=[
            NewEvent(
                lead_id=lead.id,
                type="email_replied",
                occurred_at=at,
                payload=payload,
                idempotency_key="bulk",
                human=0.9,
            )
        ],
    )
    record_event(
        session,
        team_id=team.id,
        event=NewEvent(
            lead_id=lead.id,
            type="email_replied",
            occurred_at=at,
            payload=payload,
            idempotency_key="single",
            human=0.9,
        ),
    )
    session.expire_all()
    rows = session.scalars(select(Event).where(Event.lead_id == lead.id).order_by(Event.id)).all()
    assert [(r.occurred_at, r.payload, r.human) for r in rows] == [(at, payload, 0.9)] * 2
    assert rows[0].occurred_at.tzinfo is not None


@pytest.mark.parametrize(
    ("event", "field"),
    [
        (NewEvent(lead_id=0, type="Bad Type"), "type"),
        (NewEvent(lead_id=0, type="x", occurred_at=datetime(2026, 1, 1)), "occurred_at"),
        (
            NewEvent(lead_id=0, type="x", occurred_at=datetime.now(UTC) + timedelta(days=1)),
            "occurred_at",
        ),
        (NewEvent(lead_id=0, type="x", human=1.5), "human"),
        (NewEvent(lead_id=0, type="x", payload={"big": "x" * 70_000}), "payload"),
    ],
)
def test_malformed_events_name_the_field(
    session: Session, team: Team, event: NewEvent, field: str
) -> None:
    lead = make_lead(session, team)
    with pytest.raises(ValidationFailed) as info:
        record_event(session, team_id=team.id, event=replace(event, lead_id=lead.id))
    assert info.value.field == field


def test_an_event_for_another_teams_lead_is_not_found(session: Session, team: Team) -> None:
    other, _ = create_team(session, name="events-foreign")
    foreign = make_lead(session, other)
    with pytest.raises(NotFound):
        record_event(session, team_id=team.id, event=NewEvent(lead_id=foreign.id, type="x"))
