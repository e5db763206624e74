"""Scoring speed of the served model: bulk rows/s against raw LightGBM, and one lead's latency.

Trains LightGBM on a small simulated team (default 5,000 leads over 90 days), registers it in
a temporary MLflow store and loads it back as serving does (`registry.load_scorer`: the pyfunc,
unwrapped). Then prints, on 200,000 feature rows (the team's real rows, tiled and perturbed):

- rows/s of `scorer.probabilities(frame)`, the served path (preprocessing, model, calibration);
- rows/s of raw `lightgbm.Booster.predict` on the already-prepared matrix (num_threads=2);
- their ratio (target >= 0.5), where the served path's time goes, and the same figures for the
  compiled path of `model.fast_scoring` (with its largest difference from the served path);

and, over 300 random leads, p50/p99 per-call latency of `features.online_features` then
`scorer.probabilities(row)`, `scorer.decisions(row)` and the compiled path (target p99 <= 5 ms).
Nothing is asserted. Usage:

    .venv/bin/python bench/batch_scoring.py [--leads 5000] [--days 90] [--rows 200000] [--seed 1]
"""

from __future__ import annotations

import argparse
import logging
import tempfile
import time
import warnings
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from features import batch_features, categorical_names, online_features
from leads import db, migrate
from leads.simulation import simulate
from leads.tables import Lead, Team
from leads.teams import create_team, settings_of
from model import registry
from model.fast_scoring import FastScorer
from model.retrain import candidate, training_frame
from model.scorer import LeadScorer
from model.settings import ModelSettings
from model.training import train

THREADS = 2
REPEATS = 3
TARGET_RATIO, TARGET_P99_MS = 0.5, 5.0


def best_seconds(work: Callable[[], object], repeats: int = REPEATS) -> float:
    """The fastest of `repeats` runs of `work`, in seconds."""
    times = []
    for _ in range(repeats):
        began = time.perf_counter()
        work()
        times.append(time.perf_counter() - began)
    return min(times)


def served_scorer(session: Session, team: Team, folder: Path) -> LeadScorer:
    """Train LightGBM on the team, register it in a store under `folder`, load it as served."""
    began = time.perf_counter()
    frame = training_frame(session, team_id=team.id)
    result = train(frame, seed=0, kinds=("lightgbm",))
    print(
        f"trained LightGBM on {len(frame):,} rows in {time.perf_counter() - began:.1f} s; "
        f"holdout ROC AUC {result.chosen.metrics['roc_auc']:.3f}"
    )
    settings = ModelSettings(
        mlflow_tracking_uri=f"sqlite:///{folder / 'mlflow.db'}",
        mlflow_artifacts=folder / "artifacts",
        model_name="bench-scorer",
    )
    parts = candidate(
        result,
        folder / "parts",
        team=team.name,
        settings=settings_of(team),
        target="meeting",
        window="bench",
    )
    registry.register(parts, settings=settings)
    loaded = registry.load_scorer(registry.CHALLENGER, settings=settings)
    if loaded is None:
        raise RuntimeError("the registered scorer did not load")
    return loaded[0]


def bulk_frame(features: pd.DataFrame, rows: int, seed: int) -> pd.DataFrame:
    """`rows` rows tiled from the team's features, numbers scaled by a random factor per row."""
    rng = np.random.default_rng(seed)
    frame = features.iloc[rng.integers(0, len(features), rows)].reset_index(drop=True)
    categorical = set(categorical_names())
    numeric = [c for c in frame.columns if c not in categorical and frame[c].dtype.kind == "f"]
    factor = rng.lognormal(0.0, 0.2, (rows, 1))
    frame[numeric] = frame[numeric].to_numpy() * factor
    return frame


def throughput(scorer: LeadScorer, frame: pd.DataFrame) -> FastScorer:
    """Print rows/s of the served path, raw LightGBM and the compiled path; returns the latter."""
    pipeline, rows = scorer.pipeline, len(frame)
    booster = pipeline.named_steps["classify"].booster_
    prepared = np.ascontiguousarray(
        pipeline.named_steps["prepare"].transform(frame[scorer.config.features]), np.float64
    )
    served = best_seconds(lambda: scorer.probabilities(frame))
    raw = best_seconds(lambda: booster.predict(prepared, num_threads=THREADS))
    fast = FastScorer.compile(pipeline, scorer.calibrator, scorer.config.features, threads=THREADS)
    compiled = best_seconds(lambda: fast.probabilities(frame))
    difference = np.abs(fast.probabilities(frame) - scorer.probabilities(frame)).max()
    print(f"\nbulk scoring, {rows:,} rows x {prepared.shape[1]} model inputs (best of {REPEATS})")
    print(f"  served scorer.probabilities   {rows / served:>12,.0f} rows/s  ({served:.3f} s)")
    print(f"  raw Booster.predict, 2 threads {rows / raw:>11,.0f} rows/s  ({raw:.3f} s)")
    ratio = raw / served
    verdict = "met" if ratio >= TARGET_RATIO else "NOT met"
    print(f"  ratio served / raw            {ratio:>12.2f}   target >= {TARGET_RATIO}: {verdict}")
    print(f"  compiled fast_scoring path    {rows / compiled:>12,.0f} rows/s  ({compiled:.3f} s)")
    fast_ratio = raw / compiled
    verdict = "met" if fast_ratio >= TARGET_RATIO else "NOT met"
    print(
        f"  ratio compiled / raw          {fast_ratio:>12.2f}   target >= {TARGET_RATIO}: {verdict}"
    )
    print(f"  max |compiled - served|       {difference:>12.1e}")
    breakdown(scorer, frame, prepared)
    return fast


def breakdown(scorer: LeadScorer, frame: pd.DataFrame, prepared: npt.NDArray[Any]) -> None:
    """Print where the served path's time goes, step by step."""
    prepare = scorer.pipeline.named_steps["prepare"]
    classifier = scorer.pipeline.named_steps["classify"]
    selected = frame[scorer.config.features]
    raw = classifier.predict_proba(prepared)[:, 1]
    steps: list[tuple[str, Callable[[], object]]] = [
        ("frame[features] (column selection)", lambda: frame[scorer.config.features]),
        ("prepare: ColumnTransformer, all", lambda: prepare.transform(selected)),
    ]
    for name, step, columns in prepare.transformers_:
        if not isinstance(step, str):
            steps.append(
                (
                    f"  {name} ({len(columns)} columns)",
                    partial(step.transform, selected[list(columns)]),
                )
            )
    steps += [
        ("LGBMClassifier.predict_proba (n_jobs=1)", lambda: classifier.predict_proba(prepared)),
        ("Booster.predict, 1 thread", lambda: classifier.booster_.predict(prepared, num_threads=1)),
        ("PlattCalibrator.predict", lambda: scorer.calibrator.predict(raw)),
    ]
    print("  where the served path's time goes:")
    for label, work in steps:
        print(f"    {label:<40} {best_seconds(work):>7.3f} s")


def percentiles(label: str, seconds: list[float]) -> None:
    """Print p50 and p99 of per-call times in milliseconds."""
    ms = np.array(seconds) * 1000.0
    p50, p99 = np.percentile(ms, [50, 99])
    verdict = "met" if p99 <= TARGET_P99_MS else "NOT met"
    print(
        f"  {label:<44} p50 {p50:6.2f} ms  p99 {p99:6.2f} ms  (p99 <= {TARGET_P99_MS}: {verdict})"
    )


def latency(session: Session, team: Team, scorer: LeadScorer, fast: FastScorer, seed: int) -> None:
    """Print per-call latency percentiles of one lead's features and score, over 300 leads."""
    ids = session.scalars(select(Lead.id).where(Lead.team_id == team.id)).all()
    chosen = np.random.default_rng(seed).choice(np.array(ids), 300, replace=False).tolist()
    calls: dict[str, Callable[[pd.DataFrame], object]] = {
        "scorer.probabilities(row)": scorer.probabilities,
        "scorer.decisions(row)": scorer.decisions,
        "fast_scoring probabilities(row)": fast.probabilities,
    }
    spent: dict[str, list[float]] = {"online_features": [], **{k: [] for k in calls}}
    for lead_id in chosen[:10]:  # warm-up: first-call imports and caches
        row = online_features(session, team_id=team.id, lead_id=lead_id)
        for call in calls.values():
            call(row)
    for lead_id in chosen:
        began = time.perf_counter()
        row = online_features(session, team_id=team.id, lead_id=lead_id)
        spent["online_features"].append(time.perf_counter() - began)
        for name, call in calls.items():
            began = time.perf_counter()
            call(row)
            spent[name].append(time.perf_counter() - began)
    print(f"\none lead in process, {len(chosen)} random leads, per call")
    for name, seconds in spent.items():
        percentiles(name, seconds)
    features = np.array(spent["online_features"])
    for name in calls:
        percentiles(f"online_features + {name}", list(features + np.array(spent[name])))


def run(leads: int, days: int, rows: int, seed: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        engine = db.make_engine(f"sqlite:///{folder / 'scoring.db'}")
        migrate.upgrade(engine)
        with db.unit_of_work(engine) as session:
            team, _key = create_team(session, name="bench")
            began = time.perf_counter()
            simulate(session, team_id=team.id, leads=leads, days=days, seed=seed)
            print(f"simulated {leads:,} leads x {days} days in {time.perf_counter() - began:.1f} s")
        with db.unit_of_work(engine) as session:
            team = session.get_one(Team, team.id)
            scorer = served_scorer(session, team, folder)
            frame = bulk_frame(batch_features(session, team_id=team.id), rows, seed)
            fast = throughput(scorer, frame)
            latency(session, team, scorer, fast, seed)
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=5_000)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=1)
    arguments = parser.parse_args()
    logging.getLogger("mlflow").setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", module="mlflow")
    run(arguments.leads, arguments.days, arguments.rows, arguments.seed)


if __name__ == "__main__":
    main()
