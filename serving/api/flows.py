"""Flows as data: create, import (YAML or JSON), list, switch on and off, preview send times."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Request
from sqlalchemy import select

from flows.definitions import create_flow, definition_of, get_flow, import_flows
from flows.enrollments import lead_zone
from flows.schedule import preview
from leads.errors import ValidationFailed
from leads.flow_tables import Flow
from leads.records import get_lead
from leads.tables import Team, utcnow
from leads.teams import settings_of
from serving.deps import ServiceDep, TeamId

router = APIRouter(prefix="/v1/flows", tags=["flows"])

EXAMPLE = {
    "name": "Sales sequence",
    "kind": "sequence",
    "definition": {
        "trigger": {"stage": "sql"},
        "steps": [
            {"action": "meeting_proposal", "subject": "{{ lead.company }} and {{ team.name }}",
             "body": "Could we talk this week? {{ booking_url }}"},
            {"action": "reminder", "delay": {"business_days": 2}, "subject": "Quick reminder",
             "body": "Here is my calendar: {{ booking_url }}"},
        ],
    },
}  # fmt: skip


def _out(flow: Flow) -> dict[str, Any]:
    return {
        "id": flow.id, "name": flow.name, "kind": flow.kind, "active": flow.active,
        "definition": flow.definition, "created_at": flow.created_at,
    }  # fmt: skip


@router.post("", status_code=201)
async def new_flow(
    body: Annotated[dict[str, Any], Body(examples=[EXAMPLE])], team_id: TeamId, service: ServiceDep
) -> dict[str, Any]:
    """Create a flow; a wrong step names its field (`definition.steps[1].delay.business_days`)."""
    with service.transaction() as session:
        flow = create_flow(
            session, team_id=team_id, name=str(body.get("name", "")),
            kind=str(body.get("kind", "")), definition=body.get("definition") or {},
        )  # fmt: skip
        return _out(flow)


@router.post(
    ":import",
    status_code=201,
    openapi_extra={
        "requestBody": {"content": {"application/yaml": {"schema": {"type": "string"}}}}
    },
)
async def import_document(
    request: Request, team_id: TeamId, service: ServiceDep
) -> list[dict[str, Any]]:
    """Create every flow of a YAML or JSON document (a list of name, kind, definition); all or
    nothing."""
    text = (await request.body()).decode("utf-8", errors="replace")
    with service.transaction() as session:
        return [_out(flow) for flow in import_flows(session, team_id=team_id, text=text)]


@router.get("")
async def all_flows(team_id: TeamId, service: ServiceDep) -> list[dict[str, Any]]:
    """The team's flows."""
    with service.transaction() as session:
        found = session.scalars(select(Flow).where(Flow.team_id == team_id).order_by(Flow.id))
        return [_out(flow) for flow in found]


@router.patch("/{flow_id}")
async def switch(
    flow_id: int,
    active: Annotated[bool, Body(embed=True)],
    team_id: TeamId,
    service: ServiceDep,
) -> dict[str, Any]:
    """Switch a flow on or off (an inactive flow starts no one; enrolled leads go on)."""
    with service.transaction() as session:
        flow = get_flow(session, team_id=team_id, flow_id=flow_id)
        flow.active = active
        return _out(flow)


@router.get("/{flow_id}/preview")
async def send_times(
    flow_id: int,
    team_id: TeamId,
    service: ServiceDep,
    lead_id: Annotated[int, Query(description="Whose time zone and window to use.")],
    start: Annotated[datetime | None, Query(description="When the lead would enter.")] = None,
) -> dict[str, Any]:
    """The exact time each step would go out for this lead if it entered now (or at `start`),
    inside the team's send window in the lead's time zone."""
    if start is not None and start.tzinfo is None:
        raise ValidationFailed("start", "give a time zone (e.g. 2026-12-01T09:00+09:00)")
    with service.transaction() as session:
        team = session.get_one(Team, team_id)
        flow = get_flow(session, team_id=team_id, flow_id=flow_id)
        lead = get_lead(session, team_id=team_id, lead_id=lead_id)
        steps = definition_of(flow).steps
        zone = lead_zone(lead, team)
        times = preview(
            start or utcnow(), [s.delay for s in steps], settings_of(team).send_window, zone
        )
        return {
            "flow": flow.name, "lead_id": lead.id, "timezone": zone,
            "steps": [
                {"step": t.step, "action": s.action, "local": t.local.isoformat(),
                 "utc": t.utc.isoformat()}
                for t, s in zip(times, steps, strict=True)
            ],
        }  # fmt: skip
