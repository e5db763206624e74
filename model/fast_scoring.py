"""A compiled numpy path through a fitted scorer (LightGBM or logistic): its probabilities, faster.

`pipeline.predict_proba(frame)` pays at every call for what never changes: scikit-learn input
validation of each step, every category cell cleaned and looked up again, and LightGBM's
scikit-learn wrapper predicting on one thread. `FastScorer.compile` does that work once:

- the ColumnTransformer's steps become blocks (`model._fast_blocks`): a categorical block
  (`CategoryCleaner`, then `OrdinalEncoder` or `OneHotEncoder`) maps each
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
from sklearn.compose import ColumnTransformer
from sklearn.pipeline import Pipeline

from model._fast_blocks import Block, block_for
from model._fast_linear import linear_model
from model.calibration import PlattCalibrator

__all__ = ["Cells", "FastScorer", "Table"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
ObjectArray = npt.NDArray[np.object_]
PARALLEL_ROWS = 2_000  # fewer rows than this are predicted on one thread: no thread start-up
SMALL_ROWS = 16  # frames up to this many rows are read cell by cell
_LAYOUT_LIMIT = 64  # column layouts remembered
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


@dataclass(frozen=True, slots=True)
class FastScorer:
    """A LightGBM or logistic scorer's pipeline and calibrator, compiled into numpy steps."""

    pipeline: Pipeline
    calibrator: PlattCalibrator
    features: list[str]
    blocks: tuple[Block, ...] | None  # None: not compiled, the pipeline scores
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

    def _positions(self, table: Table, blocks: tuple[Block, ...]) -> list[IntArray] | None:
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


def _runs(out: FloatArray, blocks: tuple[Block, ...]) -> list[FloatArray]:
    """Views of `out`'s columns, one run per block, in order."""
    ends = np.cumsum([block.width for block in blocks]).tolist()
    return [out[:, end - block.width : end] for end, block in zip(ends, blocks, strict=True)]


@dataclass(frozen=True, slots=True)
class _Booster:
    """A fitted LightGBM classifier's booster: the positive class's probability."""

    booster: Any

    def __call__(self, matrix: FloatArray, threads: int) -> FloatArray:
        return np.asarray(self.booster.predict(matrix, num_threads=threads), np.float64)


def _compile(pipeline: Pipeline) -> tuple[tuple[Block, ...], _Model] | None:
    """A LightGBM or logistic pipeline's blocks (its ColumnTransformer's) and classifier."""
    prepare = pipeline.named_steps.get("prepare")
    classifier = pipeline.named_steps.get("classify")
    if not isinstance(prepare, ColumnTransformer) or prepare.remainder != "drop":
        return None
    if len(pipeline.steps) != 2 or len(getattr(classifier, "classes_", ())) != 2:
        return None
    blocks: list[Block] = []
    for _name, step, columns in prepare.transformers_:
        if (isinstance(step, str) and step == "drop") or not len(columns):
            continue
        block = block_for(step, [str(c) for c in columns])
        if block is None:
            return None
        blocks.append(block)
    if hasattr(classifier, "booster_") and not prepare.sparse_output_:
        return tuple(blocks), _Booster(classifier.booster_)
    # the dot product of a sparse matrix differs from the dense one's in rounding only
    linear = linear_model(classifier, sum(block.width for block in blocks))
    return None if linear is None else (tuple(blocks), linear)


def _layout(
    names: Sequence[Hashable], dtypes: Sequence[object], blocks: tuple[Block, ...]
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
