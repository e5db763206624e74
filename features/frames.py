"""Computed features of a few leads without pandas, and rows of a feature frame as dicts.

`FeatureRows` holds the catalogue columns as `compute` made them. For one lead (the per-event
path, `POST /v1/score`) pandas costs more than the work: building the one-row frame of the 62
columns takes about half a millisecond and the scorer reading it back (dtypes, `to_numpy`) as
much again, while the object matrix of its cells takes about 12 us; so the online paths score
the rows and build the frame (`FeatureRows.frame()`, the very frame `compute` returns) only
for what needs one.

`DataFrame.to_dict("records")` costs about 1.5 ms for one row of the 62 catalogue columns
(pandas 3 goes through `itertuples` and per-cell indexing); one object matrix and `zip` give
the same values in 0.1 ms, which matters on the per-event path.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from features.catalog import CATALOG

__all__ = ["FeatureRows", "records"]

ObjectArray = npt.NDArray[np.object_]
Column = npt.NDArray[np.float64] | list[str | None]
_NAMES: tuple[str, ...] = tuple(spec.name for spec in CATALOG)
_NUMERIC: frozenset[str] = frozenset(spec.name for spec in CATALOG if spec.kind == "numeric")


@dataclass(frozen=True, slots=True)
class FeatureRows:
    """The features of a few leads, column by column, as `compute` made them.

    `columns` holds every catalogue feature in catalogue order: numeric ones as float64 arrays
    (NaN when unknown), categorical ones as lists of str (None when missing). Row i is lead
    `ids[i]`. Meant for a few rows: `cells` and `records` go cell by cell.
    """

    ids: npt.NDArray[np.int64]
    columns: Mapping[str, Column]

    def __post_init__(self) -> None:
        if tuple(self.columns) != _NAMES:
            raise ValueError("feature rows need every catalogue column, in catalogue order")
        if any(len(values) != len(self.ids) for values in self.columns.values()):
            raise ValueError("every feature column needs one value per lead id")

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def names(self) -> tuple[str, ...]:
        """The column names, in catalogue order (the column order of `cells`)."""
        return _NAMES

    @property
    def numeric(self) -> frozenset[str]:
        """The names of the numeric (float64) columns."""
        return _NUMERIC

    def take(self, positions: Sequence[int]) -> FeatureRows:
        """The rows at `positions`, in that order."""
        picked = np.asarray(positions, dtype=np.intp)
        columns: dict[str, Column] = {
            name: values[picked]
            if isinstance(values, np.ndarray)
            else [values[p] for p in positions]
            for name, values in self.columns.items()
        }
        return FeatureRows(self.ids[picked], columns)

    def frame(self) -> pd.DataFrame:
        """The feature frame (index: lead id): what `compute` returns for these leads.

        Numeric columns are float64 (sharing these arrays), categorical columns str.
        """
        # A dict of plain arrays is the cheapest frame to build (0.4 ms for one lead; Series
        # with a dtype each cost 2.6 ms).
        return pd.DataFrame(
            {name: _frame_column(values) for name, values in self.columns.items()},
            index=pd.Index(self.ids, name="lead_id"),
            copy=False,
        )

    def cells(self) -> ObjectArray:
        """Rows x columns as Python objects: `frame().to_numpy(dtype=object)`, without it.

        Numbers are floats, text is str, and a missing category is NaN as pandas gives it.
        """
        out = np.empty((len(self.ids), len(_NAMES)), dtype=object)
        for number, row in enumerate(self._rows()):
            out[number] = row
        return out

    def records(self) -> list[dict[str, Any]]:
        """Each row as {column: value}: what `records(self.frame())` gives."""
        return [dict(zip(_NAMES, row, strict=True)) for row in self._rows()]

    def _rows(self) -> list[tuple[object, ...]]:
        # Columns to Python objects, then transposed: a few times faster than filling an
        # object matrix column by column.
        values = [_objects(column) for column in self.columns.values()]
        return list(zip(*values, strict=True))


def records(table: pd.DataFrame | FeatureRows) -> list[dict[str, Any]]:
    """Each row as {column: value} (numbers as floats, missing as NaN), in row order."""
    if isinstance(table, FeatureRows):
        return table.records()
    names = [str(name) for name in table.columns]
    return [dict(zip(names, row, strict=True)) for row in table.to_numpy(dtype=object).tolist()]


def _frame_column(values: Column) -> Any:
    return values if isinstance(values, np.ndarray) else pd.array(values, dtype="str")


def _objects(values: Column) -> list[Any]:
    """A column's cells as the frame's object matrix holds them: numbers as floats, a missing
    category (None) as NaN."""
    if isinstance(values, np.ndarray):
        return values.tolist()  # type: ignore[no-any-return]
    return [np.nan if value is None else value for value in values]
