"""The date an out-of-office reply says its sender is back, in English or Korean."""

from __future__ import annotations

import re
from datetime import date

_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
_MONTH = (
    r"(?P<month>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?(?!\d)"
_WEEKDAY = r"(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+)?"
_ENGLISH_DATES = (
    re.compile(r"(?<![\d/.-])(?P<year>\d{4})[-/.](?P<month>\d{1,2})[-/.](?P<day>\d{1,2})(?!\d)"),
    re.compile(rf"\b{_WEEKDAY}{_MONTH}\s+{_DAY}(?:,?\s+(?P<year>\d{{4}}))?", re.IGNORECASE),
    re.compile(
        rf"\b{_WEEKDAY}{_DAY}(?:\s+of)?\s+{_MONTH}(?:,?\s+(?P<year>\d{{4}}))?", re.IGNORECASE
    ),
    re.compile(r"(?<![\d/.-])(?P<month>\d{1,2})/(?P<day>\d{1,2})(?:/(?P<year>\d{2,4}))?(?![\d/])"),
    re.compile(r"(?<![\d/.-])(?P<day>\d{1,2})\.(?P<month>\d{1,2})\.(?P<year>\d{4})(?!\d)"),
)
# English puts the date after the word that says it is a return: "back on", "until".
# A return ("back on") outranks the end of an absence ("until") when a notice has both.
_ENGLISH_TRIGGER = re.compile(
    r"\b(?:(?P<strong>back|return\w*|resum\w*|in the office|reachable)"
    r"|(?P<weak>until|till|through|thru))\b",
    re.IGNORECASE,
)
_TRIGGER_REACH = 40
_KOREAN_DATES = (
    re.compile(r"(?:(?P<year>\d{4})\s*년\s*)?(?P<month>\d{1,2})\s*월\s*(?P<day>\d{1,2})\s*일"),
    re.compile(r"(?<![\d/.-])(?P<year>\d{4})[-/.]\s*(?P<month>\d{1,2})[-/.]\s*(?P<day>\d{1,2})"),
    re.compile(r"(?<![\d/.-])(?P<month>\d{1,2})/(?P<day>\d{1,2})(?![\d/])"),
)
# Korean puts it before: "12월 7일에 복귀", "7일까지 부재", "7일(월)부터 출근" - with no other
# date in between, so the start of "12월 1일부터 12월 7일까지" is not taken for the return.
_KOREAN_TRIGGER = re.compile(
    r"[^\d\n]{0,12}?(?:(?P<strong>복귀|출근|돌아|업무\s*재개|정상\s*근무)|(?P<weak>까지))"
)
_STRONG, _WEAK = 0, 1


def read_return_date(text: str, *, on_or_after: date) -> date | None:
    """The first return date stated in `text`; a date without a year is the next such date
    on or after `on_or_after`. None when no date can be read."""
    found = [*_english_dates(text, on_or_after), *_korean_dates(text, on_or_after)]
    return min(found)[2] if found else None


def _english_dates(text: str, on_or_after: date) -> list[tuple[int, int, date]]:
    """(rank, position, date) of each date that follows a trigger word."""
    found: list[tuple[int, int, date]] = []
    for trigger in _ENGLISH_TRIGGER.finditer(text):
        candidates = [
            match
            for pattern in _ENGLISH_DATES
            if (match := pattern.search(text, trigger.end()))
            and match.start() - trigger.end() <= _TRIGGER_REACH
        ]
        for match in sorted(candidates, key=lambda match: match.start()):
            if (resolved := _resolve(match, on_or_after)) is not None:
                rank = _STRONG if trigger.group("strong") else _WEAK
                found.append((rank, trigger.start(), resolved))
                break
    return found


def _korean_dates(text: str, on_or_after: date) -> list[tuple[int, int, date]]:
    """(rank, position, date) of each date followed by a trigger word."""
    found: list[tuple[int, int, date]] = []
    for pattern in _KOREAN_DATES:
        for match in pattern.finditer(text):
            trigger = _KOREAN_TRIGGER.match(text, _after_weekday(text, match.end()))
            if trigger is None:
                continue
            if (resolved := _resolve(match, on_or_after)) is not None:
                rank = _STRONG if trigger.group("strong") else _WEAK
                found.append((rank, match.start(), resolved))
    return found


def _after_weekday(text: str, position: int) -> int:
    """Skip a Korean weekday in brackets, "(월)", so its closing bracket is not a digit gap."""
    weekday = re.compile(r"\s*\(\s*[월화수목금토일]\s*\)").match(text, position)
    return weekday.end() if weekday else position


def _resolve(match: re.Match[str], on_or_after: date) -> date | None:
    month_text = match.group("month")
    month = int(month_text) if month_text.isdigit() else _MONTHS[month_text[:3].lower()]
    day = int(match.group("day"))
    year_text = match.groupdict().get("year")
    if month > 12 >= day:  # 25/12: a day-first date
        month, day = day, month
    if year_text:
        year = int(year_text) + (2000 if len(year_text) == 2 else 0)
        return _date_or_none(year, month, day)
    # A leap day can be up to eight years away; any other date at most one.
    for year in range(on_or_after.year, on_or_after.year + 9):
        candidate = _date_or_none(year, month, day)
        if candidate is not None and candidate >= on_or_after:
            return candidate
    return None


def _date_or_none(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None
