"""The notebooks run top to bottom on a small simulated team (nbclient), so none can rot."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from leads import db, migrate
from leads.simulation import simulate
from leads.teams import create_team
from model.registry import alias_version
from model.settings import ModelSettings
from tests.conftest import scratch_database

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"


@pytest.mark.slow
def test_the_retraining_notebook_runs_and_registers_a_challenger(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url, drop = scratch_database(tmp_path, "notebook")
    engine = db.make_engine(url)
    migrate.upgrade(engine)
    with db.unit_of_work(engine) as session:
        team, _key = create_team(session, name="notebook-team")
        simulate(session, team_id=team.id, leads=800, days=100, seed=5)
    engine.dispose()
    tracking = f"sqlite:///{tmp_path / 'mlflow.db'}"
    for name, value in {
        "LEADPULSE_DB_URL": url,
        "LEADPULSE_TEAM": "notebook-team",
        "LEADPULSE_MLFLOW_TRACKING_URI": tracking,
        "LEADPULSE_MLFLOW_ARTIFACTS": str(tmp_path / "artifacts"),
    }.items():
        monkeypatch.setenv(name, value)
    notebook = nbformat.read(NOTEBOOKS / "01-retrain.ipynb", as_version=4)
    try:
        NotebookClient(
            notebook,
            timeout=300,
            kernel_name="python3",
            resources={"metadata": {"path": str(tmp_path)}},
        ).execute()
    finally:
        drop()  # type: ignore[operator]
    outputs = "".join(
        str(output.get("text", "")) for cell in notebook.cells for output in cell.get("outputs", [])
    )
    assert "registered v1 as challenger" in outputs
    settings = ModelSettings(mlflow_tracking_uri=tracking, mlflow_artifacts=tmp_path / "artifacts")
    assert alias_version("challenger", settings=settings) == "1"
