"""Holdout metrics: ROC AUC, PR AUC, Brier score and lift in the top decile."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score

Labels = npt.NDArray[np.int_] | npt.NDArray[np.bool_]
Scores = npt.NDArray[np.float64]


def roc_auc(y: Labels, p: Scores) -> float:
    """Area under the ROC curve (0.5 = chance)."""
    return float(roc_auc_score(y, p))


def lift_at_top_decile(y: Labels, p: Scores) -> float:
    """Positive rate among the 10% highest scores, over the overall positive rate."""
    labels = np.asarray(y, dtype=np.float64)
    top = max(1, int(np.ceil(len(labels) * 0.1)))
    order = np.argsort(-np.asarray(p), kind="stable")[:top]
    base = labels.mean()
    return float(labels[order].mean() / base) if base > 0 else 0.0


def evaluate(y: Labels, p: Scores) -> dict[str, float]:
    """Every holdout metric we report, by name."""
    return {
        "roc_auc": roc_auc(y, p),
        "pr_auc": float(average_precision_score(y, p)),
        "brier": float(brier_score_loss(y, p)),
        "lift_top_decile": lift_at_top_decile(y, p),
        "positive_rate": float(np.mean(y)),
        "rows": float(len(y)),
    }
