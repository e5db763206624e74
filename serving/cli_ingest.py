"""`leadpulse import`, `leadpulse event` and `leadpulse form`: getting leads in."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import Progress
from rich.table import Table

from leads.events import NewEvent, record_event
from leads.forms import create_form, submit_form
from leads.import_reader import read_table
from leads.importer import ImportReport, import_file, plan_mapping
from serving.console import (
    console,
    reported_errors,
    resolve_team,
    team_option_default,
    unit_of_work,
)

TeamOption = Annotated[
    str,
    typer.Option("--team", help="Team (env LEADPULSE_TEAM).", default_factory=team_option_default),
]
event_app = typer.Typer(help="Record events reported by other systems.", no_args_is_help=True)
form_app = typer.Typer(help="Web forms and their submissions.", no_args_is_help=True)


def _overrides(pairs: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for pair in pairs:
        column, sep, target = pair.rpartition("=")
        if not sep or not column.strip() or not target.strip():
            raise typer.BadParameter(f"{pair!r} is not COLUMN=FIELD", param_hint="--map")
        out[column.strip()] = target.strip()
    return out


def import_command(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="CSV or XLSX file.")],
    team: TeamOption,
    map_: Annotated[
        list[str] | None, typer.Option("--map", help="Override a column: COLUMN=FIELD (repeat).")
    ] = None,
    preview: Annotated[bool, typer.Option(help="Show the mapping; import nothing.")] = False,
    id_source: Annotated[str, typer.Option(help="Namespace of external ids.")] = "import",
    sheet: Annotated[str | None, typer.Option(help="XLSX sheet (default: the first).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Import leads from a CSV (any delimiter; UTF-8, UTF-8-BOM or CP949) or XLSX file.

    Columns are mapped to lead fields from their headers and values, in English and Korean.
    Rows are merged into existing leads by email, or by external id. Bad rows are reported by
    line (the header is line 1) and the good ones are kept.

    Example: leadpulse import leads.csv --map "담당자 메일=email" --json
    """
    overrides = _overrides(map_ or [])
    if preview:
        with reported_errors():
            table = read_table(file, sheet=sheet)
            mapping = plan_mapping(table, overrides)
        if as_json:
            console.print_json(data={c: asdict(m) for c, m in mapping.items()})
        else:
            _print_mapping(mapping, title=f"{file.name}: {len(table.rows):,} rows")
        return
    with (
        unit_of_work() as session,
        Progress(console=console, transient=True, disable=as_json) as bar,
    ):
        task = bar.add_task(f"importing {file.name}", total=None)
        report = import_file(
            session,
            team_id=resolve_team(session, team, create=True).id,
            path=file,
            overrides=overrides,
            id_source=id_source,
            sheet=sheet,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
        )
    if as_json:
        console.print_json(data=report.to_json())
    else:
        _print_report(report)


def _print_mapping(mapping: dict[str, Any], *, title: str) -> None:
    table = Table("column", "maps to", "confidence", "why", title=title)
    for column, m in mapping.items():
        colour = "green" if m.confidence >= 0.8 else "yellow" if m.confidence >= 0.5 else "red"
        table.add_row(column, m.target, f"[{colour}]{m.confidence:.0%}[/{colour}]", m.reason)
    console.print(table)


def _print_report(report: ImportReport) -> None:
    _print_mapping(report.mapping, title=f"{report.file['name']}: column mapping")
    console.print(
        f"[bold]{report.imported:,}[/bold] new leads, [bold]{report.updated:,}[/bold] updated, "
        f"[bold]{len(report.rejected):,}[/bold] rows rejected, {len(report.warnings):,} warnings, "
        f"{report.events:,} activity events"
    )
    if report.rejected:
        table = Table("line", "why it was rejected", title="rejected rows")
        for problem in report.rejected[:50]:
            table.add_row(str(problem.line), problem.reason)
        console.print(table)
        if len(report.rejected) > 50:
            console.print(f"... and {len(report.rejected) - 50:,} more (use --json for all)")


@event_app.command("record")
def event_record(
    lead_id: Annotated[int, typer.Argument(help="The lead's id.")],
    event_type: Annotated[str, typer.Argument(metavar="TYPE", help="e.g. api_event.")],
    team: TeamOption,
    key: Annotated[str | None, typer.Option(help="Idempotency key: a repeat is a no-op.")] = None,
    payload: Annotated[str, typer.Option(help="JSON object with details.")] = "{}",
    at: Annotated[str | None, typer.Option(help="When it happened (ISO 8601 with zone).")] = None,
) -> None:
    """Record one event for a lead, e.g. a sign-up reported by your product.

    Example: leadpulse event record 42 api_event --payload '{"action": "signup"}' --key signup-42
    """
    try:
        data = json.loads(payload)
        occurred = datetime.fromisoformat(at) if at else None
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    if not isinstance(data, dict):
        raise typer.BadParameter("must be a JSON object", param_hint="--payload")
    with unit_of_work() as session:
        result = record_event(
            session,
            team_id=resolve_team(session, team).id,
            event=NewEvent(
                lead_id=lead_id,
                type=event_type,
                occurred_at=occurred,
                payload=data,
                idempotency_key=key,
                source="cli",
            ),
        )
    console.print(result.message)


@form_app.command("create")
def form_create(
    name: Annotated[str, typer.Argument(help="The form's name.")],
    definition: Annotated[Path, typer.Argument(exists=True, help="JSON file: fields and rules.")],
    team: TeamOption,
) -> None:
    """Create a form from a JSON definition (fields, routing rules, lists).

    Example: leadpulse form create demo-request form.json
    """
    with unit_of_work() as session:
        form = create_form(
            session,
            team_id=resolve_team(session, team, create=True).id,
            name=name,
            definition=json.loads(definition.read_text(encoding="utf-8")),
        )
    console.print(f"form [bold]{form.name}[/bold] created (id {form.id})")


@form_app.command("submit")
def form_submit(
    form_id: Annotated[int, typer.Argument(help="The form's id.")],
    answers: Annotated[list[str], typer.Argument(help="Answers as FIELD=VALUE.")],
    team: TeamOption,
) -> None:
    """Submit answers to a form, as a web page would.

    Example: leadpulse form submit 1 email=kim@example.co.kr interest="Product A"
    """
    with unit_of_work() as session:
        result = submit_form(
            session,
            team_id=resolve_team(session, team).id,
            form_id=form_id,
            answers=_overrides(answers),
        )
    state = "new lead" if result.created else "existing lead"
    console.print(
        f"{state} {result.lead.id} ({result.lead.email}); lists: {', '.join(result.lists) or '-'}; "
        f"interests: {', '.join(result.product_interests) or '-'}"
    )
