"""Train on any tabular file a user brings: read it, plan its columns, build and cross-validate.

    frame = load_table(Path("Leads.csv"))
    report = cross_validate(frame, "Converted", drop=["Tags"], folds=5, seeds=(0, 1, 2))
    plan = detect_columns(frame, "Converted", drop=["Tags"])
    labels = plan.target.labels(frame["Converted"])  # NaN where a lead has no outcome yet
    known = ~np.isnan(labels)
    pipeline = build_pipeline(plan, "lightgbm").fit(frame[known], labels[known])

The pieces live in `model.columns`, `model.pipelines` and `model.cv`; this module is their
public face.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from leads.errors import ImportFailed
from leads.import_reader import read_table
from model.columns import ColumnPlan, DroppedColumn, detect_columns
from model.cv import CvReport, MetricSummary, cross_validate
from model.errors import DataError
from model.pipelines import LIGHTGBM_PARAMS, Kind, build_pipeline
from model.target import TargetCoding

__all__ = [
    "LIGHTGBM_PARAMS",
    "ColumnPlan",
    "CvReport",
    "DroppedColumn",
    "Kind",
    "MetricSummary",
    "TargetCoding",
    "build_pipeline",
    "cross_validate",
    "detect_columns",
    "load_table",
]

_SHOWN_BAD_ROWS = 3


def load_table(path: Path) -> pd.DataFrame:
    """Read a CSV or XLSX file into a frame of text cells (DataError if it cannot be read).

    Uses the lead importer's reader: the format is told from the content, a CSV's delimiter is
    sniffed among `,` `;` tab `|` and its encoding among UTF-8 (with or without BOM), UTF-16
    and CP949; an XLSX's first sheet is read. Cells stay text as written, empty ones as `''`;
    `detect_columns` decides what is a number. A row with the wrong number of fields is an
    error: training on a shifted row would teach the model nonsense.
    """
    try:
        table = read_table(path)
    except ImportFailed as exc:
        raise DataError(str(exc)) from exc
    broken = [row for row in table.rows if row.values is None]
    if broken:
        shown = "; ".join(f"line {row.line}: {row.error}" for row in broken[:_SHOWN_BAD_ROWS])
        more = (
            f" (and {len(broken) - _SHOWN_BAD_ROWS} more)" if len(broken) > _SHOWN_BAD_ROWS else ""
        )
        raise DataError(f"{path.name}: {len(broken)} rows cannot be read: {shown}{more}")
    return pd.DataFrame([row.values for row in table.rows], columns=table.headers, dtype=object)
