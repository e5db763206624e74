"""Delivering claimed outbox rows: prepare the batch, send each row in its own transaction, then
book the sent ones together.

A claimed batch is read and its emails drafted and rendered first (`flows.batch`). Each email
then goes out in a short transaction of its own: the row is held, and the lead is checked
again - a lead that unsubscribed, bounced, booked a meeting or left the flow after the row was
claimed gets nothing (the row is cancelled). Only then is the email handed to SMTP; once SMTP
took it, the row becomes `accepted` and its `messages` row is written before the transaction
commits. What follows from the send (the `email_sent` event through the per-event loop, the
next step) is booked afterwards for the batch's accepted rows at once (`flows.booking`).

A worker killed after SMTP took a message but before that commit leaves the row `sending`: it
is sent again when the lease ends - the one duplicate a kill can cause. A row it left
`accepted` is only booked by the next worker, never sent again.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import timedelta
from email.policy import SMTP

from sqlalchemy.orm import Session, sessionmaker

from flows.batch import Email, Planned, prepare
from flows.booking import book
from flows.clock import Clock
from flows.drafts import DraftProvider
from flows.enrollments import END, finish, lead_zone
from flows.invites import invite_email
from flows.loop import process_event
from flows.mail import envelope_address
from flows.outbox import Facts, accept, blocked, claim, hold, hold_checked
from flows.review import hold_for_review
from flows.schedule import next_send_time
from flows.settings import FlowSettings
from flows.smtp import SendFailed, SmtpMailer
from leads.events import NewEvent
from leads.flow_tables import Meeting, OutboxItem
from leads.suppression import is_suppressed
from leads.tables import Lead, Team
from leads.teams import settings_of
from model.champion import Champion

BOOK_AT_ONCE = 20  # accepted rows booked in one transaction (short: SQLite has one writer)
_SEVEN_BIT = SMTP.clone(cte_type="7bit")  # any relay takes it, 8BITMIME or not


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
        """Claim due rows and deliver them; the count of outcomes (sent, cancelled, ...)."""
        now = self.clock.now()
        lease = timedelta(seconds=self.settings.worker_lease_seconds)
        with self.sessions() as session, session.begin():
            ids = claim(
                session, worker=self.worker, now=now, limit=self.settings.worker_batch,
                lease=lease, team_id=self.team_id,
            )  # fmt: skip
        return await self.deliver_all(ids)

    async def deliver(self, item_id: int) -> str:
        """Deliver one claimed row; what became of it."""
        outcomes = await self.deliver_all([item_id])
        return next(iter(outcomes), "lost")

    async def deliver_all(self, item_ids: list[int]) -> Counter[str]:
        """Deliver claimed rows: send them, then book those sent; the count of outcomes."""
        outcomes, accepted = await self.send_all(item_ids)
        return +(outcomes + self.book_all(accepted))

    async def send_all(self, item_ids: list[int]) -> tuple[Counter[str], list[int]]:
        """Prepare claimed rows, then send each in its own transaction; the outcomes of those
        not sent, and the ids of those `accepted` (to book: sent now, or by a killed worker)."""
        if not item_ids:
            return Counter(), []
        with self.sessions() as session, session.begin():
            batch = prepare(
                session, item_ids=item_ids, drafts=self.drafts, now=self.clock.now(),
                base_url=self.settings.public_url,
            )  # fmt: skip
        outcomes: Counter[str] = Counter(lost=len(item_ids) - batch.size)
        accepted = list(batch.to_book)
        for plan in batch.emails:
            outcome = await self._send(plan)
            if outcome == "accepted":
                accepted.append(plan.item_id)
            else:
                outcomes[outcome] += 1
        for item_id in batch.others:
            outcomes[await self._deliver_other(item_id)] += 1
        return outcomes, accepted

    def book_all(self, item_ids: list[int]) -> Counter[str]:
        """Book accepted rows, `BOOK_AT_ONCE` a transaction; how many were (`sent`) and how
        many another worker had taken (`lost`)."""
        outcomes: Counter[str] = Counter()
        for start in range(0, len(item_ids), BOOK_AT_ONCE):
            group = item_ids[start : start + BOOK_AT_ONCE]
            with self.sessions() as session, session.begin():
                booked = book(session, item_ids=group, worker=self.worker, champion=self.champion)
            outcomes.update(sent=len(booked), lost=len(group) - len(booked))
        return outcomes

    async def _send(self, plan: Planned) -> str:
        """One email row in its transaction: held and checked again, then sent (or cancelled,
        postponed, held for review)."""
        with self.sessions() as session, session.begin():
            facts = hold_checked(
                session, item_id=plan.item_id, worker=self.worker, address=plan.address
            )
            if facts is None:
                return "lost"  # the lease ran out and another worker took it
            if plan.email is not None and blocked(facts) is None and facts.email == plan.address:
                return await self._hand_over(session, plan, plan.email)
            return _instead(session, plan, facts)

    async def _hand_over(self, session: Session, plan: Planned, email: Email) -> str:
        """Send the email; once SMTP took it, the row is `accepted` and its message recorded."""
        rendered = email.rendered
        try:
            await self.mailer.send(
                sender=rendered.sender, recipient=rendered.recipient, data=rendered.raw
            )
        except SendFailed as error:
            item = session.get_one(OutboxItem, plan.item_id)
            team, lead = session.get_one(Team, plan.team_id), session.get_one(Lead, plan.lead_id)
            return self._failed(session, team, lead, item, error)
        sent = {"campaign": email.campaign, "draft": email.source}  # for the booking
        accept(
            session, item_id=plan.item_id, sent_at=self.clock.now(),
            payload={**plan.payload, "sent": sent},
            message={"team_id": plan.team_id, "lead_id": plan.lead_id,
                     "message_id": rendered.message_id, "token": email.token,
                     "subject": email.subject, "flow": email.flow, "campaign": email.campaign,
                     "links": rendered.links},
        )  # fmt: skip
        return "accepted"

    async def _deliver_other(self, item_id: int) -> str:
        """A flow's end or a meeting invite, in its transaction."""
        with self.sessions() as session, session.begin():
            if not hold(session, item_id=item_id, worker=self.worker):
                return "lost"
            item = session.get_one(OutboxItem, item_id)
            team = session.get_one(Team, item.team_id)
            lead = session.get_one(Lead, item.lead_id)
            now = self.clock.now()
            if item.kind == END:
                finish(session, team=team, lead=lead, item=item, now=now)
                item.status, item.sent_at = "sent", now
                return "ended"
            return await self._invite(session, team, lead, item)

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
        settings = settings_of(team)
        message = invite_email(meeting, team=team, lead=lead, settings=settings, now=now)
        try:
            await self.mailer.send(
                sender=envelope_address(settings.sender.from_email),
                recipient=envelope_address(lead.email),
                data=message.as_bytes(policy=_SEVEN_BIT),
            )
        except SendFailed as error:
            return self._failed(session, team, lead, item, error)
        item.status, item.sent_at, item.message_id = "sent", now, str(message["Message-ID"])
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


def _instead(session: Session, plan: Planned, facts: Facts) -> str:
    """What a held email row gets when it is not sent now: cancelled (the reason found now),
    prepared again (it changed since), postponed (weekly cap) or held for review."""
    item = session.get_one(OutboxItem, plan.item_id)
    reason = blocked(facts)
    if reason is not None:
        item.status, item.last_error = "cancelled", reason
        return "cancelled"
    if plan.error is not None:
        item.status, item.last_error = "failed", plan.error[:2000]
        return "failed"
    if facts.email != plan.address or (plan.review is None and plan.postpone_until is None):
        item.status, item.claimed_by, item.lease_until = "pending", None, None
        return "changed"  # the next batch prepares it again
    if plan.postpone_until is not None:
        item.status, item.due_at = "pending", plan.postpone_until
        item.last_error = "weekly cap reached"
        return "postponed"
    assert plan.review is not None
    lead = session.get_one(Lead, plan.lead_id)
    hold_for_review(session, team_id=plan.team_id, lead=lead, item=item, draft=plan.review)
    return "held"
