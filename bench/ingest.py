"""Ingestion speed: import rows/s and event recording events/s, next to a raw executemany.

Each figure is measured in this process on fresh databases, next to a baseline that inserts
the same rows with the DBAPI's `executemany` and no checks, normalisation or merging, so the
ratio says what the pipeline costs. Usage:

    .venv/bin/python bench/ingest.py [--rows 50000] [--events 500000] [--db-url URL]
"""

from __future__ import annotations

import argparse
import csv
import random
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from leads import db, migrate
from leads.bulk import db_json, db_timestamp
from leads.events import NewEvent, record_event, record_events
from leads.importer import import_file
from leads.teams import create_team

INDUSTRIES = ["SaaS", "제조업", "Financial Services", "헬스케어", "Retail", "교육"]
REVENUES = ["10억", "$5M", "5,000,000 KRW", "250k", "1.5억", "$12 million"]
COUNTRIES = ["대한민국", "United States", "Japan", "DE", "한국", "Singapore"]


def write_csv(path: Path, rows: int) -> list[tuple[Any, ...]]:
    """A lead file like a customer's export; returns the same rows as normalised tuples."""
    rng = random.Random(1)
    tuples = []
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["이메일", "이름", "회사명", "업종", "매출액", "국가", "직급", "Lead Score"]
        )
        for i in range(rows):
            email = f"person{i}@company{i % 5000}.co.kr"
            row = [
                email,
                f"김민수{i}",
                f"회사{i % 5000}",
                rng.choice(INDUSTRIES),
                rng.choice(REVENUES),
                rng.choice(COUNTRIES),
                "팀장",
                str(rng.randint(0, 100)),
            ]
            writer.writerow(row)
            tuples.append((email, row[1], row[2], "software", 1e6, "KR", "팀장"))
    return tuples


def fresh_engine(base_url: str | None, tmp: Path, label: str) -> Engine:
    if not base_url:
        engine = db.make_engine(f"sqlite:///{tmp / label}.db")
    else:
        server = make_url(base_url)
        name = f"lp_bench_{label}"
        admin = create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        engine = db.make_engine(server.set(database=name).render_as_string(hide_password=False))
    migrate.upgrade(engine)
    return engine


def new_team(engine: Engine) -> int:
    with db.unit_of_work(engine) as session:
        team, _key = create_team(session, name="bench")
        return team.id


def raw_executemany(engine: Engine, sql: str, rows: list[tuple[Any, ...]]) -> float:
    """Seconds to insert `rows` with the DBAPI's executemany in one transaction."""
    marks = sql if engine.dialect.name == "sqlite" else sql.replace("?", "%s")
    connection = engine.raw_connection()
    try:
        start = time.perf_counter()
        cursor = connection.cursor()
        if engine.dialect.name == "sqlite":
            cursor.execute("BEGIN")  # the engine leaves sqlite3 in autocommit mode
        cursor.executemany(marks, rows)
        connection.commit()
        return time.perf_counter() - start
    finally:
        connection.close()


def raw_execute_each(engine: Engine, sql: str, rows: list[tuple[Any, ...]]) -> float:
    """Seconds to insert `rows` one `execute` at a time, in one transaction."""
    marks = sql if engine.dialect.name == "sqlite" else sql.replace("?", "%s")
    connection = engine.raw_connection()
    try:
        start = time.perf_counter()
        cursor = connection.cursor()
        if engine.dialect.name == "sqlite":
            cursor.execute("BEGIN")
        for row in rows:
            cursor.execute(marks, row)
        connection.commit()
        return time.perf_counter() - start
    finally:
        connection.close()


def timed(work: Callable[[], object]) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def bench_import(args: argparse.Namespace, tmp: Path) -> None:
    path = tmp / "leads.csv"
    tuples = write_csv(path, args.rows)
    engine = fresh_engine(args.db_url, tmp, "import")
    team_id = new_team(engine)

    def run() -> None:
        with db.unit_of_work(engine) as session:
            report = import_file(session, team_id=team_id, path=path)
            assert report.imported == args.rows, report.to_json()["rejected"][:3]

    ours = timed(run)
    base_engine = fresh_engine(args.db_url, tmp, "import_raw")
    base_team = new_team(base_engine)
    stamp = db_timestamp(datetime.now(UTC), base_engine.dialect.name)
    rows = [(base_team, *t, "[]", "unknown", "new", "{}", stamp, stamp) for t in tuples]
    baseline = raw_executemany(
        base_engine,
        "INSERT INTO leads (team_id, email, name, company, industry, revenue_usd, country, title,"
        " product_interests, consent, stage, attributes, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    report("import (read, map, normalise, merge, write)", args.rows, ours, baseline, "rows")


def bench_events(args: argparse.Namespace, tmp: Path) -> None:
    engine = fresh_engine(args.db_url, tmp, "events")
    team_id = new_team(engine)
    with db.unit_of_work(engine) as session:
        report_ = import_file(session, team_id=team_id, path=tmp / "leads.csv")
        assert report_.imported > 0
    lead_ids = list(range(1, 1001))
    start = datetime.now(UTC) - timedelta(days=30)
    events = [
        NewEvent(
            lead_id=lead_ids[i % 1000],
            type="email_opened",
            source="bench",
            occurred_at=start + timedelta(seconds=i),
            payload={"campaign": i % 7},
            idempotency_key=f"e{i}",
            human=0.9,
        )
        for i in range(args.events)
    ]

    def bulk() -> None:
        with db.unit_of_work(engine) as session:
            assert record_events(session, team_id=team_id, events=events) == len(events)

    ours = timed(bulk)
    dialect = engine.dialect.name
    rows = [
        (
            team_id,
            e.lead_id,
            e.type,
            db_timestamp(e.occurred_at or start, dialect),
            db_timestamp(start, dialect),
            e.source,
            db_json(e.payload),
            e.human,
            f"raw{i}",
        )
        for i, e in enumerate(events)
    ]
    insert = (
        "INSERT INTO events (team_id, lead_id, type, occurred_at, recorded_at, source, payload,"
        " human, idempotency_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
    )
    baseline = raw_executemany(engine, insert, rows)
    report("record_events (bulk, idempotent)", args.events, ours, baseline, "events")

    single = events[: args.single]

    def one_by_one() -> None:
        with db.unit_of_work(engine) as session:
            for i, event in enumerate(single):
                record_event(
                    session,
                    team_id=team_id,
                    event=NewEvent(
                        lead_id=event.lead_id, type="link_clicked", idempotency_key=f"single{i}"
                    ),
                )

    singles = [(*row[:-1], f"rawsingle{i}") for i, row in enumerate(rows[: len(single)])]
    report(
        "record_event (one call per event)",
        len(single),
        timed(one_by_one),
        raw_execute_each(engine, insert, singles),
        "events",
    )


def report(name: str, count: int, ours: float, baseline: float, unit: str) -> None:
    print(
        f"{name}: {count / ours:,.0f} {unit}/s; raw DBAPI insert {count / baseline:,.0f} "
        f"{unit}/s; ratio {baseline / ours:.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--events", type=int, default=500_000)
    parser.add_argument("--single", type=int, default=5_000)
    parser.add_argument("--db-url", default="", help="PostgreSQL server URL (default SQLite)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        bench_import(args, Path(tmp))
        bench_events(args, Path(tmp))


if __name__ == "__main__":
    main()
