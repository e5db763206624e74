"""Simulator speed: 50,000 leads x 60 days into a fresh SQLite database, with a breakdown.

Prints leads, events, seconds and events/s, then how the time splits between the record's
own ingestion (`upsert_leads`, `record_events`: the baseline any writer pays, measured in
this process) and the simulation itself, and the realism figures of the run. Usage:

    .venv/bin/python bench/simulate_speed.py [--leads 50000] [--days 60] [--seed 1]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from leads import db, migrate
from leads.simulation import rank_auc, simulate
from leads.simulation import writer as simulation_writer
from leads.simulation.truth import truth
from leads.teams import create_team

F = TypeVar("F", bound=Callable[..., Any])


def timed(spent: dict[str, float], name: str, function: F) -> F:
    """`function`, adding the seconds spent in it to `spent[name]`."""

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        began = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            spent[name] = spent.get(name, 0.0) + time.perf_counter() - began

    return wrapper  # type: ignore[return-value]


def run(leads: int, days: int, seed: int) -> None:
    spent: dict[str, float] = {}
    for name in ("upsert_leads", "record_events"):
        setattr(simulation_writer, name, timed(spent, name, getattr(simulation_writer, name)))
    with tempfile.TemporaryDirectory() as tmp:
        engine = db.make_engine(f"sqlite:///{Path(tmp) / 'simulate.db'}")
        migrate.upgrade(engine)
        began, cpu_began = time.perf_counter(), time.process_time()
        with db.unit_of_work(engine) as session:
            team, _key = create_team(session, name="bench")
            report = simulate(session, team_id=team.id, leads=leads, days=days, seed=seed)
            in_simulate = time.perf_counter() - began
        total, cpu = time.perf_counter() - began, time.process_time() - cpu_began
        with db.unit_of_work(engine) as session:
            p, converted = truth(session, team_id=team.id)
        engine.dispose()
    ingest = sum(spent.values())
    print(
        f"leads {report.leads:,}  events {report.events:,}  seconds {total:.1f}"
        f"  events/s {report.events / total:,.0f}"
    )
    print(
        f"  simulate() {in_simulate:.1f} s, commit {total - in_simulate:.1f} s;"
        f" this process's CPU time {cpu:.1f} s (wall minus it: waiting for a shared CPU or disk)"
    )
    for name, seconds in spent.items():
        print(f"  {name:<14} {seconds:6.1f} s  ({seconds / total:.0%})")
    print(f"  simulation     {in_simulate - ingest:6.1f} s  ({(in_simulate - ingest) / total:.0%})")
    realism(report.events_by_type, p, converted)


def realism(
    by_type: dict[str, int], p: np.ndarray[Any, Any], converted: np.ndarray[Any, Any]
) -> None:
    """Print the best AUC, meeting rates by p decile and the events by type."""
    decile = np.minimum((np.argsort(np.argsort(p)) * 10) // len(p), 9)
    rates = [converted[decile == d].mean() for d in range(10)]
    print(
        f"AUC of p_convert vs converted {rank_auc(p, converted):.3f};"
        f" conversion rate {converted.mean():.2%}"
    )
    print("meeting rate by p decile (low -> high): " + " ".join(f"{r:.1%}" for r in rates))
    print(f"top / bottom decile: {rates[9] / max(rates[0], 1e-9):.0f}x")
    for name, count in by_type.items():
        print(f"  {name:<17} {count:>9,}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=50_000)
    parser.add_argument("--days", type=int, default=60)
    parser.add_argument("--seed", type=int, default=1)
    arguments = parser.parse_args()
    run(arguments.leads, arguments.days, arguments.seed)


if __name__ == "__main__":
    main()
