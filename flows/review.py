"""The review queue's effect on the flows: a held step waits for its draft's review.

When a draft provider asks for review, the worker stores the draft (`pending`) and holds the
outbox row. Approving (as written or edited) puts the row back in the outbox with the draft
attached, due at the next send-window moment; rejecting cancels the row and moves the flow on
to its next step. Every decision is in the lead's history with the reviewer and the reason.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from flows.drafts import Draft
from flows.enrollments import advance, lead_zone
from flows.schedule import next_send_time
from leads.errors import Conflict, NotFound, ValidationFailed
from leads.flow_tables import EmailDraft, OutboxItem
from leads.tables import Lead, LeadHistory, Team
from leads.teams import settings_of

MAX_SUBJECT, MAX_BODY = 300, 10_000


def hold_for_review(
    session: Session, *, team_id: int, lead: Lead, item: OutboxItem | None, draft: Draft
) -> EmailDraft:
    """Queue the draft for review, holding its outbox row (if any) until someone decides."""
    row = EmailDraft(
        team_id=team_id, lead_id=lead.id, outbox_id=item.id if item else None,
        status="pending", action=draft.action or (item.kind if item else "email"),
        subject=draft.subject[:500], body=draft.body, language=draft.language,
        priority=lead.score or 0.0, provider=draft.source, facts=list(draft.facts),
        checks=dict(draft.checks), context=dict(draft.context),
    )  # fmt: skip
    session.add(row)
    if item is not None:
        item.status, item.lease_until = "held", None
    session.flush()
    return row


def get_draft(session: Session, *, team_id: int, draft_id: int) -> EmailDraft:
    """A draft of this team."""
    draft = session.get(EmailDraft, draft_id)
    if draft is None or draft.team_id != team_id:
        raise NotFound("draft", draft_id)
    return draft


def _audit(session: Session, draft: EmailDraft, before: str, reviewer: str, detail: str) -> None:
    session.add(
        LeadHistory(
            team_id=draft.team_id, lead_id=draft.lead_id, kind="draft", from_value=before,
            to_value=draft.status, actor=reviewer[:64],
            reasons=[{"rule": "review", "detail": detail, "values": {"draft_id": draft.id}}],
        )
    )  # fmt: skip


def _pending(draft: EmailDraft) -> None:
    if draft.status != "pending":
        raise Conflict(f"draft {draft.id} is {draft.status}, not pending")


def approve(
    session: Session,
    *,
    draft: EmailDraft,
    reviewer: str,
    now: datetime,
    subject: str | None = None,
    body: str | None = None,
) -> EmailDraft:
    """Approve the draft (edited when a new subject or body is given); its step goes out."""
    _pending(draft)
    edited = False
    if subject is not None and subject.strip() != draft.subject:
        if not subject.strip() or len(subject) > MAX_SUBJECT:
            raise ValidationFailed("subject", f"1 to {MAX_SUBJECT} characters")
        draft.subject, edited = " ".join(subject.split()), True
    if body is not None and body.strip() != draft.body:
        if not body.strip() or len(body) > MAX_BODY:
            raise ValidationFailed("body", f"1 to {MAX_BODY} characters")
        draft.body, edited = body.strip(), True
    draft.status = "edited" if edited else "approved"
    draft.reviewer, draft.decided_at = reviewer, now
    item = session.get(OutboxItem, draft.outbox_id) if draft.outbox_id else None
    if item is not None and item.status == "held":
        team, lead = session.get_one(Team, draft.team_id), session.get_one(Lead, draft.lead_id)
        window, zone = settings_of(team).send_window, lead_zone(lead, team)
        item.status = "pending"
        item.due_at = next_send_time(now, window, zone)
        item.payload = {**item.payload, "draft_id": draft.id}
    _audit(session, draft, "pending", reviewer, "edited and approved" if edited else "approved")
    session.flush()
    return draft


def reject(
    session: Session, *, draft: EmailDraft, reviewer: str, reason: str, now: datetime
) -> EmailDraft:
    """Reject the draft with a reason: its step is skipped and the flow moves on."""
    _pending(draft)
    if not reason.strip():
        raise ValidationFailed("reason", "say why the draft is rejected")
    draft.status, draft.reviewer, draft.reason, draft.decided_at = "rejected", reviewer, reason, now
    item = session.get(OutboxItem, draft.outbox_id) if draft.outbox_id else None
    if item is not None and item.status == "held":
        item.status, item.last_error = "cancelled", f"draft rejected: {reason}"[:500]
        team, lead = session.get_one(Team, draft.team_id), session.get_one(Lead, draft.lead_id)
        advance(session, team=team, lead=lead, item=item, sent_at=now)
    _audit(session, draft, "pending", reviewer, f"rejected: {reason}")
    session.flush()
    return draft
