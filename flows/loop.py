"""The per-event loop: store once -> features -> rescore and reclassify -> lists -> flows.

Every accepted event, from any source (API, forms, tracking links, replies, the worker), goes
through `process_event` inside the caller's transaction, so when the call that delivered it
returns, the lead's new stage, score, list memberships and flow are committed together. A
repeated delivery (same idempotency key) stores nothing and changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from features import held_rows
from flows.engine import react
from leads.errors import NotFound
from leads.events import EVENT_TYPES, NewEvent, record_event
from leads.list_membership import LeadChange, MembershipChange, refresh_leads
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
    """What one event did to its lead: `stage` and `score` as this event left them (a later
    event of the same lead, processed in the same call, does not change them)."""

    event_id: int
    created: bool
    lead: Lead
    previous_stage: str
    decision: Decision | None = None
    list_changes: list[MembershipChange] = field(default_factory=list)
    stage: str = ""
    score: float | None = None

    @property
    def stage_changed(self) -> bool:
        return self.stage != self.previous_stage


@dataclass(frozen=True, slots=True)
class _Change:
    """What a lead's rescore reacts to."""

    lead: Lead
    event: NewEvent | None = None
    lists_changed: tuple[str, ...] = ()
    new: bool = False


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
    change = _Change(lead, event, lists_changed, new)
    (result,) = _rescore(
        session, team=team, changes=[change], champion=champion, observer=observer, now=now
    )
    return result


def _rescore(
    session: Session,
    *,
    team: Team,
    changes: Sequence[_Change],
    champion: Champion,
    observer: Observer | None,
    now: datetime | None,
) -> list[tuple[Decision, list[MembershipChange]]]:
    """`rescore` for distinct leads of the team at once: their features read in one query and
    scored in one call, their lists evaluated in one query per level. Each lead's result is the
    one `rescore` gives it alone (a lead's features, decision and lists read only its own)."""
    served = champion.current
    settings = settings_of(team)
    scorer, version = (served.scorer, served.version) if served else (None, None)
    previous = [change.lead.stage for change in changes]
    # One lead's features as plain columns: the compiled scorer and the rules read them without
    # a pandas frame, which for a few rows costs more than scoring them.
    rows = held_rows(session, leads=[change.lead for change in changes], settings=settings)
    position = {lead_id: n for n, lead_id in enumerate(rows.ids.tolist())}
    decided = decide_rows(rows, settings, scorer=scorer, version=version)
    decisions = [decided[position[change.lead.id]] for change in changes]
    # Factors (LightGBM contributions) cost more than the score: only a stage change, which
    # the history keeps with its reasons, needs them.
    if scorer is not None and scorer.explains:
        moved = [n for n, decision in enumerate(decisions) if decision.stage != previous[n]]
        if moved:
            some = rows.take([position[changes[n].lead.id] for n in moved])
            explained = decide_rows(some, settings, scorer=scorer, version=version, factors=True)
            for n, decision in zip(moved, explained, strict=True):
                decisions[n] = decision
    for change, decision in zip(changes, decisions, strict=True):
        apply_decision(session, lead=change.lead, decision=decision)
    memberships = refresh_leads(
        session,
        team_id=team.id,
        leads={
            change.lead.id: LeadChange(
                tuple(EVENT_TYPES) if change.new else _types(change.event),
                fields_changed=True,
                lists_changed=change.lists_changed,
            )
            for change in changes
        },
    )
    moment = now or utcnow()
    for change, stage in zip(changes, previous, strict=True):
        react(
            session,
            team=team,
            lead=change.lead,
            previous_stage=stage,
            event=change.event,
            list_changes=memberships[change.lead.id],
            now=moment,
        )
    if observer is not None:
        for decision in decisions:
            observer.decided(decision.stage)
    return [(d, memberships[c.lead.id]) for d, c in zip(decisions, changes, strict=True)]


def _types(event: NewEvent | None) -> tuple[str, ...]:
    return (event.type,) if event is not None else ()


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
    (outcome,) = process_events(
        session, team=team, events=[event], champion=champion, observer=observer, now=now
    )
    return outcome


def process_events(
    session: Session,
    *,
    team: Team,
    events: Sequence[NewEvent],
    champion: Champion,
    observer: Observer | None = None,
    now: datetime | None = None,
) -> list[Outcome]:
    """`process_event` for each of `events` (of one team), their outcomes in order, with each
    step done for many leads at once (the leads read in one query, their features in one, their
    lists in one per level): what a queue of events costs per event falls as it grows.

    The result is what processing the events one by one gives: the first event of each lead
    goes in a first round, a lead's second event in a second round after it, and so on (leads
    do not read each other: a lead's features, decision, lists and flows are its own).
    """
    outcomes: list[Outcome | None] = [None] * len(events)
    todo = list(enumerate(events))
    while todo:
        this_round: list[tuple[int, NewEvent]] = []
        later: list[tuple[int, NewEvent]] = []
        seen: set[int] = set()
        for item in todo:
            (later if item[1].lead_id in seen else this_round).append(item)
            seen.add(item[1].lead_id)
        done = _round(
            session,
            team=team,
            events=[event for _n, event in this_round],
            champion=champion,
            observer=observer,
            now=now,
        )
        for (n, _event), outcome in zip(this_round, done, strict=True):
            outcomes[n] = outcome
        todo = later
    return [outcome for outcome in outcomes if outcome is not None]


def _round(
    session: Session,
    *,
    team: Team,
    events: Sequence[NewEvent],
    champion: Champion,
    observer: Observer | None,
    now: datetime | None,
) -> list[Outcome]:
    """Events of distinct leads: stored, then their leads rescored together."""
    # Loaded first and held: the session keeps clean objects only weakly, so the lead that
    # `record_event` checks would otherwise be read a second time.
    leads = _leads(session, team_id=team.id, lead_ids=[event.lead_id for event in events])
    outcomes: list[Outcome] = []
    fresh: list[tuple[Outcome, _Change]] = []
    for event, lead in zip(events, leads, strict=True):
        recorded = record_event(session, team_id=team.id, event=event)
        outcome = Outcome(recorded.event_id, recorded.created, lead, lead.stage)
        outcomes.append(outcome)
        if recorded.created:
            if observer is not None:
                observer.event_stored(event.type)
            fresh.append((outcome, _Change(lead, event)))
    if fresh:
        results = _rescore(
            session,
            team=team,
            changes=[change for _outcome, change in fresh],
            champion=champion,
            observer=observer,
            now=now,
        )
        for (outcome, _change), (decision, changes) in zip(fresh, results, strict=True):
            outcome.decision, outcome.list_changes = decision, changes
    for outcome in outcomes:
        outcome.stage, outcome.score = outcome.lead.stage, outcome.lead.score
    return outcomes


def _leads(session: Session, *, team_id: int, lead_ids: Sequence[int]) -> list[Lead]:
    """The team's leads of `lead_ids`, in that order (`NotFound` for the first that is not)."""
    if len(lead_ids) == 1:  # the session's own look-up first
        return [get_lead(session, team_id=team_id, lead_id=lead_ids[0])]
    statement = select(Lead).where(Lead.team_id == team_id, Lead.id.in_(lead_ids))
    found = {lead.id: lead for lead in session.scalars(statement)}
    for lead_id in lead_ids:
        if lead_id not in found:
            raise NotFound("lead", lead_id)
    return [found[lead_id] for lead_id in lead_ids]
