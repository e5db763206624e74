"""The agent over HTTP: draft a lead's next email, its company's description, the content
library the agent may use."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Request
from pydantic import BaseModel, Field, HttpUrl
from sqlalchemy import select

from leads.errors import Conflict
from leads.flow_tables import ContentItem
from leads.records import get_lead
from leads.tables import Team
from serving.agent_drafts import DESCRIPTION, AgentDrafts
from serving.agent_queue import describe_lead, draft_for_lead
from serving.deps import ServiceDep, TeamId

router = APIRouter(prefix="/v1", tags=["agent"])


def _drafts(request: Request) -> AgentDrafts:
    """The app's agent (its model is loaded once, on first use)."""
    drafts: AgentDrafts | None = getattr(request.app.state, "agent_drafts", None)
    if drafts is None:
        drafts = request.app.state.agent_drafts = AgentDrafts(request.app.state.service.champion)
    return drafts


@router.post("/leads/{lead_id}/draft")
async def draft(
    lead_id: int, request: Request, team_id: TeamId, service: ServiceDep
) -> dict[str, Any]:
    """Pick and write the lead's next email; it waits in the review queue (`draft_id`)."""
    drafts = _drafts(request)
    with service.transaction() as session:
        team = session.get_one(Team, team_id)
        lead = get_lead(session, team_id=team_id, lead_id=lead_id)
        return draft_for_lead(session, team=team, lead=lead, drafts=drafts)


@router.post("/leads/{lead_id}/description")
async def write_description(lead_id: int, team_id: TeamId, service: ServiceDep) -> dict[str, str]:
    """Write the lead's company description from the record (stored; edit it with PUT)."""
    with service.transaction() as session:
        team = session.get_one(Team, team_id)
        lead = get_lead(session, team_id=team_id, lead_id=lead_id)
        return {"description": describe_lead(session, team=team, lead=lead)}


@router.put("/leads/{lead_id}/description")
async def edit_description(
    lead_id: int,
    text: Annotated[str, Body(embed=True, min_length=1, max_length=2000)],
    team_id: TeamId,
    service: ServiceDep,
) -> dict[str, str]:
    """Replace the lead's company description with a person's text."""
    with service.transaction() as session:
        lead = get_lead(session, team_id=team_id, lead_id=lead_id)
        lead.attributes = {**lead.attributes, DESCRIPTION: text.strip()}
        return {"description": text.strip()}


class ContentIn(BaseModel):
    """A piece of content the agent may attach: onboarding guides, newsletters, case studies."""

    slug: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,99}$")
    kind: Literal["onboarding", "newsletter", "case_study", "document", "other"] = "other"
    title: str = Field(min_length=1, max_length=300)
    url: HttpUrl
    summary: str = Field(default="", max_length=2000)
    language: Literal["en", "ko"] = "en"


@router.post("/content", status_code=201)
async def add_content(item: ContentIn, team_id: TeamId, service: ServiceDep) -> dict[str, Any]:
    """Add to the team's content library."""
    with service.transaction() as session:
        taken = session.scalar(
            select(ContentItem.id).where(
                ContentItem.team_id == team_id, ContentItem.slug == item.slug
            )
        )
        if taken is not None:
            raise Conflict(f"content {item.slug!r} exists already")
        row = ContentItem(team_id=team_id, **{**item.model_dump(), "url": str(item.url)})
        session.add(row)
        session.flush()
        return {"id": row.id, **item.model_dump(mode="json")}


@router.get("/content")
async def content(team_id: TeamId, service: ServiceDep) -> list[dict[str, Any]]:
    """The team's content library."""
    with service.transaction() as session:
        rows = session.scalars(
            select(ContentItem).where(ContentItem.team_id == team_id).order_by(ContentItem.id)
        )
        return [
            {"id": r.id, "slug": r.slug, "kind": r.kind, "title": r.title, "url": r.url,
             "summary": r.summary, "language": r.language}
            for r in rows
        ]  # fmt: skip
