"""A compiled numpy path through a fitted LightGBM scorer: the pipeline's probabilities, faster.

`pipeline.predict_proba(frame)` pays at every call for what never changes: scikit-learn input
validation of each step, every category cell cleaned and looked up again, and LightGBM's
scikit-learn wrapper predicting on one thread. `FastScorer.compile` does that work once:

- a categorical block (`CategoryCleaner`, then `OrdinalEncoder`) maps each cell on its own, so
  each distinct raw value is run through the fitted step once and its code remembered;
- a numeric block (`NumericCleaner`) on number columns is a float matrix clipped and logged as
  the cleaner learned (other dtypes go through the cleaner itself);
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
PARALLEL_ROWS = 2_000  # fewer rows than this are predicted on one thread: no thread start-up
_MEMO_LIMIT = 100_000  # distinct raw values remembered per category column
_MISSING = object()  # the memo key of a missing cell


class _Block(Protocol):
    columns: list[str]

    def fill(self, frame: pd.DataFrame, out: FloatArray) -> None:
        """Write the block's output columns for `frame` into `out` (rows x block width)."""


@dataclass(slots=True)
class _Categories:
    """A cell-by-cell step: each distinct raw value goes through it once, then is looked up."""

    step: Pipeline
    columns: list[str]
    memos: list[dict[Hashable, float]] = field(default_factory=list)

    def fill(self, frame: pd.DataFrame, out: FloatArray) -> None:
        if not self.memos:
            self.memos = [{} for _ in self.columns]
        found = [pd.factorize(frame[column], use_na_sentinel=True) for column in self.columns]
        keys = [[*uniques.tolist(), _MISSING] for _codes, uniques in found]
        self._learn(keys)
        for j, ((codes, _uniques), column_keys) in enumerate(zip(found, keys, strict=True)):
            memo = self.memos[j]
            values = np.array([memo[_key(key)] for key in column_keys], dtype=np.float64)
            out[:, j] = values[codes]  # code -1 (a missing cell) picks the last, _MISSING

    def _learn(self, keys: list[list[Any]]) -> None:
        """Run the values no memo holds through the fitted step, all columns in one frame."""
        new = [
            [key for key in column_keys if _key(key) not in memo]
            for memo, column_keys in zip(self.memos, keys, strict=True)
        ]
        height = max(len(values) for values in new)
        if height == 0:
            return
        cells = {
            column: [None if v is _MISSING else v for v in values] + [None] * (height - len(values))
            for column, values in zip(self.columns, new, strict=True)
        }
        codes = np.asarray(self.step.transform(pd.DataFrame(cells, dtype=object)), np.float64)
        for j, (memo, values) in enumerate(zip(self.memos, new, strict=True)):
            if len(memo) + len(values) > _MEMO_LIMIT:
                memo.clear()
            learned = zip(values, codes[: len(values), j].tolist(), strict=True)
            memo.update((_key(value), code) for value, code in learned)


@dataclass(slots=True)
class _Numbers:
    """A fitted `NumericCleaner`: number columns read as floats, clipped and logged as learned."""

    cleaner: NumericCleaner
    columns: list[str]

    def fill(self, frame: pd.DataFrame, out: FloatArray) -> None:
        part = frame[self.columns]
        if not all(isinstance(d, np.dtype) and d.kind in "iuf" for d in part.dtypes):
            out[:] = self.cleaner.transform(part)  # text, bools, nullable types: the cleaner's way
            return
        numbers = part.to_numpy(dtype=np.float64, copy=True)
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
        first = 0
        for block in self.blocks:
            block.fill(frame, out[:, first : first + len(block.columns)])
            first += len(block.columns)
        return out

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


def _block(step: object, columns: list[str]) -> _Block | None:
    """A fast block for a known fitted step, or None."""
    if isinstance(step, NumericCleaner):
        return _Numbers(step, columns)
    cellwise = (CategoryCleaner, OrdinalEncoder)
    if isinstance(step, Pipeline) and all(isinstance(s, cellwise) for _n, s in step.steps):
        return _Categories(step, columns)
    return None
