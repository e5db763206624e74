"""Signed tokens for tracking links, unsubscribe links and reply addresses.

A token reads `{team}-{kind}-{signature}-{message}`, for example
`12-c3-zbailnnq2i5fzwplddasrckn-gec3ixuocyp4o7dy`:

- `team`: the team's id, unsigned, so the server can find the key that checks the rest;
- `kind`: `o` open, `u` unsubscribe, `r` reply, or `c` and the link's index for a click;
- `signature`: an HMAC of the other three parts with the team's key (`leads.signing`), in
  lower-case base32;
- `message`: the message's token (`messages.token`), last, so it may itself hold hyphens.

Every part is lower-case, so a token survives mail systems that fold the case of an address's
local part (`reply+TOKEN@...`); tokens are read case-insensitively. They use only
`[a-z0-9_-]`, safe in a URL path and in an address.
"""

from __future__ import annotations

import base64
import re
import secrets
from dataclasses import dataclass
from typing import Literal

from leads.signing import sign, verify

TokenKind = Literal["open", "click", "unsubscribe", "reply"]

_CODES: dict[str, str] = {"open": "o", "click": "c", "unsubscribe": "u", "reply": "r"}
_KINDS: dict[str, TokenKind] = {"o": "open", "c": "click", "u": "unsubscribe", "r": "reply"}
_PURPOSE = "flows.token"
_SIGNATURE_BYTES = 15  # 120 bits; a multiple of 5, so base32 needs no padding
_SIGNATURE_CHARS = _SIGNATURE_BYTES * 8 // 5
_MESSAGE = re.compile(r"[a-z0-9_-]{1,64}")
_TOKEN = re.compile(
    rf"(?P<team>[1-9][0-9]{{0,17}})-(?P<code>[our]|c(?:0|[1-9][0-9]{{0,5}}))"
    rf"-(?P<signature>[a-z2-7]{{{_SIGNATURE_CHARS}}})-(?P<message>{_MESSAGE.pattern})"
)
_MAX_LINK = 999_999


@dataclass(frozen=True)
class TokenData:
    """What a valid token says: whose message, what happened, and for a click which link."""

    team_id: int
    kind: TokenKind
    message: str
    link: int | None = None


def new_message_token() -> str:
    """A random per-message token (80 bits, 16 lower-case base32 characters)."""
    return base64.b32encode(secrets.token_bytes(10)).decode().lower()


def make_token(
    key: bytes, *, team_id: int, kind: TokenKind, message: str, link: int | None = None
) -> str:
    """A token of `kind` for the team's message `message`, signed with the team's `key`.

    `link` is the index of the clicked link, given for clicks and only for them.
    """
    if team_id < 1:
        raise ValueError(f"team_id must be positive, not {team_id}")
    if kind not in _CODES:
        raise ValueError(f"unknown token kind {kind!r}")
    if not _MESSAGE.fullmatch(message):
        raise ValueError(f"message token {message!r} is not 1-64 characters of [a-z0-9_-]")
    if (kind == "click") != (link is not None):
        raise ValueError("a click token needs a link index, and only a click token has one")
    if link is not None and not 0 <= link <= _MAX_LINK:
        raise ValueError(f"link index {link} is out of range")
    code = _CODES[kind] + ("" if link is None else str(link))
    return f"{team_id}-{code}-{_signature(key, team_id, code, message)}-{message}"


def team_of(token: str) -> int | None:
    """The team a token claims to belong to (unchecked), or None when it is malformed."""
    match = _TOKEN.fullmatch(token.lower())
    return int(match["team"]) if match else None


def read_token(
    key: bytes,
    token: str,
    *,
    kind: TokenKind | None = None,
    team_id: int | None = None,
) -> TokenData | None:
    """What `token` says if `key` signed it, else None.

    None too when the token is malformed or altered, or is not of `kind` or of `team_id` when
    they are given (an open token is no unsubscribe link).
    """
    match = _TOKEN.fullmatch(token.lower())
    if match is None:
        return None
    team, code, message = int(match["team"]), match["code"], match["message"]
    if not _signature_matches(key, team, code, message, match["signature"]):
        return None
    data = TokenData(
        team_id=team,
        kind=_KINDS[code[0]],
        message=message,
        link=int(code[1:]) if code[0] == "c" else None,
    )
    if (kind is not None and data.kind != kind) or (team_id is not None and team != team_id):
        return None
    return data


def _signed_value(team_id: int, code: str, message: str) -> str:
    return f"{team_id}-{code}-{message}"


def _signature(key: bytes, team_id: int, code: str, message: str) -> str:
    # leads.signing gives base64, whose case matters; re-encode its bytes in base32.
    b64 = sign(key, _PURPOSE, _signed_value(team_id, code, message), size=_SIGNATURE_BYTES)
    return base64.b32encode(base64.urlsafe_b64decode(b64 + "=" * (-len(b64) % 4))).decode().lower()


def _signature_matches(key: bytes, team_id: int, code: str, message: str, signature: str) -> bool:
    raw = base64.b32decode(signature.upper())
    b64 = base64.urlsafe_b64encode(raw).decode().rstrip("=")
    value = _signed_value(team_id, code, message)
    return verify(key, _PURPOSE, value, b64, size=_SIGNATURE_BYTES)
