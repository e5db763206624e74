"""The wire form of an outgoing email: headers and a text/HTML `multipart/alternative`, as bytes.

Written directly rather than through `email.message.EmailMessage`, whose header registry and
generator cost more than everything else of a render. The output is 7-bit clean, so any relay
takes it without 8BITMIME: a part is `7bit` when it is ASCII in short lines, else
quoted-printable or base64, whichever is shorter (the standard library's rule). Header values
are folded here: printable ASCII at its spaces, anything else as RFC 2047 encoded words.
"""

from __future__ import annotations

import base64
import binascii
import secrets
from collections.abc import Sequence
from email.header import Header

MAX_LINE = 78  # RFC 5322's line length that headers and 7bit parts keep to
_LONGEST_WORD = 900  # an unbroken run this long would not fit RFC 5322's 998 octets a line
_CRLF = b"\r\n"


class Prefolded(str):
    """A header value folded here, written as folded (its text: the value unfolded).

    Python 3.11's `email.policy` folder moves the space before a fold outside the RFC 2047
    encoded words, where readers drop it (a long Korean subject came back changed), and puts a
    long URL list on a line of its own, which readers then see with a leading space.
    """

    folded: str

    def __new__(cls, folded: str) -> Prefolded:
        value = super().__new__(cls, " ".join(line.strip() for line in folded.split("\n")))
        value.folded = folded
        return value


def encoded(name: str, text: str, address: str = "") -> Prefolded:
    """Non-ASCII text as RFC 2047 encoded words, each space kept inside a word."""
    folded = Header(text, "utf-8", header_name=name).encode(linesep="\n")
    return Prefolded(f"{folded} <{address}>" if address else folded)


def foldable(text: str) -> bool:
    """Whether a header may carry `text` as it is: printable ASCII whose words fit a line."""
    return (
        text.isascii()
        and text.isprintable()
        and max(map(len, text.split(" ")), default=0) <= _LONGEST_WORD
    )


def header(name: str, value: str) -> bytes:
    """One header field, CRLF-terminated; a long value is folded at its spaces.

    (The `email.policy` folder, in Python 3.11, can write a long word on a line of its own
    after an empty one, which ends the header block there.)"""
    if isinstance(value, Prefolded):
        return f"{name}: {value.folded}".replace("\n", "\r\n").encode("ascii") + _CRLF
    lines, line, words = [], f"{name}:", 0
    for word in value.split(" "):
        if words and word and len(line) + 1 + len(word) > MAX_LINE:
            lines.append(line)
            line = " " + word
        else:
            line += " " + word
        words += bool(word)
    lines.append(line)
    return "\r\n".join(lines).encode("ascii") + _CRLF


def alternative(headers: Sequence[tuple[str, str]], text: str, html: str) -> bytes:
    """The message: `headers`, then `text` and `html` as the two alternatives."""
    parts = [_part("plain", text), _part("html", html)]
    boundary = _boundary(parts)
    # the CRLF before a delimiter belongs to it, not to the part that ends there (RFC 2046)
    delimiter = _CRLF + b"--" + boundary
    return b"".join(
        [
            *(header(name, value) for name, value in headers),
            b"MIME-Version: 1.0\r\n",
            b'Content-Type: multipart/alternative;\r\n boundary="' + boundary + b'"\r\n',
            *(delimiter + _CRLF + part for part in parts),
            delimiter + b"--\r\n",
        ]
    )


def _part(subtype: str, text: str) -> bytes:
    lines = text.encode("utf-8").splitlines()
    body = _CRLF.join(lines) + _CRLF
    if text.isascii() and max(map(len, lines), default=0) <= MAX_LINE:
        cte, encoded_body = "7bit", body
    else:
        quoted = binascii.b2a_qp(body, istext=True)
        b64 = base64.encodebytes(body).replace(b"\n", _CRLF)
        cte, encoded_body = ("quoted-printable", quoted) if len(quoted) <= len(b64) else (
            "base64", b64
        )  # fmt: skip
    head = f'Content-Type: text/{subtype}; charset="utf-8"\r\nContent-Transfer-Encoding: {cte}'
    return head.encode("ascii") + _CRLF + _CRLF + encoded_body


def _boundary(parts: Sequence[bytes]) -> bytes:
    """A boundary that no part contains (a random one practically never does)."""
    while True:
        boundary = f"=_{secrets.token_hex(16)}".encode("ascii")
        if not any(boundary in part for part in parts):
            return boundary
