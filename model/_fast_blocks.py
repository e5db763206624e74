"""The fitted steps of a scorer's ColumnTransformer as numpy blocks (`model.fast_scoring`'s parts).

A block writes its run of output columns into the prepared matrix, from a frame (`fill`) or from
the object matrix of a few rows' cells (`fill_cells`):

- `_Categories`: a categorical step (`CategoryCleaner`, then `OrdinalEncoder` or
  `OneHotEncoder`); each distinct raw value goes through the fitted step once, its output
  remembered;
- `_Numbers`: a `NumericCleaner` on number columns as one float matrix, clipped and logged as
  the cleaner learned, then the logistic pipeline's imputation and scaling (`_fast_linear`).
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import sparse
from sklearn.pipeline import Pipeline

from model._fast_linear import FloatStep, encoded_widths, float_steps
from model.cleaning import NumericCleaner

__all__ = ["Block", "block_for"]

FloatArray = npt.NDArray[np.float64]
ObjectArray = npt.NDArray[np.object_]
_MEMO_LIMIT = 100_000  # distinct raw values remembered per category column
_MISSING = object()  # the memo key of a missing cell


class Block(Protocol):
    columns: list[str]  # the input columns

    @property
    def width(self) -> int:
        """How many output columns the block writes."""

    def fill(self, frame: pd.DataFrame, out: FloatArray) -> None:
        """Write the block's output columns for `frame` into `out` (rows x block width)."""

    def fill_cells(self, cells: ObjectArray, out: FloatArray) -> None:
        """The same from the block's columns of `frame.to_numpy()` (a small frame)."""

    def takes_cells(self, dtypes: Sequence[object]) -> bool:
        """Whether `fill_cells` gives what `fill` does for columns of these dtypes."""


@dataclass(slots=True)
class _Categories:
    """A cell-by-cell step: each distinct raw value goes through it once, then is looked up.

    A value's output is its run of `widths[j]` columns (one code, or one-hot columns). The memos
    are replaced, never changed in place, so threads scoring at once stay correct.
    """

    step: Pipeline
    columns: list[str]
    widths: list[int]  # output columns of each input column, in the step's output order
    memos: list[dict[Hashable, tuple[float, ...]]] = field(default_factory=list)
    runs: list[slice] = field(init=False)  # each input column's output columns

    def __post_init__(self) -> None:
        ends = np.cumsum(self.widths).tolist()
        self.runs = [slice(end - width, end) for end, width in zip(ends, self.widths, strict=True)]

    @property
    def width(self) -> int:
        return sum(self.widths)

    def fill(self, frame: pd.DataFrame, out: FloatArray) -> None:
        found = [pd.factorize(frame[column], use_na_sentinel=True) for column in self.columns]
        values = [[*uniques.tolist(), _MISSING] for _codes, uniques in found]
        memos = self._memos(values)
        parts = self._parts(out)
        for memo, (codes, _uniques), column, part in zip(memos, found, values, parts, strict=True):
            looked_up = np.array([memo[_key(value)] for value in column], dtype=np.float64)
            part[:] = looked_up[codes]  # code -1 (a missing cell) picks the last, _MISSING

    def fill_cells(self, cells: ObjectArray, out: FloatArray) -> None:
        # pd.isna is what pd.factorize calls missing
        values = [[_MISSING if pd.isna(v) else v for v in column.tolist()] for column in cells.T]
        memos = self._memos(values)
        for memo, column, part in zip(memos, values, self._parts(out), strict=True):
            part[:] = [memo[_key(value)] for value in column]

    def takes_cells(self, dtypes: Sequence[object]) -> bool:  # noqa: ARG002 - any cell reads
        return True

    def _memos(self, values: list[list[Any]]) -> list[dict[Hashable, tuple[float, ...]]]:
        """Memos that hold every value: those none held go through the fitted step at once."""
        memos = self.memos or [{} for _ in self.columns]
        new = [
            [value for value in column if _key(value) not in memo]
            for memo, column in zip(memos, values, strict=True)
        ]
        height = max(len(column) for column in new)
        if height == 0:
            return memos
        cells = {
            name: [None if v is _MISSING else v for v in column] + [None] * (height - len(column))
            for name, column in zip(self.columns, new, strict=True)
        }
        encoded = self.step.transform(pd.DataFrame(cells, dtype=object))
        dense = encoded.toarray() if sparse.issparse(encoded) else encoded  # one-hot: sparse
        grown = []
        for memo, column, part in zip(memos, new, self._parts(np.asarray(dense)), strict=True):
            outputs = map(tuple, part[: len(column)].astype(np.float64).tolist())
            learned = zip(map(_key, column), outputs, strict=True)
            kept = memo if len(memo) + len(column) <= _MEMO_LIMIT else {}
            grown.append({**kept, **dict(learned)})
        self.memos = grown
        return grown

    def _parts(self, out: npt.NDArray[Any]) -> list[npt.NDArray[Any]]:
        """Views of `out`'s columns, one run per input column."""
        return [out[:, run] for run in self.runs]


@dataclass(slots=True)
class _Numbers:
    """A fitted `NumericCleaner`: number columns read as floats, clipped and logged as learned.

    `then` are the float steps after it (imputation, scaling) compiled by `_fast_linear`.
    """

    cleaner: NumericCleaner
    columns: list[str]
    width: int
    then: tuple[FloatStep, ...] = ()

    def fill(self, frame: pd.DataFrame, out: FloatArray) -> None:
        part = frame[self.columns]
        if self.takes_cells(list(part.dtypes)):
            numbers = self._clean(part.to_numpy(dtype=np.float64, copy=True))
        else:
            numbers = self.cleaner.transform(part)  # text, bools, nullable types: its own way
        out[:] = self._after(numbers)

    def fill_cells(self, cells: ObjectArray, out: FloatArray) -> None:
        out[:] = self._after(self._clean(np.array(cells, dtype=np.float64)))

    def takes_cells(self, dtypes: Sequence[object]) -> bool:
        """Plain number columns: what the cleaner reads as one float matrix."""
        return all(isinstance(d, np.dtype) and d.kind in "iuf" for d in dtypes)

    def _clean(self, numbers: FloatArray) -> FloatArray:
        """What `NumericCleaner.transform` does to a float matrix, in the same order."""
        numbers[~np.isfinite(numbers)] = np.nan
        np.minimum(numbers, self.cleaner.upper_, out=numbers)
        numbers[:, self.cleaner.log_] = np.log1p(numbers[:, self.cleaner.log_])
        return numbers

    def _after(self, numbers: FloatArray) -> FloatArray:
        for step in self.then:
            numbers = step.apply(numbers)
        return numbers


def _key(value: Any) -> Hashable:
    """A memo key that keeps apart values Python calls equal (1, 1.0, True) but cells do not."""
    return value if value is _MISSING else (type(value), value)


def block_for(step: object, columns: list[str]) -> Block | None:
    """A fast block for a known fitted step, or None."""
    if isinstance(step, NumericCleaner):
        return _Numbers(step, columns, len(columns))
    if not isinstance(step, Pipeline):
        return None
    first, *rest = [part for _name, part in step.steps]
    if isinstance(first, NumericCleaner):
        after = float_steps(rest, len(columns))
        return None if after is None else _Numbers(first, columns, after[1], after[0])
    widths = encoded_widths([first, *rest], len(columns))
    return None if widths is None else _Categories(step, columns, widths)
