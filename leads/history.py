"""A lead's stage and flow changes, each kept with its reasons."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from leads.errors import ValidationFailed
from leads.tables import FLOW_STATES, STAGES, Lead, LeadHistory

Reasons = list[dict[str, Any]]


def change_stage(
    session: Session, *, lead: Lead, to: str, reasons: Reasons, actor: str = "system"
) -> LeadHistory | None:
    """Move the lead to stage `to` (new, mql, sql); the history row, or None if unchanged."""
    if to not in STAGES:
        raise ValidationFailed("stage", f"{to!r} is not one of {', '.join(STAGES)}")
    if lead.stage == to:
        return None
    return _record(session, lead, "stage", lead.stage, to, reasons, actor, "stage")


def change_flow(
    session: Session, *, lead: Lead, to: str | None, reasons: Reasons, actor: str = "system"
) -> LeadHistory | None:
    """Move the lead to flow state `to`; only `force_flow` takes a lead out of suppression."""
    if to is not None and to not in FLOW_STATES:
        raise ValidationFailed("flow_state", f"{to!r} is not one of {', '.join(FLOW_STATES)}")
    if lead.flow_state == to or lead.flow_state == "suppressed":
        return None
    return _record(session, lead, "flow", lead.flow_state, to, reasons, actor, "flow_state")


def force_flow(
    session: Session, *, lead: Lead, to: str | None, reasons: Reasons, actor: str
) -> LeadHistory | None:
    """Move the lead to `to` even out of suppression (a person re-subscribed, said by `actor`)."""
    if lead.flow_state == to:
        return None
    return _record(session, lead, "flow", lead.flow_state, to, reasons, actor, "flow_state")


def _record(
    session: Session,
    lead: Lead,
    kind: str,
    before: str | None,
    after: str | None,
    reasons: Reasons,
    actor: str,
    attribute: str,
) -> LeadHistory:
    setattr(lead, attribute, after)
    session.flush()
    row = LeadHistory(
        team_id=lead.team_id,
        lead_id=lead.id,
        kind=kind,
        from_value=before,
        to_value=after,
        reasons=reasons,
        actor=actor,
    )
    session.add(row)
    return row


def history_of(session: Session, *, lead: Lead) -> list[LeadHistory]:
    """The lead's changes, oldest first."""
    return list(
        session.scalars(
            select(LeadHistory)
            .where(LeadHistory.lead_id == lead.id, LeadHistory.team_id == lead.team_id)
            .order_by(LeadHistory.at, LeadHistory.id)
        )
    )
