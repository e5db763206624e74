"""What one running app holds: database, champion scorer, settings, metrics, caches."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from leads import db
from leads.teams import authenticate
from model.champion import Champion
from serving.metrics import Metrics
from serving.settings import ServingSettings


@dataclass(slots=True)
class RateLimiter:
    """A token bucket per key: `rate` per minute, bursts up to `rate`."""

    rate: int
    _buckets: dict[str, tuple[float, float]] = field(default_factory=dict)

    def allow(self, key: str, now: float | None = None) -> float:
        """0 when allowed (a token is taken), else the seconds until the next token."""
        now = time.monotonic() if now is None else now
        tokens, last = self._buckets.get(key, (float(self.rate), now))
        tokens = min(float(self.rate), tokens + (now - last) * self.rate / 60.0)
        if tokens >= 1.0:
            self._buckets[key] = (tokens - 1.0, now)
            return 0.0
        self._buckets[key] = (tokens, now)
        return (1.0 - tokens) * 60.0 / self.rate


@dataclass(slots=True)
class Service:
    """The state behind one app instance (`app.state.service`)."""

    engine: Engine
    champion: Champion
    settings: ServingSettings
    metrics: Metrics = field(default_factory=Metrics)
    sessions: sessionmaker[Session] = field(init=False)
    form_limiter: RateLimiter = field(init=False)
    _keys: dict[str, tuple[int, float]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.sessions = db.session_factory(self.engine)
        self.form_limiter = RateLimiter(self.settings.form_rate_per_minute)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work: committed before the response is sent, rolled back on error."""
        with self.sessions() as session, session.begin():
            yield session

    def team_of_key(self, key: str) -> int:
        """The team id of a live API key (checked against the database at most every few
        seconds per key, so a revoked key stops working within `auth_cache_seconds`)."""
        now = time.monotonic()
        cached = self._keys.get(key)
        if cached is not None and now - cached[1] < self.settings.auth_cache_seconds:
            return cached[0]
        with self.transaction() as session:
            team_id = authenticate(session, key).id
        if len(self._keys) > 10_000:
            self._keys.clear()
        self._keys[key] = (team_id, now)
        return team_id

    def forget_keys(self) -> None:
        """Drop cached keys (after a revocation in this process)."""
        self._keys.clear()
