"""Training on the record: a point-in-time training set, two candidates, calibration, holdout.

Rows are split by lead (a lead's snapshots never sit on both sides): 60% fit, 20% calibrate,
20% holdout. The logistic baseline and LightGBM are fitted on the same rows, calibrated with a
Platt sigmoid on the same rows, and compared on the same holdout; the better ROC AUC is chosen.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pandas as pd
from sklearn.model_selection import GroupShuffleSplit
from sklearn.pipeline import Pipeline

from features import categorical_names, numeric_names
from model.calibration import PlattCalibrator
from model.columns import ColumnPlan
from model.evaluation import evaluate
from model.pipelines import Kind, build_pipeline
from model.scorer import input_names
from model.target import TargetCoding

KINDS: tuple[Kind, ...] = ("logistic", "lightgbm")
# For the feature catalogue's point-in-time rows: ~10^5 rows, ~4% positives and a weak, noisy
# signal, where LIGHTGBM_PARAMS (fit for a few thousand rows) overfits; shallow trees on large
# leaves, chosen by their reasoning before a run (see bench/model_quality.py for the figures).
RECORD_LIGHTGBM_PARAMS: Final[Mapping[str, float | int]] = MappingProxyType(
    {
        "n_estimators": 800,
        "learning_rate": 0.01,
        "num_leaves": 7,
        "min_child_samples": 400,
        "colsample_bytree": 0.5,
        "reg_lambda": 10.0,
    }
)


@dataclass(slots=True)
class Trained:
    """One fitted candidate and how it did on the holdout."""

    kind: Kind
    pipeline: Pipeline
    calibrator: PlattCalibrator
    metrics: dict[str, float]
    holdout_scores: npt.NDArray[np.float64]


@dataclass(slots=True)
class TrainingResult:
    """Every candidate, the chosen one, and the holdout they were compared on."""

    candidates: dict[Kind, Trained]
    chosen: Trained
    holdout: pd.DataFrame  # features + label
    plan: ColumnPlan
    summary: dict[str, Any] = field(default_factory=dict)


def record_plan() -> ColumnPlan:
    """The column plan of the feature catalogue, with `label` as the target."""
    return ColumnPlan(
        target=TargetCoding(column="label", positive="1", negative="0"),
        numeric=tuple(numeric_names()),
        categorical=tuple(categorical_names()),
        dropped=(),
    )


def split_by_group(
    groups: npt.ArrayLike, share: float, seed: int
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """Row indices (rest, share) with every group wholly on one side."""
    rows = np.arange(len(np.asarray(groups)))
    splitter = GroupShuffleSplit(n_splits=1, test_size=share, random_state=seed)
    rest, part = next(splitter.split(rows, groups=groups))
    return rest, part


def train(
    frame: pd.DataFrame,
    *,
    plan: ColumnPlan | None = None,
    seed: int = 0,
    kinds: Sequence[Kind] = KINDS,
    group: str = "lead_id",
) -> TrainingResult:
    """Fit, calibrate and compare candidates on `frame` (features, `label`, and `group`).

    Without a `plan` the frame holds the feature catalogue and LightGBM uses
    RECORD_LIGHTGBM_PARAMS; with one, a user's table, LIGHTGBM_PARAMS.
    """
    record = plan is None
    plan = plan or record_plan()
    labels = frame["label"].to_numpy(dtype=np.int64)
    if labels.min() == labels.max():
        raise ValueError("the training set has one class only: simulate or import more data")
    rest, holdout = split_by_group(frame[group].to_numpy(), 0.2, seed)
    fit_rows, calibration = split_by_group(frame[group].to_numpy()[rest], 0.25, seed + 1)
    fit_rows, calibration = rest[fit_rows], rest[calibration]
    x = frame[list(plan.features)]
    candidates = {}
    for kind in kinds:
        params = RECORD_LIGHTGBM_PARAMS if record and kind == "lightgbm" else None
        pipeline = build_pipeline(plan, kind, seed=seed, params=params)
        pipeline.fit(x.iloc[fit_rows], labels[fit_rows])
        raw = pipeline.predict_proba(x.iloc[calibration])[:, 1]
        calibrator = PlattCalibrator().fit(raw, labels[calibration])
        scores = calibrator.predict(pipeline.predict_proba(x.iloc[holdout])[:, 1])
        metrics = evaluate(labels[holdout], scores)
        candidates[kind] = Trained(kind, pipeline, calibrator, metrics, scores)
    chosen = max(candidates.values(), key=lambda c: c.metrics["roc_auc"])
    held = x.iloc[holdout].assign(label=labels[holdout]).reset_index(drop=True)
    summary = {
        "rows": len(frame),
        "positives": int(labels.sum()),
        "fit_rows": len(fit_rows),
        "calibration_rows": len(calibration),
        "holdout_rows": len(holdout),
        "leads": int(frame[group].nunique()),
        "seed": seed,
    }
    return TrainingResult(candidates, chosen, held, plan, summary)


def feature_importance(trained: Trained, plan: ColumnPlan) -> tuple[list[str], list[float]]:
    """Gain importance per input column (LightGBM) or |coefficient| summed per column."""
    classifier = trained.pipeline.named_steps["classify"]
    names = list(plan.features)
    if hasattr(classifier, "booster_"):
        gains = classifier.booster_.feature_importance(importance_type="gain")
        prepared = trained.pipeline.named_steps["prepare"].get_feature_names_out()
        return input_names(prepared), [float(g) for g in gains]
    prepared = trained.pipeline.named_steps["prepare"].get_feature_names_out()
    weights = np.abs(classifier.coef_[0])
    totals = dict.fromkeys(names, 0.0)
    for output, weight in zip(prepared, weights, strict=True):
        column = next((n for n in names if str(output).split("__", 1)[-1].startswith(n)), None)
        if column is not None:
            totals[column] += float(weight)
    return names, list(totals.values())
