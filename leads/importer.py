"""Importing a CSV or XLSX file of leads: read, map columns, normalise, merge, report.

Bad rows are kept out and reported by their line in the file (the header is line 1); good rows
are never lost because of bad ones. A bad value in a column that does not identify the person
(say a revenue of `lots`) drops that value, keeps the row, and is reported as a warning.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from leads.events import NewEvent, record_events
from leads.fields import ACTIVITY, ATTRIBUTE, IGNORE, LEAD_FIELDS
from leads.import_mapping import ColumnMapping, apply_overrides, infer_mapping
from leads.import_reader import Row, Table, read_table
from leads.lead_input import parse_lead_fields
from leads.normalize import is_blank
from leads.records import LeadChange, upsert_leads

SAMPLE_ROWS = 200
CHUNK_ROWS = 2000
_IDENTITY = ("email", "external_id")


@dataclass(frozen=True, slots=True)
class RowProblem:
    """A problem with one line of the file."""

    line: int
    reason: str


@dataclass(slots=True)
class ImportReport:
    """What an import did (or, with dry_run, would do)."""

    imported: int = 0
    updated: int = 0
    rejected: list[RowProblem] = field(default_factory=list)
    warnings: list[RowProblem] = field(default_factory=list)
    mapping: dict[str, ColumnMapping] = field(default_factory=dict)
    events: int = 0
    rows: int = 0
    file: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The report as JSON-ready data (the CLI's `--json` and the API's answer)."""
        return {
            "imported": self.imported,
            "updated": self.updated,
            "rejected": [asdict(p) for p in self.rejected],
            "warnings": [asdict(p) for p in self.warnings],
            "mapping": {col: asdict(m) for col, m in self.mapping.items()},
            "events": self.events,
            "rows": self.rows,
            "file": self.file,
        }


@dataclass(slots=True)
class _Prepared:
    line: int
    change: LeadChange
    activities: list[tuple[str, str]]


def plan_mapping(table: Table, overrides: dict[str, str] | None = None) -> dict[str, ColumnMapping]:
    """The column mapping for `table`: inferred from headers and sample values, then overridden."""
    samples = [row.values for row in table.rows[:SAMPLE_ROWS] if row.values is not None]
    mapping = infer_mapping(table.headers, samples)
    return apply_overrides(mapping, overrides) if overrides else mapping


def import_file(
    session: Session,
    *,
    team_id: int,
    path: Path,
    overrides: dict[str, str] | None = None,
    id_source: str = "import",
    sheet: str | None = None,
    dry_run: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Import every good row of `path` into the team's leads; the caller commits."""
    table = read_table(path, sheet=sheet)
    report = ImportReport(mapping=plan_mapping(table, overrides), rows=len(table.rows))
    report.file = {
        "name": path.name,
        "format": table.format,
        "encoding": table.encoding,
        "delimiter": table.delimiter,
        "columns": len(table.headers),
    }
    prepared = [p for row in table.rows if (p := _prepare(row, table.headers, report))]
    if dry_run:
        report.imported = len(prepared)
        return report
    for start in range(0, len(prepared), CHUNK_ROWS):
        _write_chunk(session, team_id, prepared[start : start + CHUNK_ROWS], id_source, report)
        if progress is not None:
            progress(min(start + CHUNK_ROWS, len(prepared)), len(prepared))
    return report


def _prepare(row: Row, headers: Sequence[str], report: ImportReport) -> _Prepared | None:
    if row.values is None:
        report.rejected.append(RowProblem(row.line, row.error or "unreadable row"))
        return None
    raw: dict[str, Any] = {}
    attributes: dict[str, Any] = {}
    activities: list[tuple[str, str]] = []
    for column, value in zip(headers, row.values, strict=False):
        target = report.mapping[column].target
        if target == IGNORE or is_blank(value):
            continue
        if target == ATTRIBUTE:
            attributes[column] = _typed(value)
        elif target == ACTIVITY:
            activities.append((column, value.strip()))
        elif target in LEAD_FIELDS:
            raw[target] = value
    parsed = parse_lead_fields(raw)
    for error in parsed.errors:
        if error.field in _IDENTITY:
            report.rejected.append(RowProblem(row.line, str(error)))
            return None
        report.warnings.append(RowProblem(row.line, f"{error}; value left out"))
    if not any(parsed.values.get(name) for name in _IDENTITY):
        report.rejected.append(
            RowProblem(row.line, "no email and no external id: the row names no person")
        )
        return None
    return _Prepared(row.line, LeadChange.from_parsed(parsed, attributes), activities)


def _typed(value: str) -> Any:
    text = value.strip()
    for convert in (int, float):
        try:
            return convert(text)
        except ValueError:
            continue
    return text


def _write_chunk(
    session: Session, team_id: int, chunk: list[_Prepared], id_source: str, report: ImportReport
) -> None:
    outcomes = upsert_leads(
        session,
        team_id=team_id,
        changes=[p.change for p in chunk],
        id_source=id_source,
        actor="import",
    )
    events: list[NewEvent] = []
    for prepared, outcome in zip(chunk, outcomes, strict=True):
        if outcome.created:
            report.imported += 1
        else:
            report.updated += 1
        events.extend(
            NewEvent(
                lead_id=outcome.lead.id,
                type="imported_activity",
                source="import",
                payload={
                    "column": column,
                    "activity": value,
                    "file": report.file["name"],
                    "line": prepared.line,
                },
                idempotency_key=f"import:{outcome.lead.id}:{column}:{value}"[:200],
            )
            for column, value in prepared.activities
        )
    report.events += record_events(session, team_id=team_id, events=events)
