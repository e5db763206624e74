"""Feature speed: batch rows/s and events/s, online latency, and the payload-reading choice.

Simulates a team into a temporary SQLite database (or reuses one given with --db), then:

- `batch_features` for the whole team, next to a baseline that only fetches the same event
  rows with the DBAPI (no parsing, no features), so the ratio says what the features cost;
- `online_features` p50/p99 over random leads, and over leads with about 100 events;
- reading payload fields with SQL JSON accessors against fetching the JSON and parsing it with
  orjson (what `features._sql` does).

Usage:

    .venv/bin/python bench/features_speed.py [--leads 50000] [--days 90] [--db PATH]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import orjson
from sqlalchemy import Engine, String, Text, case, cast, func, select, type_coerce

from features import batch_features, load_team, online_features
from features.arrays import PAYLOAD_TYPES
from leads import db, migrate
from leads.simulation import simulate
from leads.tables import Event, Team, utcnow
from leads.teams import create_team

PAYLOAD_KEYS = ("link_kind", "document", "form", "action", "page", "seconds", "minutes")


def timed(label: str, work: Callable[[], Any]) -> tuple[float, Any]:
    began = time.perf_counter()
    result = work()
    seconds = time.perf_counter() - began
    print(f"{label:<44} {seconds:8.2f} s")
    return seconds, result


def prepare(path: Path, leads: int, days: int) -> tuple[Engine, int]:
    engine = db.make_engine(f"sqlite:///{path}")
    migrate.upgrade(engine)
    with db.unit_of_work(engine) as session:
        team_id = session.scalar(select(Team.id).order_by(Team.id))
        if team_id is not None:
            return engine, team_id
        team, _key = create_team(session, name="bench-features")
        seconds, report = timed(
            f"simulate {leads} leads x {days} days",
            lambda: simulate(session, team_id=team.id, leads=leads, days=days, seed=7),
        )
        print(f"  {report.events:,} events ({report.events / seconds:,.0f} events/s)")
        return engine, team.id


def bench_batch(engine: Engine, team_id: int) -> None:
    events = (Event.lead_id, Event.type, Event.occurred_at, Event.human, Event.payload)
    raw = select(*(type_coerce(c, String) for c in events)).where(Event.team_id + 0 == team_id)
    sql = str(raw.compile(engine, compile_kwargs={"literal_binds": True}))

    def fetch_only() -> int:
        with engine.connect() as connection:
            cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
            return len(cursor.execute(sql).fetchall())

    base, count = timed("baseline: fetch the event rows only (DBAPI)", fetch_only)
    now = utcnow()
    seconds, frame = timed(
        "batch_features", lambda: batch_features(engine, team_id=team_id, as_of=now)
    )
    print(
        f"  {len(frame):,} rows, {count:,} events: {len(frame) / seconds:,.0f} rows/s, "
        f"{count / seconds:,.0f} events/s ({seconds / base:.1f}x the bare fetch)"
    )
    _, loaded = timed(
        "  of which load_team (read + arrays)",
        lambda: load_team(engine, team_id=team_id, as_of=now),
    )
    timed("  of which compute (events -> features)", loaded.features)


def bench_payloads(engine: Engine, team_id: int) -> None:
    """Three ways to get the payload fields features read, as one Python list per field."""
    payload, read = Event.payload, Event.type.in_(PAYLOAD_TYPES)
    strings = [payload[key].as_string() for key in PAYLOAD_KEYS[:4]]
    numbers = [payload[key].as_float() for key in PAYLOAD_KEYS[4:]]
    team = Event.team_id + 0 == team_id
    everywhere = select(*strings, *numbers).where(team)
    only_read = select(*(case((read, field)) for field in (*strings, *numbers))).where(team)
    as_text = select(case((read, cast(payload, Text)))).where(team)

    def columns(statement: Any) -> int:
        with engine.connect() as connection:
            rows = connection.execute(statement).all()
        return len([[row[i] for row in rows] for i in range(len(PAYLOAD_KEYS))])

    def parsed() -> int:
        with engine.connect() as connection:
            texts = connection.execute(as_text).scalars().all()
        values = [orjson.loads(text) for text in texts if text is not None]
        return len([[value.get(key) for value in values] for key in PAYLOAD_KEYS])

    timed("payload fields: JSON accessors, every row", lambda: columns(everywhere))
    timed("payload fields: JSON accessors, types read", lambda: columns(only_read))
    timed("payload fields: JSON text + orjson, types read", parsed)


def bench_online(engine: Engine, team_id: int, samples: int) -> None:
    with engine.connect() as connection:
        counts = dict(connection.execute(
            select(Event.lead_id, func.count()).where(Event.team_id == team_id)
            .group_by(Event.lead_id)
        ).all())  # fmt: skip
    rng = np.random.default_rng(3)
    ids = np.array(sorted(counts))
    around_100 = np.array([i for i in ids if 80 <= counts[i] <= 120])
    for label, pool in (("random leads", ids), ("leads with 80-120 events", around_100)):
        if len(pool) == 0:
            continue
        picked = rng.choice(pool, size=min(samples, len(pool)), replace=False).tolist()
        wall, cpu = online_latencies(engine, team_id, picked)
        mean_events = np.mean([counts[i] for i in picked])
        print(f"online_features, {len(picked)} {label} (mean {mean_events:.0f} events):")
        for name, values in (("wall", wall), ("cpu", cpu)):
            print(f"  {name}: p50 {np.percentile(values, 50):.2f} ms, "
                  f"p99 {np.percentile(values, 99):.2f} ms")  # fmt: skip


def online_latencies(
    engine: Engine, team_id: int, lead_ids: list[int]
) -> tuple[list[float], list[float]]:
    """Wall and CPU milliseconds per call (CPU time leaves out waiting for a busy core)."""
    wall, cpu = [], []
    with db.session_factory(engine)() as session:
        for lead_id in lead_ids[:20]:  # warm up: statements compiled, pages cached
            online_features(session, team_id=team_id, lead_id=lead_id)
        for lead_id in lead_ids:
            began, began_cpu = time.perf_counter(), time.process_time()
            online_features(session, team_id=team_id, lead_id=lead_id)
            wall.append((time.perf_counter() - began) * 1000)
            cpu.append((time.process_time() - began_cpu) * 1000)
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=50_000)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--samples", type=int, default=500)
    parser.add_argument("--db", type=Path, help="a SQLite file to reuse (simulated if new)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = args.db or Path(folder) / "features.db"
        engine, team_id = prepare(path, args.leads, args.days)
        bench_batch(engine, team_id)
        bench_payloads(engine, team_id)
        bench_online(engine, team_id, args.samples)
        engine.dispose()


if __name__ == "__main__":
    main()
