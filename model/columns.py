"""Decide which columns of a user's table feed the model, as numbers or categories, and why not.

A column is left out when the user asks, when it is empty or constant, or when it identifies
rows rather than describing them: all-unique text (`Prospect ID`, an email) or all-unique whole
numbers that rise or fall with the row order or carry an id-like name (`Lead Number`). A column
whose filled cells (placeholders such as `Select` count as empty) all read as numbers is
numeric, even when the file stores them as text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from model.cells import PLACEHOLDERS, column_texts
from model.errors import DataError, UnknownColumn
from model.target import TargetCoding, code_target

__all__ = ["ColumnPlan", "DropReason", "DroppedColumn", "detect_columns"]

DropReason = Literal["requested", "empty", "constant", "identifier"]
Kind = Literal["numeric", "categorical"]

_EMPTY = frozenset(PLACEHOLDERS)
_NUMERIC_SHARE = 0.99  # a stray word in a column of numbers is read as missing, not as a category
_FILLED_FOR_ID = 0.9
_ORDER_CORRELATION = 0.99
_ID_NAME = re.compile(r"(?:^|[\s_.\-])(?:id|no|nr|number|key|uuid|guid)$", re.IGNORECASE)
_CAMEL_ID = re.compile(r"[a-z](?:ID|Id)$")


@dataclass(frozen=True, slots=True)
class DroppedColumn:
    """A column the model does not use, and why."""

    name: str
    reason: DropReason


@dataclass(frozen=True, slots=True)
class ColumnPlan:
    """Which columns of a table feed the model and how, and which are left out and why."""

    target: TargetCoding
    numeric: tuple[str, ...]
    categorical: tuple[str, ...]
    dropped: tuple[DroppedColumn, ...]

    @property
    def features(self) -> tuple[str, ...]:
        """Every column the model reads, numeric first."""
        return self.numeric + self.categorical

    def to_json(self) -> dict[str, object]:
        """The plan as plain data, for reports and run logs."""
        return {
            "target": self.target.to_json(),
            "numeric": list(self.numeric),
            "categorical": list(self.categorical),
            "dropped": {column.name: column.reason for column in self.dropped},
        }


def detect_columns(frame: pd.DataFrame, target: str, drop: Sequence[str] = ()) -> ColumnPlan:
    """Plan the columns of `frame` for predicting `target`, leaving out `drop` and useless ones.

    Raises UnknownColumn for a target or `drop` entry that is not a column, TargetNotBinary
    when the target does not hold two classes, DataError when no column is left to learn from.
    """
    names = _column_names(frame)
    drops = (drop,) if isinstance(drop, str) else tuple(drop)
    if target not in names:
        raise UnknownColumn(target, role="target", columns=names)
    for name in drops:
        if name not in names:
            raise UnknownColumn(name, role="drop", columns=names)
    if target in drops:
        raise DataError(f"target {target!r} is also listed to drop", column=target)
    coding = code_target(frame[target], target)
    numeric: list[str] = []
    categorical: list[str] = []
    dropped = [DroppedColumn(name, "requested") for name in names if name in drops]
    for name in names:
        if name == target or name in drops:
            continue
        verdict = _classify(frame[name], name)
        if verdict == "numeric":
            numeric.append(name)
        elif verdict == "categorical":
            categorical.append(name)
        else:
            dropped.append(DroppedColumn(name, verdict))
    if not numeric and not categorical:
        left_out = ", ".join(f"{c.name!r} ({c.reason})" for c in dropped) or "none"
        raise DataError(f"no column is left to learn from; left out: {left_out}")
    return ColumnPlan(coding, tuple(numeric), tuple(categorical), tuple(dropped))


def _column_names(frame: pd.DataFrame) -> list[str]:
    """The frame's column names; DataError unless they are unique text."""
    names = list(frame.columns)
    odd = [name for name in names if not isinstance(name, str)]
    if odd:
        raise DataError(f"column names must be text; found {odd[:5]!r}", column=str(odd[0]))
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise DataError(f"column {repeated[0]!r} appears more than once", column=repeated[0])
    return names


def _classify(values: pd.Series, name: str) -> Kind | DropReason:
    """What one column is to the model: numeric, categorical, or a reason to leave it out."""
    texts = column_texts(values, _EMPTY)
    filled = texts.dropna()
    if filled.empty:
        return "empty"
    if texts.nunique(dropna=False) == 1:
        return "constant"
    if values.dtype.kind == "b":
        return "categorical"
    numbers = pd.to_numeric(filled, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    if np.isfinite(numbers).mean() >= _NUMERIC_SHARE:
        is_id = len(filled) == len(values) and _is_integer_id(numbers, name)
        return "identifier" if is_id else "numeric"
    if filled.is_unique and len(filled) >= _FILLED_FOR_ID * len(values):
        return "identifier"
    return "categorical"


def _is_integer_id(numbers: np.ndarray, name: str) -> bool:
    """Whether fully filled numbers look like row ids: unique integers, ordered or named so."""
    if len(numbers) < 3 or not np.all(np.isfinite(numbers)):
        return False
    if not np.all(numbers == np.round(numbers)) or len(np.unique(numbers)) != len(numbers):
        return False
    if _ID_NAME.search(name.strip()) or _CAMEL_ID.search(name.strip()):
        return True
    ranks = np.argsort(np.argsort(numbers))
    correlation = np.corrcoef(ranks, np.arange(len(numbers)))[0, 1]
    return bool(abs(correlation) >= _ORDER_CORRELATION)
