"""The first step of every pipeline: raw cells, as a user's file holds them, into model input.

Both transformers read cells through `model.cells`, so a `Select`, `N/A` or blank is missing at
scoring time exactly as it was when the columns were planned.
"""

from __future__ import annotations

from typing import Self

import numpy as np
import numpy.typing as npt
import pandas as pd
from sklearn.base import BaseEstimator, OneToOneFeatureMixin, TransformerMixin
from sklearn.utils import Tags
from sklearn.utils.validation import check_is_fitted, validate_data

from model.cells import PLACEHOLDERS, column_numbers, text_array

__all__ = ["CategoryCleaner", "NumericCleaner"]

_SKEWED = 1.0  # right skew above which a never-negative column is better read on a log scale


class NumericCleaner(OneToOneFeatureMixin, TransformerMixin, BaseEstimator):  # type: ignore[misc]
    """Read number cells as floats: empty, placeholder and wordy cells become NaN.

    `clip_quantile` clips each column at that quantile of the training data; `log_skewed`
    replaces never-negative, right-skewed columns (visit counts, seconds on site) by log1p. Both
    keep one lead with 250 visits from dominating a linear model; trees need neither.
    """

    def __init__(
        self,
        placeholders: tuple[str, ...] = PLACEHOLDERS,
        clip_quantile: float | None = None,
        log_skewed: bool = False,
    ) -> None:
        self.placeholders = placeholders
        self.clip_quantile = clip_quantile
        self.log_skewed = log_skewed

    def fit(self, x: npt.ArrayLike, y: object = None) -> Self:  # noqa: ARG002 (sklearn API)
        """Learn each column's clipping bound and whether to log it."""
        if self.clip_quantile is not None and not 0.0 < self.clip_quantile <= 1.0:
            raise ValueError(f"clip_quantile must be in (0, 1]; got {self.clip_quantile!r}")
        numbers = self._numbers(x, reset=True)
        self.upper_ = np.array([self._upper(column) for column in numbers.T], dtype=np.float64)
        clipped = np.minimum(numbers, self.upper_)
        self.log_ = np.array([self._loggable(column) for column in clipped.T], dtype=bool)
        return self

    def transform(self, x: npt.ArrayLike) -> npt.NDArray[np.float64]:
        """The columns as floats (NaN where missing), clipped and logged as learned."""
        check_is_fitted(self)
        numbers = np.minimum(self._numbers(x, reset=False), self.upper_)
        numbers[:, self.log_] = np.log1p(numbers[:, self.log_])
        return numbers

    def __sklearn_tags__(self) -> Tags:
        """Tell scikit-learn this step takes text and missing cells."""
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.allow_nan = True
        return tags

    def _numbers(self, x: npt.ArrayLike, *, reset: bool) -> npt.NDArray[np.float64]:
        """The input as a float matrix, each column read through `column_numbers`."""
        array = validate_data(self, x, dtype=None, ensure_all_finite=False, reset=reset)
        if array.dtype.kind in "biuf":
            numbers: npt.NDArray[np.float64] = array.astype(np.float64)
            numbers[~np.isfinite(numbers)] = np.nan
            return numbers
        placeholders = _folded(self.placeholders)
        columns = [column_numbers(pd.Series(column), placeholders) for column in array.T]
        return np.column_stack(columns) if columns else np.empty(array.shape, np.float64)

    def _upper(self, column: npt.NDArray[np.float64]) -> float:
        """The clipping bound of one column: infinite when not clipping or nothing is known."""
        finite = column[np.isfinite(column)]
        if self.clip_quantile is None or finite.size == 0:
            return float("inf")
        return float(np.quantile(finite, self.clip_quantile))

    def _loggable(self, column: npt.NDArray[np.float64]) -> bool:
        """Whether a column is never negative and skewed enough to be read on a log scale."""
        finite = column[np.isfinite(column)]
        if not self.log_skewed or finite.size < 3 or finite.min() < 0:
            return False
        spread = finite.std()
        if spread == 0:
            return False
        return bool(np.mean(((finite - finite.mean()) / spread) ** 3) > _SKEWED)


class CategoryCleaner(OneToOneFeatureMixin, TransformerMixin, BaseEstimator):  # type: ignore[misc]
    """Read category cells as clean labels: trimmed text, every kind of empty as `missing`.

    An unanswered form field is often the signal itself, so missing becomes a category of its
    own rather than the most frequent answer. Numbers read as text (`3.0` -> `3`) so a column
    mixing 3 and "3" holds one label.
    """

    def __init__(
        self, placeholders: tuple[str, ...] = PLACEHOLDERS, missing: str = "missing"
    ) -> None:
        self.placeholders = placeholders
        self.missing = missing

    def fit(self, x: npt.ArrayLike, y: object = None) -> Self:  # noqa: ARG002 (sklearn API)
        """Check the input; nothing is learned beyond its width and column names."""
        validate_data(self, x, dtype=None, ensure_all_finite=False, reset=True)
        return self

    def transform(self, x: npt.ArrayLike) -> npt.NDArray[np.object_]:
        """The cells as text labels (object dtype), `missing` where empty."""
        check_is_fitted(self)
        array = validate_data(self, x, dtype=None, ensure_all_finite=False, reset=False)
        placeholders = _folded(self.placeholders)
        labels = np.empty(array.shape, dtype=object)
        for index, column in enumerate(array.T):
            labels[:, index] = text_array(column, placeholders, self.missing)
        return labels

    def __sklearn_tags__(self) -> Tags:
        """Tell scikit-learn this step takes text and missing cells and outputs text."""
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.allow_nan = True
        tags.transformer_tags.preserves_dtype = []
        return tags


def _folded(placeholders: tuple[str, ...]) -> frozenset[str]:
    """Placeholders as `cell_text` compares them: trimmed and case-folded."""
    return frozenset(" ".join(p.split()).casefold() for p in placeholders)
