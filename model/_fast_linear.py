"""The logistic pipeline's own fitted steps, as numpy for `model.fast_scoring`.

The numeric block of that pipeline imputes and scales after cleaning, its categories are
one-hot (several output columns per input column) and its classifier is a dot product. Each
piece here does what the fitted scikit-learn step does to a float matrix, with the same
operations in the same order, so it gives the step's values; a step of another kind or set up
otherwise is not compiled (None) and the pipeline scores itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt
from scipy.special import expit
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, StandardScaler

from model.cleaning import CategoryCleaner

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


class FloatStep(Protocol):
    """A fitted step on a float matrix, compiled."""

    def width(self, inputs: int) -> int:
        """How many columns the step outputs for `inputs` input columns."""

    def apply(self, numbers: FloatArray) -> FloatArray:
        """The step's output; `numbers` may be changed."""


@dataclass(frozen=True, slots=True)
class _Imputation:
    """A fitted `SimpleImputer` of NaN: its statistics filled in, then its missing indicators."""

    fills: FloatArray  # the statistic of each kept column
    kept: IntArray | None  # the columns with a statistic, None for all
    indicated: IntArray | None  # the columns with an indicator, None when it adds none

    def width(self, inputs: int) -> int:
        kept = inputs if self.kept is None else len(self.kept)
        return kept + (0 if self.indicated is None else len(self.indicated))

    def apply(self, numbers: FloatArray) -> FloatArray:
        if np.isinf(numbers).any():  # a logged -1: the imputer's input check refuses it
            raise ValueError("a numeric input is infinite after cleaning (a logged -1?)")
        missing = np.isnan(numbers)
        if self.kept is not None:  # columns never seen in training are dropped, as sklearn does
            numbers, filled = numbers[:, self.kept], missing[:, self.kept]
        else:
            filled = missing
        imputed = np.where(filled, self.fills, numbers)
        if self.indicated is None:
            return imputed
        return np.hstack((imputed, missing[:, self.indicated]))


@dataclass(frozen=True, slots=True)
class _Scaling:
    """A fitted `StandardScaler`: the mean taken away, then divided by the scale."""

    mean: FloatArray | None
    scale: FloatArray | None

    def width(self, inputs: int) -> int:
        return inputs

    def apply(self, numbers: FloatArray) -> FloatArray:
        if self.mean is not None:
            numbers -= self.mean
        if self.scale is not None:
            numbers /= self.scale
        return numbers


@dataclass(frozen=True, slots=True)
class Linear:
    """A fitted binary `LogisticRegression`: expit(X @ coef_.T + intercept_), as sklearn's."""

    coef: FloatArray  # coef_.T, the very view sklearn multiplies by
    intercept: FloatArray

    def __call__(self, matrix: FloatArray, threads: int) -> FloatArray:  # noqa: ARG002
        scores: FloatArray = expit(matrix @ self.coef + self.intercept)
        return scores[:, 0]


def float_steps(steps: Sequence[object], inputs: int) -> tuple[tuple[FloatStep, ...], int] | None:
    """The compiled steps after a numeric cleaner and their output width, or None."""
    compiled = []
    for step in steps:
        found = _float_step(step)
        if found is None:
            return None
        compiled.append(found)
        inputs = found.width(inputs)
    return tuple(compiled), inputs


def _float_step(step: object) -> FloatStep | None:
    if isinstance(step, StandardScaler):
        mean = np.asarray(step.mean_, np.float64) if step.with_mean else None
        scale = np.asarray(step.scale_, np.float64) if step.with_std else None
        return _Scaling(mean, scale)
    if not isinstance(step, SimpleImputer) or not _is_nan(step.missing_values):
        return None
    statistics = np.asarray(step.statistics_)
    if statistics.dtype.kind != "f":
        return None
    kept = None if step.keep_empty_features else np.flatnonzero(~np.isnan(statistics))
    fills = statistics if kept is None else statistics[kept]
    indicator = step.indicator_ if step.add_indicator else None
    indicated = None if indicator is None else np.asarray(indicator.features_, np.int64)
    return _Imputation(fills.astype(np.float64), kept, indicated)


def encoded_widths(steps: Sequence[object], inputs: int) -> list[int] | None:
    """Output columns per input column of a cell-by-cell category step's parts, or None.

    `CategoryCleaner`, `OrdinalEncoder` and `OneHotEncoder` transform each input column on its
    own; an encoder ends the step, a one-hot one giving each input column a run of outputs.
    """
    *head, last = steps
    if not all(isinstance(step, CategoryCleaner | OrdinalEncoder) for step in head):
        return None
    if isinstance(last, OrdinalEncoder):
        return [1] * inputs
    if not isinstance(last, OneHotEncoder):
        return None
    # sklearn's own count of each input's outputs (private), checked against its public names
    widths = [int(width) for width in getattr(last, "_n_features_outs", ())]
    if len(widths) != inputs or sum(widths) != len(last.get_feature_names_out()):
        return None
    return widths


def linear_model(classifier: object, inputs: int) -> Linear | None:
    """A binary logistic regression on `inputs` dense columns, compiled, or None."""
    if not isinstance(classifier, LogisticRegression) or len(classifier.classes_) != 2:
        return None
    coef = classifier.coef_
    if not isinstance(coef, np.ndarray) or coef.shape != (1, inputs):  # sparsify()-ed: not ours
        return None
    return Linear(coef.T, np.asarray(classifier.intercept_))


def _is_nan(value: object) -> bool:
    return isinstance(value, float) and np.isnan(value)
