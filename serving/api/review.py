"""The review queue's API: drafts by priority, one draft with why and what it used, and the
reviewer's decisions (approve as written or edited, reject with a reason, approve many).

The web page (`serving.api.review_pages`) shows the same queue through the functions here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Header, Query
from pydantic import BaseModel, Field
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from flows.review import approve, get_draft, reject
from leads.errors import ValidationFailed
from leads.flow_tables import EmailDraft, OutboxItem
from leads.tables import Lead, utcnow
from serving.deps import ServiceDep, TeamId

router = APIRouter(prefix="/v1/drafts", tags=["review"])

STATUSES = ("pending", "approved", "edited", "rejected", "sent")


class ApproveIn(BaseModel):
    """An approval, with the reviewer's edits (a changed subject or body makes it `edited`)."""

    subject: str | None = Field(default=None, max_length=500)
    body: str | None = Field(default=None, max_length=20_000)


class RejectIn(BaseModel):
    reason: str = Field(max_length=2000, description="Why the draft must not go out.")


class BulkApproveIn(BaseModel):
    ids: list[int] = Field(min_length=1, max_length=500, description="Drafts to approve.")


@dataclass(frozen=True, slots=True)
class Reviewed:
    """A draft with its lead and its outbox row (what a reviewer sees)."""

    draft: EmailDraft
    lead: Lead
    item: OutboxItem | None


def reviewer_of(
    x_reviewer: Annotated[
        str | None, Header(max_length=200, description="Who decides (an email); default `api`.")
    ] = None,
) -> str:
    return (x_reviewer or "").strip() or "api"


Reviewer = Annotated[str, Depends(reviewer_of)]


def queue(
    session: Session, *, team_id: int, status: str, limit: int, cursor: int | None = None
) -> tuple[list[Reviewed], int | None]:
    """A page of the team's drafts in `status`, highest priority first, then oldest; and the
    cursor of the next page (the last draft's id) or None at the end."""
    if status not in STATUSES:
        raise ValidationFailed("status", f"{status!r} is not one of {', '.join(STATUSES)}")
    statement = (
        select(EmailDraft, Lead)
        .join(Lead, Lead.id == EmailDraft.lead_id)
        .where(EmailDraft.team_id == team_id, EmailDraft.status == status)
    )
    if cursor is not None:
        after = session.get(EmailDraft, cursor)
        if after is None or after.team_id != team_id or after.status != status:
            raise ValidationFailed("cursor", "pass the next_cursor of the previous page")
        statement = statement.where(
            or_(
                EmailDraft.priority < after.priority,
                and_(
                    EmailDraft.priority == after.priority,
                    or_(
                        EmailDraft.created_at > after.created_at,
                        and_(EmailDraft.created_at == after.created_at, EmailDraft.id > after.id),
                    ),
                ),
            )
        )
    order = (EmailDraft.priority.desc(), EmailDraft.created_at, EmailDraft.id)
    rows = session.execute(statement.order_by(*order).limit(limit + 1)).all()
    page = [Reviewed(draft, lead, None) for draft, lead in rows[:limit]]
    return page, page[-1].draft.id if len(rows) > limit else None


def reviewed(session: Session, *, team_id: int, draft_id: int) -> Reviewed:
    """One draft of the team with its lead and outbox row."""
    draft = get_draft(session, team_id=team_id, draft_id=draft_id)
    item = session.get(OutboxItem, draft.outbox_id) if draft.outbox_id else None
    return Reviewed(draft, session.get_one(Lead, draft.lead_id), item)


def approve_many(
    session: Session, *, team_id: int, ids: list[int], reviewer: str, now: datetime
) -> list[EmailDraft]:
    """Approve the listed drafts as written; all or none (the caller's transaction)."""
    drafts = [get_draft(session, team_id=team_id, draft_id=i) for i in dict.fromkeys(ids)]
    return [approve(session, draft=draft, reviewer=reviewer, now=now) for draft in drafts]


def summary_out(found: Reviewed) -> dict[str, Any]:
    draft, lead = found.draft, found.lead
    return {
        "id": draft.id, "status": draft.status, "action": draft.action, "subject": draft.subject,
        "language": draft.language, "priority": draft.priority, "provider": draft.provider,
        "passed": draft.checks.get("passed"), "created_at": draft.created_at,
        "lead": {"id": lead.id, "name": lead.name, "company": lead.company, "stage": lead.stage,
                 "score": lead.score},
    }  # fmt: skip


def draft_out(found: Reviewed) -> dict[str, Any]:
    draft, item = found.draft, found.item
    outbox = None if item is None else {"id": item.id, "status": item.status, "due_at": item.due_at}
    return {
        **summary_out(found), "body": draft.body, "why": draft.context, "facts": draft.facts,
        "checks": draft.checks, "reviewer": draft.reviewer, "reason": draft.reason,
        "decided_at": draft.decided_at, "outbox": outbox,
    }  # fmt: skip


@router.get("")
async def list_drafts(
    team_id: TeamId,
    service: ServiceDep,
    status: Annotated[str, Query(description=", ".join(STATUSES))] = "pending",
    cursor: Annotated[int | None, Query(description="`next_cursor` of the previous page.")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> dict[str, Any]:
    """The team's drafts in a status (pending by default), highest priority (the lead's score)
    first, then oldest."""
    with service.transaction() as session:
        page, more = queue(session, team_id=team_id, status=status, limit=limit, cursor=cursor)
        return {"drafts": [summary_out(found) for found in page], "next_cursor": more}


@router.get("/{draft_id}")
async def show_draft(draft_id: int, team_id: TeamId, service: ServiceDep) -> dict[str, Any]:
    """One draft: its text, the lead, why this lead (`why`), the facts used and the guardrail
    checks."""
    with service.transaction() as session:
        return draft_out(reviewed(session, team_id=team_id, draft_id=draft_id))


@router.post("/{draft_id}:approve")
async def approve_draft(
    draft_id: int,
    team_id: TeamId,
    service: ServiceDep,
    reviewer: Reviewer,
    edits: Annotated[ApproveIn | None, Body()] = None,
) -> dict[str, Any]:
    """Approve a pending draft, optionally edited: its email goes back to the outbox, due at
    the next send-window moment. 409 when it was decided already."""
    edits = edits or ApproveIn()
    with service.transaction() as session:
        found = reviewed(session, team_id=team_id, draft_id=draft_id)
        approve(
            session, draft=found.draft, reviewer=reviewer, now=utcnow(), subject=edits.subject,
            body=edits.body,
        )  # fmt: skip
        return draft_out(found)


@router.post("/{draft_id}:reject")
async def reject_draft(
    draft_id: int, body: RejectIn, team_id: TeamId, service: ServiceDep, reviewer: Reviewer
) -> dict[str, Any]:
    """Reject a pending draft with a reason: its step is skipped and the flow moves on."""
    with service.transaction() as session:
        found = reviewed(session, team_id=team_id, draft_id=draft_id)
        reject(session, draft=found.draft, reviewer=reviewer, reason=body.reason, now=utcnow())
        return draft_out(found)


@router.post(":approve")
async def approve_drafts(
    body: BulkApproveIn, team_id: TeamId, service: ServiceDep, reviewer: Reviewer
) -> dict[str, Any]:
    """Approve the listed pending drafts as written, all or none (404 for an unknown id, 409
    for one decided already)."""
    with service.transaction() as session:
        done = approve_many(session, team_id=team_id, ids=body.ids, reviewer=reviewer, now=utcnow())
        return {"approved": [draft.id for draft in done]}
