"""Render one outgoing email: greeting, body, signature and unsubscribe footer, as text and HTML,
with tracked links, an open pixel and the headers mailbox providers expect (RFC 8058); its wire
form is written by `flows._mime`."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from email.headerregistry import Address
from email.utils import format_datetime
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from flows import _mime
from flows.tokens import TokenKind, make_token
from leads.errors import ValidationFailed
from leads.normalize import normalize_email
from leads.team_settings import Sender

_PHRASES: dict[str, dict[str, str]] = {
    "en": {
        "greeting": "Hi {name},",
        "greeting_no_name": "Hi,",
        "unsubscribe_prompt": "Don't want these emails?",
        "unsubscribe": "Unsubscribe",
    },
    "ko": {
        "greeting": "{name}님, 안녕하세요.",
        "greeting_no_name": "안녕하세요.",
        "unsubscribe_prompt": "더 이상 이메일을 받지 않으시려면",
        "unsubscribe": "수신 거부",
    },
}

# ASCII only: Korean text often runs straight on from a URL ("https://x.com/demo에서"), and a
# URL with non-ASCII characters in it is percent-encoded in practice.
_URL = re.compile(r"https?://[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+", re.IGNORECASE)
_TRAILING = ".,;:!?'\"*)]"
_OPENERS = {")": "(", "]": "["}
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")


@dataclass(frozen=True)
class RenderedEmail:
    """An email ready for SMTP (its wire form and envelope), with what the `messages` row
    records about it."""

    raw: bytes
    sender: str
    recipient: str
    message_id: str
    links: list[str]
    text: str
    html: str


@dataclass(frozen=True)
class _Part:
    """A run of text on one line; a link when `href` is set (`text` is what the reader sees)."""

    text: str
    href: str | None = None


_Paragraphs = list[list[list[_Part]]]  # paragraphs of lines of parts


class _Tracker:
    """Tokens and URLs of one message; the links it has rewritten, in order of appearance."""

    def __init__(self, key: bytes, team_id: int, message: str, base_url: str) -> None:
        self._key, self._team_id, self._message, self._base = key, team_id, message, base_url
        self.links: list[str] = []

    def token(self, kind: TokenKind, link: int | None = None) -> str:
        return make_token(
            self._key, team_id=self._team_id, kind=kind, message=self._message, link=link
        )

    def click_url(self, url: str) -> str:
        if url not in self.links:  # the same URL twice is one link
            self.links.append(url)
        return f"{self._base}/t/c/{self.token('click', self.links.index(url))}"

    def open_url(self) -> str:
        return f"{self._base}/t/o/{self.token('open')}.gif"

    def unsubscribe_url(self) -> str:
        return f"{self._base}/u/{self.token('unsubscribe')}"


def render_email(
    *,
    key: bytes,
    team_id: int,
    sender: Sender,
    to_email: str,
    to_name: str | None,
    language: str,
    subject: str,
    body: str,
    base_url: str,
    message_token: str,
    greeting_name: str | None = None,
    unsubscribe_mailto: str | None = None,
    now: datetime | None = None,
) -> RenderedEmail:
    """One email to a lead in its language (`en` or `ko`; anything else is written in English).

    `body` is plain text: paragraphs split by blank lines, http(s) URLs become tracked links.
    Lead-supplied values (names) are only ever text: autoescaped in HTML, one line in headers.
    """
    from_address = _from_address(sender.from_email, sender.from_name)
    to_address = _address("to_email", to_email, _one_line(to_name or ""))
    subject = _one_line(subject)
    if not subject:
        raise ValidationFailed("subject", "an email needs a subject")
    if not body.strip():
        raise ValidationFailed("body", "an email needs a body")
    tracker = _Tracker(key, team_id, message_token, _base_url(base_url))
    name = _one_line(greeting_name or to_name or "")
    context = _context(tracker, sender, language=language, subject=subject, body=body, name=name)
    text = _environment().get_template("email.txt").render(context)
    html = _environment().get_template("email.html").render(context)

    message_id = f"<{secrets.token_hex(16)}@{from_address.domain}>"
    headers = [
        ("From", _address_header("From", from_address)),
        ("To", _address_header("To", to_address)),
        ("Subject", subject if _mime.foldable(subject) else _mime.encoded("Subject", subject)),
        ("Date", format_datetime(now or datetime.now(UTC))),
        ("Message-ID", message_id),
    ]
    if sender.reply_domain.strip():
        reply_to = f"reply+{tracker.token('reply')}@{sender.reply_domain.strip()}"
        headers.append(("Reply-To", str(_address("sender.reply_domain", reply_to, ""))))
    unsubscribe = [f"<{context['unsubscribe_url']}>"]
    if unsubscribe_mailto:
        unsubscribe.append(f"<{_mailto(unsubscribe_mailto)}>")
    headers.append(("List-Unsubscribe", _mime.Prefolded(",\n ".join(unsubscribe))))
    headers.append(("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"))
    return RenderedEmail(
        raw=_mime.alternative(headers, text, html), sender=from_address.addr_spec,
        recipient=to_address.addr_spec, message_id=message_id, links=tracker.links, text=text,
        html=html,
    )  # fmt: skip


def _context(
    tracker: _Tracker, sender: Sender, *, language: str, subject: str, body: str, name: str
) -> dict[str, object]:
    """What the templates show."""
    language = re.split(r"[-_]", language.strip().lower())[0]
    language = language if language in _PHRASES else "en"
    phrases = _PHRASES[language]
    return {
        "language": language,
        "subject": subject,
        "phrases": phrases,
        "greeting": phrases["greeting"].format(name=name) if name else phrases["greeting_no_name"],
        "body": _paragraphs(body, tracker),
        "signature": _paragraphs(sender.signature, tracker),
        "unsubscribe_url": tracker.unsubscribe_url(),
        "postal_lines": [
            line.strip() for line in sender.postal_address.split("\n") if line.strip()
        ],
        "pixel_url": tracker.open_url(),
    }


@lru_cache(maxsize=1)
def _environment() -> Environment:
    environment = Environment(
        loader=FileSystemLoader(Path(__file__).resolve().parent / "templates"),
        autoescape=select_autoescape(enabled_extensions=("html",), disabled_extensions=("txt",)),
        undefined=StrictUndefined,
        trim_blocks=True,
        keep_trailing_newline=True,
    )
    environment.filters["plain"] = _plain
    return environment


def _paragraphs(text: str, tracker: _Tracker) -> _Paragraphs:
    """Paragraphs (split by blank lines) of lines of parts, each URL rewritten to a click URL."""
    paragraphs = _PARAGRAPH_BREAK.split(text.replace("\r\n", "\n").replace("\r", "\n").strip())
    return [
        [_parts(line.rstrip(), tracker) for line in paragraph.strip("\n").split("\n")]
        for paragraph in paragraphs
        if paragraph.strip()
    ]


def _parts(line: str, tracker: _Tracker) -> list[_Part]:
    parts: list[_Part] = []
    done = 0
    for match in _URL.finditer(line):
        url = _trim(match.group())
        if not urlsplit(url).netloc:
            continue
        if match.start() > done:
            parts.append(_Part(line[done : match.start()]))
        parts.append(_Part(url, tracker.click_url(url)))
        done = match.start() + len(url)
    if done < len(line):
        parts.append(_Part(line[done:]))
    return parts


def _trim(url: str) -> str:
    """The URL without the punctuation of the sentence around it (a balanced `)` stays)."""
    while url and url[-1] in _TRAILING:
        last = url[-1]
        if last in _OPENERS and url.count(_OPENERS[last]) >= url.count(last):
            break
        url = url[:-1]
    return url


def _plain(paragraphs: _Paragraphs) -> str:
    """The text part of paragraphs: each link shown as its click URL."""
    return "\n\n".join(
        "\n".join("".join(part.href or part.text for part in line) for line in paragraph)
        for paragraph in paragraphs
    )


def _one_line(text: str) -> str:
    """Text for a header or a greeting: whitespace (line breaks included) collapsed."""
    return " ".join(text.split())


def envelope_address(email: str) -> str:
    """An address as SMTP's envelope takes it (ASCII: an international domain in IDNA)."""
    return _address("email", email, "").addr_spec


def _address(field: str, email: str, name: str) -> Address:
    email = email.strip()
    if not email:
        raise ValidationFailed(field, "an email address is needed")
    try:
        if normalize_email(email) is None:
            raise ValueError("it is blank")
        local, _, domain = email.rpartition("@")
        if not local.isascii():
            raise ValueError("the part before @ must be ASCII")
        return Address(display_name=name, username=local, domain=domain.encode("idna").decode())
    except (ValidationFailed, ValueError) as exc:  # UnicodeError is a ValueError
        problem = getattr(exc, "problem", str(exc))
        raise ValidationFailed(field, f"{email!r} is not a usable address: {problem}") from None


@lru_cache(maxsize=64)
def _from_address(email: str, name: str) -> Address:
    """The team's sender address (the same for each of its emails: checked once)."""
    return _address("sender.from_email", email, _one_line(name))


def _address_header(name: str, address: Address) -> str:
    if _mime.foldable(address.display_name):
        return str(address)
    return _mime.encoded(name, address.display_name, address.addr_spec)


def _base_url(base_url: str) -> str:
    base = base_url.strip().rstrip("/")
    parts = urlsplit(base)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise ValidationFailed("base_url", f"{base_url!r} is not an http(s) URL")
    return base


def _mailto(value: str) -> str:
    uri = value.strip()
    if not uri.lower().startswith("mailto:"):
        uri = f"mailto:{uri}"
    if not re.fullmatch(r"mailto:[\x21-\x7e]+", uri) or "<" in uri or ">" in uri:
        raise ValidationFailed("unsubscribe_mailto", f"{value!r} is not an ASCII mailto address")
    return uri
