"""Erasing a lead (GDPR right to erasure): the person's record goes, their suppression stays."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from leads.flow_tables import EmailDraft, Enrollment, Meeting, Message, OutboxItem
from leads.records import get_lead
from leads.suppression import suppression_of
from leads.tables import Event, LeadHistory, ListMembership, SimulatedTruth


@dataclass(frozen=True, slots=True)
class Erased:
    """What an erasure removed, and whether the address stays suppressed."""

    lead_id: int
    events: int
    suppression_kept: bool


def erase_lead(session: Session, *, team_id: int, lead_id: int) -> Erased:
    """Delete the lead, its events, list memberships, history, flows, messages and meetings.

    A suppression of the address (unsubscribed, bounced) is not touched: it is keyed by a hash
    of the address, so the erased person is still never emailed.
    """
    lead = get_lead(session, team_id=team_id, lead_id=lead_id)
    events = session.scalar(select(func.count()).select_from(Event).where(Event.lead_id == lead_id))
    kept = lead.email is not None and (
        suppression_of(session, team_id=team_id, email=lead.email) is not None
    )
    # Explicit deletes: the database cascades too, but only where foreign keys are enforced.
    flows = (EmailDraft, Message, OutboxItem, Enrollment, Meeting)
    tables = (*flows, Event, ListMembership, LeadHistory)
    for table in (*tables, SimulatedTruth):
        session.execute(delete(table).where(table.lead_id == lead_id))
    session.delete(lead)
    session.flush()
    return Erased(lead_id=lead_id, events=int(events or 0), suppression_kept=kept)
