"""The lead's timeline in words, from its features and Pulse reads, in English or Korean.

"opened 3 of the last 4 emails, clicked the pricing link twice, read 80% of "Product deck",
dwelt 2 min on page 4 of "Product deck"". Opens are likely-human open events, so a lead who
opened one email twice counts two; when opens exceed sends the clause says "times" instead.
Document titles came from uploads the lead saw and are quoted as data.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from agents._quoting import quote
from agents.schemas import Language
from features.catalog import NEVER_DAYS

_LINKS: dict[str, tuple[str, str]] = {
    "pricing": ("pricing", "가격"),
    "booking": ("booking", "예약"),
    "case_study": ("case study", "고객 사례"),
    "product": ("product", "제품"),
}


@dataclass(frozen=True, slots=True)
class PulseRead:
    """One document the lead read in the Pulse viewer: how far, and its longest page dwell."""

    document: str
    read_depth: float
    longest_page: int | None = None
    longest_dwell_seconds: float = 0.0


def number(features: Mapping[str, Any], name: str) -> float:
    """A feature as a float; missing, NaN or non-numeric values count as 0."""
    try:
        value = float(features.get(name) or 0.0)
    except (TypeError, ValueError):
        return 0.0
    return 0.0 if math.isnan(value) else value


def timeline_summary(
    features: Mapping[str, Any], reads: Sequence[PulseRead] = (), *, language: Language = "en"
) -> str:
    """The timeline as one line of comma-separated clauses."""
    return ", ".join(timeline_clauses(features, reads, language=language))


def timeline_clauses(
    features: Mapping[str, Any], reads: Sequence[PulseRead] = (), *, language: Language = "en"
) -> list[str]:
    """The timeline as short clauses, most telling first; one clause when nothing happened."""
    words = _ENGLISH if language == "en" else _KOREAN
    clauses = [*_emails(features, words), *_clicks(features, words), *_reads(reads, words)]
    if not reads and number(features, "read_depth_max") > 0:
        clauses.append(words["read_any"](_percent(number(features, "read_depth_max"))))
    clauses += _other(features, words)
    return clauses or [words["nothing"]()]


_Words = dict[str, Callable[..., str]]


def _days_ago(days: int) -> str:
    return {0: "today", 1: "yesterday"}.get(days, f"{days} days ago")


def _times_en(count: int) -> str:
    return {1: "once", 2: "twice"}.get(count, f"{count} times")


_ENGLISH: _Words = {
    "opened": lambda o, s: f"opened {o} of the last {s} emails",
    "opened_none": lambda s: f"opened none of the last {s} emails",
    "opened_more": lambda o, s: f"opened the last {s} emails {o} times",
    "opened_unsent": lambda o: f"opened our emails {_times_en(o)}",
    "clicked": lambda link, n: f"clicked the {link[0]} link {_times_en(n)}",
    "replied": lambda d: f"replied {_days_ago(d)}",
    "read": lambda p, doc: f"read {p}% of {doc}",
    "read_any": lambda p: f"read {p}% of a document",
    "dwelt": lambda t, page, doc: f"dwelt {t} on page {page} of {doc}",
    "duration": lambda s: f"{round(s / 60)} min" if s >= 90 else f"{round(s)} s",
    "webinar": lambda n, m: f"attended {n} webinar{'s' if n > 1 else ''} ({m} min)",
    "demo": lambda: "requested a demo",
    "forms": lambda n: f"submitted {n} form{'s' if n > 1 else ''}",
    "signup": lambda: "signed up",
    "active": lambda d: f"last active {_days_ago(d)}",
    "nothing": lambda: "no activity yet",
}
_KOREAN: _Words = {
    "opened": lambda o, s: f"최근 이메일 {s}통 중 {o}통을 열어 봄",
    "opened_none": lambda s: f"최근 이메일 {s}통을 열지 않음",
    "opened_more": lambda o, s: f"최근 이메일 {s}통을 {o}회 열어 봄",
    "opened_unsent": lambda o: f"이메일을 {o}회 열어 봄",
    "clicked": lambda link, n: f"{link[1]} 링크를 {n}회 클릭함",
    "replied": lambda d: f"{d}일 전에 답장함" if d else "오늘 답장함",
    "read": lambda p, doc: f"{doc}의 {p}%를 읽음",
    "read_any": lambda p: f"문서의 {p}%를 읽음",
    "dwelt": lambda t, page, doc: f"{doc} {page}쪽에서 {t} 머묾",
    "duration": lambda s: f"{round(s / 60)}분" if s >= 90 else f"{round(s)}초",
    "webinar": lambda n, m: f"웨비나 {n}회 참석 ({m}분)",
    "demo": lambda: "데모를 요청함",
    "forms": lambda n: f"양식 {n}건 제출",
    "signup": lambda: "가입함",
    "active": lambda d: f"{d}일 전 마지막 활동" if d else "오늘 활동함",
    "nothing": lambda: "아직 활동 없음",
}


def _percent(share: float) -> int:
    return round(min(max(share, 0.0), 1.0) * 100)


def _emails(features: Mapping[str, Any], words: _Words) -> list[str]:
    sends = round(number(features, "sends_90d"))
    opens = round(number(features, "opens_human_90d"))
    if sends == 0:
        opens_all = round(number(features, "opens_human_all"))
        return [words["opened_unsent"](opens_all)] if opens_all else []
    if opens == 0:
        return [words["opened_none"](sends)]
    if opens > sends:
        return [words["opened_more"](opens, sends)]
    return [words["opened"](opens, sends)]


def _clicks(features: Mapping[str, Any], words: _Words) -> list[str]:
    clauses = []
    for kind, link in _LINKS.items():
        count = round(number(features, f"clicks_{kind}"))
        if count:
            clauses.append(words["clicked"](link, count))
    return clauses


def _reads(reads: Sequence[PulseRead], words: _Words) -> list[str]:
    clauses = []
    for read in sorted(reads, key=lambda r: -r.read_depth)[:2]:
        document = quote(read.document)
        clauses.append(words["read"](_percent(read.read_depth), document))
        if read.longest_page is not None and read.longest_dwell_seconds >= 30:
            dwell = words["duration"](read.longest_dwell_seconds)
            clauses.append(words["dwelt"](dwell, read.longest_page, document))
    return clauses


def _other(features: Mapping[str, Any], words: _Words) -> list[str]:
    clauses = []
    reply_days = number(features, "days_since_reply")
    if number(features, "replies_all") > 0 and reply_days < NEVER_DAYS:
        clauses.append(words["replied"](round(reply_days)))
    webinars = round(number(features, "webinars_attended"))
    if webinars:
        clauses.append(words["webinar"](webinars, round(number(features, "webinar_minutes"))))
    if number(features, "demo_requested") > 0:
        clauses.append(words["demo"]())
    elif round(number(features, "forms_submitted")):
        clauses.append(words["forms"](round(number(features, "forms_submitted"))))
    if number(features, "signups") > 0:
        clauses.append(words["signup"]())
    if features.get("days_since_activity") is not None:
        active = number(features, "days_since_activity")
        if active < NEVER_DAYS:
            clauses.append(words["active"](round(active)))
    return clauses
