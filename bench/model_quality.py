"""Model quality on a simulated team, next to the best ROC AUC any model could reach.

Simulates a team (default 50,000 leads over 120 days) into a temporary SQLite database, builds
the training set as `leadpulse model train` does (`training_frame`: 4 weekly snapshots, 30-day
horizon), trains with `model.training.train` and prints the holdout figures of the logistic
baseline and LightGBM next to two oracles on the same holdout rows, from the hidden intent
paths regenerated from the seed by `leads.simulation.daily_hazard`. For a row (lead, snapshot)
- rows exist only for leads that had not booked by the snapshot, so both are conditioned on
that - the chance that the lead books a meeting in (snapshot, snapshot + horizon]:

- Bayes oracle (the target): given the hidden state on the snapshot day (base intent, drift,
  surge so far), averaged over the futures the simulator could draw from there
  (`HiddenPaths.p_meeting_forecast`, Monte Carlo): the best any forecast made at the snapshot
  can do;
- hindsight oracle: given the whole hidden path, including the intent the lead will have
  after the snapshot (`HiddenPaths.p_meeting`), which no model can know at snapshot time.

Nothing is asserted. `--variants` adds runs with other snapshots and horizons, each against
its own oracles. Usage:

    .venv/bin/python bench/model_quality.py [--leads 50000] [--days 120] [--seed 1] [--variants]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import numpy as np
import numpy.typing as npt
import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from leads import db, migrate
from leads.simulation import HiddenPaths, best_auc, daily_hazard, simulate
from leads.simulation.clock import DAY_MS
from leads.simulation.intent import MEETING_OFFSET
from leads.simulation.truth import truth
from leads.tables import Lead
from leads.teams import create_team
from model.evaluation import evaluate
from model.retrain import default_snapshots, training_frame
from model.training import split_by_group, train

TARGET_GAP = 0.01
ORACLE_SAMPLES = 256  # Monte Carlo continuations per row of the Bayes oracle
SEED = 0  # train()'s seed, as `leadpulse model train` uses it
T = TypeVar("T")
# (name, snapshots, spacing in days, horizon in days); the first is what training uses today
VARIANTS = (
    ("default: 4 weekly snapshots, 30 d", 4, 7, 30),
    ("8 weekly snapshots, 30 d", 8, 7, 30),
    ("12 snapshots every 5 d, 30 d", 12, 5, 30),
    ("8 weekly snapshots, 14 d", 8, 7, 14),
    ("6 weekly snapshots, 45 d", 6, 7, 45),
)


@dataclass(frozen=True, slots=True)
class SimulatedTeam:
    """The simulated team: its id, each lead's position among the hidden paths, and the paths."""

    team_id: int
    position: dict[int, int]
    hidden: HiddenPaths


@contextmanager
def timed(label: str) -> Iterator[None]:
    """Print how long the block took."""
    began = time.perf_counter()
    yield
    print(f"  {label}: {time.perf_counter() - began:.1f} s", flush=True)


def measured(label: str, work: Callable[[], T]) -> T:
    """`work()`, printing how long it took."""
    with timed(label):
        return work()


def simulated_team(session: Session, leads: int, days: int, seed: int) -> SimulatedTeam:
    """Simulate the team, regenerate its hidden paths and check them against the stored truth."""
    team, _key = create_team(session, name="bench")
    began = time.perf_counter()
    report = simulate(session, team_id=team.id, leads=leads, days=days, seed=seed)
    print(
        f"simulated {report.leads:,} leads x {days} days: {report.events:,} events, "
        f"{report.meetings:,} meetings, in {time.perf_counter() - began:.1f} s"
    )
    hidden = measured(
        "daily_hazard (hidden paths regenerated)",
        lambda: daily_hazard(leads=leads, days=days, seed=seed, start=report.start),
    )
    ids = dict(session.execute(select(Lead.email, Lead.id).where(Lead.team_id == team.id)).all())
    position = {int(ids[email]): i for i, email in enumerate(hidden.email)}
    stored, _converted = truth(session, team_id=team.id)
    regenerated = hidden.p_convert[[position[i] for i in sorted(position)]]
    print(f"  regenerated p_convert vs stored: max |diff| {np.abs(regenerated - stored).max():.1e}")
    return SimulatedTeam(team.id, position, hidden)


def windows(
    team: SimulatedTeam, rows: pd.DataFrame
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]:
    """Each row's lead position among the hidden paths and its snapshot in ms after the start."""
    lead = np.array([team.position[int(i)] for i in rows["lead_id"]], dtype=np.int64)
    start = pd.Timestamp(team.hidden.clock.start)
    seconds = (rows["snapshot"] - start).dt.total_seconds()
    return lead, np.asarray(seconds, dtype=np.float64) * 1000.0


def hindsight(
    team: SimulatedTeam, rows: pd.DataFrame, horizon_days: int
) -> npt.NDArray[np.float64]:
    """Each row's chance of a meeting in (snapshot, snapshot + horizon] given its whole path."""
    lead, after = windows(team, rows)
    return team.hidden.p_meeting(lead, after, after + horizon_days * DAY_MS)


def oracle(team: SimulatedTeam, rows: pd.DataFrame, horizon_days: int) -> npt.NDArray[np.float64]:
    """Each row's chance of a meeting in the window given the hidden state at the snapshot."""
    lead, after = windows(team, rows)
    return team.hidden.p_meeting_forecast(
        lead, after, after + horizon_days * DAY_MS, samples=ORACLE_SAMPLES
    )


def intent_now(
    team: SimulatedTeam, rows: pd.DataFrame, horizon_days: int
) -> npt.NDArray[np.float64]:
    """Each row's chance of a meeting if its hidden intent stayed as on the snapshot day."""
    lead = np.array([team.position[int(i)] for i in rows["lead_id"]], dtype=np.int64)
    start = pd.Timestamp(team.hidden.clock.start)
    day = ((rows["snapshot"] - start).dt.total_seconds() * 1000.0 // DAY_MS).astype(np.int64)
    x = team.hidden.x[lead, np.clip(day.to_numpy(), 0, team.hidden.x.shape[1] - 1)]
    return 1.0 - (1.0 - 1.0 / (1.0 + np.exp(MEETING_OFFSET - x))) ** horizon_days


def line(name: str, metrics: dict[str, float], oracle_auc: float | None = None) -> str:
    """One table row: ROC AUC, PR AUC, Brier, lift@top-decile, and the gap to the oracle."""
    gap = "" if oracle_auc is None else f"{oracle_auc - metrics['roc_auc']:>+8.4f}"
    return (
        f"  {name:<40} {metrics['roc_auc']:>7.4f} {metrics['pr_auc']:>7.4f} "
        f"{metrics['brier']:>7.4f} {metrics['lift_top_decile']:>6.2f} {gap}"
    )


def frame_for(
    session: Session, team_id: int, count: int, spacing: int, horizon: int
) -> pd.DataFrame:
    """The training frame over `count` snapshots `spacing` days apart, ending one horizon back."""
    snapshots = default_snapshots(
        session, team_id=team_id, horizon_days=horizon, count=count, spacing_days=spacing
    )
    return training_frame(session, team_id=team_id, horizon_days=horizon, snapshots=snapshots)


def holdout_rows(frame: pd.DataFrame, labels: npt.NDArray[np.int64]) -> pd.DataFrame:
    """The holdout's (lead_id, snapshot) rows, in holdout order, as `train` split them."""
    _rest, holdout = split_by_group(frame["lead_id"].to_numpy(), 0.2, SEED)
    rows = frame.iloc[holdout].reset_index(drop=True)
    if not np.array_equal(rows["label"].to_numpy(), labels):
        raise RuntimeError("the holdout rows differ from train()'s: did its split change?")
    return rows


def quality(session: Session, team: SimulatedTeam, variant: tuple[str, int, int, int]) -> None:
    """Train on one variant's frame and print its candidates next to its oracle."""
    name, count, spacing, horizon = variant
    frame = measured(
        "training frame", lambda: frame_for(session, team.team_id, count, spacing, horizon)
    )
    snapshots = sorted(frame["snapshot"].unique())
    print(
        f"{name}: {len(frame):,} rows of {frame['lead_id'].nunique():,} leads, "
        f"positives {frame['label'].mean():.2%}; snapshots "
        f"{snapshots[0]:%Y-%m-%d %H:%M}..{snapshots[-1]:%Y-%m-%d %H:%M} UTC"
    )
    result = measured("train (logistic + LightGBM)", lambda: train(frame, seed=SEED))
    rows = holdout_rows(frame, result.holdout["label"].to_numpy())
    labels = rows["label"].to_numpy()
    truth_p = measured("Bayes oracle (Monte Carlo)", lambda: oracle(team, rows, horizon))
    best = evaluate(labels, truth_p)
    after_p = hindsight(team, rows, horizon)
    all_p = hindsight(team, frame, horizon)
    print(
        f"  holdout {len(rows):,} rows; label rate {labels.mean():.4f}, mean Bayes oracle "
        f"{truth_p.mean():.4f}, mean hindsight oracle {after_p.mean():.4f} "
        f"(all rows: {frame['label'].mean():.4f} vs hindsight {all_p.mean():.4f})"
    )
    print(f"  {'':<40} {'ROC AUC':>7} {'PR AUC':>7} {'Brier':>7} {'lift10':>6} {'gap':>8}")
    print(line("Bayes oracle (state at the snapshot)", best))
    print(line("hindsight oracle (path after it too)", evaluate(labels, after_p)))
    print(
        line(
            "hidden intent on the snapshot day only",
            evaluate(labels, intent_now(team, rows, horizon)),
        )
    )
    for kind, candidate in result.candidates.items():
        print(line(kind, candidate.metrics, best["roc_auc"]))
    gap = best["roc_auc"] - result.chosen.metrics["roc_auc"]
    verdict = "met" if gap <= TARGET_GAP else "NOT met"
    print(f"  target gap <= {TARGET_GAP}: {verdict} (chosen {result.chosen.kind}, gap {gap:.4f})")


def run(leads: int, days: int, seed: int, variants: bool) -> None:
    with tempfile.TemporaryDirectory() as folder:
        engine = db.make_engine(f"sqlite:///{Path(folder) / 'quality.db'}")
        migrate.upgrade(engine)
        with db.unit_of_work(engine) as session:
            team = simulated_team(session, leads, days, seed)
            print(
                f"  reference: AUC of p_convert vs the whole-window outcome "
                f"{best_auc(session, team_id=team.team_id):.4f}"
            )
            for variant in VARIANTS if variants else VARIANTS[:1]:
                quality(session, team, variant)
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=50_000)
    parser.add_argument("--days", type=int, default=120)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--variants", action="store_true", help="other snapshots and horizons")
    arguments = parser.parse_args()
    run(arguments.leads, arguments.days, arguments.seed, arguments.variants)


if __name__ == "__main__":
    main()
