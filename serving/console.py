"""What every CLI command shares: the console, the database, teams, and error reporting."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import NoReturn

import typer
from rich.console import Console
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from leads import db, migrate
from leads.errors import InvalidInput, LeadsError, ValidationFailed
from leads.tables import Team
from leads.teams import get_or_create_team, get_team

console = Console(highlight=False)
errors = Console(stderr=True, highlight=False)

DEFAULT_TEAM = "default"


def team_option_default() -> str:
    """The team a command works on when `--team` is not given."""
    return os.environ.get("LEADPULSE_TEAM", DEFAULT_TEAM)


def ready_engine() -> Engine:
    """The configured database, migrated if it is new; an old schema is an error."""
    engine = db.get_engine()
    current = migrate.current_revision(engine)
    if current is None:
        migrate.upgrade(engine)
    elif current != migrate.head_revision(engine):
        fail(f"the database is at revision {current}; run `leadpulse db upgrade` first")
    return engine


@contextmanager
def unit_of_work() -> Iterator[Session]:
    """One transaction on the configured database; domain errors end the command cleanly."""
    with reported_errors(), db.unit_of_work(ready_engine()) as session:
        yield session


@contextmanager
def reported_errors() -> Iterator[None]:
    """Print a domain error as a message naming the field, and exit with status 2."""
    try:
        yield
    except InvalidInput as exc:
        for error in exc.errors:
            errors.print(f"[red]error[/red] {error.field}: {error.problem}")
        raise typer.Exit(2) from None
    except ValidationFailed as exc:
        fail(f"{exc.field}: {exc.problem}")
    except LeadsError as exc:
        fail(str(exc))


def fail(message: str) -> NoReturn:
    """Print `message` as an error and exit with status 2."""
    errors.print(f"[red]error[/red] {message}")
    raise typer.Exit(2)


def resolve_team(session: Session, name: str, *, create: bool = False) -> Team:
    """The team called `name`; with `create`, made on first use (its key is issued later)."""
    if not create:
        return get_team(session, name)
    team, created = get_or_create_team(session, name)
    if created:
        errors.print(
            f"created team [bold]{name}[/bold]; get an API key with `leadpulse team key {name}`"
        )
    return team
