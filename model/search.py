"""Choose LightGBM parameters on training rows only, by a small seeded random search.

Cross-validation calls this inside each training fold (nested CV), so the score it reports for
the search is never the score of parameters picked on the rows being scored.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

import numpy as np
import numpy.typing as npt
import pandas as pd
from sklearn.model_selection import ParameterSampler, StratifiedKFold, cross_val_score

from model.columns import ColumnPlan
from model.pipelines import build_pipeline

__all__ = ["INNER_FOLDS", "SEARCH_SPACE", "candidate_params", "choose_params"]

INNER_FOLDS: Final = 3
# Fixed before looking at any data: the usual ranges for a few thousand rows.
SEARCH_SPACE: Final[Mapping[str, tuple[float | int, ...]]] = MappingProxyType(
    {
        "n_estimators": (200, 400, 800),
        "learning_rate": (0.02, 0.05, 0.1),
        "num_leaves": (7, 15, 31),
        "min_child_samples": (10, 20, 40, 80),
        "colsample_bytree": (0.5, 0.8, 1.0),
        "reg_lambda": (0.0, 1.0, 10.0),
        "cat_smooth": (1, 10, 50),
        "min_data_per_group": (20, 100),
    }
)
_CANDIDATE_SEED = 0  # every fold weighs the same candidates, so their picks can be compared


def candidate_params(count: int) -> list[dict[str, float | int]]:
    """The first `count` candidates of the search, drawn without repeats from SEARCH_SPACE."""
    space = {name: list(values) for name, values in SEARCH_SPACE.items()}
    return [dict(c) for c in ParameterSampler(space, n_iter=count, random_state=_CANDIDATE_SEED)]


def choose_params(
    frame: pd.DataFrame,
    labels: npt.NDArray[np.int_],
    plan: ColumnPlan,
    *,
    candidates: int,
    seed: int = 0,
) -> dict[str, float | int]:
    """The candidate with the best mean ROC AUC over INNER_FOLDS folds of these rows."""
    if candidates < 1:
        raise ValueError(f"candidates must be at least 1; got {candidates}")
    splitter = StratifiedKFold(INNER_FOLDS, shuffle=True, random_state=seed)
    best: tuple[float, dict[str, float | int]] | None = None
    for params in candidate_params(candidates):
        pipeline = build_pipeline(plan, "lightgbm", seed=seed, params=params)
        score = float(
            np.mean(cross_val_score(pipeline, frame, labels, cv=splitter, scoring="roc_auc"))
        )
        if best is None or score > best[0]:
            best = (score, params)
    assert best is not None  # candidates >= 1
    return best[1]
