"""`simulate`: fill a team with a synthetic but realistic B2B population and its history."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from time import perf_counter

import numpy as np
from sqlalchemy.orm import Session

from leads.errors import NotFound, ValidationFailed
from leads.simulation.batch import TYPES, Events
from leads.simulation.block import Block, simulate_block
from leads.simulation.catalog import Catalog
from leads.simulation.clock import Clock
from leads.simulation.companies import Companies, make_companies
from leads.simulation.payloads import LeadContext, Payloads, team_size
from leads.simulation.people import INTERESTS, People, lead_changes, make_people
from leads.simulation.writer import ensure_documents, write_events, write_leads, write_truth
from leads.tables import Team, utcnow

Progress = Callable[[str, int, int], None]
BLOCK = 5_000
LEADS_PER_COMPANY = 4


@dataclass(frozen=True, slots=True)
class SimulationReport:
    """What a simulation produced (`events` counts all simulated events, `new_events` the rows
    this run added: 0 when the same simulation had already been written)."""

    leads: int
    events: int
    new_events: int
    events_by_type: dict[str, int]
    meetings: int
    conversions: int
    documents_created: int
    start: datetime
    seconds: float


def simulate(
    session: Session,
    *,
    team_id: int,
    leads: int,
    days: int,
    seed: int,
    start: datetime | None = None,
    progress: Progress | None = None,
) -> SimulationReport:
    """Simulate `leads` leads over `days` days from `start` into a team.

    `start` defaults to `default_start`: the UTC midnight `days` days before today.

    Deterministic for a seed: the same arguments give the same leads and events (and the same
    idempotency keys, so a re-run adds nothing). Events at or after now are not written.
    `progress(stage, done, total)` is called with stage "leads" and "events" and counts of leads.
    The caller owns the transaction: this flushes but never commits.
    """
    began = perf_counter()
    _check(session, team_id=team_id, leads=leads, days=days)
    now = utcnow()
    root = np.random.default_rng(seed)
    run = _Run(
        session=session,
        team_id=team_id,
        clock=Clock.make(start or default_start(now, days), days, now),
        catalog=Catalog.build(days),
        companies=make_companies(root, max(1, leads // LEADS_PER_COMPANY)),
        key_prefix=f"sim:{seed}:{leads}x{days}:",
    )
    documents = ensure_documents(session, team_id=team_id)
    firsts = range(0, leads, BLOCK)
    for rng, first in zip(root.spawn(len(firsts)), firsts, strict=True):
        done = min(first + BLOCK, leads)
        people, lead_ids = run.add_leads(rng, done - first)
        if progress:
            progress("leads", done, leads)
        run.add_events(rng, people, lead_ids)
        if progress:
            progress("events", done, leads)
    return run.report(documents, perf_counter() - began)


def default_start(now: datetime, days: int) -> datetime:
    """The UTC midnight `days` days before today: the run covers whole days and ends by now, and
    re-running it on the same day gives the very same events."""
    midnight = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return midnight - timedelta(days=days)


def _check(session: Session, *, team_id: int, leads: int, days: int) -> None:
    if session.get(Team, team_id) is None:
        raise NotFound("team", team_id)
    if leads < 0:
        raise ValidationFailed("leads", "must be 0 or more")
    if days < 1:
        raise ValidationFailed("days", "must be 1 or more")


@dataclass(slots=True)
class _Run:
    """A simulation in progress: what its blocks share, and the running totals."""

    session: Session
    team_id: int
    clock: Clock
    catalog: Catalog
    companies: Companies
    key_prefix: str
    taken: set[str] = field(default_factory=set)
    numbered: int = 0
    new: int = 0
    conversions: int = 0
    by_type: Counter[str] = field(default_factory=Counter)

    def add_leads(self, rng: np.random.Generator, count: int) -> tuple[People, list[int]]:
        """Draw and upsert a block of people; returns them and their lead ids."""
        people = make_people(rng, self.companies, count, self.taken)
        changes = lead_changes(people, self.companies)
        return people, write_leads(self.session, team_id=self.team_id, changes=changes)

    def add_events(self, rng: np.random.Generator, people: People, lead_ids: list[int]) -> None:
        """Simulate the block's behaviour and write its events and truth."""
        block = simulate_block(rng, people, self.companies, self.catalog, self.clock)
        events, keys = self._numbered(block)
        self.new += write_events(
            self.session,
            team_id=self.team_id,
            events=events,
            keys=keys,
            lead_ids=lead_ids,
            clock=self.clock,
            payloads=Payloads(self.catalog, _context(people, self.companies)),
        )
        write_truth(
            self.session,
            team_id=self.team_id,
            lead_ids=lead_ids,
            outcome=block.outcome,
            final_intent=block.final_intent,
        )
        self.conversions += int(block.outcome.converted.sum())
        counts = np.bincount(events.type, minlength=len(TYPES)).tolist()
        self.by_type.update(dict(zip(TYPES, counts, strict=True)))

    def _numbered(self, block: Block) -> tuple[Events, list[str]]:
        """The block's events before the cut-off, with their idempotency keys.

        Every simulated event is numbered before the cut, so a key never depends on the clock;
        numbers are zero-padded so keys sort in the order they are written.
        """
        numbers = np.arange(self.numbered, self.numbered + len(block.events))
        self.numbered += len(block.events)
        kept = block.events.t < self.clock.limit_ms
        keys = [f"{self.key_prefix}{n:010d}" for n in numbers[kept].tolist()]
        return block.events.take(kept), keys

    def report(self, documents: int, seconds: float) -> SimulationReport:
        return SimulationReport(
            leads=len(self.taken),
            events=sum(self.by_type.values()),
            new_events=self.new,
            events_by_type={name: self.by_type[name] for name in TYPES if self.by_type[name]},
            meetings=self.by_type["meeting_booked"],
            conversions=self.conversions,
            documents_created=documents,
            start=self.clock.start,
            seconds=seconds,
        )


def _context(people: People, companies: Companies) -> LeadContext:
    company = people.company.tolist()
    return LeadContext(
        company=[companies.name[c] for c in company],
        team_size=[team_size(int(companies.employees[c])) for c in company],
        language=["ko" if k else "en" for k in people.korean.tolist()],
        interests=[list(INTERESTS[i]) for i in people.interests.tolist()],
    )
