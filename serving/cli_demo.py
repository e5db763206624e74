"""`leadpulse simulate`, `leadpulse stats` and `leadpulse demo`: a team to look at."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from leads.importer import import_file
from leads.settings import PROJECT_ROOT
from leads.stats import team_stats
from serving.cli_ingest import TeamOption
from serving.console import console, resolve_team, unit_of_work

if TYPE_CHECKING:
    from leads.simulation import SimulationReport

X_EDUCATION = PROJECT_ROOT.parent / "shared" / "data" / "x_education_leads" / "Leads.csv"


def _run_simulation(team: str, leads: int, days: int, seed: int) -> SimulationReport:
    from leads.simulation import simulate  # numpy-heavy: loaded only when simulating

    columns = (TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn())
    with unit_of_work() as session, Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("simulating", total=None)

        def progress(stage: str, done: int, total: int) -> None:
            bar.update(task, description=stage, completed=done, total=total)

        return simulate(
            session,
            team_id=resolve_team(session, team, create=True).id,
            leads=leads,
            days=days,
            seed=seed,
            progress=progress,
        )


def simulate_command(
    team: TeamOption,
    leads: Annotated[int, typer.Option(min=1, help="How many leads.")] = 2000,
    days: Annotated[int, typer.Option(min=1, max=3650, help="How many days of history.")] = 90,
    seed: Annotated[int, typer.Option(help="Random seed; the same seed gives the same team.")] = 7,
) -> None:
    """Simulate a realistic team: companies, leads, emails, opens, clicks, Pulse reads, meetings.

    Example: leadpulse simulate --leads 50000 --days 120 --seed 1
    """
    report = _run_simulation(team, leads, days, seed)
    console.print(
        f"simulated [bold]{report.leads:,}[/bold] leads and [bold]{report.events:,}[/bold] "
        f"events in {report.seconds:.1f} s ({report.meetings:,} meetings booked)"
    )


def stats_command(
    team: TeamOption,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Counts of leads, events by type, lists, and leads by stage.

    Example: leadpulse stats --team default --json
    """
    with unit_of_work() as session:
        stats = team_stats(session, team_id=resolve_team(session, team).id)
    if as_json:
        console.print_json(data=stats)
    else:
        print_stats(team, stats)


def print_stats(team: str, stats: dict[str, Any]) -> None:
    """The counts as tables a person can read."""
    console.print(f"[bold]{team}[/bold]: {stats['leads']:,} leads")
    for key, title in (
        ("stages", "stage"),
        ("flows", "flow"),
        ("events", "event type"),
        ("lists", "list"),
    ):
        if stats[key]:
            table = Table(title, "count", title=key)
            for name, count in stats[key].items():
                table.add_row(name, f"{count:,}")
            console.print(table)


def _train_and_score(team: str) -> None:
    """Train on the team, promote if better, and classify every lead with the champion."""
    from model import registry
    from model.bulk_scoring import score_team
    from model.retrain import train_and_register

    with unit_of_work() as session:
        result, _window, version = train_and_register(session, team=resolve_team(session, team))
    metrics = result.chosen.metrics
    console.print(
        f"[green]trained[/green] {result.chosen.kind} v{version}: holdout ROC AUC "
        f"{metrics['roc_auc']:.3f}, lift@10% {metrics['lift_top_decile']:.1f}"
    )
    console.print(registry.promote().message)
    loaded = registry.load_scorer()
    scorer, served = loaded if loaded is not None else (None, None)
    with unit_of_work() as session:
        stages = score_team(
            session, team=resolve_team(session, team), scorer=scorer, version=served
        )
    console.print(
        f"[green]scored[/green] {sum(stages.values()):,} leads: "
        + ", ".join(f"{n:,} {s.upper()}" for s, n in sorted(stages.items()))
    )


def demo_command(
    leads: Annotated[int, typer.Option(min=1, help="Leads to simulate.")] = 2000,
    days: Annotated[int, typer.Option(min=1, help="Days of history.")] = 60,
    real_data: Annotated[
        Path | None,
        typer.Option(help="A real file to import (default: X Education)."),
    ] = None,
    drafts: Annotated[
        int, typer.Option(min=0, help="Leads the agent drafts for (offline model: ~15 s each).")
    ] = 3,
) -> None:
    """The whole job on embedded defaults: a simulated team scored by a trained model, emails
    sent to a local SMTP catcher with opens, clicks and replies coming back, a real import, and
    a summary.

    Example: leadpulse demo
    """
    report = _run_simulation("demo", leads, days, seed=7)
    console.print(
        f"[green]simulated[/green] team [bold]demo[/bold]: {report.leads:,} leads, "
        f"{report.events:,} events in {report.seconds:.1f} s"
    )
    _train_and_score("demo")
    from serving.demo_flows import run_flows_demo  # starts SMTP servers: loaded when used

    run_flows_demo("demo")
    from serving.demo_agent import run_agent_demo  # loads the offline model: only when used

    if drafts:
        run_agent_demo("demo", drafts)
    source = real_data or (X_EDUCATION if X_EDUCATION.exists() else None)
    if source is not None:
        with unit_of_work() as session:
            imported = import_file(
                session,
                team_id=resolve_team(session, "x-education", create=True).id,
                path=source,
            )
        console.print(
            f"[green]imported[/green] {source.name} into team [bold]x-education[/bold]: "
            f"{imported.imported:,} new, {imported.updated:,} updated, "
            f"{len(imported.rejected):,} rejected"
        )
    for team in ("demo", "x-education") if source else ("demo",):
        with unit_of_work() as session:
            stats = team_stats(session, team_id=resolve_team(session, team).id)
        print_stats(team, stats)
