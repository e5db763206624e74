"""`leadpulse db ...` and `leadpulse team ...`: the database schema and teams."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table
from sqlalchemy import func, select

from leads import db, migrate
from leads.tables import ApiKey, Lead, Team
from leads.teams import create_team, issue_key, settings_of, update_settings
from serving.console import console, reported_errors, resolve_team, unit_of_work

db_app = typer.Typer(help="The database schema (Alembic migrations).", no_args_is_help=True)
team_app = typer.Typer(help="Teams, their API keys and settings.", no_args_is_help=True)


@db_app.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Argument(help="Target revision.")] = "head") -> None:
    """Apply migrations up to REVISION.  Example: leadpulse db upgrade"""
    engine = db.get_engine()
    with reported_errors():
        migrate.upgrade(engine, revision)
    console.print(f"database at revision [bold]{migrate.current_revision(engine)}[/bold]")


@db_app.command("downgrade")
def db_downgrade(revision: Annotated[str, typer.Argument(help="Target revision.")]) -> None:
    """Revert migrations down to REVISION ('base' empties the database).

    Example: leadpulse db downgrade base
    """
    engine = db.get_engine()
    migrate.downgrade(engine, revision)
    console.print(f"database at revision [bold]{migrate.current_revision(engine)}[/bold]")


@db_app.command("current")
def db_current() -> None:
    """Show the database's revision and the newest one.  Example: leadpulse db current"""
    engine = db.get_engine()
    console.print(
        f"current: {migrate.current_revision(engine)}  head: {migrate.head_revision(engine)}"
    )


@team_app.command("create")
def team_create(name: Annotated[str, typer.Argument(help="The team's name.")]) -> None:
    """Create a team and print its API key (shown once; only its hash is stored).

    Example: leadpulse team create "Acme Sales"
    """
    with unit_of_work() as session:
        team, key = create_team(session, name=name)
    console.print(f"team [bold]{team.name}[/bold] created (id {team.id})")
    console.print(f"API key (store it now, it is not shown again): [bold green]{key}[/bold green]")


@team_app.command("key")
def team_key(
    name: Annotated[str, typer.Argument(help="The team's name.")],
    label: Annotated[str, typer.Option(help="What the key is for.")] = "cli",
) -> None:
    """Issue another API key for a team.  Example: leadpulse team key "Acme Sales" """
    with unit_of_work() as session:
        key = issue_key(session, team=resolve_team(session, name), name=label)
    console.print(f"API key (store it now, it is not shown again): [bold green]{key}[/bold green]")


@team_app.command("list")
def team_list() -> None:
    """List teams with their lead and key counts.  Example: leadpulse team list"""
    with unit_of_work() as session:
        leads = func.count(Lead.id.distinct())
        keys = func.count(ApiKey.id.distinct())
        rows = session.execute(
            select(Team.id, Team.name, leads, keys)
            .outerjoin(Lead, Lead.team_id == Team.id)
            .outerjoin(ApiKey, ApiKey.team_id == Team.id)
            .group_by(Team.id, Team.name)
            .order_by(Team.id)
        ).all()
    table = Table("id", "team", "leads", "API keys")
    for row in rows:
        table.add_row(str(row[0]), row[1], f"{row[2]:,}", str(row[3]))
    console.print(table)


@team_app.command("settings")
def team_settings(
    name: Annotated[str, typer.Argument(help="The team's name.")],
    set_json: Annotated[
        str | None,
        typer.Option("--set", help="A JSON object of changes, e.g. '{\"click_threshold\": 5}'."),
    ] = None,
) -> None:
    """Show a team's settings as JSON, or change some with --set.

    Example: leadpulse team settings default --set '{"icp": {"industries": ["software"]}}'
    """
    with unit_of_work() as session:
        team = resolve_team(session, name)
        if set_json is None:
            settings = settings_of(team)
        else:
            try:
                changes = json.loads(set_json)
            except json.JSONDecodeError as exc:
                raise typer.BadParameter(f"not JSON: {exc}", param_hint="--set") from None
            settings = update_settings(session, team=team, changes=changes)
    console.print_json(settings.model_dump_json())
