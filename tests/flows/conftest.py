"""A real SMTP server on loopback (aiosmtpd), a clock moved by hand, and a team with flows."""

from __future__ import annotations

import asyncio
import email
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.policy import default
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from sqlalchemy import Engine, select

from flows.clock import ManualClock
from flows.definitions import create_flow
from flows.drafts import TemplateDrafts
from flows.loop import Outcome, process_event
from flows.sender import Sender
from flows.settings import FlowSettings
from flows.smtp import SmtpMailer
from leads import db
from leads.events import NewEvent
from leads.flow_tables import Message, OutboxItem
from leads.records import LeadChange, upsert_lead
from leads.tables import Event, Lead, LeadList, ListMembership, Team
from leads.teams import create_team
from model.champion import Champion
from tests.factories import free_port


@dataclass
class Catcher:
    """Collects what the SMTP server accepted; refuses the addresses told to."""

    messages: list[EmailMessage] = field(default_factory=list)
    refuse: dict[str, str] = field(default_factory=dict)  # address -> SMTP reply

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook name
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(  # noqa: N802
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        content = envelope.original_content or b""
        self.messages.append(email.message_from_bytes(content, policy=default))  # type: ignore[arg-type]
        return "250 Message accepted"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if address in str(m["To"])]


@pytest.fixture
def smtp_server() -> Iterator[tuple[Catcher, int]]:
    catcher = Catcher()
    port = free_port()
    controller = Controller(catcher, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield catcher, port
    finally:
        controller.stop()


# A Monday 08:00 in Seoul, weeks ago, so every simulated moment is in the real past.
START = datetime(2026, 10, 26, 8, 0, tzinfo=UTC) - timedelta(hours=9)

SEQUENCE = {
    "trigger": {"stage": "sql"},
    "campaign": "sales-q4",
    "steps": [
        {"action": "meeting_proposal", "subject": "{{ lead.company }} x {{ team.name }}",
         "body": "Could we talk this week? Pick a time: {{ booking_url }}"},
        {"action": "reminder", "delay": {"business_days": 2},
         "subject": "Re: {{ lead.company }}", "body": "A quick reminder: {{ booking_url }}"},
        {"action": "reminder", "delay": {"business_days": 3},
         "subject": "Last note", "body": "Here is our case study: https://example.com/case"},
    ],
}  # fmt: skip
CAMPAIGN = {
    "trigger": {"stage": "mql"},
    "campaign": "onboarding",
    "steps": [
        {"action": "onboarding_content", "subject": "Getting started",
         "body": "Our guide: https://example.com/guide and pricing https://example.com/pricing"},
        {"action": "onboarding_content", "delay": {"days": 2}, "subject": "Customer stories",
         "body": "Read how others did it: https://example.com/stories"},
    ],
}  # fmt: skip
NURTURE = {
    "campaign": "newsletter",
    "repeat": True,
    "steps": [{"action": "nurture_newsletter", "delay": {"days": 7}, "subject": "News",
               "body": "This month: https://example.com/news"}],
}  # fmt: skip


@dataclass
class World:
    """A team with the three flows, its clock, its worker and the SMTP server."""

    engine: Engine
    team_id: int
    clock: ManualClock
    sender: Sender
    catcher: Catcher
    champion: Champion

    def lead(self, **values: Any) -> int:
        values.setdefault("email", f"lead-{uuid.uuid4().hex[:8]}@example.com")
        values.setdefault("company", "Acme")
        with db.unit_of_work(self.engine) as session:
            return upsert_lead(session, team_id=self.team_id, change=LeadChange(values)).lead.id

    def event(self, lead_id: int, kind: str, **payload: Any) -> Outcome:
        with db.unit_of_work(self.engine) as session:
            team = session.get_one(Team, self.team_id)
            return process_event(
                session, team=team, champion=self.champion, now=self.clock.now(),
                event=NewEvent(lead_id=lead_id, type=kind, occurred_at=self.clock.now(),
                               payload=payload, idempotency_key=uuid.uuid4().hex),
            )  # fmt: skip

    def run(self, until: datetime, step: timedelta = timedelta(hours=1)) -> None:
        """Move the clock to `until` hour by hour, running the worker at each tick."""

        async def ticking() -> None:
            while self.clock.now() < until:
                self.clock.advance(min(step, until - self.clock.now()))
                while sum((await self.sender.run_once()).values()):
                    pass
            await self.sender.mailer.close()

        asyncio.run(ticking())

    def state(self, lead_id: int) -> Lead:
        with db.unit_of_work(self.engine) as session:
            return session.get_one(Lead, lead_id)

    @property
    def team_name(self) -> str:
        with db.unit_of_work(self.engine) as session:
            return session.get_one(Team, self.team_id).name

    def messages(self, lead_id: int) -> list[Message]:
        with db.unit_of_work(self.engine) as session:
            return list(
                session.scalars(
                    select(Message).where(Message.lead_id == lead_id).order_by(Message.id)
                )
            )

    def events(self, lead_id: int, kind: str) -> list[Event]:
        with db.unit_of_work(self.engine) as session:
            found = select(Event).where(Event.lead_id == lead_id, Event.type == kind)
            return list(session.scalars(found.order_by(Event.id)))

    def lists(self, lead_id: int) -> list[str]:
        with db.unit_of_work(self.engine) as session:
            found = (
                select(LeadList.name)
                .join(ListMembership, ListMembership.list_id == LeadList.id)
                .where(ListMembership.lead_id == lead_id)
            )
            return list(session.scalars(found))

    def outbox(self, lead_id: int) -> list[OutboxItem]:
        with db.unit_of_work(self.engine) as session:
            return list(
                session.scalars(
                    select(OutboxItem).where(OutboxItem.lead_id == lead_id).order_by(OutboxItem.id)
                )
            )


@pytest.fixture
def world(engine: Engine, smtp_server: tuple[Catcher, int]) -> World:
    catcher, port = smtp_server
    settings = {
        "timezone": "Asia/Seoul",
        "sender": {"from_name": "Lumen Sales", "from_email": "sales@lumen.example",
                   "reply_domain": "reply.lumen.example", "postal_address": "1 Main St, Seoul"},
    }  # fmt: skip
    with db.unit_of_work(engine) as session:
        team, _key = create_team(session, name=f"flows-{uuid.uuid4().hex[:8]}", settings=settings)
        for name, kind, definition in (
            ("Sales sequence", "sequence", SEQUENCE),
            ("Onboarding", "campaign", CAMPAIGN),
            ("Newsletter", "nurture", NURTURE),
        ):
            create_flow(session, team_id=team.id, name=name, kind=kind, definition=definition)
        team_id = team.id
    clock = ManualClock(START)
    flow_settings = FlowSettings(
        smtp_host="127.0.0.1", smtp_port=port, public_url="https://track.lumen.example"
    )
    champion = Champion.fixed(None, None)
    sender = Sender(
        sessions=db.session_factory(engine), mailer=SmtpMailer(flow_settings),
        champion=champion, drafts=TemplateDrafts(), clock=clock, settings=flow_settings,
        worker="test-worker", team_id=team_id,
    )  # fmt: skip
    return World(engine, team_id, clock, sender, catcher, champion)
