"""The worker process: delivers due outbox rows, listens for inbound mail, keeps time-based
lists and the champion fresh. Several workers may run against PostgreSQL (they claim rows with
`FOR UPDATE SKIP LOCKED`); against SQLite run one."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from collections import Counter
from dataclasses import dataclass, field

from aiosmtpd.controller import Controller
from sqlalchemy import Engine, select

from flows.clock import Clock, SystemClock
from flows.drafts import DraftProvider, TemplateDrafts
from flows.inbound_smtp import InboundHandler
from flows.sender import Sender
from flows.settings import FlowSettings
from flows.smtp import SmtpMailer
from leads import db
from leads.list_membership import refresh_time_based
from leads.tables import Team
from model.champion import Champion

log = logging.getLogger(__name__)


def worker_name() -> str:
    """A name that tells workers apart in the outbox (host and process)."""
    return f"{socket.gethostname()}:{os.getpid()}"[:100]


@dataclass(slots=True)
class Worker:
    """One worker: its sender, and the chores it runs between deliveries."""

    engine: Engine
    settings: FlowSettings
    champion: Champion
    clock: Clock = field(default_factory=SystemClock)
    drafts: DraftProvider = field(default_factory=TemplateDrafts)
    name: str = field(default_factory=worker_name)
    team_id: int | None = None
    chores_every: float = 60.0
    sent: Counter[str] = field(default_factory=Counter)

    def sender(self) -> Sender:
        return Sender(
            sessions=db.session_factory(self.engine), mailer=SmtpMailer(self.settings),
            champion=self.champion, drafts=self.drafts, clock=self.clock,
            settings=self.settings, worker=self.name, team_id=self.team_id,
        )  # fmt: skip

    async def drain(self, sender: Sender) -> Counter[str]:
        """Deliver until nothing is due; what happened."""
        total: Counter[str] = Counter()
        while True:
            outcomes = await sender.run_once()
            if not outcomes:
                return total
            total.update(outcomes)

    async def run(self, stop: asyncio.Event) -> Counter[str]:
        """Work until `stop` is set."""
        sender = self.sender()
        chores_due = 0.0
        loop = asyncio.get_running_loop()
        try:
            while not stop.is_set():
                if loop.time() >= chores_due:
                    await asyncio.to_thread(self.chores)
                    chores_due = loop.time() + self.chores_every
                self.sent.update(await self.drain(sender))
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), self.settings.worker_poll_seconds)
        finally:
            await sender.mailer.close()
        return self.sent

    def chores(self) -> None:
        """Reload a moved champion; re-evaluate lists that time changes."""
        self.champion.refresh()
        sessions = db.session_factory(self.engine)
        with sessions() as session, session.begin():
            teams = list(session.scalars(select(Team.id)))
        for team_id in teams if self.team_id is None else [self.team_id]:
            with sessions() as session, session.begin():
                refresh_time_based(session, team_id=team_id, now=self.clock.now())


def inbound_listener(worker: Worker, host: str, port: int) -> Controller:
    """An SMTP listener for reply addresses, started (stop it with `.stop()`)."""
    handler = InboundHandler(db.session_factory(worker.engine), worker.champion, worker.clock)
    controller = Controller(handler, hostname=host, port=port)
    controller.start()
    return controller
