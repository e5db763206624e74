"""Stratified K-fold cross-validation of a pipeline on a user's table, with its report.

Each seed reshuffles the folds and reseeds the model; every fold of every seed is scored on
rows its model never saw. Column planning reads no labels beyond coding the target, so running
it once on the whole table leaks nothing from the test folds.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd
from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import Pipeline

from model.columns import ColumnPlan, detect_columns
from model.errors import DataError
from model.pipelines import Kind, build_pipeline
from model.search import choose_params

__all__ = ["CvReport", "MetricSummary", "cross_validate"]

Progress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class MetricSummary:
    """One metric over the folds, in fold order (seed by seed)."""

    folds: tuple[float, ...]

    @property
    def mean(self) -> float:
        """The mean over every fold of every seed."""
        return float(np.mean(self.folds))

    @property
    def std(self) -> float:
        """The spread between folds."""
        return float(np.std(self.folds))

    def to_json(self) -> dict[str, object]:
        """The figures as plain data."""
        return {"folds": list(self.folds), "mean": self.mean}


@dataclass(frozen=True, slots=True)
class CvReport:
    """What cross-validation measured: ROC AUC, PR AUC (average precision) and Brier score."""

    roc_auc: MetricSummary
    pr_auc: MetricSummary
    brier: MetricSummary
    rows: int
    positives: int
    plan: ColumnPlan
    kind: Kind
    folds: int
    seeds: tuple[int, ...]
    chosen_params: tuple[Mapping[str, object], ...] = ()

    def to_json(self) -> dict[str, object]:
        """The report as plain data, for the CLI's `--json` and run logs."""
        report: dict[str, object] = {
            "roc_auc": self.roc_auc.to_json(),
            "pr_auc": self.pr_auc.to_json(),
            "brier": self.brier.to_json(),
            "rows": self.rows,
            "positives": self.positives,
            "columns": self.plan.to_json(),
            "model": self.kind,
            "cv": {"folds": self.folds, "seeds": list(self.seeds)},
        }
        if self.chosen_params:
            report["chosen_params"] = [dict(params) for params in self.chosen_params]
        return report


def cross_validate(
    frame: pd.DataFrame,
    target: str,
    *,
    drop: Sequence[str] = (),
    folds: int = 5,
    seeds: Sequence[int] = (0,),
    kind: Kind = "lightgbm",
    params: Mapping[str, object] | None = None,
    search: int = 0,
    progress: Progress | None = None,
) -> CvReport:
    """Cross-validate `kind` on the labelled rows of `frame`; rows with no target are skipped.

    `params` replaces the default LightGBM parameters; `search` > 0 instead chooses them inside
    each training fold among that many candidates (nested CV). `progress(done, total)` is
    called after each fold.
    """
    if search and (kind != "lightgbm" or params is not None):
        raise ValueError("search chooses LightGBM parameters: use it with kind='lightgbm' only")
    if not seeds:
        raise ValueError("seeds must hold at least one seed")
    plan = detect_columns(frame, target, drop)
    rows, y = _labelled(frame, plan)
    _check_folds(y, folds, plan)
    scores: list[tuple[float, float, float]] = []
    chosen: list[Mapping[str, object]] = []
    for seed in seeds:
        splitter = StratifiedKFold(folds, shuffle=True, random_state=seed)
        for train, test in splitter.split(np.zeros(len(y)), y):
            if search:
                params = choose_params(
                    rows.iloc[train], y[train], plan, candidates=search, seed=seed
                )
                chosen.append(params)
            pipeline = build_pipeline(plan, kind, seed=seed, params=params)
            scores.append(_score(pipeline, rows, y, train, test))
            if progress is not None:
                progress(len(scores), folds * len(seeds))
    roc, pr, brier = (MetricSummary(tuple(column)) for column in zip(*scores, strict=True))
    return CvReport(
        roc, pr, brier, len(y), int(y.sum()), plan, kind, folds, tuple(seeds), tuple(chosen)
    )


def _labelled(frame: pd.DataFrame, plan: ColumnPlan) -> tuple[pd.DataFrame, npt.NDArray[np.int_]]:
    """The rows that have a label, renumbered, and their 0/1 labels."""
    labels = plan.target.labels(frame[plan.target.column])
    known = ~np.isnan(labels)
    return frame.loc[known].reset_index(drop=True), labels[known].astype(np.int_)


def _score(
    pipeline: Pipeline,
    rows: pd.DataFrame,
    y: npt.NDArray[np.int_],
    train: npt.NDArray[np.int_],
    test: npt.NDArray[np.int_],
) -> tuple[float, float, float]:
    """Fit on the training rows; ROC AUC, PR AUC and Brier score on the test rows."""
    pipeline.fit(rows.iloc[train], y[train])
    probability = pipeline.predict_proba(rows.iloc[test])[:, 1]
    return (
        float(roc_auc_score(y[test], probability)),
        float(average_precision_score(y[test], probability)),
        float(brier_score_loss(y[test], probability)),
    )


def _check_folds(y: npt.NDArray[np.int_], folds: int, plan: ColumnPlan) -> None:
    """DataError unless each class has a row for every fold."""
    if folds < 2:
        raise ValueError(f"folds must be at least 2; got {folds}")
    coding = plan.target
    for label, name in ((1, coding.positive), (0, coding.negative)):
        count = int(np.sum(y == label))
        if count < folds:
            raise DataError(
                f"target {coding.column!r} has {count} labelled rows of {name!r}; "
                f"{folds}-fold cross-validation needs at least {folds}",
                column=coding.column,
            )
