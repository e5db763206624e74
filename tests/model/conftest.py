"""A small simulated team, trained once, and a throwaway MLflow store for the model tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import Engine

from leads import db
from leads.simulation import simulate
from leads.teams import create_team
from model.settings import ModelSettings
from tests.conftest import scratch_database

if TYPE_CHECKING:  # mlflow takes seconds to import: only the tests that use it pay for it
    from model.registry import Candidate
    from model.training import TrainingResult


@pytest.fixture(scope="session")
def trained(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TrainingResult, str]]:
    """A team of 1,500 simulated leads over 120 days, trained on meetings."""
    url, drop = scratch_database(tmp_path_factory.mktemp("sim"), "model")
    engine: Engine = db.make_engine(url)
    from leads import migrate

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


def make_candidate(trained: tuple[TrainingResult, str], folder: Path) -> Candidate:
    from leads.team_settings import TeamSettings
    from model.retrain import candidate

    result, window = trained
    return candidate(
        result, folder, team="model-tests", settings=TeamSettings(), target="meeting", window=window
    )
