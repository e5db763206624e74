"""Mail coming back: replies over real SMTP, bounces and out-of-office over the API."""

from __future__ import annotations

import smtplib
from collections.abc import Iterator
from datetime import timedelta
from email.message import EmailMessage

import pytest
from fastapi.testclient import TestClient

from flows.inbound_smtp import InboundHandler
from leads import db
from leads.tables import Team
from leads.teams import issue_key
from tests.factories import free_port
from tests.flows.conftest import START, World
from tests.flows.test_sequences import make_sql
from tests.serving.conftest import make_app


@pytest.fixture
def inbound(world: World) -> Iterator[tuple[InboundHandler, int]]:
    from aiosmtpd.controller import Controller

    handler = InboundHandler(db.session_factory(world.engine), world.champion, world.clock)
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


def proposed(world: World) -> tuple[int, EmailMessage]:
    lead_id = world.lead(first_name="Jisoo", company="Daehan", domain="daehan.example")
    make_sql(world, lead_id)
    world.run(world.clock.now() + timedelta(days=1))
    sent = world.catcher.to(world.state(lead_id).email or "")
    assert len(sent) == 1
    return lead_id, sent[0]


def answer(to: EmailMessage, text: str, **headers: str) -> EmailMessage:
    reply = EmailMessage()
    reply["From"] = str(to["To"])
    reply["To"] = str(to["Reply-To"])
    reply["Subject"] = "Re: " + str(to["Subject"])
    reply["Message-ID"] = f"<{abs(hash(text))}@mail.daehan.example>"
    reply["In-Reply-To"] = str(to["Message-ID"])
    for name, value in headers.items():
        reply[name.replace("_", "-")] = value
    reply.set_content(text)
    return reply


def test_a_reply_by_smtp_stops_the_sequence_and_tells_the_team(
    world: World, inbound: tuple[InboundHandler, int]
) -> None:
    handler, port = inbound
    lead_id, proposal = proposed(world)
    assert str(proposal["Reply-To"]).startswith("reply+")
    with smtplib.SMTP("127.0.0.1", port) as client:
        reply = answer(proposal, "네, 화요일 오후 괜찮습니다.\n\n> Could we talk this week?")
        client.send_message(reply)
        with pytest.raises(smtplib.SMTPRecipientsRefused):
            client.sendmail("a@b.example", ["sales@lumen.example"], b"Subject: x\r\n\r\nhi")
    assert [(h.kind, h.matched) for h in handler.handled] == [("reply", True)]
    detail = world.events(lead_id, "email_replied")
    assert detail[0].payload["text"] == "네, 화요일 오후 괜찮습니다."
    world.run(world.clock.now() + timedelta(days=14))
    assert len(world.catcher.to(world.state(lead_id).email or "")) == 1  # no reminders
    assert "Replied" in world.lists(lead_id)


def test_a_bounce_posted_by_a_relay_suppresses_the_address(world: World) -> None:
    lead_id, proposal = proposed(world)
    dsn = EmailMessage()
    dsn["From"] = "MAILER-DAEMON@mx.daehan.example"
    dsn["To"] = "sales@lumen.example"
    dsn["Subject"] = "Undelivered Mail Returned to Sender"
    dsn.set_content(
        "This is the mail system at host mx.daehan.example.\n\n"
        f"<{world.state(lead_id).email}>: host said: 550 5.1.1 User unknown\n"
    )
    original = EmailMessage()
    for name in ("From", "To", "Subject", "Message-ID", "Reply-To"):
        original[name] = str(proposal[name])
    original.set_content("...")
    dsn.add_attachment(original)
    with TestClient(make_app(world.engine, world.champion)) as client:
        with db.unit_of_work(world.engine) as session:
            key = issue_key(session, team=session.get_one(Team, world.team_id))
        response = client.post(
            "/v1/inbound", content=dsn.as_bytes(),
            headers={"Authorization": f"Bearer {key}", "Content-Type": "message/rfc822"},
        )  # fmt: skip
        assert response.status_code == 200, response.text
        assert response.json()["kind"] == "bounce"
        assert response.json()["matched"] is True
        empty = client.post("/v1/inbound", content=b"", headers={"Authorization": f"Bearer {key}"})
        assert empty.status_code == 422
    assert world.state(lead_id).flow_state == "suppressed"
    world.run(world.clock.now() + timedelta(days=14))
    assert len(world.catcher.to(world.state(lead_id).email or "")) == 1


def test_an_out_of_office_pauses_the_sequence_until_the_return_date(
    world: World, inbound: tuple[InboundHandler, int]
) -> None:
    handler, port = inbound
    lead_id, proposal = proposed(world)  # Monday 26 Oct, 09:00 Seoul
    away = answer(
        proposal, "11월 2일부터 11월 6일까지 부재중입니다. 11월 9일(월)부터 출근합니다.",
        Auto_Submitted="auto-replied",
    )  # fmt: skip
    away.replace_header("Subject", "자동 회신: " + str(proposal["Subject"]))
    world.clock.advance(timedelta(hours=2))
    with smtplib.SMTP("127.0.0.1", port) as client:
        client.send_message(away)
    assert handler.handled[0].kind == "auto_reply"
    world.run(START + timedelta(days=14, hours=3))  # the reminder was due Wed 28 Oct
    sent = world.catcher.to(world.state(lead_id).email or "")
    assert len(sent) == 2
    assert sent[1]["Date"].datetime.strftime("%Y-%m-%d") == "2026-11-09"
    assert world.events(lead_id, "auto_replied")[0].payload["return_date"] == "2026-11-09"
    assert world.state(lead_id).flow_state == "sequence"


def test_a_forged_reply_address_matches_nothing(
    world: World, inbound: tuple[InboundHandler, int]
) -> None:
    handler, port = inbound
    lead_id, proposal = proposed(world)
    forged = answer(proposal, "I am not who I say")
    forged.replace_header(
        "To", "reply+1-r-aaaaaaaaaaaaaaaaaaaaaaaa-bbbbbbbbbbbbbbbb@reply.lumen.example"
    )
    del forged["In-Reply-To"]
    with smtplib.SMTP("127.0.0.1", port) as client:
        client.send_message(forged)
    assert [h.matched for h in handler.handled] == [False]
    assert world.events(lead_id, "email_replied") == []
