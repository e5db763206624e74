"""Platt calibration: a monotone map from raw scores to probabilities that keeps their order.

Isotonic regression would turn scores into steps and tie leads that the model ranked apart,
which costs ROC AUC; a fitted sigmoid on the logit keeps every ranking and is enough for
tree ensembles whose raw scores are already close to probabilities in shape.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from sklearn.base import BaseEstimator
from sklearn.linear_model import LogisticRegression

_EPS = 1e-6


def _logit(scores: npt.ArrayLike) -> npt.NDArray[np.float64]:
    p = np.clip(np.asarray(scores, dtype=np.float64), _EPS, 1 - _EPS)
    return np.log(p / (1 - p))


class PlattCalibrator(BaseEstimator):  # type: ignore[misc]
    """Maps raw probabilities to calibrated ones: sigmoid(slope_ * logit(p) + intercept_)."""

    def fit(self, scores: npt.ArrayLike, y: npt.ArrayLike) -> PlattCalibrator:
        regression = LogisticRegression(C=1e6).fit(_logit(scores).reshape(-1, 1), y)
        self.slope_ = float(regression.coef_[0, 0])
        self.intercept_ = float(regression.intercept_[0])
        return self

    def predict(self, scores: npt.ArrayLike) -> npt.NDArray[np.float64]:
        z = self.slope_ * _logit(scores) + self.intercept_
        return 1.0 / (1.0 + np.exp(-z))
