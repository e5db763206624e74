"""The new text of a reply: quoted history, attribution lines and signature removed."""

from __future__ import annotations

import re

# An attribution line may be wrapped by the client over up to three lines.
_ATTRIBUTION_SPAN = 3
_ATTRIBUTIONS = (
    # Gmail, Apple Mail, Thunderbird: "On Fri, Nov 27, 2026 at 9:00 AM Jane <j@x.com> wrote:"
    re.compile(r"on\b.{0,300}\bwrote\s*:", re.IGNORECASE),
    # Korean Gmail: "2026년 11월 27일 (금) 오전 9:00, 홍길동 <a@b.c>님이 작성:"
    re.compile(r"\d{4}\s*년\s*\d{1,2}\s*월\s*\d{1,2}\s*일.{0,200}님이\s*작성\s*:"),
    # French, German, Spanish, Italian, Dutch clients.
    re.compile(
        r"(le|am|el|il|op)\b.{0,300}(a écrit|schrieb|escribió|ha scritto|schreef).{0,100}:",
        re.IGNORECASE,
    ),
)
_SEPARATOR = re.compile(
    r"-{2,}\s*(original message|원본 메시지|forwarded message|전달된 메시지"
    r"|ursprüngliche nachricht)\s*-{2,}",
    re.IGNORECASE,
)
# Outlook's header block: "From: ..." followed within a few lines by "Sent: ..." (or Date).
_BLOCK_FROM = re.compile(r"\*?(from|보낸\s*사람|von|de)\s*:\*?\s*\S", re.IGNORECASE)
_BLOCK_SENT = re.compile(r"\*?(sent|date|보낸\s*날짜|날짜|gesendet|envoyé)\s*:", re.IGNORECASE)
_BLOCK_SPAN = 5
_SIGNATURE = re.compile(
    r"--|sent from my \w+.*|.{0,40}에서\s*보냄|.{0,40}에서\s*보냈습니다\.?",
    re.IGNORECASE,
)
_DECORATION = re.compile(r"[\s_\-=*~]*")


def new_text(text: str) -> str:
    """The part of a reply its sender wrote now, without the history below or quoted in it."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    kept = lines[: _first_cut(lines)]
    kept = [line for line in kept if not line.lstrip().startswith(">")]
    while kept and _DECORATION.fullmatch(kept[-1]):
        kept.pop()
    return re.sub(r"\n{3,}", "\n\n", "\n".join(line.rstrip() for line in kept)).strip()


def _first_cut(lines: list[str]) -> int:
    """Index of the first line of quoted history or signature, or len(lines)."""
    for index, line in enumerate(lines):
        stripped = line.strip()
        if not stripped:
            continue
        if _SIGNATURE.fullmatch(stripped) or _SEPARATOR.fullmatch(stripped):
            return index
        if _is_attribution(lines, index) or _is_header_block(lines, index):
            return index
    return len(lines)


def _is_attribution(lines: list[str], index: int) -> bool:
    for span in range(1, _ATTRIBUTION_SPAN + 1):
        joined = " ".join(line.strip() for line in lines[index : index + span])
        if any(pattern.fullmatch(joined) for pattern in _ATTRIBUTIONS):
            return True
    return False


def _is_header_block(lines: list[str], index: int) -> bool:
    if not _BLOCK_FROM.match(lines[index].strip()):
        return False
    following = lines[index + 1 : index + 1 + _BLOCK_SPAN]
    return any(_BLOCK_SENT.match(line.strip()) for line in following)
