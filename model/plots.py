"""Holdout plots logged with each model version: ROC, calibration, lift, feature importance."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # no display on servers and in tests

import matplotlib.pyplot as plt
import numpy as np
import numpy.typing as npt
from sklearn.calibration import calibration_curve
from sklearn.metrics import roc_curve


def _save(figure: Any, path: Path) -> Path:
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path


def roc_plot(y: npt.ArrayLike, curves: dict[str, npt.ArrayLike], path: Path) -> Path:
    """ROC curves of one or more models on the same holdout."""
    figure, axes = plt.subplots(figsize=(5, 5))
    for name, scores in curves.items():
        fpr, tpr, _ = roc_curve(y, scores)
        axes.plot(fpr, tpr, label=name)
    axes.plot([0, 1], [0, 1], linestyle=":", color="grey")
    axes.set(xlabel="false positive rate", ylabel="true positive rate", title="ROC (holdout)")
    axes.legend(loc="lower right")
    return _save(figure, path)


def calibration_plot(y: npt.ArrayLike, scores: npt.ArrayLike, path: Path) -> Path:
    """Predicted probability against the observed rate, in ten quantile bins."""
    observed, predicted = calibration_curve(y, scores, n_bins=10, strategy="quantile")
    figure, axes = plt.subplots(figsize=(5, 5))
    axes.plot(predicted, observed, marker="o", label="model")
    axes.plot([0, 1], [0, 1], linestyle=":", color="grey", label="perfect")
    axes.set(xlabel="predicted probability", ylabel="observed rate", title="Calibration")
    axes.legend(loc="upper left")
    return _save(figure, path)


def lift_plot(y: npt.ArrayLike, scores: npt.ArrayLike, path: Path) -> Path:
    """Positive rate by score decile over the overall rate (decile 1 = highest scores)."""
    labels = np.asarray(y, dtype=np.float64)
    order = np.argsort(-np.asarray(scores, dtype=np.float64), kind="stable")
    deciles = np.array_split(labels[order], 10)
    base = labels.mean() or 1.0
    figure, axes = plt.subplots(figsize=(6, 4))
    axes.bar(range(1, 11), [d.mean() / base for d in deciles])
    axes.axhline(1.0, linestyle=":", color="grey")
    axes.set(xlabel="score decile", ylabel="lift", title="Lift by decile")
    return _save(figure, path)


def importance_plot(names: Sequence[str], values: npt.ArrayLike, path: Path, top: int = 20) -> Path:
    """The most important features, largest first."""
    importance = np.asarray(values, dtype=np.float64)
    order = np.argsort(-importance)[:top][::-1]
    figure, axes = plt.subplots(figsize=(6, 0.3 * len(order) + 1))
    axes.barh([names[i] for i in order], importance[order])
    axes.set(xlabel="importance (gain)", title="Feature importance")
    return _save(figure, path)
