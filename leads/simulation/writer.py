"""Writing a simulated block through the record's own ingestion: leads, events, truth, documents."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from leads.bulk import gc_paused
from leads.documents import PageSpec, create_document
from leads.events import NewEvent, record_events
from leads.records import LeadChange, upsert_leads
from leads.simulation.batch import TYPES, Events
from leads.simulation.catalog import DOCUMENTS
from leads.simulation.clock import Clock
from leads.simulation.intent import Outcome
from leads.simulation.payloads import Payloads
from leads.tables import Document, SimulatedTruth

SOURCE = "simulator"
EVENT_CHUNK = 100_000


def ensure_documents(session: Session, *, team_id: int) -> int:
    """Create the team's Pulse documents that do not exist yet; returns how many were created."""
    existing = set(session.scalars(select(Document.slug).where(Document.team_id == team_id)))
    missing = [spec for spec in DOCUMENTS if spec.slug not in existing]
    for spec in missing:
        create_document(
            session,
            team_id=team_id,
            slug=spec.slug,
            title=spec.title,
            kind=spec.kind,
            pages=[PageSpec(title, topic) for title, topic in spec.pages],
        )
    return len(missing)


def write_leads(session: Session, *, team_id: int, changes: list[LeadChange]) -> list[int]:
    """Upsert the block's people and return their lead ids, in order.

    The block's Lead objects are expunged afterwards so a large run does not pile them up in
    the caller's session (they are flushed; nothing is lost).
    """
    outcomes = upsert_leads(
        session, team_id=team_id, changes=changes, id_source=SOURCE, actor=SOURCE
    )
    ids = [outcome.lead.id for outcome in outcomes]
    for outcome in outcomes:
        session.expunge(outcome.lead)
    return ids


def write_events(
    session: Session,
    *,
    team_id: int,
    events: Events,
    keys: Sequence[str],
    lead_ids: list[int],
    clock: Clock,
    payloads: Payloads,
) -> int:
    """Record `events` (keys in the same order) in chunks; returns how many rows were new."""
    new = 0
    for start in range(0, len(events), EVENT_CHUNK):
        part = events.take(np.arange(start, min(start + EVENT_CHUNK, len(events))))
        with gc_paused():
            rows = _new_events(part, keys[start : start + EVENT_CHUNK], lead_ids, clock, payloads)
        new += record_events(session, team_id=team_id, events=rows)
    return new


def _new_events(
    events: Events, keys: Sequence[str], lead_ids: list[int], clock: Clock, payloads: Payloads
) -> list[NewEvent]:
    build = payloads.build
    columns = zip(
        events.lead.tolist(),
        events.type.tolist(),
        events.a.tolist(),
        events.b.tolist(),
        events.c.tolist(),
        events.human.tolist(),
        clock.datetimes(events.t),
        keys,
        strict=True,
    )
    return [
        NewEvent(
            lead_id=lead_ids[lead],
            type=TYPES[kind],
            occurred_at=when,
            source=SOURCE,
            payload=build(kind, lead, a, b, c),
            idempotency_key=key,
            human=None if human < 0 else human,
        )
        for lead, kind, a, b, c, human, when, key in columns
    ]


def write_truth(
    session: Session,
    *,
    team_id: int,
    lead_ids: list[int],
    outcome: Outcome,
    final_intent: NDArray[np.float64],
) -> None:
    """Store (or refresh, on a re-run) each lead's p_convert, final intent and outcome."""
    rows = [
        {"lead_id": lead_id, "team_id": team_id, "p_convert": p, "intent": u, "converted": hit}
        for lead_id, p, u, hit in zip(
            lead_ids,
            outcome.p_convert.tolist(),
            final_intent.tolist(),
            outcome.converted.tolist(),
            strict=True,
        )
    ]
    stored = set(
        session.scalars(select(SimulatedTruth.lead_id).where(SimulatedTruth.lead_id.in_(lead_ids)))
    )
    fresh = [row for row in rows if row["lead_id"] not in stored]
    if fresh:
        session.execute(insert(SimulatedTruth), fresh)
    if stored:
        session.execute(update(SimulatedTruth), [r for r in rows if r["lead_id"] in stored])
    session.flush()
