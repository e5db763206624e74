"""A compiled numpy path through a fitted LightGBM scorer: the pipeline's probabilities, faster.

`pipeline.predict_proba(frame)` pays at every call for what never changes: scikit-learn input
validation of each step, every category cell cleaned and looked up again, and LightGBM's
scikit-learn wrapper predicting on one thread. `FastScorer.compile` does that work once:

- a categorical block (`CategoryCleaner`, then `OrdinalEncoder`) maps each cell on its own, so
  each distinct raw value is run through the fitted step once and its code remembered;
- a numeric block (`NumericCleaner`) on number columns is a float matrix clipped and logged as
  the cleaner learned (other dtypes go through the cleaner itself);
- a frame of a few rows (one lead online) is read as one object matrix, whose cells each block
  takes by position (pandas' column selection costs more than scoring one row);
- the matrix goes straight to the booster, on `threads` threads for large frames (a row's
  prediction does not depend on them), then to the Platt calibrator.

The probabilities are the pipeline's (tests/model/test_scorer_fast_path.py checks them to
1e-12); a pipeline this module does not know is scored by the pipeline itself.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OrdinalEncoder

from model.calibration import PlattCalibrator
from model.cleaning import CategoryCleaner, NumericCleaner

__all__ = ["FastScorer"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
ObjectArray = npt.NDArray[np.object_]
PARALLEL_ROWS = 2_000  # fewer rows than this are predicted on one thread: no thread start-up
SMALL_ROWS = 16  # frames up to this many rows are read cell by cell
_MEMO_LIMIT = 100_000  # distinct raw values remembered per category column
_LAYOUT_LIMIT = 64  # column layouts remembered
_MISSING = object()  # the memo key of a missing cell


class _Block(Protocol):
    columns: list[str]

    def fill(self, frame: pd.DataFrame, out: FloatArray) -> None:
        """Write the block's output columns for `frame` into `out` (rows x block width)."""

    def fill_cells(self, cells: ObjectArray, out: FloatArray) -> None:
        """The same from the block's columns of `frame.to_numpy()` (a small frame)."""

    def takes_cells(self, dtypes: Sequence[object]) -> bool:
        """Whether `fill_cells` gives what `fill` does for columns of these dtypes."""


@dataclass(slots=True)
class _Categories:
    """A cell-by-cell step: each distinct raw value goes through it once, then is looked up.

    The memos are replaced, never changed in place, so threads scoring at once stay correct.
    """

    step: Pipeline
    columns: list[str]
    memos: list[dict[Hashable, float]] = field(default_factory=list)

    def fill(self, frame: pd.DataFrame, out: FloatArray) -> None:
        found = [pd.factorize(frame[column], use_na_sentinel=True) for column in self.columns]
        values = [[*uniques.tolist(), _MISSING] for _codes, uniques in found]
        memos = self._memos(values)
        for j, ((codes, _uniques), column) in enumerate(zip(found, values, strict=True)):
            looked_up = np.array([memos[j][_key(value)] for value in column], dtype=np.float64)
            out[:, j] = looked_up[codes]  # code -1 (a missing cell) picks the last, _MISSING

    def fill_cells(self, cells: ObjectArray, out: FloatArray) -> None:
        # pd.isna is what pd.factorize calls missing
        values = [[_MISSING if pd.isna(v) else v for v in column.tolist()] for column in cells.T]
        memos = self._memos(values)
        for j, (memo, column) in enumerate(zip(memos, values, strict=True)):
            out[:, j] = [memo[_key(value)] for value in column]

    def takes_cells(self, dtypes: Sequence[object]) -> bool:  # noqa: ARG002 - any cell reads
        return True

    def _memos(self, values: list[list[Any]]) -> list[dict[Hashable, float]]:
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
        codes = np.asarray(self.step.transform(pd.DataFrame(cells, dtype=object)), np.float64)
        grown = []
        for j, (memo, column) in enumerate(zip(memos, new, strict=True)):
            learned = zip(map(_key, column), codes[: len(column), j].tolist(), strict=True)
            kept = memo if len(memo) + len(column) <= _MEMO_LIMIT else {}
            grown.append({**kept, **dict(learned)})
        self.memos = grown
        return grown


@dataclass(slots=True)
class _Numbers:
    """A fitted `NumericCleaner`: number columns read as floats, clipped and logged as learned."""

    cleaner: NumericCleaner
    columns: list[str]

    def fill(self, frame: pd.DataFrame, out: FloatArray) -> None:
        part = frame[self.columns]
        if not self.takes_cells(list(part.dtypes)):
            out[:] = self.cleaner.transform(part)  # text, bools, nullable types: the cleaner's way
            return
        self._clean(part.to_numpy(dtype=np.float64, copy=True), out)

    def fill_cells(self, cells: ObjectArray, out: FloatArray) -> None:
        self._clean(np.array(cells, dtype=np.float64), out)

    def takes_cells(self, dtypes: Sequence[object]) -> bool:
        """Plain number columns: what the cleaner reads as one float matrix."""
        return all(isinstance(d, np.dtype) and d.kind in "iuf" for d in dtypes)

    def _clean(self, numbers: FloatArray, out: FloatArray) -> None:
        """What `NumericCleaner.transform` does to a float matrix, in the same order."""
        numbers[~np.isfinite(numbers)] = np.nan
        np.minimum(numbers, self.cleaner.upper_, out=numbers)
        numbers[:, self.cleaner.log_] = np.log1p(numbers[:, self.cleaner.log_])
        out[:] = numbers


def _key(value: Any) -> Hashable:
    """A memo key that keeps apart values Python calls equal (1, 1.0, True) but cells do not."""
    return value if value is _MISSING else (type(value), value)


@dataclass(frozen=True, slots=True)
class FastScorer:
    """A LightGBM scorer's pipeline and calibrator, compiled into numpy steps."""

    pipeline: Pipeline
    calibrator: PlattCalibrator
    features: list[str]
    blocks: tuple[_Block, ...] | None  # None: not compiled, the pipeline scores
    threads: int = 0  # LightGBM's num_threads for large frames; 0 = its default (every core)
    layouts: dict[Hashable, list[IntArray] | None] = field(default_factory=dict, repr=False)

    @classmethod
    def compile(
        cls,
        pipeline: Pipeline,
        calibrator: PlattCalibrator,
        features: Sequence[str],
        *,
        threads: int = 0,
    ) -> FastScorer:
        """Compile a fitted pipeline (`prepare` then `classify`) and its calibrator."""
        return cls(pipeline, calibrator, list(features), _compile(pipeline), threads)

    @property
    def compiled(self) -> bool:
        """Whether scoring takes the numpy path (else the pipeline's own)."""
        return self.blocks is not None

    def prepare(self, frame: pd.DataFrame) -> FloatArray:
        """The classifier's input matrix: what the pipeline's `prepare` step outputs."""
        if self.blocks is None:
            prepared = self.pipeline.named_steps["prepare"].transform(frame[self.features])
            return np.asarray(prepared, dtype=np.float64)
        out = np.empty((len(frame), sum(len(b.columns) for b in self.blocks)), dtype=np.float64)
        where = self._positions(frame, self.blocks) if len(frame) <= SMALL_ROWS else None
        cells = None if where is None else frame.to_numpy()
        first = 0
        for number, block in enumerate(self.blocks):
            part = out[:, first : first + len(block.columns)]
            if cells is None or where is None:
                block.fill(frame, part)
            else:
                block.fill_cells(cells[:, where[number]], part)
            first += len(block.columns)
        return out

    def _positions(self, frame: pd.DataFrame, blocks: tuple[_Block, ...]) -> list[IntArray] | None:
        """Each block's column positions in frames laid out as `frame` is (None: read by name)."""
        key = (tuple(frame.columns), tuple(frame.dtypes))
        if key in self.layouts:
            return self.layouts[key]
        layout = _layout(frame, blocks)
        if len(self.layouts) >= _LAYOUT_LIMIT:
            self.layouts.clear()
        self.layouts[key] = layout
        return layout

    def raw(self, frame: pd.DataFrame) -> FloatArray:
        """The model's probabilities before calibration."""
        if self.blocks is None:
            scores: FloatArray = self.pipeline.predict_proba(frame[self.features])[:, 1]
            return scores
        booster = self.pipeline.named_steps["classify"].booster_
        threads = self.threads if len(frame) >= PARALLEL_ROWS else 1
        return np.asarray(booster.predict(self.prepare(frame), num_threads=threads), np.float64)

    def probabilities(self, frame: pd.DataFrame) -> FloatArray:
        """Calibrated probabilities: `LeadScorer.probabilities`, by the compiled path."""
        return np.asarray(self.calibrator.predict(self.raw(frame)), dtype=np.float64)


def _compile(pipeline: Pipeline) -> tuple[_Block, ...] | None:
    """The blocks of a LightGBM pipeline's ColumnTransformer, or None when it is not one."""
    prepare = pipeline.named_steps.get("prepare")
    classifier = pipeline.named_steps.get("classify")
    binary = len(getattr(classifier, "classes_", ())) == 2
    if not isinstance(prepare, ColumnTransformer) or not binary or prepare.remainder != "drop":
        return None
    if not hasattr(classifier, "booster_") or len(pipeline.steps) != 2 or prepare.sparse_output_:
        return None
    blocks: list[_Block] = []
    for _name, step, columns in prepare.transformers_:
        if (isinstance(step, str) and step == "drop") or not len(columns):
            continue
        block = _block(step, [str(c) for c in columns])
        if block is None:
            return None
        blocks.append(block)
    return tuple(blocks)


def _layout(frame: pd.DataFrame, blocks: tuple[_Block, ...]) -> list[IntArray] | None:
    """Where each block's columns sit in `frame`, if every block reads its cells exactly."""
    if not frame.columns.is_unique:
        return None
    layout = []
    for block in blocks:
        positions = frame.columns.get_indexer(pd.Index(block.columns)).astype(np.int64)
        if (positions < 0).any() or not block.takes_cells(list(frame.dtypes.iloc[positions])):
            return None
        layout.append(positions)
    return layout


def _block(step: object, columns: list[str]) -> _Block | None:
    """A fast block for a known fitted step, or None."""
    if isinstance(step, NumericCleaner):
        return _Numbers(step, columns)
    cellwise = (CategoryCleaner, OrdinalEncoder)
    if isinstance(step, Pipeline) and all(isinstance(s, cellwise) for _n, s in step.steps):
        return _Categories(step, columns)
    return None
