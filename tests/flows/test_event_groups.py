"""Events processed together (`process_events`, the group commit of POST /v1/events) leave
exactly what processing them one by one leaves: answers, scores, stages with their reasons,
lists, flows and the outbox."""

from __future__ import annotations

import random
import sys
import uuid
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

import leads.tables
from flows.definitions import create_flow
from flows.loop import Outcome, process_event, process_events
from leads.documents import PageSpec, create_document
from leads.errors import NotFound
from leads.events import NewEvent
from leads.flow_tables import Enrollment, Flow, OutboxItem
from leads.lists import create_list
from leads.simulation import simulate
from leads.tables import Event, Lead, LeadHistory, LeadList, ListMembership, Team
from leads.teams import create_team
from model.champion import Champion
from model.training import TrainingResult
from tests.flows.conftest import CAMPAIGN, NURTURE, SEQUENCE
from tests.leads.test_list_membership import STREAM_LISTS, random_event
from tests.model.test_scorer_fast_path import served


@pytest.fixture
def frozen(monkeypatch: pytest.MonkeyPatch) -> datetime:
    """Time stands still (features decay with time: two runs must read the same moment)."""
    clock = leads.tables.utcnow
    moment = clock()
    for name, module in list(sys.modules.items()):
        if name.split(".")[0] not in {"features", "flows", "leads", "model"}:
            continue
        if getattr(module, "utcnow", None) is clock:
            monkeypatch.setattr(module, "utcnow", lambda: moment)
    return moment


def twin(session: Session) -> Team:
    """A simulated team with a deck, the random stream's lists and the three flows."""
    team, _key = create_team(session, name=f"twin-{uuid.uuid4().hex[:8]}")
    create_document(session, team_id=team.id, slug="deck", title="Deck", pages=[PageSpec()] * 5)
    simulate(session, team_id=team.id, leads=20, days=30, seed=5)
    for name, definition in STREAM_LISTS.items():
        create_list(session, team_id=team.id, name=name, kind="dynamic", definition=definition)
    for name, kind, flow in (
        ("Sales sequence", "sequence", SEQUENCE),
        ("Onboarding", "campaign", CAMPAIGN),
        ("Newsletter", "nurture", NURTURE),
    ):
        create_flow(session, team_id=team.id, name=name, kind=kind, definition=flow)
    return team


def stream(rng: random.Random, leads: int, size: int, now: datetime) -> list[tuple[int, NewEvent]]:
    """(lead position, event) pairs: the same lead many times, and some deliveries repeated."""
    out: list[tuple[int, NewEvent]] = []
    for n in range(size):
        if out and rng.random() < 0.08:
            out.append(out[rng.randrange(len(out))])  # the same key again: stores nothing
            continue
        position = rng.randrange(leads)
        event = replace(random_event(rng, 0, now), idempotency_key=f"k{n}")
        out.append((position, event))
    return out


def for_team(event: NewEvent, lead_id: int) -> NewEvent:
    return replace(event, lead_id=lead_id)


def answer(outcome: Outcome, ids: list[int]) -> tuple[Any, ...]:
    """What an event's answer says, with the lead as its position in the team."""
    changes = [(c.list_name, c.entered) for c in outcome.list_changes]
    return (
        ids.index(outcome.lead.id), outcome.created, outcome.previous_stage, outcome.stage,
        outcome.score, outcome.decision, changes,
    )  # fmt: skip


def state(session: Session, team: Team) -> list[tuple[Any, ...]]:
    """Each lead's stored state, by position, with nothing that names a row of this team."""
    session.flush()
    leads = session.scalars(select(Lead).where(Lead.team_id == team.id).order_by(Lead.id)).all()
    out = []
    for lead in leads:
        lists = session.scalars(
            select(LeadList.name)
            .join(ListMembership, ListMembership.list_id == LeadList.id)
            .where(ListMembership.lead_id == lead.id)
            .order_by(LeadList.name)
        ).all()
        history = session.execute(
            select(LeadHistory.kind, LeadHistory.from_value, LeadHistory.to_value,
                   LeadHistory.reasons, LeadHistory.actor)
            .where(LeadHistory.lead_id == lead.id).order_by(LeadHistory.id)
        ).all()  # fmt: skip
        enrollments = session.execute(
            select(Flow.name, Enrollment.status, Enrollment.next_step, Enrollment.ended_reason)
            .join(Flow, Flow.id == Enrollment.flow_id)
            .where(Enrollment.lead_id == lead.id).order_by(Enrollment.id)
        ).all()  # fmt: skip
        outbox = session.execute(
            select(OutboxItem.step, OutboxItem.kind, OutboxItem.due_at, OutboxItem.status)
            .where(OutboxItem.lead_id == lead.id).order_by(OutboxItem.id)
        ).all()  # fmt: skip
        events = sorted(
            (e.type, e.source, repr(_unnamed(e.payload)), e.occurred_at)
            for e in session.scalars(select(Event).where(Event.lead_id == lead.id))
        )
        out.append(
            (
                lead.email, lead.stage, lead.score, lead.fit_grade, lead.engagement,
                lead.flow_state, list(lists), [tuple(h) for h in history],
                [tuple(e) for e in enrollments], [tuple(o) for o in outbox], events,
            )
        )  # fmt: skip
    return out


def _unnamed(payload: dict[str, Any]) -> dict[str, Any]:
    """A payload without the ids of this team's rows (a list's id differs between twins)."""
    return {k: v for k, v in payload.items() if k not in {"list_id", "flow_id", "enrollment_id"}}


@pytest.mark.slow
def test_events_processed_in_groups_leave_what_one_by_one_leaves(
    session: Session, frozen: datetime, trained: tuple[TrainingResult, str], tmp_path: Path
) -> None:
    champion = Champion.fixed(served(trained, "lightgbm", tmp_path), "7")
    alone, grouped = twin(session), twin(session)
    ids = {
        team.id: list(
            session.scalars(select(Lead.id).where(Lead.team_id == team.id).order_by(Lead.id))
        )
        for team in (alone, grouped)
    }
    assert state(session, alone) == state(session, grouped)  # twins to begin with
    rng = random.Random(11)
    events = stream(rng, len(ids[alone.id]), 160, frozen)

    one_by_one = []
    for position, event in events:
        lead_id = ids[alone.id][position]
        one_by_one.append(
            process_event(
                session, team=alone, event=for_team(event, lead_id), champion=champion, now=frozen
            )
        )
    together: list[Outcome] = []
    start = 0
    while start < len(events):
        size = rng.choice([1, 2, 5, 9, 16, 32])
        chunk = events[start : start + size]
        together += process_events(
            session, team=grouped, champion=champion, now=frozen,
            events=[for_team(event, ids[grouped.id][position]) for position, event in chunk],
        )  # fmt: skip
        start += size

    expected = [answer(o, ids[alone.id]) for o in one_by_one]
    assert [answer(o, ids[grouped.id]) for o in together] == expected
    assert sum(o.stage_changed for o in one_by_one) >= 5  # decisions moved, with their factors
    assert sum(bool(o.list_changes) for o in one_by_one) >= 10
    assert sum(not o.created for o in one_by_one) >= 5
    assert state(session, grouped) == state(session, alone)


def test_a_group_with_an_unknown_lead_fails_whole(session: Session, team: Team) -> None:
    """The caller (the group commit) rolls the group back and runs its events one by one."""
    simulate(session, team_id=team.id, leads=2, days=5, seed=1)
    lead_id = session.scalars(select(Lead.id).where(Lead.team_id == team.id)).first()
    assert lead_id is not None
    events = [
        NewEvent(lead_id=lead_id, type="email_opened", idempotency_key="a"),
        NewEvent(lead_id=10**9, type="email_opened", idempotency_key="b"),
    ]
    with pytest.raises(NotFound):
        process_events(session, team=team, events=events, champion=Champion.fixed(None, None))
