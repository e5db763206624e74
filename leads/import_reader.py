"""Read a CSV or XLSX file of leads into rows that remember where they start in the file.

Line numbers are the file's own (the header is line 1; for XLSX, the worksheet row), so a
report can say "line 14: expected 37 fields, found 35" even after quoted fields that span
several lines. Completely empty rows are skipped; a row with the wrong number of fields is
kept as an error rather than failing the file.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from leads._csv_reader import csv_records, decode_text, sniff_delimiter
from leads._xlsx_reader import is_zip, workbook_records
from leads.errors import ImportFailed

__all__ = ["Format", "Row", "Table", "clean_headers", "read_table"]

Format = Literal["csv", "xlsx"]
Record = tuple[int, list[str]]


@dataclass(frozen=True, slots=True)
class Row:
    """One record of the file: its values, or (values None) why it could not be read."""

    line: int
    values: list[str] | None
    error: str | None = None


@dataclass(frozen=True, slots=True)
class Table:
    """A file read into headers and rows, with how it was read (for the import report)."""

    headers: list[str]
    rows: list[Row]
    format: Format
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None


def read_table(path: Path, *, sheet: str | None = None) -> Table:
    """Read a CSV (any usual delimiter and encoding) or XLSX file; ImportFailed if unreadable.

    The format comes from the content, not the extension: an XLSX renamed `.csv` is read as
    XLSX. `sheet` picks a worksheet of an XLSX file (default: the first); CSV files ignore it.
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ImportFailed(f"{path.name}: cannot be read ({exc.strerror or exc})") from None
    if is_zip(data):
        sheet_name, records = workbook_records(data, sheet=sheet, name=path.name)
        headers, rows = _assemble(records, name=path.name, spreadsheet=True)
        return Table(headers, rows, "xlsx", sheet=sheet_name)
    text, encoding = decode_text(data, name=path.name)
    delimiter = sniff_delimiter(text)
    lines = csv_records(text, delimiter, name=path.name)
    headers, rows = _assemble(lines, name=path.name, spreadsheet=False)
    return Table(headers, rows, "csv", encoding=encoding, delimiter=delimiter)


def clean_headers(raw: Sequence[str]) -> list[str]:
    """Make usable column names: trimmed, `column N` for empty ones, ` (2)` on repeats."""
    headers: list[str] = []
    seen: set[str] = set()
    for number, name in enumerate(raw, start=1):
        base = " ".join(name.replace("\ufeff", "").split()) or f"column {number}"
        candidate, copy = base, 1
        while candidate in seen:
            copy += 1
            candidate = f"{base} ({copy})"
        seen.add(candidate)
        headers.append(candidate)
    return headers


def _assemble(
    records: Iterable[Record], *, name: str, spreadsheet: bool
) -> tuple[list[str], list[Row]]:
    """Take the first non-empty record as the header and check every later one against it.

    In a spreadsheet a short row just has empty cells at its end, and empty header cells at
    the end are formatting left-overs; in a CSV a short row is an error.
    """
    headers: list[str] | None = None
    rows: list[Row] = []
    for line, values in records:
        if not "".join(values).strip():
            continue
        if headers is None:
            headers = clean_headers(_trim_empty_end(values) if spreadsheet else values)
        else:
            rows.append(_row(line, values, len(headers), pad=spreadsheet))
    if headers is None:
        raise ImportFailed(f"{name}: the file is empty (no header row)")
    return headers, rows


def _row(line: int, values: list[str], width: int, *, pad: bool) -> Row:
    """A Row of exactly `width` values, or an error Row saying how many fields there were."""
    found = len(values)
    if found > width and not "".join(values[width:]).strip():
        values = values[:width]  # trailing empty fields, e.g. a line ending in a delimiter
    elif found < width and pad:
        values = values + [""] * (width - found)
    if len(values) != width:
        return Row(line, None, f"expected {width} fields, found {found}")
    return Row(line, values)


def _trim_empty_end(values: list[str]) -> list[str]:
    """Values without the empty cells at their end."""
    end = len(values)
    while end and not values[end - 1].strip():
        end -= 1
    return values[:end]
