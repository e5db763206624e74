"""Helpers of the model tests (the trained team and the MLflow store are in tests/conftest.py)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # mlflow takes seconds to import: only the tests that use it pay for it
    from model.registry import Candidate
    from model.training import TrainingResult


def make_candidate(trained: tuple[TrainingResult, str], folder: Path) -> Candidate:
    from leads.team_settings import TeamSettings
    from model.retrain import candidate

    result, window = trained
    return candidate(
        result, folder, team="model-tests", settings=TeamSettings(), target="meeting", window=window
    )
