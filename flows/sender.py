"""Delivering claimed outbox rows: check, draft, render, send, record - one transaction each.

Inside the transaction that sends, the row and the lead are checked again: a lead that
unsubscribed, bounced, booked a meeting or left the flow after the row was claimed gets
nothing (the row is cancelled). Only then is the email handed to SMTP, and the send is
recorded (`sent`, a `messages` row, an `email_sent` event through the per-event loop, the next
step scheduled) before the transaction commits. A worker killed after SMTP took the message
but before the commit leaves the row `sending`: it is sent again when the lease ends - the one
duplicate a kill can cause.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from flows.clock import Clock
from flows.definitions import definition_of
from flows.drafts import Draft, DraftProvider, StepContext
from flows.enrollments import END, advance, finish, lead_zone
from flows.invites import invite_email
from flows.loop import process_event
from flows.mail import render_email
from flows.meetings import INVITE, booking_url
from flows.outbox import claim, hold
from flows.review import hold_for_review
from flows.schedule import Delay, add_delay, next_send_time
from flows.settings import FlowSettings
from flows.smtp import SendFailed, SmtpMailer
from flows.tokens import new_message_token
from leads.events import NewEvent
from leads.flow_tables import EmailDraft, Enrollment, Flow, Meeting, Message, OutboxItem
from leads.suppression import is_suppressed
from leads.tables import Lead, Team
from leads.teams import settings_of, signing_key
from model.champion import Champion

CAPPED = ("campaign", "nurture")  # frequency caps apply to these flows, not to sales sequences


@dataclass(slots=True)
class Sender:
    """One worker's delivery of due outbox rows."""

    sessions: sessionmaker[Session]
    mailer: SmtpMailer
    champion: Champion
    drafts: DraftProvider
    clock: Clock
    settings: FlowSettings
    worker: str
    team_id: int | None = None  # deliver only this team's rows (tests, the demo)

    async def run_once(self) -> Counter[str]:
        """Claim due rows and deliver each; the count of outcomes (sent, cancelled, ...)."""
        now = self.clock.now()
        lease = timedelta(seconds=self.settings.worker_lease_seconds)
        with self.sessions() as session, session.begin():
            ids = claim(
                session, worker=self.worker, now=now, limit=self.settings.worker_batch,
                lease=lease, team_id=self.team_id,
            )  # fmt: skip
        outcomes: Counter[str] = Counter()
        for item_id in ids:
            outcomes[await self.deliver(item_id)] += 1
        return outcomes

    async def deliver(self, item_id: int) -> str:
        """Deliver one claimed row; what became of it."""
        with self.sessions() as session, session.begin():
            item = hold(session, item_id=item_id, worker=self.worker)
            if item is None:
                return "lost"  # the lease ran out and another worker took it
            team = session.get_one(Team, item.team_id)
            lead = session.get_one(Lead, item.lead_id)
            now = self.clock.now()
            if item.kind == END:
                finish(session, team=team, lead=lead, item=item, now=now)
                item.status, item.sent_at = "sent", now
                return "ended"
            if item.kind == INVITE:
                return await self._invite(session, team, lead, item)
            blocked = self._blocked(session, lead, item)
            if blocked is not None:
                item.status, item.last_error = "cancelled", blocked
                return "cancelled"
            if self._capped(session, team, lead, item):
                return "postponed"
            return await self._send(session, team, lead, item)

    def _blocked(self, session: Session, lead: Lead, item: OutboxItem) -> str | None:
        if lead.email is None:
            return "the lead has no email address"
        if lead.flow_state in ("suppressed", "meeting"):
            return f"the lead is {lead.flow_state}"
        if is_suppressed(session, team_id=lead.team_id, email=lead.email):
            return "the address is suppressed"
        if item.enrollment_id is not None:
            enrollment = session.get(Enrollment, item.enrollment_id)
            if enrollment is None or enrollment.status not in ("active", "paused"):
                return "the lead left the flow"
        return None

    async def _invite(self, session: Session, team: Team, lead: Lead, item: OutboxItem) -> str:
        """A meeting invite: sent even though the lead's flows stopped, never when suppressed."""
        meeting = session.get(Meeting, item.payload.get("meeting_id"))
        if meeting is None or lead.email is None:
            item.status, item.last_error = "cancelled", "the meeting or the address is gone"
            return "cancelled"
        if is_suppressed(session, team_id=team.id, email=lead.email):
            item.status, item.last_error = "cancelled", "the address is suppressed"
            return "cancelled"
        now = self.clock.now()
        message = invite_email(meeting, team=team, lead=lead, settings=settings_of(team), now=now)
        try:
            await self.mailer.send(message)
        except SendFailed as error:
            return self._failed(session, team, lead, item, error)
        item.status, item.sent_at, item.message_id = "sent", now, str(message["Message-ID"])
        return "sent"

    def _capped(self, session: Session, team: Team, lead: Lead, item: OutboxItem) -> bool:
        """Postpone a campaign or nurture email past the lead's weekly cap."""
        if item.payload.get("flow") not in CAPPED:
            return False
        now = self.clock.now()
        sent = session.scalar(
            select(func.count()).where(
                Message.lead_id == lead.id,
                Message.flow.in_(CAPPED),
                Message.sent_at > now - timedelta(days=7),
            )
        )
        if int(sent or 0) < settings_of(team).max_emails_per_week:
            return False
        window, zone = settings_of(team).send_window, lead_zone(lead, team)
        item.status = "pending"
        item.due_at = next_send_time(add_delay(now, Delay(days=1), window, zone), window, zone)
        item.last_error = "weekly cap reached"
        return True

    async def _send(self, session: Session, team: Team, lead: Lead, item: OutboxItem) -> str:
        assert lead.email is not None
        settings, key, now = settings_of(team), signing_key(session, team=team), self.clock.now()
        enrollment = session.get_one(Enrollment, item.enrollment_id)
        flow = session.get_one(Flow, enrollment.flow_id)
        steps = definition_of(flow).steps
        step = steps[item.step % len(steps)]
        url = booking_url(key, team_id=team.id, lead_id=lead.id, base_url=self.settings.public_url)
        reviewed = _reviewed(session, item)
        if reviewed is not None:
            draft = Draft(reviewed.subject, reviewed.body, reviewed.language, reviewed.provider)
        else:
            draft = self.drafts.draft(session, StepContext(team, lead, flow, item.step, step, url))
            if draft.needs_review:
                hold_for_review(session, team_id=team.id, lead=lead, item=item, draft=draft)
                return "held"
        token = new_message_token()
        rendered = render_email(
            key=key, team_id=team.id, sender=settings.sender, to_email=lead.email,
            to_name=lead.name, language=draft.language, subject=draft.subject, body=draft.body,
            base_url=self.settings.public_url, message_token=token,
            greeting_name=lead.first_name or lead.name, now=now,
        )  # fmt: skip
        try:
            await self.mailer.send(rendered.message)
        except SendFailed as error:
            return self._failed(session, team, lead, item, error)
        campaign = definition_of(flow).campaign or flow.name
        item.status, item.sent_at, item.message_id = "sent", now, rendered.message_id
        if reviewed is not None:
            reviewed.status = "sent"
        session.add(
            Message(
                team_id=team.id, lead_id=lead.id, outbox_id=item.id,
                message_id=rendered.message_id, token=token, subject=draft.subject[:500],
                flow=flow.kind, campaign=campaign, links=rendered.links, sent_at=now,
            )
        )  # fmt: skip
        session.flush()
        event = NewEvent(
            lead_id=lead.id, type="email_sent", occurred_at=now, source="flows",
            idempotency_key=f"outbox:{item.id}",
            payload={"campaign": campaign, "message": rendered.message_id, "flow": flow.kind,
                     "step": item.step, "action": item.kind, "draft": draft.source},
        )  # fmt: skip
        process_event(session, team=team, event=event, champion=self.champion, now=now)
        advance(session, team=team, lead=lead, item=item, sent_at=now)
        return "sent"

    def _failed(
        self, session: Session, team: Team, lead: Lead, item: OutboxItem, error: SendFailed
    ) -> str:
        now = self.clock.now()
        item.last_error = str(error)[:2000]
        if error.permanent:
            item.status = "failed"
            bounce = NewEvent(
                lead_id=lead.id, type="bounced", occurred_at=now, source="smtp",
                idempotency_key=f"bounce:{item.id}",
                payload={"permanent": True, "code": error.code, "reason": str(error)[:500]},
            )  # fmt: skip
            process_event(session, team=team, event=bounce, champion=self.champion, now=now)
            return "bounced"
        if item.attempts >= self.settings.max_attempts:
            item.status = "failed"
            return "gave up"
        item.status = "pending"
        # 1, 4, 16, 64 minutes, then every 6 hours (inside the send window): days, not hours.
        backoff = timedelta(seconds=min(6 * 3600.0, 60.0 * 4 ** (item.attempts - 1)))
        window, zone = settings_of(team).send_window, lead_zone(lead, team)
        item.due_at = next_send_time(now + backoff, window, zone)
        return "retry"


def _reviewed(session: Session, item: OutboxItem) -> EmailDraft | None:
    """The approved (or edited) draft a held step came back with, if any."""
    draft_id = item.payload.get("draft_id")
    draft = session.get(EmailDraft, draft_id) if draft_id is not None else None
    return draft if draft is not None and draft.status in ("approved", "edited") else None
