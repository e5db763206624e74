"""The SMTP connection: kept open between messages, opened again when the relay dropped it."""

from __future__ import annotations

import asyncio

from aiosmtpd.controller import Controller

from flows.settings import FlowSettings
from flows.smtp import SendFailed, SmtpMailer
from tests.factories import free_port
from tests.flows.conftest import Catcher

RAW = b"From: a@sender.example\r\nTo: {to}\r\nSubject: Hi\r\n\r\nHello\r\n"


def message(to: str) -> dict[str, object]:
    return {
        "sender": "a@sender.example",
        "recipient": to,
        "data": RAW.replace(b"{to}", to.encode()),
    }


def test_a_connection_the_relay_dropped_is_opened_again() -> None:
    catcher, port = Catcher(), free_port()
    mailer = SmtpMailer(FlowSettings(smtp_host="127.0.0.1", smtp_port=port))

    async def scenario() -> None:
        for to in ("first@lead.example", "second@lead.example"):
            relay = Controller(catcher, hostname="127.0.0.1", port=port)
            relay.start()
            try:
                await mailer.send(**message(to))  # type: ignore[arg-type]
            finally:
                relay.stop()  # the relay goes away, and its connections with it
        await mailer.close()

    asyncio.run(scenario())
    assert [str(m["To"]) for m in catcher.messages] == ["first@lead.example", "second@lead.example"]


def test_a_refused_recipient_is_told_apart_from_an_unreachable_relay() -> None:
    catcher, port = Catcher(), free_port()
    catcher.refuse["gone@lead.example"] = "550 5.1.1 no such user"
    catcher.refuse["busy@lead.example"] = "451 4.7.1 try again later"
    mailer = SmtpMailer(FlowSettings(smtp_host="127.0.0.1", smtp_port=port, smtp_timeout=5))

    async def outcome(to: str) -> tuple[bool, int | None]:
        try:
            await mailer.send(**message(to))  # type: ignore[arg-type]
        except SendFailed as failed:
            return failed.permanent, failed.code
        return False, 250

    async def scenario() -> list[tuple[bool, int | None]]:
        relay = Controller(catcher, hostname="127.0.0.1", port=port)
        relay.start()
        try:
            found = [await outcome(to) for to in ("gone@lead.example", "busy@lead.example")]
            found.append(await outcome("fine@lead.example"))  # the connection is still good
        finally:
            relay.stop()
        await mailer.close()
        found.append(await outcome("later@lead.example"))  # nobody listens: try again later
        await mailer.close()
        return found

    assert asyncio.run(scenario()) == [(True, 550), (False, 451), (False, 250), (False, None)]
