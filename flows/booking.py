"""Booking sent emails: the `email_sent` event through the per-event loop, the flow's next step,
the reviewed draft marked sent - for several accepted rows in one transaction.

The email and its `messages` row were recorded when SMTP took it (`flows.sender`); booking is
what follows, done after a batch's sends so that a send's own transaction stays short. Rows a
killed worker left `accepted` are booked by the worker that claims them next.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import update
from sqlalchemy.orm import Session

from flows.batch import rows_by_id
from flows.enrollments import advance
from flows.loop import process_event
from flows.outbox import to_book
from leads.events import NewEvent
from leads.flow_tables import EmailDraft, Enrollment, Flow, OutboxItem
from leads.tables import Lead, Team
from model.champion import Champion


def book(
    session: Session, *, item_ids: Sequence[int], worker: str, champion: Champion
) -> list[int]:
    """Book the accepted rows among `item_ids` that `worker` holds; the ids booked. The caller
    commits."""
    items = to_book(session, item_ids=item_ids, worker=worker)
    loaded = _Loaded(session, items)
    for item in items:
        assert item.sent_at is not None
        team, lead = loaded.teams[item.team_id], loaded.leads[item.lead_id]
        process_event(session, team=team, event=_sent(item), champion=champion, now=item.sent_at)
        advance(session, team=team, lead=lead, item=item, sent_at=item.sent_at)
    reviewed = {int(item.payload["draft_id"]) for item in items if item.payload.get("draft_id")}
    if reviewed:
        session.execute(
            update(EmailDraft)
            .where(EmailDraft.id.in_(reviewed), EmailDraft.status.in_(("approved", "edited")))
            .values(status="sent")
        )
    return [item.id for item in items]


def _sent(item: OutboxItem) -> NewEvent:
    """The row's `email_sent` event (what the send recorded in `payload["sent"]`)."""
    sent = item.payload.get("sent", {})
    return NewEvent(
        lead_id=item.lead_id, type="email_sent", occurred_at=item.sent_at, source="flows",
        idempotency_key=f"outbox:{item.id}",
        payload={"campaign": sent.get("campaign"), "message": item.message_id,
                 "flow": item.payload.get("flow"), "step": item.step, "action": item.kind,
                 "draft": sent.get("draft")},
    )  # fmt: skip


class _Loaded:
    """The rows' teams, leads, enrollments and flows, one query per table. Held here, they stay
    in the session (it keeps only referenced rows), where the loop and `advance` find them."""

    def __init__(self, session: Session, items: list[OutboxItem]) -> None:
        self.teams = rows_by_id(session, Team, {item.team_id for item in items})
        self.leads = rows_by_id(session, Lead, {item.lead_id for item in items})
        self.enrollments = rows_by_id(session, Enrollment, {item.enrollment_id for item in items})
        flow_ids = {enrollment.flow_id for enrollment in self.enrollments.values()}
        self.flows = rows_by_id(session, Flow, flow_ids)
