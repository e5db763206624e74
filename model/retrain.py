"""Retraining a team's scorer end to end: snapshots, training set, candidates, a registry entry.

The CLI and the retraining notebook both call these functions, so what a data scientist runs
step by step is what `leadpulse model train` does in one go.
"""

from __future__ import annotations

import tempfile
from datetime import datetime, timedelta
from pathlib import Path
from typing import Literal

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from features import training_set
from leads.tables import Event, Team
from leads.team_settings import TeamSettings
from leads.teams import settings_of
from model import plots, registry
from model.registry import Candidate
from model.scorer import ScorerConfig, save_parts
from model.settings import ModelSettings
from model.training import TrainingResult, feature_importance, train

Target = Literal["meeting", "converted"]


def default_snapshots(
    session: Session, *, team_id: int, horizon_days: int = 30, count: int = 4, spacing_days: int = 7
) -> list[datetime]:
    """`count` weekly snapshots ending one horizon before the team's last event."""
    first, last = session.execute(
        select(func.min(Event.occurred_at), func.max(Event.occurred_at)).where(
            Event.team_id == team_id
        )
    ).one()
    if first is None or last is None:
        raise ValueError("the team has no events to learn from: simulate or import some")
    end = last - timedelta(days=horizon_days)
    snapshots = [end - timedelta(days=spacing_days * k) for k in range(count)]
    kept = sorted(s for s in snapshots if s > first + timedelta(days=7))
    if not kept:
        raise ValueError(f"the team's history is shorter than the {horizon_days}-day horizon")
    return kept


def training_frame(
    session: Session,
    *,
    team_id: int,
    target: Target = "meeting",
    horizon_days: int = 30,
    snapshots: list[datetime] | None = None,
) -> pd.DataFrame:
    """Features as of each snapshot with the chosen label in `label` (rows without one dropped)."""
    if target == "converted":
        last = session.scalar(select(func.max(Event.occurred_at)).where(Event.team_id == team_id))
        snapshots = [last or datetime.now().astimezone()]
    else:
        snapshots = snapshots or default_snapshots(
            session, team_id=team_id, horizon_days=horizon_days
        )
    frame = training_set(
        session, team_id=team_id, snapshots=snapshots, horizon_days=horizon_days
    ).frame
    if target == "converted":
        frame = frame[frame["converted"].notna()].assign(label=lambda f: f["converted"])
    return frame.astype({"label": "int64"}).reset_index(drop=True)


def candidate(
    result: TrainingResult,
    folder: Path,
    *,
    team: str,
    settings: TeamSettings,
    target: Target,
    window: str,
) -> Candidate:
    """The chosen model as a registry candidate: parts, plots, metrics, description, tags."""
    chosen = result.chosen
    config = ScorerConfig(
        numeric=list(result.plan.numeric),
        categorical=list(result.plan.categorical),
        kind=chosen.kind,
        settings=settings.model_dump(mode="json"),
        metrics=chosen.metrics,
    )
    artifacts = save_parts(
        folder, pipeline=chosen.pipeline, calibrator=chosen.calibrator, config=config
    )
    y = result.holdout["label"].to_numpy()
    names, importance = feature_importance(chosen, result.plan)
    figures = [
        plots.roc_plot(
            y, {k: c.holdout_scores for k, c in result.candidates.items()}, folder / "roc.png"
        ),
        plots.calibration_plot(y, chosen.holdout_scores, folder / "calibration.png"),
        plots.lift_plot(y, chosen.holdout_scores, folder / "lift.png"),
        plots.importance_plot(names, importance, folder / "importance.png"),
    ]
    metrics = dict(chosen.metrics)
    for kind, other in result.candidates.items():
        metrics |= {f"{kind}_{name}": value for name, value in other.metrics.items()}
    summary = result.summary
    description = (
        f"{chosen.kind} scorer for team '{team}', target '{target}', trained on "
        f"{summary['rows']:,} rows of {summary['leads']:,} leads ({window}); "
        f"holdout {summary['holdout_rows']:,} rows split by lead."
    )
    tags = {"team": team, "target": target, "kind": chosen.kind, "window": window}
    params = {
        **summary,
        "kind": chosen.kind,
        "target": target,
        "model_threshold": settings.model_threshold,
    }
    return Candidate(artifacts, result.holdout, metrics, figures, description, tags, params)


def train_team(
    session: Session,
    *,
    team_id: int,
    target: Target = "meeting",
    horizon_days: int = 30,
    seed: int = 0,
) -> tuple[TrainingResult, str]:
    """Build the training set and train; returns the result and a description of its window."""
    frame = training_frame(session, team_id=team_id, target=target, horizon_days=horizon_days)
    snapshots = sorted(frame["snapshot"].unique())
    window = (
        f"snapshots {snapshots[0]:%Y-%m-%d}..{snapshots[-1]:%Y-%m-%d}, horizon {horizon_days} days"
        if snapshots
        else "no snapshots"
    )
    return train(frame, seed=seed), window


def train_and_register(
    session: Session,
    *,
    team: Team,
    target: Target = "meeting",
    horizon_days: int = 30,
    seed: int = 0,
    register: bool = True,
    settings: ModelSettings | None = None,
) -> tuple[TrainingResult, str, str | None]:
    """Train on the team and register the chosen model as `challenger` (unless told not to).

    Returns the result, a description of its training window, and the new version (or None).
    """
    result, window = train_team(
        session, team_id=team.id, target=target, horizon_days=horizon_days, seed=seed
    )
    if not register:
        return result, window, None
    with tempfile.TemporaryDirectory() as folder:
        new = candidate(
            result,
            Path(folder),
            team=team.name,
            settings=settings_of(team),
            target=target,
            window=window,
        )
        return result, window, registry.register(new, settings=settings)
