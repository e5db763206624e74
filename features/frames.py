"""Rows of a feature frame as dicts, fast: the policy reads one lead's features by name.

`DataFrame.to_dict("records")` costs about 1.5 ms for one row of the 62 catalogue columns
(pandas 3 goes through `itertuples` and per-cell indexing); one object matrix and `zip` give
the same values in 0.1 ms, which matters on the per-event path.
"""

from __future__ import annotations

from typing import Any

import pandas as pd


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Each row as {column: value} (numbers as floats, missing as NaN), in row order."""
    names = [str(name) for name in frame.columns]
    return [dict(zip(names, row, strict=True)) for row in frame.to_numpy(dtype=object).tolist()]
