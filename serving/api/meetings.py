"""Meetings: the booking page linked from sequence emails, and a webhook for schedulers."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, EmailStr, Field, model_validator
from sqlalchemy.orm import Session

from flows.meetings import book, booking_valid, free_slots, read_booking_token
from flows.schedule import as_zone
from leads.errors import NotFound, ValidationFailed
from leads.records import find_lead, get_lead
from leads.tables import Lead, Team, utcnow
from leads.teams import settings_of, signing_key
from serving.deps import ServiceDep, TeamId
from serving.pages import BOOKING, TEMPLATES, words

router = APIRouter(tags=["meetings"])


def _lead(session: Session, token: str) -> tuple[Team, Lead]:
    parsed = read_booking_token(token)
    team = session.get(Team, parsed[0]) if parsed else None
    if parsed is None or team is None or not booking_valid(signing_key(session, team=team), token):
        raise NotFound("booking page", "")
    return team, get_lead(session, team_id=team.id, lead_id=parsed[1])


def _page(
    request: Request, session: Session, team: Team, lead: Lead, *, booked: str = "", error: str = ""
) -> HTMLResponse:
    text = words(BOOKING, lead.language)
    zone = as_zone(settings_of(team).timezone)
    slots = [
        {"value": s.isoformat(), "label": s.astimezone(zone).strftime("%a %d %b %H:%M")}
        for s in ([] if booked else free_slots(session, team=team, now=utcnow()))
    ]
    return TEMPLATES.TemplateResponse(
        request, "booking.html",
        {"title": text["title"], "text": text, "slots": slots, "zone": str(zone),
         "booked": booked, "error": error, "team": team.name, "language": lead.language or "en"},
        status_code=422 if error else 200,
    )  # fmt: skip


@router.get("/meet/{token}", response_class=HTMLResponse, include_in_schema=False)
async def booking_page(token: str, request: Request, service: ServiceDep) -> HTMLResponse:
    """The team's free slots, in its time zone."""
    with service.transaction() as session:
        team, lead = _lead(session, token)
        return _page(request, session, team, lead)


@router.post("/meet/{token}", response_class=HTMLResponse, include_in_schema=False)
async def book_slot(
    token: str, request: Request, service: ServiceDep, slot: Annotated[str, Form()]
) -> HTMLResponse:
    """Book the chosen slot: flows stop and a calendar invite goes out."""
    with service.transaction() as session:
        team, lead = _lead(session, token)
        try:
            starts = datetime.fromisoformat(slot)
            book(
                session, team=team, lead=lead, starts_at=starts, ends_at=None,
                champion=service.champion, now=utcnow(),
            )  # fmt: skip
        except (ValueError, ValidationFailed):
            return _page(request, session, team, lead, error="That time is no longer free.")
        zone = as_zone(settings_of(team).timezone)
        return _page(
            request, session, team, lead, booked=starts.astimezone(zone).strftime("%a %d %b %H:%M")
        )


class MeetingIn(BaseModel):
    """A meeting booked in an outside scheduler (Calendly, Google Calendar, ...)."""

    lead_id: int | None = None
    email: EmailStr | None = None
    starts_at: datetime
    ends_at: datetime | None = None
    source: str = Field(default="webhook", min_length=1, max_length=32)
    external_id: str | None = Field(default=None, max_length=200)

    @model_validator(mode="after")
    def _who(self) -> MeetingIn:
        if (self.lead_id is None) == (self.email is None):
            raise ValueError("give lead_id or email")
        return self


@router.post("/v1/meetings", status_code=201)
async def booked_elsewhere(body: MeetingIn, team_id: TeamId, service: ServiceDep) -> dict[str, Any]:
    """Record a meeting booked elsewhere (idempotent per source and external_id)."""
    with service.transaction() as session:
        team = session.get_one(Team, team_id)
        if body.lead_id is not None:
            lead = get_lead(session, team_id=team_id, lead_id=body.lead_id)
        else:
            found = find_lead(session, team_id=team_id, email=str(body.email).lower())
            if found is None:
                raise NotFound("lead", body.email)
            lead = found
        meeting = book(
            session, team=team, lead=lead, starts_at=body.starts_at, ends_at=body.ends_at,
            champion=service.champion, now=utcnow(), source=body.source,
            external_id=body.external_id,
        )  # fmt: skip
        return {"meeting_id": meeting.id, "lead_id": lead.id, "flow_state": lead.flow_state}
