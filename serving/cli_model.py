"""`leadpulse model ...`: train, cross-validate, register, promote and inspect the scorer."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import typer
from rich.table import Table

from serving.cli_ingest import TeamOption
from serving.console import console, fail, reported_errors, resolve_team, unit_of_work

model_app = typer.Typer(
    help="The lead-scoring model and its MLflow registry.", no_args_is_help=True
)


@model_app.command("train")
def model_train(
    team: TeamOption,
    csv: Annotated[
        Path | None,
        typer.Option(exists=True, dir_okay=False, help="Cross-validate on this CSV/XLSX instead."),
    ] = None,
    target: Annotated[
        str,
        typer.Option(help="'meeting' or 'converted' on the record; the label column with --csv."),
    ] = "meeting",
    drop: Annotated[
        list[str] | None, typer.Option(help="Column to leave out (--csv; repeat).")
    ] = None,
    cv: Annotated[int, typer.Option(min=2, max=20, help="Folds (--csv).")] = 5,
    horizon: Annotated[int, typer.Option(min=1, help="Days after a snapshot that count.")] = 30,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
    register: Annotated[bool, typer.Option(help="Register as the challenger.")] = True,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Train the scorer on the team's record (or cross-validate on any table with --csv).

    Example: leadpulse model train --team demo
    Example: leadpulse model train --csv Leads.csv --target Converted --drop Tags --json
    """
    if csv is not None:
        _cross_validate(csv, target, drop or [], cv, seed, as_json)
        return
    if target not in ("meeting", "converted"):
        fail("--target must be 'meeting' or 'converted' on the record")
    from model.retrain import train_and_register  # MLflow is slow to import: only when needed

    label: Literal["meeting", "converted"] = "meeting" if target == "meeting" else "converted"
    with unit_of_work() as session:
        try:
            result, window, version = train_and_register(
                session,
                team=resolve_team(session, team),
                target=label,
                horizon_days=horizon,
                seed=seed,
                register=register,
            )
        except ValueError as exc:
            fail(str(exc))
    report: dict[str, object] = {
        "chosen": result.chosen.kind,
        "version": version,
        "window": window,
        **{kind: c.metrics for kind, c in result.candidates.items()},
        **result.summary,
    }
    if as_json:
        console.print_json(data=report)
        return
    table = Table("metric", *result.candidates, title=f"holdout of {window}")
    for metric in ("roc_auc", "pr_auc", "brier", "lift_top_decile"):
        table.add_row(metric, *(f"{c.metrics[metric]:.4f}" for c in result.candidates.values()))
    console.print(table)
    if version:
        console.print(
            f"registered lead-scorer v{version} as [bold]challenger[/bold] "
            f"({result.chosen.kind}); `leadpulse model promote` to serve it"
        )


def _cross_validate(
    path: Path, target: str, drop: list[str], folds: int, seed: int, as_json: bool
) -> None:
    from model.cv import cross_validate
    from model.tabular import load_table

    with reported_errors():
        try:
            report = cross_validate(load_table(path), target, drop=drop, folds=folds, seeds=(seed,))
        except ValueError as exc:
            fail(str(exc))
    if as_json:
        console.print_json(data=report.to_json())
        return
    table = Table(
        "metric",
        *(f"fold {i + 1}" for i in range(folds)),
        "mean",
        title=f"{path.name}: {folds}-fold cross-validation",
    )
    for metric in ("roc_auc", "pr_auc", "brier"):
        summary = getattr(report, metric)
        table.add_row(metric, *(f"{v:.4f}" for v in summary.folds), f"{summary.mean:.4f}")
    console.print(table)


@model_app.command("promote")
def model_promote(
    force: Annotated[bool, typer.Option(help="Promote even if it is not better.")] = False,
    reason: Annotated[str, typer.Option(help="Why (recorded on the version with --force).")] = "",
) -> None:
    """Make the challenger the champion if it beats it on the same holdout.

    Example: leadpulse model promote
    """
    from model import registry

    if force and not reason.strip():
        fail("--force needs --reason: it is recorded on the model version")
    try:
        promotion = registry.promote(force=force, reason=reason)
    except LookupError as exc:
        fail(str(exc))
    console.print(promotion.message)


@model_app.command("show")
def model_show() -> None:
    """Show the versions behind `champion` and `challenger`, and how to open the MLflow UI.

    Example: leadpulse model show
    """
    from model import registry
    from model.settings import get_settings

    settings = get_settings()
    for alias in (registry.CHAMPION, registry.CHALLENGER):
        console.print(f"{alias}: v{registry.alias_version(alias, settings=settings) or '-'}")
    console.print(f"MLflow UI: mlflow ui --backend-store-uri {settings.resolved_tracking_uri()}")
