from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from leads.simulation import HiddenPaths, daily_hazard, simulate
from leads.simulation.clock import DAY_MS, HOUR_MS, Clock
from leads.simulation.inbound import booked_meetings, meeting_time_cdf
from leads.simulation.intent import IntentPaths, continued_intent
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


def test_continuations_follow_the_path_up_to_the_known_day_and_then_drift_anew() -> None:
    hidden = daily_hazard(leads=LEADS, days=DAYS, seed=SEED, start=START)
    lead = np.arange(LEADS)
    day = np.random.default_rng(1).integers(0, DAYS, LEADS)
    x = continued_intent(np.random.default_rng(2), hidden.intent.take(lead), day, 64)
    known = np.arange(DAYS)[None, :] <= day[:, None]
    np.testing.assert_array_equal(np.where(known, x[:, 0, :], 0.0), np.where(known, hidden.x, 0.0))
    assert not np.array_equal(x[:, 0, :], x[:, 1, :])  # the futures differ


def test_continued_drift_has_the_ar1_mean_and_spread() -> None:
    days, ahead = 30, 5
    paths = IntentPaths(  # a surge under way that never decays: no other one can come
        base=np.zeros(1),
        drift=np.full((1, days), 1.0),
        surge_day=np.zeros(1, dtype=np.int64),
        amplitude=np.full(1, 2.0),
        tau=np.full(1, 1e12),
    )
    x = continued_intent(np.random.default_rng(3), paths, np.array([0]), 40_000)[0, :, ahead]
    drift = x - 2.0
    assert drift.mean() == pytest.approx(0.9**ahead, abs=0.01)
    assert drift.std() == pytest.approx(0.35 * np.sqrt((1 - 0.81**ahead) / (1 - 0.81)), rel=0.03)


def test_a_lead_without_a_surge_yet_may_get_one_later() -> None:
    days = 100
    paths = IntentPaths(
        base=np.zeros(1),
        drift=np.zeros((1, days)),
        surge_day=np.full(1, 10, dtype=np.int64),  # drawn, but without a surge (amplitude 0)
        amplitude=np.zeros(1),
        tau=np.full(1, 10.0),
    )
    x = continued_intent(np.random.default_rng(4), paths, np.array([49]), 20_000)
    jumped = (np.diff(x, axis=2) > 1.3).any(axis=2)[0]  # a surge lifts x by 1.5-3 in a day
    # the draw: 30% of leads surge, on a day uniform over 100; none did on days 0..49
    assert jumped.mean() == pytest.approx(0.3 * 50 / 100 / (1 - 0.3 * 50 / 100), abs=0.015)


def test_a_forecast_within_the_known_day_is_the_hindsight_chance() -> None:
    hidden = daily_hazard(leads=LEADS, days=DAYS, seed=SEED, start=START)
    lead = np.arange(LEADS)
    after = np.full(LEADS, 20 * DAY_MS + 2.0 * HOUR_MS)
    until = after + 20.0 * HOUR_MS  # still day 20
    forecast = hidden.p_meeting_forecast(lead, after, until, samples=8)
    np.testing.assert_allclose(forecast, hidden.p_meeting(lead, after, until), atol=1e-12)


def test_forecasts_average_to_the_hindsight_chance() -> None:
    leads = 4_000
    hidden = daily_hazard(leads=leads, days=DAYS, seed=SEED, start=START)
    lead = np.arange(leads)
    after = np.full(leads, 10.0 * DAY_MS + HOUR_MS)
    until = after + 25.0 * DAY_MS
    forecast = hidden.p_meeting_forecast(lead, after, until, samples=64)
    hindsight = hidden.p_meeting(lead, after, until)
    spread = (hindsight - forecast).std() / np.sqrt(leads)
    assert abs(forecast.mean() - hindsight.mean()) < 4 * spread
    # knowing the future path ranks leads better than knowing where they stand today
    assert np.corrcoef(forecast, hindsight)[0, 1] > 0.5
