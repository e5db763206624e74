"""Counts that describe a team's record: leads, events by type, lists, stages."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from leads.lists import list_sizes
from leads.tables import Event, Lead


def team_stats(session: Session, *, team_id: int) -> dict[str, Any]:
    """The team's counts, as plain JSON-ready data."""
    leads = session.scalar(select(func.count()).where(Lead.team_id == team_id)) or 0
    return {
        "leads": leads,
        "events": _grouped(session, Event.type, Event.team_id == team_id),
        "lists": list_sizes(session, team_id=team_id),
        "stages": _grouped(session, Lead.stage, Lead.team_id == team_id),
        "flows": _grouped(session, func.coalesce(Lead.flow_state, "none"), Lead.team_id == team_id),
    }


def _grouped(session: Session, column: Any, condition: Any) -> dict[str, int]:
    rows = session.execute(
        select(column, func.count()).where(condition).group_by(column).order_by(column)
    )
    return {str(key): count for key, count in rows}
