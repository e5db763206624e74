"""How the model reads a table cell: placeholders as missing, numbers from their text.

Column detection and the pipeline's cleaning steps both read cells through these functions, so
a file's `Select` or `N/A` means "missing" the same way at training and at scoring time.
"""

from __future__ import annotations

import math
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from leads import normalize

__all__ = ["PLACEHOLDERS", "cell_text", "column_numbers", "column_texts", "text_array"]

# The record's own list ("Select", "N/A", "없음", ...), so an import and a model read a cell alike;
# compared after trimming and case-folding.
PLACEHOLDERS: Final[tuple[str, ...]] = ("", *sorted(normalize.PLACEHOLDERS))


def cell_text(value: object, placeholders: frozenset[str]) -> str | None:
    """A cell as trimmed text, None when missing; whole numbers lose their `.0` (`3.0` -> `3`)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float | np.floating):
        if math.isnan(value):
            return None
        text = str(int(value)) if float(value).is_integer() else repr(float(value))
    else:
        text = " ".join(str(value).split())
    return None if text.casefold() in placeholders else text


def text_array(
    values: pd.Series | npt.NDArray[Any], placeholders: frozenset[str], missing: str | None = None
) -> npt.NDArray[np.object_]:
    """A column as trimmed text (object dtype), `missing` for empty cells and placeholders."""
    codes, uniques = pd.factorize(values)  # read each distinct value once
    texts = [cell_text(value, placeholders) for value in uniques]
    known = np.array([missing if text is None else text for text in texts] + [missing], object)
    return known[codes]  # code -1 (a missing cell) picks the `missing` at the end


def column_texts(values: pd.Series, placeholders: frozenset[str]) -> pd.Series:
    """A column as trimmed text (object dtype), with None for missing cells and placeholders."""
    return pd.Series(text_array(values, placeholders), index=values.index, dtype=object)


def column_numbers(values: pd.Series, placeholders: frozenset[str]) -> npt.NDArray[np.float64]:
    """A column as floats; missing cells, placeholders and text that is no number become NaN."""
    if values.dtype.kind in "biuf":
        numbers: npt.NDArray[np.float64] = values.to_numpy(np.float64, na_value=np.nan, copy=True)
    else:
        codes, uniques = pd.factorize(values)  # parse each distinct text once
        texts = pd.Series([cell_text(value, placeholders) for value in uniques], dtype=object)
        parsed = pd.to_numeric(texts, errors="coerce").to_numpy(np.float64, na_value=np.nan)
        numbers = np.append(parsed, np.nan)[codes]  # code -1 (a missing cell) picks the NaN
    numbers[~np.isfinite(numbers)] = np.nan
    return numbers
