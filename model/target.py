"""The training label: which two classes a target column holds and which one counts as 1.

0/1, True/False, Yes/No (any case) map the obvious way; any other two classes map the minority
class to 1, since the outcome a lead-scoring model predicts (a meeting, a sale) is the rarer one.
Rows whose target is empty are unlabelled (leads still open) and are left out of training.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from model.cells import PLACEHOLDERS, cell_text
from model.errors import TargetNotBinary

__all__ = ["TargetCoding", "code_target"]

_TRUE = frozenset({"1", "yes", "y", "true", "t"})
_FALSE = frozenset({"0", "no", "n", "false", "f"})
_EMPTY = frozenset(PLACEHOLDERS)


@dataclass(frozen=True, slots=True)
class TargetCoding:
    """How a target column maps to 0/1: `positive` (as written in the file) is 1."""

    column: str
    positive: str
    negative: str

    def labels(self, values: pd.Series) -> npt.NDArray[np.float64]:
        """The 0/1 label of each row, NaN where the row is unlabelled."""
        keys = [_key(value) for value in values]
        positive, negative = _key(self.positive), _key(self.negative)
        return np.array(
            [1.0 if key == positive else 0.0 if key == negative else np.nan for key in keys]
        )

    def to_json(self) -> dict[str, str]:
        """The coding as plain data, for reports and run logs."""
        return {"column": self.column, "positive": self.positive, "negative": self.negative}


def code_target(values: pd.Series, column: str) -> TargetCoding:
    """Decide the coding of a target column; TargetNotBinary unless it holds two classes."""
    spellings: dict[str, Counter[str]] = {}
    for value in values:
        text = cell_text(value, _EMPTY)
        if text is not None:
            spellings.setdefault(_text_key(text), Counter())[text] += 1
    if len(spellings) != 2:
        shown = [counts.most_common(1)[0][0] for counts in spellings.values()]
        raise TargetNotBinary(column, sorted(shown))
    first, second = sorted(spellings, key=lambda key: (-spellings[key].total(), key))
    if {first, second} <= _TRUE | _FALSE and (first in _TRUE) != (second in _TRUE):
        positive, negative = (first, second) if first in _TRUE else (second, first)
    else:
        positive, negative = second, first  # the minority class; ties go to the later name
    return TargetCoding(
        column=column,
        positive=spellings[positive].most_common(1)[0][0],
        negative=spellings[negative].most_common(1)[0][0],
    )


def _key(value: object) -> str | None:
    """The class a cell names, None when the cell is empty."""
    text = cell_text(value, _EMPTY)
    return None if text is None else _text_key(text)


def _text_key(text: str) -> str:
    """The class a trimmed text names: case-folded, `1.0` read as `1`."""
    try:
        number = float(text)
    except ValueError:
        return text.casefold()
    return str(int(number)) if number.is_integer() else text.casefold()
