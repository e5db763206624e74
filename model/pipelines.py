"""Training pipelines for a planned table: cleaning, encoding and a classifier in one estimator.

The pipeline takes the user's table as it is (text cells, placeholders, extra columns) and
selects the planned columns by name, so the same object scores rows online and in bulk.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Final, Literal

import numpy as np
from lightgbm import LGBMClassifier
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, StandardScaler

from model.cleaning import CategoryCleaner, NumericCleaner
from model.columns import ColumnPlan

__all__ = ["LIGHTGBM_PARAMS", "MIN_CATEGORY_ROWS", "Kind", "build_pipeline"]

Kind = Literal["logistic", "lightgbm"]

# Categories seen on fewer training rows are pooled into one "infrequent" category.
MIN_CATEGORY_ROWS: Final = 10

# Chosen by the nested search of bench/model_quality_tabular.py (`--search 12`) on X Education's
# leads: the inner folds of 14 of the 15 outer training folds picked these, so they were never
# chosen by a score on the rows being scored. Nested ROC AUC 0.9344; LightGBM's defaults 0.9334.
LIGHTGBM_PARAMS: Final[Mapping[str, float | int]] = MappingProxyType(
    {
        "n_estimators": 400,
        "learning_rate": 0.02,
        "num_leaves": 31,
        "min_child_samples": 10,
        "colsample_bytree": 0.8,
        "reg_lambda": 0.0,
        "cat_smooth": 10,
        "min_data_per_group": 20,
    }
)


def build_pipeline(
    plan: ColumnPlan,
    kind: Kind = "lightgbm",
    *,
    seed: int = 0,
    params: Mapping[str, object] | None = None,
    n_jobs: int = 1,
) -> Pipeline:
    """An unfitted pipeline from the raw table to a probability of the positive class.

    `params` replaces LIGHTGBM_PARAMS (`{}` gives LightGBM's own defaults); it is an error with
    the logistic baseline. `n_jobs` is LightGBM's thread count: on small tables one thread is
    faster than two, whose OpenMP threads spin while waiting for each other.
    """
    if kind == "logistic":
        if params is not None:
            raise ValueError("params apply to the lightgbm pipeline only")
        return Pipeline([("prepare", _logistic_inputs(plan)), ("classify", _logistic(seed))])
    if kind == "lightgbm":
        chosen = LIGHTGBM_PARAMS if params is None else params
        classifier = _lightgbm(chosen, seed=seed, categories=len(plan.categorical), n_jobs=n_jobs)
        return Pipeline([("prepare", _lightgbm_inputs(plan)), ("classify", classifier)])
    raise ValueError(f"kind must be 'logistic' or 'lightgbm'; got {kind!r}")


def _logistic_inputs(plan: ColumnPlan) -> ColumnTransformer:
    """Scaled numbers with missing indicators, and one-hot categories with rare ones pooled."""
    numeric = Pipeline(
        [
            ("clean", NumericCleaner(clip_quantile=0.99, log_skewed=True)),
            ("impute", SimpleImputer(strategy="median", add_indicator=True)),
            ("scale", StandardScaler()),
        ]
    )
    categorical = Pipeline(
        [
            ("clean", CategoryCleaner()),
            (
                "encode",
                OneHotEncoder(
                    handle_unknown="infrequent_if_exist", min_frequency=MIN_CATEGORY_ROWS
                ),
            ),
        ]
    )
    return ColumnTransformer(
        [
            ("numeric", numeric, list(plan.numeric)),
            ("categorical", categorical, list(plan.categorical)),
        ]
    )


def _lightgbm_inputs(plan: ColumnPlan) -> ColumnTransformer:
    """Category codes first (LightGBM splits on them natively), then numbers with NaN kept.

    Trees need no imputation (LightGBM learns where missing values go) and no scaling, clipping
    or log: a monotone change of a column changes no split.
    """
    categorical = Pipeline(
        [
            ("clean", CategoryCleaner()),
            (
                "encode",
                OrdinalEncoder(
                    handle_unknown="use_encoded_value",
                    unknown_value=np.nan,
                    min_frequency=MIN_CATEGORY_ROWS,
                ),
            ),
        ]
    )
    return ColumnTransformer(
        [
            ("categorical", categorical, list(plan.categorical)),
            ("numeric", NumericCleaner(), list(plan.numeric)),
        ]
    )


def _logistic(seed: int) -> LogisticRegression:
    """The baseline: L2-regularised logistic regression."""
    return LogisticRegression(C=1.0, max_iter=2_000, random_state=seed)


def _lightgbm(
    params: Mapping[str, object], *, seed: int, categories: int, n_jobs: int
) -> LGBMClassifier:
    """LightGBM, seeded and deterministic, told which leading columns are categories."""
    fixed: dict[str, Any] = {
        "random_state": seed,
        "n_jobs": n_jobs,
        "verbose": -1,
        "deterministic": True,
        "force_col_wise": True,  # with `deterministic`, fixes the threading layout too
    }
    if categories:
        # `categorical_column` (an alias of `categorical_feature`) reaches the Dataset through
        # params; the `categorical_feature` spelling draws a spurious "will be ignored" warning.
        fixed["categorical_column"] = list(range(categories))
    settings: dict[str, Any] = {**params, **fixed}  # LightGBM takes any of its parameters
    return LGBMClassifier(**settings)
