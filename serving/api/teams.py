"""The caller's team: its settings (ICP criteria, thresholds, send windows) and counts."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body

from leads.stats import team_stats
from leads.tables import Team
from leads.teams import settings_of, update_settings
from serving.deps import ServiceDep, TeamId

router = APIRouter(prefix="/v1/team", tags=["team"])


@router.get("/settings")
async def read_settings(team_id: TeamId, service: ServiceDep) -> dict[str, Any]:
    """The team's settings."""
    with service.transaction() as session:
        return settings_of(session.get_one(Team, team_id)).model_dump(mode="json")


@router.patch("/settings")
async def change_settings(
    changes: Annotated[
        dict[str, Any],
        Body(examples=[{"click_threshold": 4, "icp": {"industries": ["software"]}}]),
    ],
    team_id: TeamId,
    service: ServiceDep,
) -> dict[str, Any]:
    """Change some settings (nested objects merge); a wrong value is refused with its field.
    Leads are reclassified by the new thresholds as their next event arrives."""
    with service.transaction() as session:
        team = session.get_one(Team, team_id)
        return update_settings(session, team=team, changes=changes).model_dump(mode="json")


@router.get("/stats")
async def stats(team_id: TeamId, service: ServiceDep) -> dict[str, Any]:
    """Leads, events by type, lists, stages and flows of the team."""
    with service.transaction() as session:
        return team_stats(session, team_id=team_id)
