"""Reading the simulator's truth back: how well p_convert ranks who converted (the best AUC)."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray
from sqlalchemy import select
from sqlalchemy.orm import Session

from leads.tables import SimulatedTruth


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
