"""The per-event loop: store once -> features -> rescore and reclassify -> lists -> flows.

Every accepted event, from any source (API, forms, tracking links, replies, the worker), goes
through `process_event` inside the caller's transaction, so when the call that delivered it
returns, the lead's new stage, score, list memberships and flow are committed together. A
repeated delivery (same idempotency key) stores nothing and changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from sqlalchemy.orm import Session

from features import online_rows
from flows.engine import react
from leads.events import EVENT_TYPES, NewEvent, record_event
from leads.list_membership import MembershipChange, refresh_lead
from leads.records import get_lead
from leads.tables import Lead, Team, utcnow
from leads.teams import settings_of
from model.champion import Champion
from model.lead_decisions import apply_decision, decide_rows
from model.policy import Decision


class Observer(Protocol):
    """Told what the loop did (the service counts it for its metrics)."""

    def event_stored(self, event_type: str) -> None: ...

    def decided(self, stage: str) -> None: ...


@dataclass(slots=True)
class Outcome:
    """What one event did to its lead."""

    event_id: int
    created: bool
    lead: Lead
    previous_stage: str
    decision: Decision | None = None
    list_changes: list[MembershipChange] = field(default_factory=list)

    @property
    def stage_changed(self) -> bool:
        return self.lead.stage != self.previous_stage


def rescore(
    session: Session,
    *,
    team: Team,
    lead: Lead,
    champion: Champion,
    event: NewEvent | None = None,
    lists_changed: tuple[str, ...] = (),
    new: bool = False,
    observer: Observer | None = None,
    now: datetime | None = None,
) -> tuple[Decision, list[MembershipChange]]:
    """Decide the lead from its current features, store the decision, update its lists (the
    lists the change can affect; every list for a `new` lead), then let the flows react."""
    served = champion.current
    previous = lead.stage
    settings = settings_of(team)
    scorer, version = (served.scorer, served.version) if served else (None, None)
    # Factors (LightGBM contributions) cost more than the score: only a stage change, which
    # the history keeps with its reasons, needs them.
    # One lead's features as plain columns: the compiled scorer and the rules read them without
    # a pandas frame, which for one row costs more than scoring it.
    rows = online_rows(session, team_id=team.id, lead_id=lead.id)
    decision = decide_rows(rows, settings, scorer=scorer, version=version)[0]
    if decision.stage != previous and scorer is not None and scorer.explains:
        decision = decide_rows(rows, settings, scorer=scorer, version=version, factors=True)[0]
    apply_decision(session, lead=lead, decision=decision)
    event_types = (event.type,) if event is not None else ()
    changes = refresh_lead(
        session,
        team_id=team.id,
        lead_id=lead.id,
        event_types=tuple(EVENT_TYPES) if new else event_types,
        fields_changed=True,
        lists_changed=lists_changed,
    )
    react(
        session,
        team=team,
        lead=lead,
        previous_stage=previous,
        event=event,
        list_changes=changes,
        now=now or utcnow(),
    )
    if observer is not None:
        observer.decided(decision.stage)
    return decision, changes


def process_event(
    session: Session,
    *,
    team: Team,
    event: NewEvent,
    champion: Champion,
    observer: Observer | None = None,
    now: datetime | None = None,
) -> Outcome:
    """Run one event through the loop (see the module docstring); `now` is the flows' clock."""
    # Loaded first and held: the session keeps clean objects only weakly, so the lead that
    # `record_event` checks would otherwise be read a second time.
    lead = get_lead(session, team_id=team.id, lead_id=event.lead_id)
    recorded = record_event(session, team_id=team.id, event=event)
    outcome = Outcome(recorded.event_id, recorded.created, lead, lead.stage)
    if not recorded.created:
        return outcome
    if observer is not None:
        observer.event_stored(event.type)
    outcome.decision, outcome.list_changes = rescore(
        session, team=team, lead=lead, champion=champion, event=event, observer=observer, now=now
    )
    return outcome
