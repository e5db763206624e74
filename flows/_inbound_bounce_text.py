"""Non-standard bounces: failure notices written as plain text, with the original pasted in.

Old Gmail ("Delivery Status Notification (Failure)"), Exim ("Mail delivery failed"), qmail
("failure notice") and many appliances send no RFC 3464 report; they explain the failure in
prose, quote the remote server's reply and paste the original message's headers below a marker.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.message import Message

from flows import _inbound_mime as mime

_DAEMON = re.compile(r"\b(mailer[-_]?daemon|postmaster)\b|mail delivery (subsystem|system)", re.I)
_BOUNCE_SUBJECT = re.compile(
    r"\s*(undelivered mail returned to sender|delivery status notification \((failure|delay)\)"
    r"|mail delivery failed|mail delivery failure|undeliverable|undelivered|returned mail"
    r"|delivery failure|failure notice|message not delivered|delivery has failed"
    r"|mail system error|메일\s*(발송|전송|배달)\s*실패|반송)",
    re.IGNORECASE,
)
_DELAY_SUBJECT = re.compile(r"\(delay\)|delayed|warning", re.IGNORECASE)
_FAILURE_WORDS = re.compile(
    r"could(n't| not) be delivered|was(n't| not) delivered|delivery to the following"
    r"|failed permanently|permanent (error|failure)|undeliverable|returned to sender"
    r"|user unknown|unknown user|does not exist|no such user|recipient address rejected"
    r"|mailbox (unavailable|full|not found)|delivery (has )?failed|delayed|temporary failure",
    re.IGNORECASE,
)
_DELAY_WORDS = re.compile(
    r"delayed|will (keep|continue to) try|will retry|temporar(y|ily)|not yet been delivered"
    r"|still trying",
    re.IGNORECASE,
)
_PERMANENT_WORDS = re.compile(r"permanent|failed permanently|gave up|giving up", re.IGNORECASE)
_COPY_MARKER = re.compile(
    r"^[ \t]*-*[ \t]*(original message( follows)?|below this line is a copy of the message"
    r"|this is a copy of the message|the header of the original message is following"
    r"|undelivered message headers?|returned message)\b.*$",
    re.IGNORECASE | re.MULTILINE,
)
_HEADER_LINE = re.compile(
    r"^(received|return-path|dkim-signature|message-id|from|to|subject|date|mime-version"
    r"|reply-to|x-[\w-]+):[ \t]",
    re.IGNORECASE | re.MULTILINE,
)
_HEADER_CANDIDATES = 30
_ENHANCED_STATUS = re.compile(r"(?<![\d.])([245]\.\d{1,3}\.\d{1,3})(?!\.?\d)")
_SMTP_CODE = re.compile(r"(?<![\w.:/-])([45])\d\d(?=[ -])")
_ADDRESS = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")
_DIAGNOSTIC_LIMIT = 500


@dataclass(frozen=True)
class Failure:
    """What a bounce says went wrong, before the original message is looked at."""

    permanent: bool
    status: str
    recipient: str | None
    diagnostic: str


def read_text_bounce(
    *, sender: str, subject: str, text: str, return_path: str, ours: list[str]
) -> Failure | None:
    """The failure a non-standard notice reports, or None when `text` is no such notice.

    `ours` are our own addresses (where the notice was sent), never the failed recipient.
    """
    human = _human_part(text)
    bounce_subject = bool(_BOUNCE_SUBJECT.match(subject))
    from_daemon = bool(_DAEMON.search(sender))
    if not (
        (from_daemon and (bounce_subject or _FAILURE_WORDS.search(human)))
        or (bounce_subject and return_path.strip() == "<>")
    ):
        return None
    diagnostic = diagnostic_from_text(human)
    temporary = bool(_DELAY_SUBJECT.search(subject) or _DELAY_WORDS.search(human)) and not (
        _PERMANENT_WORDS.search(human)
    )
    status = status_from(diagnostic, human, temporary=temporary)
    excluded = {address.lower() for address in [*ours, mime.mailbox(sender) or ""]}
    recipient = next(
        (
            address
            for address in _ADDRESS.findall(human)
            if address.lower() not in excluded
            and not _DAEMON.search(address)
            and not mime.reply_tokens([address])
        ),
        None,
    )
    return Failure(
        permanent=status.startswith("5"),
        status=status,
        recipient=recipient,
        diagnostic=diagnostic,
    )


def status_from(*sources: str, temporary: bool) -> str:
    """The RFC 3463 status in the first source that has one, or one made from an SMTP code."""
    for source in sources:
        if match := _ENHANCED_STATUS.search(source):
            return match.group(1)
    for source in sources:
        if match := _SMTP_CODE.search(source):
            return f"{match.group(1)}.0.0"
    return "4.0.0" if temporary else "5.0.0"


def diagnostic_from_text(text: str) -> str:
    """The paragraph quoting the remote server's reply (the one with a status code)."""
    paragraphs = re.split(r"\n[ \t]*\n", text.replace("\r\n", "\n"))
    for pattern in (_ENHANCED_STATUS, _SMTP_CODE, _FAILURE_WORDS):
        for paragraph in paragraphs:
            if match := pattern.search(paragraph):
                line_start = paragraph.rfind("\n", 0, match.start()) + 1
                return " ".join(paragraph[line_start:].split())[:_DIAGNOSTIC_LIMIT]
    return ""


def original_headers_in_text(text: str) -> Message | None:
    """The headers of the original message pasted into a notice's text, if it has them."""
    start = _copy_start(text)
    if start is None:
        return None
    for count, line in enumerate(_HEADER_LINE.finditer(text, start)):
        if count >= _HEADER_CANDIDATES:
            break
        headers = mime.parse_headers(text[line.start() :].lstrip("\n"))
        if mime.header(headers, "Message-ID"):
            return headers
    return None


def _human_part(text: str) -> str:
    """The notice without the copy of the original message."""
    start = _copy_start(text)
    return text if start is None else text[:start]


def _copy_start(text: str) -> int | None:
    if marker := _COPY_MARKER.search(text):
        return marker.start()
    first_header = _HEADER_LINE.search(text)
    return first_header.start() if first_header else None
