"""The flows part of `leadpulse demo`: emails go out to a local SMTP catcher, then opens,
clicks, a scanner, replies and an unsubscribe come back through the real endpoints."""

from __future__ import annotations

import asyncio
import email
import re
import smtplib
import socket
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.policy import default
from pathlib import Path

import httpx
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from rich.table import Table
from sqlalchemy import func, select

from flows.clock import ManualClock
from flows.definitions import import_flows
from flows.engine import place
from flows.settings import FlowSettings
from leads import db
from leads.flow_tables import Flow, Message
from leads.tables import Event, Lead, Team, utcnow
from leads.teams import update_settings
from model.champion import Champion
from serving.app import create_app
from serving.console import console, ready_engine, resolve_team, unit_of_work
from serving.worker import Worker, inbound_listener

FLOWS = Path(__file__).resolve().parent / "demo" / "flows.yaml"
PUBLIC_URL = "http://127.0.0.1:8000"
BROWSER = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 Safari/605.1.15"
SCANNER = "Mozilla/5.0 (compatible; Barracuda Sentinel)"
SENDER = {
    "from_name": "Lumen Sales", "from_email": "sales@lumen-demo.com",
    "reply_domain": "reply.lumen-demo.com", "postal_address": "1 Teheran-ro, Seoul",
}  # fmt: skip
ALWAYS_OPEN = {"days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"], "start": "00:00",
               "end": "23:59:59"}  # fmt: skip


@dataclass
class Catcher:
    """The demo's SMTP catcher: keeps every message it is sent."""

    messages: list[EmailMessage] = field(default_factory=list)

    async def handle_DATA(  # noqa: N802 - aiosmtpd's hook name
        self,
        server: SMTP,  # noqa: ARG002
        session: Session,  # noqa: ARG002
        envelope: Envelope,
    ) -> str:
        raw = envelope.original_content or b""
        self.messages.append(email.message_from_bytes(raw, policy=default))
        return "250 OK"


def _port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _prepare(team_name: str, leads: int, now: datetime) -> int:
    """Sender, an always-open window and the flows for the team; place its best leads."""
    with unit_of_work() as session:
        team = resolve_team(session, team_name)
        update_settings(session, team=team, changes={"sender": SENDER, "send_window": ALWAYS_OPEN})
        if not session.scalar(select(func.count()).where(Flow.team_id == team.id)):
            import_flows(session, team_id=team.id, text=FLOWS.read_text(encoding="utf-8"))
        picked: list[Lead] = []
        for stage in ("sql", "mql"):
            picked += session.scalars(
                select(Lead)
                .where(Lead.team_id == team.id, Lead.stage == stage, Lead.flow_state.is_(None))
                .order_by(Lead.score.desc().nulls_last(), Lead.id)
                .limit(leads // 2)
            )
        placed = sum(place(session, team=team, lead=lead, now=now) for lead in picked)
        console.print(f"[green]placed[/green] {placed} leads in flows")
        return team.id


async def _react(app: object, caught: list[EmailMessage], inbound_port: int) -> Counter[str]:
    """Opens, clicks (a person and a scanner), two replies and one unsubscribe."""
    done: Counter[str] = Counter()
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url=PUBLIC_URL) as client:
        for index, message in enumerate(caught):
            html = message.get_body(("html",))
            text = message.get_body(("plain",))
            if html is None or text is None:
                continue
            pixel = re.search(r'src="http://127\.0\.0\.1:8000(/t/o/[^"]+)"', html.get_content())
            links = re.findall(r"http://127\.0\.0\.1:8000(/t/c/\S+)", text.get_content())
            if index % 5 == 0 and links:  # a mail scanner follows every link at once
                for link in links:
                    await client.head(link, headers={"User-Agent": SCANNER})
                    done["scanner clicks"] += 1
            if index % 2 == 0 and pixel:
                await client.get(pixel.group(1), headers={"User-Agent": BROWSER})
                done["opens"] += 1
            if index % 4 == 1 and links:  # an interested reader clicks three times
                for link in (links * 3)[:3]:
                    await client.get(link, headers={"User-Agent": BROWSER})
                    done["human clicks"] += 1
            if index == 3:
                unsubscribe = re.search(r"http://127\.0\.0\.1:8000(/u/\S+)", text.get_content())
                if unsubscribe:
                    await client.post(unsubscribe.group(1), data={"List-Unsubscribe": "One-Click"})
                    done["unsubscribes"] += 1
    replies = [m for m in caught if "20 minutes" in str(m["Subject"]) and m["Reply-To"]][:2]
    with smtplib.SMTP("127.0.0.1", inbound_port) as smtp:
        for original in replies:
            reply = EmailMessage()
            reply["From"], reply["To"] = str(original["To"]), str(original["Reply-To"])
            reply["Subject"] = "Re: " + str(original["Subject"])
            reply["In-Reply-To"] = str(original["Message-ID"])
            reply.set_content("Thursday 3pm works for us. 목요일 오후 3시 괜찮습니다.")
            smtp.send_message(reply)
            done["replies"] += 1
    return done


def run_flows_demo(team_name: str, leads: int = 120) -> None:
    """Send, track and answer emails for the team, then print what happened."""
    # The first emails go out "two hours ago" on a clock the demo moves, so the opens and
    # clicks that follow look like people, not like scanners reacting within seconds.
    clock = ManualClock(utcnow() - timedelta(hours=2))
    team_id = _prepare(team_name, leads, clock.now())
    catcher = Catcher()
    smtp_port, inbound_port = _port(), _port()
    smtp = Controller(catcher, hostname="127.0.0.1", port=smtp_port)
    smtp.start()
    settings = FlowSettings(smtp_port=smtp_port, public_url=PUBLIC_URL)
    engine = ready_engine()
    worker = Worker(
        engine=engine, settings=settings, champion=Champion(), team_id=team_id, clock=clock
    )
    listener = inbound_listener(worker, "127.0.0.1", inbound_port)
    try:
        worker.champion.refresh()

        async def go() -> Counter[str]:
            sender = worker.sender()
            first = await worker.drain(sender)
            app = create_app(engine=engine, champion=worker.champion, watch_model=False,
                             refresh_lists=False)  # fmt: skip
            clock.set(utcnow())
            reactions = await _react(app, list(catcher.messages), inbound_port)
            clock.set(utcnow())  # leads that clicked their way to SQL get their proposal now
            second = await worker.drain(sender)
            await sender.mailer.close()
            return Counter({f"emails {k}": v for k, v in (first + second).items()}) + reactions

        summary = asyncio.run(go())
    finally:
        listener.stop()
        smtp.stop()
    _print(team_id, summary, len(catcher.messages), smtp_port)


def _print(team_id: int, summary: Counter[str], caught: int, port: int) -> None:
    table = Table("what happened", "count", title=f"flows (SMTP catcher on 127.0.0.1:{port})")
    for name, count in sorted(summary.items()):
        table.add_row(name, f"{count:,}")
    table.add_row("messages the catcher received", f"{caught:,}")
    with db.unit_of_work(ready_engine()) as session:
        for kind in ("email_opened", "link_clicked"):
            human = session.scalar(
                select(func.count()).where(
                    Event.team_id == team_id, Event.type == kind, Event.source == "tracking",
                    Event.human >= 0.5,
                )
            )  # fmt: skip
            table.add_row(f"{kind} recorded as human", f"{human or 0:,}")
        replied = session.scalar(
            select(func.count()).where(
                Event.team_id == team_id, Event.type == "email_replied", Event.source == "inbound"
            )
        )
        table.add_row("replies matched to their email", f"{replied or 0:,}")
        table.add_row(
            "emails in the messages log",
            f"{session.scalar(select(func.count()).where(Message.team_id == team_id)) or 0:,}",
        )
        states = session.execute(
            select(Lead.flow_state, func.count())
            .where(Lead.team_id == team_id, Lead.flow_state.is_not(None))
            .group_by(Lead.flow_state)
        )
        for state, count in states:
            table.add_row(f"leads in {state}", f"{count:,}")
        team = session.get_one(Team, team_id)
    console.print(table)
    console.print(
        f"Serve the API with [bold]leadpulse serve[/bold] and see team {team.name!r} at "
        f"{PUBLIC_URL}/docs"
    )
