"""Databases for the suite: SQLite by default, PostgreSQL when LEADPULSE_TEST_DB_URL says so.

Each test runs inside a transaction that is rolled back (SQLAlchemy's savepoint recipe), on a
database created fresh for this run (one per xdist worker) and dropped at the end.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from leads import db, migrate
from leads.settings import get_settings
from leads.simulation import simulate
from leads.tables import Team
from leads.teams import create_team
from model.settings import ModelSettings

if TYPE_CHECKING:  # mlflow takes seconds to import: only the tests that use it pay for it
    from model.training import TrainingResult

TEST_DB_URL = os.environ.get("LEADPULSE_TEST_DB_URL", "")
ON_POSTGRES = TEST_DB_URL.startswith("postgresql")


def scratch_database(tmp_dir: Path, label: str) -> tuple[str, object]:
    """A URL of a new empty database and a callable that drops it."""
    if not ON_POSTGRES:
        path = tmp_dir / f"{label}-{uuid.uuid4().hex[:8]}.db"
        return f"sqlite:///{path}", lambda: None
    server = make_url(TEST_DB_URL)
    name = f"lp_{label}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        db.get_engine.cache_clear()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return server.set(database=name).render_as_string(hide_password=False), drop


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url, drop = scratch_database(tmp_path_factory.mktemp("db"), "test")
    engine = db.make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    yield url
    drop()  # type: ignore[operator]


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    engine = db.make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session whose work is rolled back after the test, commits included."""
    with engine.connect() as connection:
        outer = connection.begin()
        session = Session(
            bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
        )
        try:
            yield session
        finally:
            session.close()
            outer.rollback()


@pytest.fixture
def team(session: Session) -> Team:
    created, _key = create_team(session, name=f"team-{uuid.uuid4().hex[:8]}")
    return created


@pytest.fixture
def cli_database(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Point the CLI at the test database (committed data stays: use unique team names)."""
    monkeypatch.setenv("LEADPULSE_DB_URL", database_url)
    get_settings.cache_clear()
    db.get_engine.cache_clear()
    yield database_url
    get_settings.cache_clear()
    db.get_engine.cache_clear()


@pytest.fixture(scope="session")
def trained(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TrainingResult, str]]:
    """A team of 1,500 simulated leads over 120 days, trained on meetings."""
    url, drop = scratch_database(tmp_path_factory.mktemp("sim"), "model")
    engine: Engine = db.make_engine(url)
    migrate.upgrade(engine)
    with db.unit_of_work(engine) as session:
        team, _key = create_team(session, name="model-tests")
        simulate(session, team_id=team.id, leads=1500, days=120, seed=3)
    with db.unit_of_work(engine) as session:
        from model.retrain import train_team

        yield train_team(session, team_id=team.id, seed=0)
    engine.dispose()
    drop()  # type: ignore[operator]


@pytest.fixture(scope="session")
def mlflow_settings(tmp_path_factory: pytest.TempPathFactory) -> ModelSettings:
    folder = tmp_path_factory.mktemp("mlruns")
    return ModelSettings(
        mlflow_tracking_uri=f"sqlite:///{folder / 'mlflow.db'}",
        mlflow_artifacts=folder / "artifacts",
        model_name="lead-scorer-test",
    )
