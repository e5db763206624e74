"""Bounces: RFC 3464 delivery-status reports and the common non-standard failure notices."""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.message import Message

from flows import _inbound_mime as mime
from flows._inbound_bounce_text import (
    Failure,
    diagnostic_from_text,
    original_headers_in_text,
    read_text_bounce,
    status_from,
)

_REPORT_TYPES = frozenset({"message/delivery-status", "message/global-delivery-status"})
_ORIGINAL_TYPES = frozenset({"message/rfc822", "message/global", "text/rfc822-headers"})
_FIELD = re.compile(r"([A-Za-z][A-Za-z0-9-]*)\s*:\s*(.*)")
# Where a notice was sent: our addresses, never the recipient that failed.
_OUR_HEADERS = ("To", "Delivered-To", "X-Original-To", "Envelope-To", "Return-Path")


@dataclass(frozen=True)
class Bounce:
    """A mail server's report that a message we sent was not delivered.

    `status` is the RFC 3463 code ("5.1.1"); 4.x.x is a temporary failure (`permanent` False),
    5.x.x a permanent one. `original_message_id` is the Message-ID of the message that bounced.
    """

    permanent: bool
    status: str
    recipient: str | None
    diagnostic: str
    original_message_id: str | None


@dataclass(frozen=True)
class BounceReading:
    """A bounce and the headers of the original message it returned, when it returned them."""

    bounce: Bounce
    original: Message | None


def read_bounce(message: Message, *, subject: str, text: str) -> BounceReading | None:
    """The bounce `message` reports, or None when it is not a bounce.

    `text` is the message's body text; non-standard notices are read from it.
    """
    report = _delivery_status(message)
    failure = (
        _from_report(report, text) if report is not None else _from_notice(message, subject, text)
    )
    if failure is None:
        return None
    original = _original_headers(message) or original_headers_in_text(text)
    recipient = failure.recipient
    original_id: list[str] = []
    if original is not None:
        recipients = mime.addresses(mime.header_values(original, "To"))
        recipient = recipient or (recipients[0] if recipients else None)
        original_id = mime.message_ids(mime.header_values(original, "Message-ID"))
    bounce = Bounce(
        permanent=failure.permanent,
        status=failure.status,
        recipient=recipient,
        diagnostic=failure.diagnostic,
        original_message_id=original_id[0] if original_id else None,
    )
    return BounceReading(bounce=bounce, original=original)


def _from_notice(message: Message, subject: str, text: str) -> Failure | None:
    ours = [
        address
        for name in _OUR_HEADERS
        for address in mime.addresses(mime.header_values(message, name))
    ]
    return read_text_bounce(
        sender=mime.header(message, "From"),
        subject=subject,
        text=text,
        return_path=mime.header(message, "Return-Path"),
        ours=ours,
    )


def _delivery_status(message: Message) -> list[dict[str, str]] | None:
    """The field blocks of the report's delivery-status part, or None if there is none."""
    if message.get_content_type() != "multipart/report":
        return None
    for part in mime.leaf_parts(message):
        if part.get_content_type() in _REPORT_TYPES:
            return _field_blocks(part)
    return None


def _field_blocks(part: Message) -> list[dict[str, str]]:
    payload = part.get_payload()
    if isinstance(payload, list):  # the parser split the blocks into header-only messages
        return [
            {key.lower(): " ".join(str(value).split()) for key, value in block.raw_items()}
            for block in payload
            if isinstance(block, Message)
        ]
    blocks: list[dict[str, str]] = []
    for chunk in re.split(r"\n\s*\n", mime.part_text(part).replace("\r\n", "\n")):
        unfolded = re.sub(r"\n[ \t]+", " ", chunk)
        fields = {
            match.group(1).lower(): " ".join(match.group(2).split())
            for line in unfolded.split("\n")
            if (match := _FIELD.fullmatch(line.strip()))
        }
        if fields:
            blocks.append(fields)
    return blocks


def _from_report(blocks: list[dict[str, str]], text: str) -> Failure | None:
    recipients = [block for block in blocks if "action" in block or "final-recipient" in block]
    if not recipients:
        return None
    actions = [block.get("action", "").lower() for block in recipients]
    if all(action in ("delivered", "relayed", "expanded") for action in actions):
        return None  # a success report is not a bounce
    chosen = next(
        (block for block in recipients if block.get("action", "").lower() == "failed"),
        next(
            (block for block in recipients if block.get("action", "").lower() == "delayed"),
            recipients[0],
        ),
    )
    action = chosen.get("action", "").lower()
    diagnostic = _without_type(chosen.get("diagnostic-code", "")) or diagnostic_from_text(text)
    status = status_from(chosen.get("status", ""), diagnostic, temporary=action == "delayed")
    recipient = _without_type(
        chosen.get("original-recipient", "") or chosen.get("final-recipient", "")
    ).strip("<>")
    return Failure(
        permanent=status.startswith("5") and action != "delayed",
        status=status,
        recipient=recipient or None,
        diagnostic=diagnostic,
    )


def _without_type(value: str) -> str:
    """ "rfc822; jane@x.com" -> "jane@x.com", "smtp; 550 ..." -> "550 ..."."""
    return value.split(";", 1)[1].strip() if ";" in value else value.strip()


def _original_headers(message: Message) -> Message | None:
    """The headers of the returned message, from a message/rfc822 or rfc822-headers part."""
    for part in mime.leaf_parts(message):
        content_type = part.get_content_type()
        if content_type not in _ORIGINAL_TYPES:
            continue
        payload = part.get_payload()
        if isinstance(payload, list) and payload and isinstance(payload[0], Message):
            return payload[0]
        return mime.parse_headers(mime.part_text(part))
    return None
