"""Inbound mail: what a message that reached our reply addresses is, and what it says.

`parse_inbound(raw, received_at=...)` reads one raw RFC 822 message (as delivered to
`reply+TOKEN@reply-domain` or posted by a relay) and tells a human reply from a bounce or an
automatic reply, with the tokens and Message-IDs that tie it to what we sent. It never raises:
a message it cannot make sense of is a "reply" with whatever could be read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from email.message import Message
from typing import Literal, TypeVar

from flows import _inbound_mime as mime
from flows._inbound_auto_reply import OutOfOffice, is_auto_reply, read_out_of_office
from flows._inbound_bounce import Bounce, BounceReading, read_bounce
from flows._inbound_quotes import new_text

__all__ = ["Bounce", "Inbound", "InboundKind", "OutOfOffice", "parse_inbound"]

InboundKind = Literal["reply", "bounce", "auto_reply"]

# Where a reply address can appear: the visible recipients and what MTAs and relays add.
_RECIPIENT_HEADERS = ("To", "Cc", "Delivered-To", "X-Original-To", "Envelope-To")
# In a returned original we sent, the reply address is in Reply-To or From, not To.
_ORIGINAL_ADDRESS_HEADERS = (*_RECIPIENT_HEADERS, "From", "Reply-To", "Sender", "Return-Path")

_T = TypeVar("_T")


@dataclass(frozen=True)
class Inbound:
    """One inbound message, understood.

    `tokens` are the TOKEN parts of `reply+TOKEN@...` addresses, in order of appearance;
    `in_reply_to` and `references` are Message-IDs with their angle brackets. For a bounce,
    both also carry those of the returned original (its Message-ID last), and `tokens` those
    found in its headers. `text` is only what the sender wrote now: no quoted history, no
    signature. `bounce` is set exactly when `kind` is "bounce"; `out_of_office` only on an
    "auto_reply" that says its sender is away.
    """

    kind: InboundKind
    tokens: tuple[str, ...]
    message_id: str | None
    in_reply_to: tuple[str, ...]
    references: tuple[str, ...]
    from_address: str | None
    subject: str
    text: str
    bounce: Bounce | None = None
    out_of_office: OutOfOffice | None = None


def parse_inbound(raw: bytes, *, received_at: datetime) -> Inbound:
    """What the raw message `raw`, received at `received_at`, is; never raises.

    `received_at` anchors a return date given without a year ("back on December 7").
    """
    unreadable = Inbound("reply", (), None, (), (), None, "", "")
    message = _attempt(lambda: mime.parse_message(raw), None)
    if message is None:
        return unreadable
    return _attempt(lambda: _understand(message, received_at), unreadable)


def _understand(message: Message, received_at: datetime) -> Inbound:
    subject = _attempt(lambda: " ".join(mime.header(message, "Subject").split()), "")
    body = _attempt(lambda: mime.body_text(message), "")
    text = _attempt(lambda: new_text(body), "")
    reading = _attempt(lambda: read_bounce(message, subject=subject, text=body), None)
    out_of_office = None
    kind: InboundKind = "reply"
    if reading is not None:
        kind = "bounce"
    elif _attempt(lambda: is_auto_reply(message, subject=subject), False):
        kind = "auto_reply"
        out_of_office = _attempt(
            lambda: read_out_of_office(
                message, subject=subject, text=text, received_on=received_at.date()
            ),
            None,
        )
    thread = _attempt(lambda: _thread(message, reading), _Thread())
    return Inbound(
        kind=kind,
        tokens=thread.tokens,
        message_id=_attempt(lambda: _message_id(message), None),
        in_reply_to=thread.in_reply_to,
        references=thread.references,
        from_address=_attempt(lambda: mime.mailbox(mime.header(message, "From")), None),
        subject=subject,
        text=text,
        bounce=reading.bounce if reading is not None else None,
        out_of_office=out_of_office,
    )


@dataclass(frozen=True)
class _Thread:
    """The reply tokens, In-Reply-To and References that tie a message to what we sent."""

    tokens: tuple[str, ...] = ()
    in_reply_to: tuple[str, ...] = ()
    references: tuple[str, ...] = ()


def _thread(message: Message, reading: BounceReading | None) -> _Thread:
    tokens = _tokens(message, _RECIPIENT_HEADERS)
    in_reply_to = mime.message_ids(mime.header_values(message, "In-Reply-To"))
    references = mime.message_ids(mime.header_values(message, "References"))
    original = reading.original if reading is not None else None
    if original is not None:
        # A bounce answers the original as a reply would: In-Reply-To its Message-ID,
        # References its thread followed by its Message-ID.
        original_id = mime.message_ids(mime.header_values(original, "Message-ID"))
        original_thread = mime.message_ids(mime.header_values(original, "References"))
        tokens = mime.unique([*tokens, *_tokens(original, _ORIGINAL_ADDRESS_HEADERS)])
        in_reply_to = mime.unique([*in_reply_to, *original_id])
        references = mime.unique([*references, *original_thread, *original_id])
    return _Thread(tuple(tokens), tuple(in_reply_to), tuple(references))


def _message_id(message: Message) -> str | None:
    ids = mime.message_ids(mime.header_values(message, "Message-ID"))
    return ids[0] if ids else None


def _tokens(message: Message, names: tuple[str, ...]) -> list[str]:
    return mime.reply_tokens(value for name in names for value in mime.header_values(message, name))


def _attempt(step: Callable[[], _T], fallback: _T) -> _T:
    """`step()`, or `fallback` when the message is too broken for it: inbound mail never raises."""
    try:
        return step()
    except Exception:
        return fallback
