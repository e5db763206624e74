from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from flows.schedule import (
    Delay,
    StepTime,
    add_delay,
    as_zone,
    next_send_time,
    plan,
    preview,
    zone_for,
)
from leads.errors import ValidationFailed
from leads.team_settings import SendWindow

SEOUL = ZoneInfo("Asia/Seoul")
LOS_ANGELES = ZoneInfo("America/Los_Angeles")
NEW_YORK = ZoneInfo("America/New_York")
BERLIN = ZoneInfo("Europe/Berlin")
EVERY_DAY = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS = EVERY_DAY  # index = date.weekday()


def send_window(**changes: Any) -> SendWindow:
    """The default window (Mon-Fri 09:00-17:00, no holidays) with `changes`."""
    return SendWindow(**changes)


def at(
    zone: ZoneInfo,
    year: int,
    month: int,
    day: int,
    hour: int,
    minute: int,
    second: int = 0,
    microsecond: int = 0,
    *,
    fold: int = 0,
) -> datetime:
    """An aware datetime on the wall clock of `zone`."""
    return datetime(year, month, day, hour, minute, second, microsecond, zone, fold=fold)


def utc(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def is_inside(moment: datetime, window: SendWindow, zone: ZoneInfo) -> bool:
    local = moment.astimezone(zone)
    return (
        WEEKDAYS[local.weekday()] in window.days
        and local.date().isoformat() not in window.holidays
        and window.start <= local.time() < window.end
    )


# 2024-06-03 is a Monday; 2024-06-07 a Friday.


def test_earliest_already_inside_the_window_stays_unchanged() -> None:
    earliest = at(SEOUL, 2024, 6, 3, 10, 30)
    sent = next_send_time(earliest, send_window(), SEOUL)
    assert sent == earliest and sent.tzinfo is UTC


def test_before_the_window_opens_waits_for_the_start() -> None:
    sent = next_send_time(at(SEOUL, 2024, 6, 3, 7, 15), send_window(), SEOUL)
    assert sent == at(SEOUL, 2024, 6, 3, 9, 0)


def test_weekend_is_skipped() -> None:
    sent = next_send_time(at(SEOUL, 2024, 6, 8, 11, 0), send_window(), SEOUL)
    assert sent.astimezone(SEOUL) == at(SEOUL, 2024, 6, 10, 9, 0)


def test_friday_evening_waits_for_monday_morning() -> None:
    sent = next_send_time(at(SEOUL, 2024, 6, 7, 18, 0), send_window(), SEOUL)
    assert sent == at(SEOUL, 2024, 6, 10, 9, 0)


def test_holiday_is_skipped() -> None:
    window = send_window(holidays=["2024-06-03"])
    sent = next_send_time(at(SEOUL, 2024, 6, 3, 10, 0), window, SEOUL)
    assert sent == at(SEOUL, 2024, 6, 4, 9, 0)


def test_holidays_are_dates_on_the_leads_clock_not_utc() -> None:
    earliest = utc(2024, 6, 2, 23, 0)  # Sunday in UTC, Monday 08:00 in Seoul
    sent = next_send_time(earliest, send_window(holidays=["2024-06-03"]), SEOUL)
    assert sent == at(SEOUL, 2024, 6, 4, 9, 0)


def test_window_end_is_exclusive() -> None:
    window = send_window()
    assert next_send_time(at(SEOUL, 2024, 6, 3, 17, 0), window, SEOUL) == at(
        SEOUL, 2024, 6, 4, 9, 0
    )
    last = at(SEOUL, 2024, 6, 3, 16, 59, 59, 999999)
    assert next_send_time(last, window, SEOUL) == last


def test_the_same_utc_instant_waits_differently_in_seoul_and_los_angeles() -> None:
    instant = utc(2024, 6, 4, 1, 0)  # Tuesday 10:00 in Seoul, Monday 18:00 in Los Angeles
    assert next_send_time(instant, send_window(), SEOUL) == instant
    in_los_angeles = next_send_time(instant, send_window(), LOS_ANGELES)
    assert in_los_angeles == at(LOS_ANGELES, 2024, 6, 4, 9, 0) == utc(2024, 6, 4, 16, 0)


def test_zone_may_be_given_by_name() -> None:
    instant = utc(2024, 6, 4, 1, 0)
    assert next_send_time(instant, send_window(), "America/Los_Angeles") == utc(2024, 6, 4, 16, 0)


@pytest.mark.parametrize(
    ("zone", "day", "expected_utc"),
    [
        # 02:30 does not exist on these days: the window opens when the clock jumps to 03:00.
        (NEW_YORK, date(2024, 3, 10), utc(2024, 3, 10, 7, 0)),
        (BERLIN, date(2024, 3, 31), utc(2024, 3, 31, 1, 0)),
    ],
)
def test_dst_spring_forward_opens_a_skipped_start_at_the_next_valid_instant(
    zone: ZoneInfo, day: date, expected_utc: datetime
) -> None:
    window = send_window(days=EVERY_DAY, start=time(2, 30), end=time(4, 0))
    sent = next_send_time(at(zone, day.year, day.month, day.day, 0, 0), window, zone)
    assert sent == expected_utc
    assert sent.astimezone(zone).time() == time(3, 0)


@pytest.mark.parametrize(
    ("zone", "day", "start", "expected_utc"),
    [
        # 01:30 (New York) and 02:30 (Berlin) happen twice on these days: the first one counts.
        (NEW_YORK, date(2024, 11, 3), time(1, 30), utc(2024, 11, 3, 5, 30)),
        (BERLIN, date(2024, 10, 27), time(2, 30), utc(2024, 10, 27, 0, 30)),
    ],
)
def test_dst_fall_back_takes_the_first_occurrence_of_a_repeated_start(
    zone: ZoneInfo, day: date, start: time, expected_utc: datetime
) -> None:
    window = send_window(days=EVERY_DAY, start=start, end=time(4, 0))
    sent = next_send_time(at(zone, day.year, day.month, day.day, 0, 0), window, zone)
    assert sent == expected_utc
    assert sent.astimezone(zone).fold == 0


def test_dst_fall_back_repeats_a_window_that_closed_in_the_repeated_hour() -> None:
    window = send_window(days=EVERY_DAY, start=time(1, 0), end=time(1, 45))
    after_first_pass = at(NEW_YORK, 2024, 11, 3, 1, 50)  # EDT, before the clocks go back
    sent = next_send_time(after_first_pass, window, NEW_YORK)
    local = sent.astimezone(NEW_YORK)
    assert sent == utc(2024, 11, 3, 6, 0)
    assert (local.time(), local.fold) == (time(1, 0), 1)


def test_dst_fall_back_second_occurrence_inside_the_window_stays_unchanged() -> None:
    window = send_window(days=EVERY_DAY, start=time(1, 0), end=time(1, 45))
    second_pass = at(NEW_YORK, 2024, 11, 3, 1, 10, fold=1)  # EST
    assert next_send_time(second_pass, window, NEW_YORK) == utc(2024, 11, 3, 6, 10)


def test_dst_change_keeps_the_local_opening_hour() -> None:
    friday_evening = at(NEW_YORK, 2024, 3, 8, 17, 0)  # EST; Monday is EDT
    sent = next_send_time(friday_evening, send_window(), NEW_YORK)
    assert sent == utc(2024, 3, 11, 13, 0)


def test_one_business_day_from_friday_is_monday_at_the_same_local_time() -> None:
    friday = at(SEOUL, 2024, 6, 7, 16, 0)
    moved = add_delay(friday, Delay(business_days=1), send_window(), SEOUL)
    assert moved == at(SEOUL, 2024, 6, 10, 16, 0)


def test_business_days_skip_a_holiday_monday() -> None:
    friday = at(SEOUL, 2024, 6, 7, 16, 0)
    window = send_window(holidays=["2024-06-10"])
    assert add_delay(friday, Delay(business_days=1), window, SEOUL) == at(SEOUL, 2024, 6, 11, 16, 0)


def test_business_days_across_a_holiday_in_the_middle() -> None:
    wednesday = at(SEOUL, 2024, 6, 5, 11, 0)
    window = send_window(holidays=["2024-06-06"])  # Thursday
    moved = add_delay(wednesday, Delay(business_days=3), window, SEOUL)
    assert moved == at(SEOUL, 2024, 6, 11, 11, 0)  # Fri, Mon, Tue


def test_business_days_from_a_weekend_start_on_the_next_open_day() -> None:
    saturday = at(SEOUL, 2024, 6, 8, 10, 0)
    moved = add_delay(saturday, Delay(business_days=1), send_window(), SEOUL)
    assert moved == at(SEOUL, 2024, 6, 10, 10, 0)


def test_business_days_keep_the_wall_time_across_dst() -> None:
    friday = at(NEW_YORK, 2024, 3, 8, 10, 0)  # EST
    moved = add_delay(friday, Delay(business_days=1), send_window(), NEW_YORK)
    assert moved == utc(2024, 3, 11, 14, 0)  # 10:00 EDT


def test_hours_are_elapsed_time_and_days_keep_the_wall_time() -> None:
    saturday_noon = at(NEW_YORK, 2024, 3, 9, 12, 0)  # the clocks go forward that night
    window = send_window()
    assert add_delay(saturday_noon, Delay(hours=24), window, NEW_YORK) == utc(2024, 3, 10, 17, 0)
    assert add_delay(saturday_noon, Delay(days=1), window, NEW_YORK) == utc(2024, 3, 10, 16, 0)


def test_a_day_that_lands_in_a_skipped_hour_moves_to_the_next_valid_instant() -> None:
    before = at(NEW_YORK, 2024, 3, 9, 2, 30)
    moved = add_delay(before, Delay(days=1), send_window(), NEW_YORK)
    assert moved == at(NEW_YORK, 2024, 3, 10, 3, 0) == utc(2024, 3, 10, 7, 0)


def test_the_parts_of_a_delay_add_up() -> None:
    friday = at(SEOUL, 2024, 6, 7, 10, 0)
    moved = add_delay(friday, Delay(business_days=1, days=1, hours=1.5), send_window(), SEOUL)
    assert moved == at(SEOUL, 2024, 6, 11, 11, 30)


STEPS = [Delay(), Delay(business_days=1), Delay(business_days=1, hours=1)]


def test_plan_times_each_step_from_the_one_before() -> None:
    times = plan(at(SEOUL, 2024, 6, 3, 8, 0), STEPS, send_window(), SEOUL)
    assert times == [
        at(SEOUL, 2024, 6, 3, 9, 0),
        at(SEOUL, 2024, 6, 4, 9, 0),
        at(SEOUL, 2024, 6, 5, 10, 0),
    ]
    assert all(moment.tzinfo is UTC for moment in times)


def test_a_late_step_pushes_the_later_ones() -> None:
    planned = plan(at(SEOUL, 2024, 6, 3, 8, 0), STEPS, send_window(), SEOUL)
    step_1_went_out = at(SEOUL, 2024, 6, 4, 16, 30)  # planned for 09:00
    replanned = plan(step_1_went_out, STEPS[2:], send_window(), SEOUL)
    # Wednesday 17:30 is past the window's end: Thursday's opening.
    assert replanned == [at(SEOUL, 2024, 6, 6, 9, 0)]
    assert replanned[0] > planned[2]


def test_plan_of_no_steps_is_empty() -> None:
    assert plan(utc(2024, 6, 3, 0, 0), [], send_window(), SEOUL) == []


def test_preview_shows_each_step_in_local_and_utc_time() -> None:
    rows = preview(at(SEOUL, 2024, 6, 3, 8, 0), STEPS, send_window(), "Asia/Seoul")
    assert [row.step for row in rows] == [0, 1, 2]
    assert rows[0] == StepTime(step=0, local=at(SEOUL, 2024, 6, 3, 9, 0), utc=utc(2024, 6, 3, 0, 0))
    assert all(row.local.tzinfo == SEOUL and row.utc.tzinfo is UTC for row in rows)


def test_preview_after_a_late_step_numbers_the_remaining_steps() -> None:
    rows = preview(at(SEOUL, 2024, 6, 4, 16, 30), STEPS[2:], send_window(), SEOUL, first_step=2)
    assert [(row.step, row.local) for row in rows] == [(2, at(SEOUL, 2024, 6, 6, 9, 0))]


@pytest.mark.parametrize("name", ["Mars/Olympus_Mons", "America", "", "../etc/passwd", "utc"])
def test_unknown_time_zone_gives_validation_failed_naming_timezone(name: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        next_send_time(utc(2024, 6, 3, 0, 0), send_window(), name)
    assert caught.value.field == "timezone"
    with pytest.raises(ValidationFailed):
        as_zone(name)


def test_lead_without_a_zone_falls_back_to_the_teams() -> None:
    assert zone_for(None, "Asia/Seoul") == SEOUL
    assert zone_for("  ", "Asia/Seoul") == SEOUL
    assert zone_for("Europe/Berlin", "Asia/Seoul") == BERLIN
    with pytest.raises(ValidationFailed, match="timezone"):
        zone_for("Nowhere/Town", "Asia/Seoul")


def test_a_holiday_that_is_not_a_date_names_the_field() -> None:
    with pytest.raises(ValidationFailed) as caught:
        next_send_time(utc(2024, 6, 3, 0, 0), send_window(holidays=["June 3rd"]), SEOUL)
    assert caught.value.field == "send_window.holidays"


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        next_send_time(datetime(2024, 6, 3, 9, 0), send_window(), SEOUL)
    with pytest.raises(ValueError, match="aware"):
        add_delay(datetime(2024, 6, 3, 9, 0), Delay(hours=1), send_window(), SEOUL)


@pytest.mark.parametrize(
    "fields",
    [{"business_days": -1}, {"days": -1}, {"hours": -0.5}, {"hours": float("inf")}, {"weeks": 1}],
)
def test_delay_refuses_negative_infinite_and_unknown_parts(fields: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        Delay(**fields)


ZONES = [
    "UTC",
    "Asia/Seoul",
    "America/Los_Angeles",
    "America/New_York",
    "Europe/Berlin",
    "Australia/Lord_Howe",  # a half-hour DST change
    "America/Santiago",  # changes at midnight
    "America/St_Johns",
    "Pacific/Chatham",
    "Pacific/Apia",  # skipped 2011-12-30 entirely
]


@st.composite
def send_windows(draw: st.DrawFn) -> SendWindow:
    days = draw(st.lists(st.sampled_from(EVERY_DAY), min_size=1, max_size=7, unique=True))
    start, end = sorted(draw(st.lists(st.times(), min_size=2, max_size=2, unique=True)))
    holidays = draw(
        st.lists(st.dates(date(2009, 1, 1), date(2031, 12, 31)).map(date.isoformat), max_size=6)
    )
    return SendWindow(days=days, start=start, end=end, holidays=holidays)


moments = st.datetimes(
    min_value=datetime(2010, 1, 1),
    max_value=datetime(2030, 12, 31),
    timezones=st.sampled_from([UTC, *map(ZoneInfo, ZONES)]),
    allow_imaginary=False,
)


@settings(max_examples=300, deadline=None)
@given(earliest=moments, window=send_windows(), zone_name=st.sampled_from(ZONES))
def test_next_send_time_is_not_early_is_inside_and_idempotent(
    earliest: datetime, window: SendWindow, zone_name: str
) -> None:
    zone = ZoneInfo(zone_name)
    sent = next_send_time(earliest, window, zone)
    earliest = earliest.astimezone(UTC)  # `==` across zones is never true on a repeated hour
    assert sent >= earliest
    assert sent.tzinfo is UTC
    assert is_inside(sent, window, zone)
    assert next_send_time(sent, window, zone) == sent
    if is_inside(earliest, window, zone):
        assert sent == earliest
    else:  # nothing inside the window was skipped just before it
        assert not is_inside(sent - timedelta(microseconds=1), window, zone)


delays = st.builds(
    Delay,
    business_days=st.integers(0, 5),
    days=st.integers(0, 5),
    hours=st.floats(0, 72, allow_nan=False),
)


@settings(max_examples=100, deadline=None)
@given(
    start=moments,
    steps=st.lists(delays, max_size=5),
    window=send_windows(),
    zone_name=st.sampled_from(ZONES),
)
def test_plan_sends_every_step_inside_the_window_in_order(
    start: datetime, steps: list[Delay], window: SendWindow, zone_name: str
) -> None:
    times = plan(start, steps, window, zone_name)
    assert len(times) == len(steps)
    assert all(is_inside(moment, window, ZoneInfo(zone_name)) for moment in times)
    assert times == sorted(times) and all(moment >= start for moment in times)
