"""A compiled numpy path through a fitted scorer (LightGBM or logistic): its probabilities, faster.

`pipeline.predict_proba(frame)` pays at every call for what never changes: scikit-learn input
validation of each step, every category cell cleaned and looked up again, and LightGBM's
scikit-learn wrapper predicting on one thread. `FastScorer.compile` does that work once:

- a categorical block (`CategoryCleaner`, then `OrdinalEncoder` or `OneHotEncoder`) maps each
  cell on its own, so each distinct raw value is run through the fitted step once and its
  output (a code, or its one-hot run of columns) remembered;
- a numeric block (`NumericCleaner`) on number columns is a float matrix clipped and logged as
  the cleaner learned (other dtypes go through the cleaner itself), then, in the logistic
  pipeline, imputed with missing indicators and scaled as the fitted steps do (`_fast_linear`);
- a frame of a few rows (one lead online) is read as one object matrix, whose cells each block
  takes by position (pandas' column selection costs more than scoring one row); rows given
  without a frame (`Cells`, such as `features.FeatureRows`) are read the same way, their
  layout known from their column names, so no frame is built at all;
- the matrix goes straight to the booster, on `threads` threads for large frames (a row's
  prediction does not depend on them), or to the logistic regression's dot product; then to
  the Platt calibrator.

The probabilities are the pipeline's (tests/model/test_scorer_fast_path.py checks them to
1e-12); a pipeline this module does not know is scored by the pipeline itself.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import sparse
from sklearn.compose import ColumnTransformer
from sklearn.pipeline import Pipeline

from model._fast_linear import FloatStep, encoded_widths, float_steps, linear_model
from model.calibration import PlattCalibrator
from model.cleaning import NumericCleaner

__all__ = ["Cells", "FastScorer", "Table"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
ObjectArray = npt.NDArray[np.object_]
PARALLEL_ROWS = 2_000  # fewer rows than this are predicted on one thread: no thread start-up
SMALL_ROWS = 16  # frames up to this many rows are read cell by cell
_MEMO_LIMIT = 100_000  # distinct raw values remembered per category column
_LAYOUT_LIMIT = 64  # column layouts remembered
_MISSING = object()  # the memo key of a missing cell
_FLOATS, _OBJECTS = np.dtype(np.float64), np.dtype(object)  # the dtypes of `Cells` columns
_Model = Callable[[FloatArray, int], FloatArray]  # (prepared matrix, threads) -> raw probability


class Cells(Protocol):
    """A few rows as an object matrix of named columns (`features.FeatureRows` is one)."""

    @property
    def names(self) -> tuple[str, ...]:
        """The column of each matrix column, in order."""

    @property
    def numeric(self) -> frozenset[str]:
        """The columns whose cells are floats (the others may hold anything)."""

    def __len__(self) -> int:
        """The number of rows."""

    def cells(self) -> ObjectArray:
        """Rows x columns, as `frame().to_numpy()` holds them."""

    def frame(self) -> pd.DataFrame:
        """The same rows as a frame, for what reads columns by name."""


Table = pd.DataFrame | Cells  # what FastScorer scores


class _Block(Protocol):
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


@dataclass(frozen=True, slots=True)
class FastScorer:
    """A LightGBM or logistic scorer's pipeline and calibrator, compiled into numpy steps."""

    pipeline: Pipeline
    calibrator: PlattCalibrator
    features: list[str]
    blocks: tuple[_Block, ...] | None  # None: not compiled, the pipeline scores
    model: _Model | None  # the classifier's raw probability of a prepared matrix
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
        blocks, model = _compile(pipeline) or (None, None)
        return cls(pipeline, calibrator, list(features), blocks, model, threads)

    @property
    def compiled(self) -> bool:
        """Whether scoring takes the numpy path (else the pipeline's own)."""
        return self.blocks is not None and self.model is not None

    def prepare(self, table: Table) -> FloatArray:
        """The classifier's input matrix: what the pipeline's `prepare` step outputs."""
        if self.blocks is None:
            prepared = self.pipeline.named_steps["prepare"].transform(_frame(table)[self.features])
            return np.asarray(prepared, dtype=np.float64)
        out = np.empty((len(table), sum(b.width for b in self.blocks)), dtype=np.float64)
        parts = _runs(out, self.blocks)
        where = self._positions(table, self.blocks) if len(table) <= SMALL_ROWS else None
        if where is None:
            frame = _frame(table)
            for block, part in zip(self.blocks, parts, strict=True):
                block.fill(frame, part)
        else:
            cells = table.to_numpy() if isinstance(table, pd.DataFrame) else table.cells()
            for block, part, positions in zip(self.blocks, parts, where, strict=True):
                block.fill_cells(cells[:, positions], part)
        return out

    def _positions(self, table: Table, blocks: tuple[_Block, ...]) -> list[IntArray] | None:
        """Each block's column positions in tables laid out as `table` is (None: read by name)."""
        key = _layout_key(table)
        if key in self.layouts:
            return self.layouts[key]
        layout = _layout(*_names_and_dtypes(table), blocks)
        if len(self.layouts) >= _LAYOUT_LIMIT:
            self.layouts.clear()
        self.layouts[key] = layout
        return layout

    def raw(self, table: Table) -> FloatArray:
        """The model's probabilities before calibration."""
        if self.blocks is None or self.model is None:
            frame = _frame(table)[self.features]
            scores: FloatArray = self.pipeline.predict_proba(frame)[:, 1]
            return scores
        threads = self.threads if len(table) >= PARALLEL_ROWS else 1
        return self.model(self.prepare(table), threads)

    def probabilities(self, table: Table) -> FloatArray:
        """Calibrated probabilities: `LeadScorer.probabilities`, by the compiled path."""
        return np.asarray(self.calibrator.predict(self.raw(table)), dtype=np.float64)


def _frame(table: Table) -> pd.DataFrame:
    return table if isinstance(table, pd.DataFrame) else table.frame()


def _layout_key(table: Table) -> Hashable:
    """What a table's layout depends on: a frame's columns and dtypes; rows' names and numeric
    names (a frozenset, so never equal to a frame's key, whose second part is a tuple)."""
    if isinstance(table, pd.DataFrame):
        return (tuple(table.columns), tuple(table.dtypes))
    return (table.names, table.numeric)


def _names_and_dtypes(table: Table) -> tuple[Sequence[Hashable], Sequence[object]]:
    """Each column's name and dtype (rows: float64 for the numeric ones, object for others)."""
    if isinstance(table, pd.DataFrame):
        return list(table.columns), list(table.dtypes)
    return table.names, [_FLOATS if name in table.numeric else _OBJECTS for name in table.names]


def _runs(out: FloatArray, blocks: tuple[_Block, ...]) -> list[FloatArray]:
    """Views of `out`'s columns, one run per block, in order."""
    ends = np.cumsum([block.width for block in blocks]).tolist()
    return [out[:, end - block.width : end] for end, block in zip(ends, blocks, strict=True)]


@dataclass(frozen=True, slots=True)
class _Booster:
    """A fitted LightGBM classifier's booster: the positive class's probability."""

    booster: Any

    def __call__(self, matrix: FloatArray, threads: int) -> FloatArray:
        return np.asarray(self.booster.predict(matrix, num_threads=threads), np.float64)


def _compile(pipeline: Pipeline) -> tuple[tuple[_Block, ...], _Model] | None:
    """A LightGBM or logistic pipeline's blocks (its ColumnTransformer's) and classifier."""
    prepare = pipeline.named_steps.get("prepare")
    classifier = pipeline.named_steps.get("classify")
    if not isinstance(prepare, ColumnTransformer) or prepare.remainder != "drop":
        return None
    if len(pipeline.steps) != 2 or len(getattr(classifier, "classes_", ())) != 2:
        return None
    blocks: list[_Block] = []
    for _name, step, columns in prepare.transformers_:
        if (isinstance(step, str) and step == "drop") or not len(columns):
            continue
        block = _block(step, [str(c) for c in columns])
        if block is None:
            return None
        blocks.append(block)
    if hasattr(classifier, "booster_") and not prepare.sparse_output_:
        return tuple(blocks), _Booster(classifier.booster_)
    # the dot product of a sparse matrix differs from the dense one's in rounding only
    linear = linear_model(classifier, sum(block.width for block in blocks))
    return None if linear is None else (tuple(blocks), linear)


def _layout(
    names: Sequence[Hashable], dtypes: Sequence[object], blocks: tuple[_Block, ...]
) -> list[IntArray] | None:
    """Where each block's columns sit among `names`, if every block reads its cells exactly."""
    position = {name: number for number, name in enumerate(names)}
    if len(position) != len(names):
        return None
    layout = []
    for block in blocks:
        positions = [position.get(column, -1) for column in block.columns]
        if -1 in positions or not block.takes_cells([dtypes[p] for p in positions]):
            return None
        layout.append(np.array(positions, dtype=np.int64))
    return layout


def _block(step: object, columns: list[str]) -> _Block | None:
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
