"""The XLSX half of the import reader: worksheet rows as text, numbered as Excel shows them."""

from __future__ import annotations

import io
from datetime import date, datetime, time, timedelta

import openpyxl

from leads.errors import ImportFailed

_ZIP_MAGIC = b"PK\x03\x04"


def is_zip(data: bytes) -> bool:
    """Tell whether the bytes are a zip archive, which an XLSX workbook is."""
    return data.startswith(_ZIP_MAGIC)


def workbook_records(
    data: bytes, *, sheet: str | None, name: str
) -> tuple[str, list[tuple[int, list[str]]]]:
    """Read one worksheet (default: the first) as (row number, cell texts) records."""
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a zip that is not a workbook
        raise ImportFailed(f"{name}: a zip file but not a readable XLSX workbook ({exc})") from None
    try:
        if sheet is not None and sheet not in workbook.sheetnames:
            sheets = ", ".join(repr(s) for s in workbook.sheetnames)
            raise ImportFailed(f"{name}: no sheet {sheet!r}; the sheets are {sheets}")
        worksheet = workbook[sheet] if sheet is not None else workbook.worksheets[0]
        worksheet.reset_dimensions()  # some writers record wrong sizes; read every row
        records = [
            (number, [cell_text(value) for value in values])
            for number, values in enumerate(worksheet.iter_rows(min_row=1, values_only=True), 1)
        ]
        return str(worksheet.title), records
    finally:
        workbook.close()


def cell_text(value: object) -> str:
    """Write a cell value as text: whole numbers without `.0`, dates in ISO 8601, empty as ''."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else f"{value:.15g}"
    if isinstance(value, datetime):
        midnight = value.time() == time(0) and value.tzinfo is None
        return value.date().isoformat() if midnight else value.isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return str(value)
    return str(value)
