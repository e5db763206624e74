"""When each step of an email sequence may be sent: the team's send window in the lead's zone.

A step is sent at the first moment, at or after its due time, that falls inside the send
window on the lead's wall clock: an allowed weekday that is not a holiday, from `start`
(inclusive) to `end` (exclusive). Every datetime in and out is aware; out is UTC.

Wall clocks jump at DST changes, so a window is turned into the UTC intervals in which the
lead's clock shows it (`_instants_between`): a start time skipped by a spring-forward opens
the window at the change itself, and a time repeated by a fall-back counts from its first
occurrence.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from itertools import islice, pairwise
from typing import NamedTuple, get_args
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field

from leads.errors import ValidationFailed
from leads.team_settings import SendWindow, Weekday

__all__ = [
    "Delay",
    "StepTime",
    "add_delay",
    "as_zone",
    "next_send_time",
    "plan",
    "preview",
    "zone_for",
]

_WEEKDAYS: tuple[Weekday, ...] = get_args(Weekday)
_ONE_DAY = timedelta(days=1)


class Delay(BaseModel):
    """How long after the previous step (or the enrolment) a step is due; the parts add up."""

    model_config = ConfigDict(extra="forbid")

    business_days: int = Field(default=0, ge=0, description="Open days of the send window.")
    days: int = Field(default=0, ge=0, description="Calendar days, same local wall time.")
    hours: float = Field(default=0.0, ge=0, allow_inf_nan=False, description="Elapsed hours.")


class StepTime(NamedTuple):
    """When one step goes out, for display."""

    step: int
    local: datetime
    utc: datetime


def zone_for(lead_timezone: str | None, team_timezone: str) -> ZoneInfo:
    """The zone a lead's emails are timed in: the lead's own, else the team's."""
    own = (lead_timezone or "").strip()
    return as_zone(own or team_timezone)


def as_zone(tz: str | ZoneInfo) -> ZoneInfo:
    """The zone named `tz` (an IANA name such as "Asia/Seoul"); `ValidationFailed` if none."""
    if isinstance(tz, ZoneInfo):
        return tz
    try:
        return ZoneInfo(tz.strip())
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a folder such as "America"
        raise ValidationFailed("timezone", f"{tz!r} is not an IANA time zone") from None


def next_send_time(earliest: datetime, window: SendWindow, tz: str | ZoneInfo) -> datetime:
    """The first moment at or after `earliest` that is inside `window` on the lead's clock."""
    # In UTC: Python compares and adds aware datetimes of one zone by their wall clocks.
    earliest = _in_utc(earliest, "earliest")
    zone = as_zone(tz)
    # From the day before, and the earlier of two open days: a fall-back across midnight
    # can show the end of one date again after the start of the next.
    days = _Calendar.of(window).open_days(earliest.astimezone(zone).date() - _ONE_DAY)
    found = (
        moment for day in days if (moment := _open_on(day, earliest, window, zone)) is not None
    )
    candidates = list(islice(found, 2))
    if not candidates:  # pragma: no cover - only a window that every open day skips
        raise ValidationFailed("send_window", "is never open on the lead's clock")
    return min(candidates)


def add_delay(start: datetime, delay: Delay, window: SendWindow, tz: str | ZoneInfo) -> datetime:
    """`start` moved by `delay`: business days, then calendar days, then hours.

    Business and calendar days move the lead's local date and keep the wall time (a time that
    the new date skips or repeats is resolved as in the window); hours are elapsed time.
    """
    start = _in_utc(start, "start")
    zone = as_zone(tz)
    local = start.astimezone(zone)
    day = _Calendar.of(window).add_open_days(local.date(), delay.business_days)
    day += timedelta(days=delay.days)
    moved = start if day == local.date() else _resolve(datetime.combine(day, local.time()), zone)
    return moved + timedelta(hours=delay.hours)


def plan(
    start: datetime, delays: Sequence[Delay], window: SendWindow, tz: str | ZoneInfo
) -> list[datetime]:
    """The send time of each step, each step's delay counted from the one before it.

    To replan after step k went out late, pass its actual send time as `start` and the
    delays of steps k+1.. : the later steps move with it.
    """
    zone = as_zone(tz)
    times: list[datetime] = []
    previous = start
    for delay in delays:
        previous = next_send_time(add_delay(previous, delay, window, zone), window, zone)
        times.append(previous)
    return times


def preview(
    start: datetime,
    delays: Sequence[Delay],
    window: SendWindow,
    tz: str | ZoneInfo,
    *,
    first_step: int = 0,
) -> list[StepTime]:
    """The plan for display: each step's number (from `first_step`), local and UTC time."""
    zone = as_zone(tz)
    return [
        StepTime(step=first_step + index, local=sent.astimezone(zone), utc=sent)
        for index, sent in enumerate(plan(start, delays, window, zone))
    ]


@dataclass(frozen=True)
class _Calendar:
    """The local dates a send window is open on."""

    weekdays: frozenset[int]
    holidays: frozenset[date]

    @classmethod
    def of(cls, window: SendWindow) -> _Calendar:
        return cls(
            weekdays=frozenset(_WEEKDAYS.index(day) for day in window.days),
            holidays=frozenset(_holiday(text) for text in window.holidays),
        )

    def is_open(self, day: date) -> bool:
        return day.weekday() in self.weekdays and day not in self.holidays

    def open_days(self, first: date) -> Iterator[date]:
        """Open dates from `first` on; enough of them to pass every holiday."""
        last = first + timedelta(weeks=len(self.holidays) + 2)
        day = first
        while day <= last:
            if self.is_open(day):
                yield day
            day += _ONE_DAY

    def add_open_days(self, day: date, count: int) -> date:
        """The date `count` open dates after `day` (`day` itself when `count` is 0)."""
        while count > 0:
            day += _ONE_DAY
            count -= self.is_open(day)
        return day


def _open_on(day: date, earliest: datetime, window: SendWindow, tz: ZoneInfo) -> datetime | None:
    """The first moment at or after `earliest` inside the window of the local date `day`."""
    wall_start, wall_end = datetime.combine(day, window.start), datetime.combine(day, window.end)
    for low, high in _instants_between(wall_start, wall_end, tz):
        if high > earliest:
            return max(low, earliest).astimezone(UTC)
    return None


def _holiday(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValidationFailed(
            "send_window.holidays", f"{text!r} is not an ISO date (YYYY-MM-DD)"
        ) from None


def _in_utc(moment: datetime, name: str) -> datetime:
    if moment.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime, got {moment!r}")
    return moment.astimezone(UTC)


def _resolve(wall: datetime, tz: ZoneInfo) -> datetime:
    """The first instant at which the lead's clock shows `wall` or has just jumped past it."""
    return _instants_between(wall, wall + _ONE_DAY, tz)[0][0]


@lru_cache(maxsize=4096)
def _instants_between(
    wall_from: datetime, wall_to: datetime, tz: ZoneInfo
) -> tuple[tuple[datetime, datetime], ...]:
    """The UTC intervals, in order, in which the clock of `tz` shows [wall_from, wall_to)."""
    # No zone is more than a day off UTC, so this span holds every such instant.
    low = _timestamp(wall_from - _ONE_DAY)
    high = _timestamp(wall_to + _ONE_DAY)
    intervals = []
    for begin, end in pairwise([low, *_offset_changes(low, high, tz), high]):
        offset = _offset(begin, tz)  # constant on [begin, end): the wall clock is t + offset
        first = max(_instant(begin), (wall_from - offset).replace(tzinfo=UTC))
        last = min(_instant(end), (wall_to - offset).replace(tzinfo=UTC))
        if first < last:
            intervals.append((first, last))
    return tuple(sorted(intervals))


def _offset_changes(low: int, high: int, tz: ZoneInfo) -> list[int]:
    """The seconds in (low, high] at which the UTC offset of `tz` changes.

    Found by bisection (zone transitions fall on whole seconds); two changes that cancel out
    within the span would be missed, which no zone does within days.
    """
    if _offset(low, tz) == _offset(high, tz):
        return []
    before, after = low, high
    while after - before > 1:
        middle = (before + after) // 2
        if _offset(middle, tz) == _offset(low, tz):
            before = middle
        else:
            after = middle
    return [after, *_offset_changes(after, high, tz)]


def _offset(second: int, tz: ZoneInfo) -> timedelta:
    return datetime.fromtimestamp(second, tz).utcoffset() or timedelta(0)


def _timestamp(naive_utc: datetime) -> int:
    return int(naive_utc.replace(tzinfo=UTC).timestamp())


def _instant(second: int) -> datetime:
    return datetime.fromtimestamp(second, UTC)
