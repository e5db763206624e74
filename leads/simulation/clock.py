"""Simulated time: integer milliseconds since the run's start, local hours, and the cut-off.

A simulated day is the 24 hours from `start + d days`; every clock time occurs once in it, so
"10:00 in Seoul on day d" is a single instant whatever time of day the run starts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np
from numpy.typing import NDArray

SECOND_MS = 1_000
MINUTE_MS = 60 * SECOND_MS
HOUR_MS = 60 * MINUTE_MS
DAY_MS = 24 * HOUR_MS

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]
_MS = timedelta(milliseconds=1)


@dataclass(frozen=True, slots=True)
class Clock:
    """The run's time frame: events fall in [0, limit_ms) milliseconds after `start`."""

    start: datetime
    days: int
    limit_ms: int

    @classmethod
    def make(cls, start: datetime, days: int, now: datetime) -> Clock:
        """A frame of `days` days from `start`, cut at `now` so that nothing lies in the future."""
        if start.tzinfo is None:
            raise ValueError("start: give a time zone (e.g. datetime(..., tzinfo=UTC))")
        start = start.astimezone(UTC)
        until_now = (now - start) // _MS
        return cls(start=start, days=days, limit_ms=max(0, min(days * DAY_MS, until_now)))

    @property
    def full_days(self) -> int:
        """How many whole simulated days lie before the cut-off."""
        return self.limit_ms // DAY_MS

    def local(self, day: IntArray, utc_offset: FloatArray, hour: FloatArray) -> IntArray:
        """The offsets of `hour` o'clock local time (UTC + `utc_offset` hours) on `day`."""
        start_of_day = (self.start - self.start.replace(hour=0, minute=0, second=0)) // _MS
        clock = ((hour - utc_offset) * HOUR_MS).astype(np.int64) - start_of_day
        return day * DAY_MS + np.mod(clock, DAY_MS)

    def at_utc(self, day: int, hour: float) -> int:
        """The offset of `hour` o'clock UTC on simulated `day`."""
        return int(self.local(np.array([day]), np.array([0.0]), np.array([hour]))[0])

    def datetimes(self, offsets: IntArray) -> list[datetime]:
        """Aware UTC datetimes for offsets in milliseconds.

        Through POSIX timestamps, twice as fast as numpy's datetime64 and still exact: a float
        carries a timestamp to within 0.25 microseconds until the year 2100.
        """
        origin = self.start.timestamp()
        return [datetime.fromtimestamp(origin + ms / 1000, UTC) for ms in offsets.tolist()]


def day_of(offsets: IntArray, days: int) -> IntArray:
    """The simulated day of each offset, clipped into the run."""
    return np.clip(offsets // DAY_MS, 0, days - 1)
