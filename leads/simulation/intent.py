"""The hidden buying intent behind every lead's behaviour, and the meetings it leads to.

Intent is a logit per lead and simulated day:

    x[i, d] = base[i] + z[i, d] + surge[i, d]

- `base` comes from ICP fit (industry and size), seniority, lead source, stated product
  interest, a company effect shared by colleagues and a personal effect;
- `z` drifts as an AR(1) process, z[d] = 0.9 z[d-1] + 0.35 e[d], e ~ N(0, 1) (sd about 0.8);
- `surge` is a buying trigger that ~30% of leads get on a random day: a jump of 1.5-3 logits
  decaying with a time constant of 5-15 days.

`sigmoid(x[i, d])` is the lead's intent on day d; every behaviour (opens, clicks, reading
depth, replies, webinar minutes, sign-ups) is more likely the higher it is.

Meetings: on each eligible day d the lead books a meeting with probability
`h[i, d] = sigmoid(x[i, d] - MEETING_OFFSET)`, and stops at the first one. A day is eligible
when it is a whole simulated day before the cut-off (the run's end or now) and after the day
the lead arrived (every day for leads that existed before the run). Hence

    p_convert[i] = 1 - prod over eligible d of (1 - h[i, d])

is exactly the probability, given the lead's whole hidden intent path, that it books at least
one meeting during the run; `converted` is drawn from it (day-by-day Bernoulli trials), so no
model of the observable events can rank leads better than p_convert does.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from leads.simulation.draws import sigmoid

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

MEETING_OFFSET = 6.2
_BASE = -2.6
_SENIORITY_EFFECT = np.array([0.5, 0.6, 0.5, 0.2, -0.4])  # c_level, vp, director, manager, staff
_SOURCE_EFFECT = np.array([0.2, 0.0, 0.5, 0.8, -0.1, 0.4, 0.3, -0.8])  # people.SOURCES order
_INTEREST_EFFECT = np.array([0.0, 0.3, 0.3, 0.5])
_PHI, _SIGMA = 0.9, 0.35
_SURGE_SHARE = 0.3
_SURGE_AMPLITUDE = (1.5, 3.0)
_SURGE_TAU = (5.0, 15.0)


def base_intent(
    rng: np.random.Generator,
    *,
    icp_fit: FloatArray,
    company_effect: FloatArray,
    seniority: IntArray,
    source: IntArray,
    interests: IntArray,
) -> FloatArray:
    """Each lead's long-run intent logit."""
    base: FloatArray = (
        _BASE
        + 1.8 * icp_fit
        + company_effect
        + _SENIORITY_EFFECT[seniority]
        + _SOURCE_EFFECT[source]
        + _INTEREST_EFFECT[interests]
        + rng.normal(0.0, 0.6, len(icp_fit))
    )
    return base


@dataclass(frozen=True, slots=True)
class IntentPaths:
    """The parts of every lead's intent path: base, AR(1) drift per day, and its surge (if any).

    A lead without a surge has `amplitude` 0 (its `surge_day` and `tau` are drawn all the same).
    """

    base: FloatArray
    drift: FloatArray
    surge_day: IntArray
    amplitude: FloatArray
    tau: FloatArray

    @property
    def x(self) -> FloatArray:
        """Intent logits x[i, d] = base + drift + surge."""
        days = self.drift.shape[1]
        x: FloatArray = self.base[:, None] + self.drift + _surge(self, np.arange(days)[None, :])
        return x

    def take(self, leads: IntArray) -> IntentPaths:
        """The paths of the leads at positions `leads`."""
        return IntentPaths(
            self.base[leads],
            self.drift[leads],
            self.surge_day[leads],
            self.amplitude[leads],
            self.tau[leads],
        )


def _surge(paths: IntentPaths, day: IntArray) -> FloatArray:
    """The surge term on `day` (broadcast against one row per lead)."""
    since = day - paths.surge_day[:, None]
    decayed = paths.amplitude[:, None] * np.exp(-since / paths.tau[:, None])
    surge: FloatArray = np.where(since >= 0, decayed, 0.0)
    return surge


def draw_intent(rng: np.random.Generator, base: FloatArray, days: int) -> IntentPaths:
    """The parts of intent paths for `days` days: AR(1) drift and a decaying surge on `base`."""
    count = len(base)
    drift = np.empty((count, days))
    drift[:, 0] = rng.normal(0.0, _SIGMA / np.sqrt(1 - _PHI**2), count)
    shocks = rng.normal(0.0, _SIGMA, (count, days))
    for day in range(1, days):
        drift[:, day] = _PHI * drift[:, day - 1] + shocks[:, day]
    has_surge = rng.random(count) < _SURGE_SHARE
    surge_day = rng.integers(0, days, count)
    amplitude = rng.uniform(*_SURGE_AMPLITUDE, count) * has_surge
    tau = rng.uniform(*_SURGE_TAU, count)
    return IntentPaths(base, drift, surge_day, amplitude, tau)


def continued_intent(
    rng: np.random.Generator, paths: IntentPaths, day: IntArray, samples: int
) -> FloatArray:
    """`samples` draws of x[i, :] that follow lead i's path up to `day[i]` and then evolve anew.

    Shape (leads, samples, days). After `day[i]` the drift goes on as the same AR(1) process
    from its value on `day[i]`, and a lead whose surge has not begun by then starts one on a
    later day with the chance the draw above gives it (a share `_SURGE_SHARE` of leads, on a
    day uniform over the run): the distribution of the rest of the path given the hidden state
    on `day[i]`, which is what the simulation itself would draw.
    """
    count, days = paths.drift.shape
    every = np.arange(days)
    ahead = every[None, :] - day[:, None]  # (leads, days): > 0 after the known day
    drift = np.repeat(paths.drift[:, None, :], samples, axis=1)
    for step in range(1, days):
        later = ahead[:, step] > 0
        if later.any():
            shocks = rng.normal(0.0, _SIGMA, (int(later.sum()), samples))
            drift[later, :, step] = _PHI * drift[later, :, step - 1] + shocks
    begun = (paths.amplitude > 0) & (paths.surge_day <= day)
    # P(surge starts on a given later day | none by `day`): share / days over what is left.
    left = 1.0 - _SURGE_SHARE * (day + 1) / days
    chance = _SURGE_SHARE * np.maximum(days - 1 - day, 0) / days / left
    new = ~begun[:, None] & (rng.random((count, samples)) < chance[:, None])
    start = day[:, None] + 1 + np.floor(rng.random((count, samples)) * (days - 1 - day)[:, None])
    amplitude = rng.uniform(*_SURGE_AMPLITUDE, (count, samples))
    tau = rng.uniform(*_SURGE_TAU, (count, samples))
    since = every[None, None, :] - start[:, :, None]
    fresh = np.where(
        new[:, :, None] & (since >= 0),
        amplitude[:, :, None] * np.exp(-since / tau[:, :, None]),
        0.0,
    )
    known = _surge(paths, every[None, :])[:, None, :]
    x: FloatArray = paths.base[:, None, None] + drift + np.where(begun[:, None, None], known, fresh)
    return x


@dataclass(frozen=True, slots=True)
class Outcome:
    """The truth for each lead: p_convert, whether it converted, and the day it did (-1)."""

    p_convert: FloatArray
    converted: NDArray[np.bool_]
    meeting_day: IntArray


def meeting_hazard(x: FloatArray, arrival: IntArray, full_days: int) -> FloatArray:
    """h[i, d]: the chance lead i books on day d if it has not yet (0 on days not eligible)."""
    day = np.arange(x.shape[1])[None, :]
    eligible = (day > arrival[:, None]) & (day < full_days)
    hazard: FloatArray = np.where(eligible, sigmoid(x - MEETING_OFFSET), 0.0)
    return hazard


def meetings(rng: np.random.Generator, x: FloatArray, arrival: IntArray, full_days: int) -> Outcome:
    """Draw each lead's first meeting day from the daily hazard (see the module docstring)."""
    count, days = x.shape
    hazard = meeting_hazard(x, arrival, full_days)
    p_convert = 1.0 - np.prod(1.0 - hazard, axis=1)
    hits = rng.random((count, days)) < hazard
    converted: NDArray[np.bool_] = np.asarray(hits.any(axis=1))
    meeting_day = np.where(converted, hits.argmax(axis=1), -1)
    return Outcome(p_convert=p_convert, converted=converted, meeting_day=meeting_day)
