"""Reading the simulator's truth back: the best AUC, and each lead's hidden daily hazard.

`best_auc` is how well p_convert ranks who converted; `daily_hazard` regenerates every lead's
h[d] from the seed, so the exact chance of a meeting in any window can be computed.
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
from leads.simulation.inbound import meeting_time_cdf
from leads.simulation.intent import meeting_hazard
from leads.simulation.people import make_people
from leads.simulation.run import BLOCK, LEADS_PER_COMPANY, default_start
from leads.tables import SimulatedTruth, utcnow

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


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
    not eligible); `email` identifies the lead in the team; times are milliseconds after
    `clock.start`.
    """

    email: list[str]
    x: FloatArray
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
        count, days = self.hazard.shape
        log_kept = np.zeros((count, days + 1))
        np.cumsum(np.log1p(-self.hazard), axis=1, out=log_kept[:, 1:])
        day = np.clip(np.floor_divide(t, DAY_MS), 0, days).astype(np.int64)
        today = np.pad(self.hazard, ((0, 0), (0, 1)))[lead, day]
        by_then = meeting_time_cdf(self.clock, day, self.utc_offset[lead], self.arrival_t[lead], t)
        kept: FloatArray = np.exp(log_kept[lead, day]) * (1.0 - today * by_then)
        return kept

    def p_meeting(self, lead: IntArray, after: FloatArray, until: FloatArray) -> FloatArray:
        """P(a meeting in (after, until] | none by `after`), given the lead's hidden path."""
        p: FloatArray = 1.0 - self.survival(lead, until) / self.survival(lead, after)
        return p


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
        blocks.append(Hidden(np.empty((0, days)), empty, empty, np.empty(0)))
    x = np.concatenate([b.x for b in blocks])
    return HiddenPaths(
        email=email,
        x=x,
        hazard=meeting_hazard(x, np.concatenate([b.arrival for b in blocks]), clock.full_days),
        arrival_t=np.concatenate([b.arrival_t for b in blocks]),
        utc_offset=np.concatenate([b.utc_offset for b in blocks]),
        clock=clock,
    )
