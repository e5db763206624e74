"""Automatic replies (RFC 3834 and vendor headers, telling subjects) and out-of-office notices."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from email.message import Message

from flows import _inbound_mime as mime
from flows._inbound_return_date import read_return_date

_AUTO_HEADERS = ("X-Autoreply", "X-Autorespond", "X-AutoReply-From", "X-Mail-Autoreply")
_AUTO_PRECEDENCE = frozenset({"auto_reply", "bulk", "junk"})
_AUTO_SUBJECT = re.compile(
    r"\W*(out of (the )?office|automatic reply|auto[- ]?reply|auto[- ]?response|auto:"
    r"|abwesenheit|자동\s*회신|자동\s*응답|부재\s*중)",
    re.IGNORECASE,
)
# What says the sender is away, as opposed to a ticket or "we got your message" autoresponder.
_ABSENCE = re.compile(
    r"out of (the )?office|automatic reply|abwesenheit|vacation|holiday|on leave|annual leave"
    r"|parental leave|maternity leave|business trip|away from|limited access|be back|returning"
    r"|back in the office|부재|휴가|출장|자리를\s*비|복귀|자동\s*회신",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class OutOfOffice:
    """An automatic reply saying its sender is away; `return_date` when it says until when."""

    return_date: date | None


def is_auto_reply(message: Message, *, subject: str) -> bool:
    """Whether a machine wrote `message` in answer to ours (headers first, then the subject).

    Reports that are not bounces (read receipts, delivery confirmations) count too: a machine
    wrote them, and none of them is the lead answering.
    """
    if message.get_content_type() == "multipart/report":
        return True
    auto_submitted = mime.header(message, "Auto-Submitted").lower()
    if auto_submitted and not auto_submitted.startswith("no"):
        return True
    if any(mime.header_values(message, name) for name in _AUTO_HEADERS):
        return True
    if mime.header(message, "Precedence").lower() in _AUTO_PRECEDENCE:
        return True
    return _is_exchange_auto_reply(message) or bool(_AUTO_SUBJECT.match(subject))


def read_out_of_office(
    message: Message, *, subject: str, text: str, received_on: date
) -> OutOfOffice | None:
    """The absence an automatic reply announces, or None when it announces none."""
    return_date = read_return_date(f"{subject}\n{text}", on_or_after=received_on)
    away = (
        return_date is not None
        or _is_exchange_auto_reply(message)
        or _ABSENCE.search(subject)
        or _ABSENCE.search(text)
    )
    return OutOfOffice(return_date=return_date) if away else None


def _is_exchange_auto_reply(message: Message) -> bool:
    """Exchange marks out-of-office replies, made by an inbox rule, with these two headers."""
    suppress = mime.header(message, "X-Auto-Response-Suppress").lower()
    return "all" in suppress and bool(mime.header(message, "X-MS-Exchange-Inbox-Rules-Loop"))
