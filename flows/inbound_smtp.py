"""The inbound SMTP listener (aiosmtpd) for reply addresses: `reply+TOKEN@reply-domain`.

Only reply addresses are accepted (anything else gets 550, so the listener is no open relay);
each message is handled by `flows.replies.handle_inbound` in its own transaction.
"""

from __future__ import annotations

import asyncio
import logging

from aiosmtpd.smtp import SMTP, Envelope, Session
from sqlalchemy.orm import Session as DbSession
from sqlalchemy.orm import sessionmaker

from flows.clock import Clock
from flows.replies import Handled, handle_inbound
from model.champion import Champion

log = logging.getLogger(__name__)


class InboundHandler:
    """aiosmtpd handler: accepts mail for reply addresses and records what it is."""

    def __init__(self, sessions: sessionmaker[DbSession], champion: Champion, clock: Clock) -> None:
        self.sessions = sessions
        self.champion = champion
        self.clock = clock
        self.handled: list[Handled] = []

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook name
        self,
        server: SMTP,  # noqa: ARG002
        session: Session,  # noqa: ARG002
        envelope: Envelope,
        address: str,
        options: list[str],  # noqa: ARG002
    ) -> str:
        if not address.lower().startswith("reply+"):
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(  # noqa: N802
        self,
        server: SMTP,  # noqa: ARG002
        session: Session,  # noqa: ARG002
        envelope: Envelope,
    ) -> str:
        raw = envelope.original_content or b""
        try:
            handled = await asyncio.to_thread(self._handle, raw)
        except Exception:  # a failure here must not lose the mail: the relay retries on 451
            log.exception("inbound message could not be recorded")
            return "451 4.3.0 try again later"
        self.handled.append(handled)
        return "250 OK"

    def _handle(self, raw: bytes) -> Handled:
        with self.sessions() as session, session.begin():
            return handle_inbound(session, raw=raw, champion=self.champion, now=self.clock.now())
