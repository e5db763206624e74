"""Reading the simulator's truth back: the best AUC, and each lead's hidden daily hazard.

`best_auc` is how well p_convert ranks who converted; `daily_hazard` regenerates every lead's
h[d] from the seed, so the exact chance of a meeting in any window can be computed, either in
hindsight (given the whole hidden path, `HiddenPaths.p_meeting`) or as a forecast (given only
the hidden state when the window opens, `HiddenPaths.p_meeting_forecast`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np
from numpy.typing import ArrayLike, NDArray
from sqlalchemy import select
from sqlalchemy.orm import Session

from leads.simulation.block import Hidden, hidden_state
from leads.simulation.catalog import Catalog
from leads.simulation.clock import DAY_MS, Clock
from leads.simulation.companies import make_companies
from leads.simulation.draws import sigmoid
from leads.simulation.inbound import meeting_time_cdf
from leads.simulation.intent import MEETING_OFFSET, IntentPaths, continued_intent, meeting_hazard
from leads.simulation.people import make_people
from leads.simulation.run import BLOCK, LEADS_PER_COMPANY, default_start
from leads.tables import SimulatedTruth, utcnow

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
_INTENT_PARTS = ("base", "drift", "surge_day", "amplitude", "tau")


def rank_auc(scores: ArrayLike, labels: ArrayLike) -> float:
    """ROC AUC by the rank-sum (Mann-Whitney) formula, ties sharing their average rank."""
    score = np.asarray(scores, dtype=np.float64)
    label = np.asarray(labels, dtype=bool)
    positives, negatives = int(label.sum()), int((~label).sum())
    if positives == 0 or negatives == 0:
        raise ValueError("labels: need at least one positive and one negative")
    _, inverse, counts = np.unique(score, return_inverse=True, return_counts=True)
    average_rank = np.cumsum(counts) - (counts - 1) / 2.0
    rank_sum = float(average_rank[inverse][label].sum())
    return (rank_sum - positives * (positives + 1) / 2.0) / (positives * negatives)


def truth(session: Session, *, team_id: int) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
    """Every simulated lead's p_convert and outcome for a team, ordered by lead id."""
    rows = session.execute(
        select(SimulatedTruth.p_convert, SimulatedTruth.converted)
        .where(SimulatedTruth.team_id == team_id)
        .order_by(SimulatedTruth.lead_id)
    ).all()
    p = np.array([row.p_convert for row in rows], dtype=np.float64)
    return p, np.array([row.converted for row in rows], dtype=bool)


def best_auc(session: Session, *, team_id: int) -> float:
    """The AUC of p_convert against the outcome: what no model of the events can beat."""
    p, converted = truth(session, team_id=team_id)
    return rank_auc(p, converted)


@dataclass(frozen=True, slots=True)
class HiddenPaths:
    """Every lead of a simulation with its hidden daily meeting hazard, in the order drawn.

    `hazard[i, d]` is h[d] of the module docstring of `leads.simulation` (0 on days that are
    not eligible), `x` the intent logits and `intent` their parts; `email` identifies the lead
    in the team; times are milliseconds after `clock.start`.
    """

    email: list[str]
    x: FloatArray
    intent: IntentPaths
    hazard: FloatArray
    arrival_t: IntArray
    utc_offset: FloatArray
    clock: Clock

    @property
    def p_convert(self) -> FloatArray:
        """1 - prod(1 - h[d]) over the whole run: what `simulated_truth.p_convert` stores."""
        p: FloatArray = 1.0 - np.prod(1.0 - self.hazard, axis=1)
        return p

    def survival(self, lead: IntArray, t: FloatArray) -> FloatArray:
        """P(lead `lead[j]` has booked no meeting by offset `t[j]`), given its hidden path."""
        return _survival(self.hazard, self, lead, t)

    def p_meeting(self, lead: IntArray, after: FloatArray, until: FloatArray) -> FloatArray:
        """P(a meeting in (after, until] | none by `after`), given the lead's hidden path."""
        p: FloatArray = 1.0 - self.survival(lead, until) / self.survival(lead, after)
        return p

    def p_meeting_forecast(
        self,
        lead: IntArray,
        after: FloatArray,
        until: FloatArray,
        *,
        samples: int = 256,
        seed: int = 0,
    ) -> FloatArray:
        """P(a meeting in (after, until] | none by `after`), given the hidden state at `after`.

        Unlike `p_meeting`, which knows the path the intent took after `after`, this knows it
        up to the day of `after` only (base, drift and surge so far) and averages the exact
        window chance over `samples` continuations the simulation could have drawn from there
        (`intent.continued_intent`): the best forecast possible when the window opens.
        """
        rng = np.random.default_rng(seed)
        days = self.hazard.shape[1]
        out = np.empty(len(lead))
        step = max(1, _CELLS_PER_CHUNK // (samples * days))
        for first in range(0, len(lead), step):
            rows = slice(first, first + step)
            out[rows] = self._forecast(rng, lead[rows], after[rows], until[rows], samples)
        return out

    def _forecast(
        self, rng: np.random.Generator, lead: IntArray, after: FloatArray, until: FloatArray,
        samples: int,
    ) -> FloatArray:  # fmt: skip
        """`p_meeting_forecast` for one chunk of rows."""
        days = self.hazard.shape[1]
        day = np.clip(np.floor_divide(after, DAY_MS), 0, days - 1).astype(np.int64)
        x = continued_intent(rng, self.intent.take(lead), day, samples)
        eligible = self.hazard[lead][:, None, :] > 0  # same days as the path itself
        hazard = np.where(eligible, sigmoid(x - MEETING_OFFSET), 0.0).reshape(-1, days)
        each = np.repeat(lead, samples)
        paths = np.arange(len(each))
        kept = _survival(hazard, self, each, np.repeat(until, samples), paths)
        kept /= _survival(hazard, self, each, np.repeat(after, samples), paths)
        p: FloatArray = 1.0 - kept.reshape(len(lead), samples).mean(axis=1)
        return p


_CELLS_PER_CHUNK = 4_000_000  # (rows x samples x days) per chunk of forecasts: ~32 MB arrays


def _survival(
    hazard: FloatArray,
    paths: HiddenPaths,
    lead: IntArray,
    t: FloatArray,
    row: IntArray | None = None,
) -> FloatArray:
    """P(no meeting by offset `t[j]`) on hazard row `row[j]` (default `lead[j]`) of `lead[j]`."""
    row = lead if row is None else row
    count, days = hazard.shape
    log_kept = np.zeros((count, days + 1))
    np.cumsum(np.log1p(-hazard), axis=1, out=log_kept[:, 1:])
    day = np.clip(np.floor_divide(t, DAY_MS), 0, days).astype(np.int64)
    today = np.pad(hazard, ((0, 0), (0, 1)))[row, day]
    by_then = meeting_time_cdf(paths.clock, day, paths.utc_offset[lead], paths.arrival_t[lead], t)
    kept: FloatArray = np.exp(log_kept[row, day]) * (1.0 - today * by_then)
    return kept


def daily_hazard(
    *, leads: int, days: int, seed: int, start: datetime | None = None, now: datetime | None = None
) -> HiddenPaths:
    """The hidden paths `simulate` drew for these arguments, regenerated without writing.

    Give the same `start` as the run (`SimulationReport.start`) unless it used the default;
    `now` matters only when the run was cut short by the time it ran at.
    """
    now = now or utcnow()
    clock = Clock.make(start or default_start(now, days), days, now)
    catalog = Catalog.build(days)
    root = np.random.default_rng(seed)
    companies = make_companies(root, max(1, leads // LEADS_PER_COMPANY))
    taken: set[str] = set()
    email: list[str] = []
    blocks: list[Hidden] = []
    firsts = range(0, leads, BLOCK)
    for rng, first in zip(root.spawn(len(firsts)), firsts, strict=True):
        people = make_people(rng, companies, min(first + BLOCK, leads) - first, taken)
        blocks.append(hidden_state(rng, people, companies, catalog, clock))
        email += people.email
    if not blocks:  # no leads
        empty = np.empty(0, dtype=np.int64)
        nothing = IntentPaths(np.empty(0), np.empty((0, days)), empty, np.empty(0), np.empty(0))
        blocks.append(Hidden(nothing, empty, empty, np.empty(0)))
    intent = IntentPaths(
        *(np.concatenate([getattr(b.intent, part) for b in blocks]) for part in _INTENT_PARTS)
    )
    x = intent.x
    return HiddenPaths(
        email=email,
        x=x,
        intent=intent,
        hazard=meeting_hazard(x, np.concatenate([b.arrival for b in blocks]), clock.full_days),
        arrival_t=np.concatenate([b.arrival_t for b in blocks]),
        utc_offset=np.concatenate([b.utc_offset for b in blocks]),
        clock=clock,
    )
