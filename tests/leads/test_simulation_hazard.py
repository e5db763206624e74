from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from leads.simulation import HiddenPaths, daily_hazard, simulate
from leads.simulation.clock import DAY_MS, HOUR_MS, Clock
from leads.simulation.inbound import booked_meetings, meeting_time_cdf
from leads.tables import Event, Lead, SimulatedTruth, Team

LEADS, DAYS, SEED = 300, 40, 11
START = datetime(2025, 3, 3, 7, 30, tzinfo=UTC)  # not at midnight: working hours shift by 7.5 h


@pytest.fixture
def simulated(session: Session, team: Team) -> dict[str, int]:
    """The run written into the test's team; lead id by email."""
    simulate(session, team_id=team.id, leads=LEADS, days=DAYS, seed=SEED, start=START)
    rows = session.execute(select(Lead.email, Lead.id).where(Lead.team_id == team.id)).all()
    return {str(email): int(lead_id) for email, lead_id in rows}


def _positions(hidden: HiddenPaths, ids: dict[str, int]) -> dict[int, int]:
    return {ids[email]: position for position, email in enumerate(hidden.email)}


def test_daily_hazard_regenerates_every_stored_p_convert(
    session: Session, team: Team, simulated: dict[str, int]
) -> None:
    hidden = daily_hazard(leads=LEADS, days=DAYS, seed=SEED, start=START)
    stored = session.execute(
        select(SimulatedTruth.lead_id, SimulatedTruth.p_convert).where(
            SimulatedTruth.team_id == team.id
        )
    ).all()
    position = _positions(hidden, simulated)
    assert hidden.hazard.shape == (LEADS, DAYS)
    assert len(stored) == LEADS == len(position)
    regenerated = hidden.p_convert
    for lead_id, p_convert in stored:
        assert regenerated[position[lead_id]] == pytest.approx(p_convert, abs=1e-9)


def test_window_chance_over_the_whole_run_is_p_convert(simulated: dict[str, int]) -> None:
    hidden = daily_hazard(leads=LEADS, days=DAYS, seed=SEED, start=START)
    every = np.arange(LEADS)
    p = hidden.p_meeting(every, np.full(LEADS, -1.0), np.full(LEADS, DAYS * DAY_MS + 1.0))
    np.testing.assert_allclose(p, hidden.p_convert, rtol=0, atol=1e-12)


def test_every_meeting_falls_where_its_day_gives_it_a_chance(
    session: Session, team: Team, simulated: dict[str, int]
) -> None:
    hidden = daily_hazard(leads=LEADS, days=DAYS, seed=SEED, start=START)
    position = _positions(hidden, simulated)
    booked = session.execute(
        select(Event.lead_id, Event.occurred_at).where(
            Event.team_id == team.id, Event.type == "meeting_booked"
        )
    ).all()
    assert booked
    lead = np.array([position[lead_id] for lead_id, _ in booked])
    start = hidden.clock.start.replace(tzinfo=None)
    at = np.array(
        [(when.replace(tzinfo=None) - start).total_seconds() * 1000 for _, when in booked]
    )
    day = (at // DAY_MS).astype(np.int64)
    assert (hidden.hazard[lead, day] > 0).all()
    # booked at `at`: the lead had not booked just before, and had for sure just after
    before = hidden.survival(lead, at - 1.0)
    after = hidden.survival(lead, at + 1.0)
    assert (before > after).all()
    assert (before > 0).all()


@pytest.mark.parametrize(
    ("utc_offset", "arrival_hour"),
    [(9.0, None), (-5.0, None), (1.0, 23.0), (8.0, 20.5)],  # None: existed before the run
)
def test_meeting_time_cdf_matches_the_times_booked_meetings_draws(
    utc_offset: float, arrival_hour: float | None
) -> None:
    count, day = 20_000, 3
    clock = Clock.make(START, 10, datetime(2026, 1, 1, tzinfo=UTC))
    arrived = -1 if arrival_hour is None else (day - 1) * DAY_MS + int(arrival_hour * HOUR_MS)
    arrival_t = np.full(count, arrived, dtype=np.int64)
    offsets = np.full(count, utc_offset)
    _events, meeting_t = booked_meetings(
        np.random.default_rng(5), clock, np.full(count, day, dtype=np.int64), arrival_t, offsets
    )
    grid = np.linspace(day * DAY_MS, (day + 1) * DAY_MS, 97)
    drawn = (meeting_t[None, :] <= grid[:, None]).mean(axis=1)
    at = np.full(len(grid), day, dtype=np.int64)
    cdf = meeting_time_cdf(clock, at, offsets[: len(grid)], arrival_t[: len(grid)], grid)
    np.testing.assert_allclose(cdf, drawn, atol=0.015)
