"""Time for the flows: the system clock, or a clock tests move by hand."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Protocol

from leads.tables import utcnow


class Clock(Protocol):
    """Tells the time (aware, UTC)."""

    def now(self) -> datetime: ...


class SystemClock:
    """The real time."""

    def now(self) -> datetime:
        return utcnow()


class ManualClock:
    """A clock that moves only when told to (tests, simulations, the demo)."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("give the clock an aware datetime")
        self._now = start

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> datetime:
        """Move forward by `delta`; the new time."""
        self._now += delta
        return self._now

    def set(self, moment: datetime) -> None:
        """Jump to `moment` (never backwards)."""
        if moment < self._now:
            raise ValueError("a clock does not go backwards")
        self._now = moment
