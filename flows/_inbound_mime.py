"""Reading a raw RFC 822 message that may be malformed: headers, ids, addresses and body text.

Every function here returns what it can read and never raises on bad input: inbound mail is
written by thousands of different programs, some of them broken.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from email import policy
from email.header import decode_header
from email.message import Message
from email.parser import BytesParser, HeaderParser
from email.utils import getaddresses, parseaddr

from flows._inbound_html import html_to_text

# Outlook labels Korean mail ks_c_5601-1987, which Python maps to euc-kr, but means cp949
# (its superset); decoding as euc-kr loses the characters only cp949 has.
_CHARSET_ALIASES = {"ks_c_5601-1987": "cp949", "euc-kr": "cp949", "euc_kr": "cp949"}
_FALLBACK_CHARSETS = ("utf-8", "cp949")
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
_BRACKETED_ID = re.compile(r"<[^<>\s]+>")
_REPLY_TOKEN = re.compile(
    r"(?<![\w.+'-])reply\+([A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+)@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+",
    re.IGNORECASE,
)
_SURROGATES = re.compile(r"[\udc80-\udcff]")
# Beyond this share of undecodable characters a body is binary noise, not text.
_NOISE_SHARE = 0.1


def parse_message(raw: bytes) -> Message:
    """The message tree of `raw`; the stdlib parser records defects instead of raising."""
    return BytesParser(policy=policy.default).parsebytes(raw)


def parse_headers(text: str) -> Message:
    """A header block found as text (a bounce's copy of the original message)."""
    return HeaderParser(policy=policy.default).parsestr(text, headersonly=True)


def header_values(message: Message, name: str) -> list[str]:
    """Every value of header `name`, decoded (RFC 2047, raw UTF-8 or cp949), unfolded."""
    try:
        values = [str(value) for value in message.get_all(name) or []]
    except Exception:  # the header registry raises on some malformed values; read them raw
        values = [
            _decode_raw_header(str(value))
            for key, value in message.raw_items()
            if key.lower() == name.lower()
        ]
    return [_unfold(_repair_bytes(value)) for value in values]


def header(message: Message, name: str) -> str:
    """The first value of header `name`, or "" when it is missing."""
    values = header_values(message, name)
    return values[0] if values else ""


def message_ids(values: Iterable[str]) -> list[str]:
    """The Message-IDs in In-Reply-To / References values, angle brackets kept, in order."""
    ids: list[str] = []
    for value in values:
        found = _BRACKETED_ID.findall(value)
        if not found:  # some clients drop the brackets; put them back
            found = [f"<{word.strip('<>')}>" for word in value.split() if "@" in word]
        ids.extend(found)
    return unique(ids)


def reply_tokens(values: Iterable[str]) -> list[str]:
    """The TOKEN of every `reply+TOKEN@domain` address in header values, in order."""
    return unique(match.group(1) for value in values for match in _REPLY_TOKEN.finditer(value))


def mailbox(value: str) -> str | None:
    """The address (addr-spec) of a From-like header value, or None."""
    address = parseaddr(value)[1].strip()
    return address or None


def addresses(values: Iterable[str]) -> list[str]:
    """Every address in To/Cc-like header values."""
    return [address for _, address in getaddresses(list(values)) if "@" in address]


def unique(items: Iterable[str]) -> list[str]:
    """`items` without repeats, first occurrence kept."""
    return list(dict.fromkeys(item for item in items if item))


def leaf_parts(message: Message) -> Iterator[Message]:
    """The non-multipart parts of `message`, not descending into attached messages."""
    if message.is_multipart() and message.get_content_maintype() == "multipart":
        for part in message.get_payload():
            if isinstance(part, Message):
                yield from leaf_parts(part)
    else:
        yield message


def part_text(part: Message) -> str:
    """The text of one leaf part, decoded from its transfer encoding and charset."""
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        text = part.get_payload()
        return text if isinstance(text, str) else ""
    return decode_bytes(payload, part.get_content_charset())


def decode_bytes(data: bytes, charset: str | None) -> str:
    """`data` decoded with the declared charset, else UTF-8 or cp949, else with replacements;
    "" when it is binary noise rather than text."""
    declared = _CHARSET_ALIASES.get((charset or "").lower(), charset)
    candidates = unique([declared or "", *_FALLBACK_CHARSETS])
    for candidate in candidates:
        try:
            return _CONTROL_CHARS.sub("", data.decode(candidate))
        except (LookupError, UnicodeDecodeError):
            continue
    text = _CONTROL_CHARS.sub("", data.decode("utf-8", errors="replace"))
    return "" if text.count("\ufffd") > _NOISE_SHARE * len(text) else text


def body_text(message: Message) -> str:
    """The message's text: its first plain-text part, else its first HTML part as text."""
    plain: str | None = None
    html: str | None = None
    for part in leaf_parts(message):
        if part.get_content_disposition() == "attachment":
            continue
        content_type = part.get_content_type()
        if content_type == "text/plain" and plain is None:
            plain = part_text(part)
        elif content_type == "text/html" and html is None:
            html = part_text(part)
    if plain is not None and (plain.strip() or html is None):
        return plain.replace("\r\n", "\n").replace("\r", "\n")
    return html_to_text(html) if html is not None else ""


def _repair_bytes(value: str) -> str:
    """Undo the parser's surrogate escapes of raw 8-bit header bytes."""
    if not _SURROGATES.search(value):
        return value
    return decode_bytes(value.encode("utf-8", errors="surrogateescape"), None)


def _decode_raw_header(value: str) -> str:
    try:
        parts = decode_header(value)
    except Exception:  # a broken encoded-word: keep the text as written
        return value
    return "".join(
        decode_bytes(chunk, charset) if isinstance(chunk, bytes) else chunk
        for chunk, charset in parts
    )


def _unfold(value: str) -> str:
    return re.sub(r"\s*\r?\n\s*", " ", value).strip()
