"""scikit-learn transformers for the feature frame, used by the model's preprocessing.

Both follow the estimator conventions: `__init__` stores parameters only, what `fit` learns
ends in `_`, `fit` returns self, and output columns keep their input names.
"""

from __future__ import annotations

from typing import Any, Self

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from sklearn.base import BaseEstimator, OneToOneFeatureMixin, TransformerMixin
from sklearn.utils.validation import check_is_fitted, validate_data


class LogCountTransformer(OneToOneFeatureMixin, TransformerMixin, BaseEstimator):  # type: ignore[misc]
    """log1p of non-negative counts: negatives clip to 0 and, with `upper_quantile` set, each
    column clips at that quantile of the training data first. NaN stays NaN.

    Parameters
    ----------
    upper_quantile : float or None, default=None
        The quantile (0 < q <= 1) each column is clipped to; None clips nothing above.
    """

    def __init__(self, upper_quantile: float | None = None) -> None:
        self.upper_quantile = upper_quantile

    def fit(self, X: Any, y: Any = None) -> Self:  # noqa: ARG002, N803 (scikit-learn's names)
        """Learn each column's upper clip (infinite without `upper_quantile`)."""
        values = validate_data(self, X, dtype=np.float64, ensure_all_finite="allow-nan")
        q = self.upper_quantile
        if q is not None and not 0.0 < q <= 1.0:
            raise ValueError(f"upper_quantile must be in (0, 1], got {q!r}")
        self.upper_: NDArray[np.float64] = np.full(values.shape[1], np.inf)
        if q is not None:
            clipped = np.clip(values, 0.0, None)
            observed = ~np.all(np.isnan(clipped), axis=0)
            self.upper_[observed] = np.nanquantile(clipped[:, observed], q, axis=0)
        return self

    def transform(self, X: Any) -> NDArray[np.float64]:  # noqa: N803
        """log1p of each value clipped to [0, upper_]."""
        check_is_fitted(self)
        values = validate_data(
            self, X, dtype=np.float64, ensure_all_finite="allow-nan", reset=False
        )
        logged: NDArray[np.float64] = np.log1p(np.clip(values, 0.0, self.upper_))
        return logged

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        return tags


class RareCategoryGrouper(OneToOneFeatureMixin, TransformerMixin, BaseEstimator):  # type: ignore[misc]
    """Categories seen fewer than `min_count` times in training, and categories never seen,
    become `other`.

    Text columns give text out (`other` in place of a rare value). A column of numbers stays
    numeric, and a rare or unseen number becomes NaN, the "missing" category of numeric
    inputs, since a number column cannot hold `other`. Missing values (None, NaN) form a
    category of their own, kept when frequent enough.

    Parameters
    ----------
    min_count : int, default=10
        How many training rows a category needs to be kept.
    other : str, default="other"
        What rare and unseen text categories become.
    """

    def __init__(self, min_count: int = 10, other: str = "other") -> None:
        self.min_count = min_count
        self.other = other

    def fit(self, X: Any, y: Any = None) -> Self:  # noqa: ARG002, N803
        """Learn, per column, the categories seen at least `min_count` times."""
        if not isinstance(self.min_count, int | np.integer) or self.min_count < 1:
            raise ValueError(f"min_count must be a whole number >= 1, got {self.min_count!r}")
        values = _categories(self, X, reset=True)
        self.categories_: list[NDArray[Any]] = []
        for column in range(values.shape[1]):
            counts = pd.Series(values[:, column]).value_counts(dropna=False)
            self.categories_.append(counts.index[counts >= self.min_count].to_numpy())
        return self

    def transform(self, X: Any) -> NDArray[Any]:  # noqa: N803
        """Each value, or `other` (NaN in numeric columns) when rare or unseen."""
        check_is_fitted(self)
        values = _categories(self, X, reset=False)
        numeric = values.dtype != object
        out = values.astype(np.float64 if numeric else object, copy=True)
        for column, kept in enumerate(self.categories_):
            known = pd.Series(values[:, column]).isin(kept).to_numpy()
            out[~known, column] = np.nan if numeric else self.other
        return out

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.categorical = True
        tags.input_tags.allow_nan = True
        return tags


def _categories(estimator: BaseEstimator, X: Any, *, reset: bool) -> NDArray[Any]:  # noqa: N803
    """X as a 2-D array: numeric when every column is numeric, else of Python objects."""
    frame = X if isinstance(X, pd.DataFrame) else None
    numeric = frame is None or all(pd.api.types.is_numeric_dtype(t) for t in frame.dtypes)
    values: NDArray[Any] = validate_data(
        estimator, X, dtype=None if numeric else object, ensure_all_finite="allow-nan",
        reset=reset,
    )  # fmt: skip
    if values.dtype.kind in "iufb":
        return values.astype(np.float64)
    values = values.astype(object)
    for value in values.ravel():
        if not isinstance(value, str | int | float | np.number | type(None)):
            raise TypeError(f"argument must be a string or a number, not {type(value).__name__!r}")
    return values
