"""Leads: create, update, read with timeline and history, search and page, erase."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Response
from sqlalchemy import Select, or_, select

from flows.loop import rescore
from leads.erasure import erase_lead
from leads.errors import InvalidInput, ValidationFailed
from leads.history import history_of
from leads.lead_input import parse_lead_fields
from leads.lists import get_list
from leads.records import LeadChange, get_lead, upsert_lead
from leads.tables import STAGES, Event, Lead, LeadList, ListMembership, Team
from serving.api.convert import decision_out
from serving.deps import ServiceDep, TeamId
from serving.schemas import (
    Erasure,
    EventOut,
    HistoryOut,
    LeadDetail,
    LeadOut,
    LeadPage,
    LeadWritten,
)

router = APIRouter(prefix="/v1/leads", tags=["leads"])
TIMELINE = 200

LeadBody = Annotated[
    dict[str, Any],
    Body(
        examples=[
            {"email": "minji@acme.co.kr", "company": "Acme", "industry": "software",
             "revenue": "10억", "country": "대한민국", "attributes": {"plan": "trial"}}
        ]
    ),
]  # fmt: skip


def _change(body: dict[str, Any]) -> LeadChange:
    fields = dict(body)
    attributes = fields.pop("attributes", {}) or {}
    if not isinstance(attributes, dict):
        raise ValidationFailed("attributes", "must be an object of name -> value")
    parsed = parse_lead_fields(fields)
    if parsed.errors:
        raise InvalidInput(parsed.errors)
    return LeadChange.from_parsed(parsed, attributes)


@router.post("", status_code=201, response_model=LeadWritten)
async def create_lead(
    body: LeadBody, team_id: TeamId, service: ServiceDep, response: Response
) -> LeadWritten:
    """Create a lead, or update the person's existing record (200), then classify it."""
    change = _change(body)
    with service.transaction() as session:
        team = session.get_one(Team, team_id)
        outcome = upsert_lead(session, team_id=team_id, change=change)
        decision, _ = rescore(
            session, team=team, lead=outcome.lead, champion=service.champion,
            new=outcome.created, observer=service.metrics,
        )  # fmt: skip
        written = LeadWritten(
            lead=LeadOut.model_validate(outcome.lead),
            created=outcome.created,
            decision=decision_out(decision),
        )
    if not outcome.created:
        response.status_code = 200
    return written


@router.patch("/{lead_id}", response_model=LeadWritten)
async def update_lead(
    lead_id: int, body: LeadBody, team_id: TeamId, service: ServiceDep
) -> LeadWritten:
    """Change some of a lead's fields (blank values are ignored), then classify it again."""
    change = _change(body)
    with service.transaction() as session:
        team = session.get_one(Team, team_id)
        lead = get_lead(session, team_id=team_id, lead_id=lead_id)
        for name, value in change.values.items():
            setattr(lead, name, value)
        if change.attributes:
            lead.attributes = {**lead.attributes, **change.attributes}
        session.flush()
        decision, _ = rescore(
            session, team=team, lead=lead, champion=service.champion, observer=service.metrics
        )
        return LeadWritten(
            lead=LeadOut.model_validate(lead), created=False, decision=decision_out(decision)
        )


@router.get("/{lead_id}", response_model=LeadDetail)
async def read_lead(lead_id: int, team_id: TeamId, service: ServiceDep) -> LeadDetail:
    """The lead with its lists, its latest events (newest first) and its stage history."""
    with service.transaction() as session:
        lead = get_lead(session, team_id=team_id, lead_id=lead_id)
        events = session.scalars(
            select(Event)
            .where(Event.team_id == team_id, Event.lead_id == lead_id)
            .order_by(Event.occurred_at.desc(), Event.id.desc())
            .limit(TIMELINE)
        )
        lists = session.scalars(
            select(LeadList.name)
            .join(ListMembership, ListMembership.list_id == LeadList.id)
            .where(ListMembership.team_id == team_id, ListMembership.lead_id == lead_id)
            .order_by(LeadList.name)
        )
        return LeadDetail(
            lead=LeadOut.model_validate(lead),
            lists=list(lists),
            timeline=[EventOut.model_validate(e) for e in events],
            history=[HistoryOut.model_validate(h) for h in history_of(session, lead=lead)],
        )


@router.get("", response_model=LeadPage)
async def search_leads(
    team_id: TeamId,
    service: ServiceDep,
    stage: Annotated[str | None, Query(description="new, mql or sql")] = None,
    list_name: Annotated[str | None, Query(alias="list", description="A list's name.")] = None,
    score_min: Annotated[float | None, Query(ge=0, le=1)] = None,
    score_max: Annotated[float | None, Query(ge=0, le=1)] = None,
    q: Annotated[
        str | None, Query(max_length=200, description="Text in email, name, company.")
    ] = None,
    cursor: Annotated[int | None, Query(description="`next_cursor` of the previous page.")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> LeadPage:
    """Leads of the team by stage, list, score range and text, in pages (ordered by id)."""
    if stage is not None and stage not in STAGES:
        raise ValidationFailed("stage", f"{stage!r} is not one of {', '.join(STAGES)}")
    with service.transaction() as session:
        statement: Select[Lead] = select(Lead).where(Lead.team_id == team_id)
        if stage is not None:
            statement = statement.where(Lead.stage == stage)
        if list_name is not None:
            target = get_list(session, team_id=team_id, name=list_name)
            statement = statement.join(
                ListMembership,
                (ListMembership.lead_id == Lead.id) & (ListMembership.list_id == target.id),
            )
        if score_min is not None:
            statement = statement.where(Lead.score >= score_min)
        if score_max is not None:
            statement = statement.where(Lead.score <= score_max)
        if q:
            pattern = f"%{q.strip().lower()}%"
            statement = statement.where(
                or_(
                    Lead.email.ilike(pattern),
                    Lead.name.ilike(pattern),
                    Lead.company.ilike(pattern),
                )
            )
        if cursor is not None:
            statement = statement.where(Lead.id > cursor)
        found = list(session.scalars(statement.order_by(Lead.id).limit(limit + 1)))
        more = len(found) > limit
        page = found[:limit]
        return LeadPage(
            leads=[LeadOut.model_validate(lead) for lead in page],
            next_cursor=page[-1].id if more else None,
        )


@router.delete("/{lead_id}", response_model=Erasure)
async def delete_lead(lead_id: int, team_id: TeamId, service: ServiceDep) -> Erasure:
    """Erase the lead (GDPR): its events, lists and history go; a suppression of the address
    stays, so an unsubscribed person is never emailed again."""
    with service.transaction() as session:
        erased = erase_lead(session, team_id=team_id, lead_id=lead_id)
    return Erasure(
        lead_id=erased.lead_id,
        events_deleted=erased.events,
        suppression_kept=erased.suppression_kept,
    )
