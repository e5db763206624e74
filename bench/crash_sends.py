"""Crash test of delivery: workers killed with SIGKILL mid-send lose nothing and resend little.

N leads each get one due step (a one-step flow, a send window that is always open). Two
`leadpulse worker` processes (one on SQLite) deliver them to an SMTP catcher (a process of its
own), with a short lease and small batches; at random moments, while a worker holds claimed
rows (to send, or sent and waiting to be booked), it is killed with SIGKILL and started again,
until no step is pending, sending or accepted. Delivered counts distinct recipients the
catcher accepted; lost = due - delivered; duplicates = messages received - distinct
recipients. The database is checked against the catcher. By design lost is 0 and duplicates
<= kills: a kill can strand at most the one message between SMTP's accept and the commit of
its send, which is sent again when its lease ends; rows already `accepted` are only booked by
the next worker. Usage:

    .venv/bin/python bench/crash_sends.py [--db-url URL] [--leads 2000] [--kills 5] [--seed N]

Without --db-url a scratch PostgreSQL database on 127.0.0.1:5432 is created and dropped.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from _smtp_catcher import smtp_catcher
from send_throughput import PUBLIC_URL, scratch_database, seed
from sqlalchemy import Engine, func, select
from sqlalchemy.engine import make_url

from leads import db, migrate
from leads.flow_tables import Message, OutboxItem
from leads.settings import PROJECT_ROOT
from leads.tables import Event, utcnow
from model.champion import Champion
from model.settings import ModelSettings

SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
LEASE_SECONDS, BATCH, POLL_SECONDS = 3, 20, 0.2
STEP = OutboxItem.kind != "end"  # the END row a sent step schedules is not a delivery


@dataclass
class WorkerProcess:
    """One worker slot: a `leadpulse worker` subprocess, restarted after each kill."""

    slot: str
    env: dict[str, str]
    logs: Path
    process: subprocess.Popen[bytes] | None = None
    starts: int = 0
    ready_after: list[float] = field(default_factory=list)  # seconds from start to "running"
    _started_at: float = 0.0
    _log: IO[bytes] | None = field(default=None, repr=False)

    def start(self) -> None:
        self.starts += 1
        self._started_at = time.perf_counter()
        if self._log is not None:
            self._log.close()
        self._log = (self.logs / f"worker-{self.slot}-{self.starts}.log").open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "serving.cli", "worker"],
            cwd=PROJECT_ROOT, env=self.env, stdout=self._log, stderr=subprocess.STDOUT,
        )  # fmt: skip

    def check_ready(self) -> None:
        """Note how long this start took to print that it runs (imports, first chores)."""
        if len(self.ready_after) < self.starts and " running;" in self.log_tail():
            self.ready_after.append(time.perf_counter() - self._started_at)

    @property
    def name(self) -> str:
        """How the worker signs its claims (`serving.worker.worker_name`)."""
        assert self.process is not None
        return f"{socket.gethostname()}:{self.process.pid}"[:100]

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()

    def close(self) -> None:
        self.kill()
        if self._log is not None:
            self._log.close()

    def log_tail(self, lines: int = 15) -> str:
        path = self.logs / f"worker-{self.slot}-{self.starts}.log"
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def worker_env(db_url: str, smtp_port: int, tmp: Path) -> dict[str, str]:
    """The environment of a worker: this database, the catcher, a short lease, small batches,
    and a throwaway MLflow store (no champion: the rules decide)."""
    env = dict(os.environ)
    env.update(
        LEADPULSE_DB_URL=db_url,
        LEADPULSE_SMTP_HOST="127.0.0.1",
        LEADPULSE_SMTP_PORT=str(smtp_port),
        LEADPULSE_PUBLIC_URL=PUBLIC_URL,
        LEADPULSE_WORKER_LEASE_SECONDS=str(LEASE_SECONDS),
        LEADPULSE_WORKER_POLL_SECONDS=str(POLL_SECONDS),
        LEADPULSE_WORKER_BATCH=str(BATCH),
        LEADPULSE_MLFLOW_TRACKING_URI=f"sqlite:///{tmp / 'mlflow.db'}",
        LEADPULSE_MLFLOW_ARTIFACTS=str(tmp / "artifacts"),
        PYTHONUNBUFFERED="1",
    )
    return env


def outbox_state(engine: Engine, team_id: int) -> Counter[str]:
    """The team's step rows by status."""
    with db.unit_of_work(engine) as session:
        rows = session.execute(
            select(OutboxItem.status, func.count())
            .where(OutboxItem.team_id == team_id, STEP)
            .group_by(OutboxItem.status)
        )
        return Counter({status: int(count) for status, count in rows})


def holders(engine: Engine, team_id: int) -> Counter[str]:
    """Workers holding claimed rows now, with how many."""
    with db.unit_of_work(engine) as session:
        rows = session.execute(
            select(OutboxItem.claimed_by, func.count())
            .where(
                OutboxItem.team_id == team_id,
                OutboxItem.status.in_(("sending", "accepted")),
                OutboxItem.lease_until > utcnow(),
            )
            .group_by(OutboxItem.claimed_by)
        )
        return Counter({str(name): int(count) for name, count in rows})


def cross_check(engine: Engine, team_id: int) -> dict[str, int]:
    """What the database recorded: messages, leads messaged, email_sent events, reclaims."""
    with db.unit_of_work(engine) as session:
        count = func.count()
        return {
            "messages rows": int(
                session.scalar(select(count).where(Message.team_id == team_id)) or 0
            ),
            "leads with a message": int(
                session.scalar(
                    select(func.count(func.distinct(Message.lead_id))).where(
                        Message.team_id == team_id
                    )
                )
                or 0
            ),
            "email_sent events": int(
                session.scalar(
                    select(count).where(Event.team_id == team_id, Event.type == "email_sent")
                )
                or 0
            ),
            "step rows claimed more than once": int(
                session.scalar(
                    select(count).where(
                        OutboxItem.team_id == team_id, STEP, OutboxItem.attempts > 1
                    )
                )
                or 0
            ),
            "end rows scheduled": int(
                session.scalar(
                    select(count).where(OutboxItem.team_id == team_id, OutboxItem.kind == "end")
                )
                or 0
            ),
        }


def run(db_url: str | None, leads: int, kills: int, seed_value: int, timeout: float) -> None:
    rng = random.Random(seed_value)
    with ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        url = db_url or stack.enter_context(scratch_database(SERVER))
        engine = db.make_engine(url)
        stack.callback(engine.dispose)
        migrate.upgrade(engine)
        sqlite = make_url(url).get_backend_name() == "sqlite"
        print(f"database: {make_url(url).render_as_string()} ({'1 worker' if sqlite else '2'})")
        catcher, port = stack.enter_context(smtp_catcher())
        began = time.perf_counter()
        team_id, emails = seed(engine, leads=leads, label=uuid.uuid4().hex[:6])
        due = outbox_state(engine, team_id)["pending"]
        print(f"seeded {leads} leads, {due} due steps in {time.perf_counter() - began:.1f} s")
        env = worker_env(url, port, tmp)
        # create the MLflow store once here, so no worker is killed while migrating it
        mlflow = ModelSettings(
            mlflow_tracking_uri=env["LEADPULSE_MLFLOW_TRACKING_URI"],
            mlflow_artifacts=Path(env["LEADPULSE_MLFLOW_ARTIFACTS"]),
        )
        Champion(mlflow).refresh()

        workers = [WorkerProcess(slot, env, tmp) for slot in ("a", "b")[: 1 if sqlite else 2]]
        for worker in workers:
            stack.callback(worker.close)
        for worker in workers:
            worker.start()
        # kill points spread over the run, by messages received; each waits for a holder
        points = sorted(rng.uniform(0.05, 0.85) * due for _ in range(kills))
        killed, exits, began, shown = 0, 0, time.perf_counter(), 0.0
        print(f"workers started (lease {LEASE_SECONDS} s, batch {BATCH}); kill points at "
              + ", ".join(f"{p:.0f}" for p in points) + " messages received")  # fmt: skip
        while True:
            state, elapsed = outbox_state(engine, team_id), time.perf_counter() - began
            if state["pending"] + state["sending"] + state["accepted"] == 0 or elapsed > timeout:
                break
            for worker in workers:
                assert worker.process is not None
                worker.check_ready()
                if worker.process.poll() is not None:
                    exits += 1
                    print(f"worker {worker.slot} exited by itself ({worker.process.returncode}):")
                    print(worker.log_tail())
                    worker.start()
            if killed < kills and catcher.count >= points[killed]:
                held = holders(engine, team_id)
                victims = [w for w in workers if held[w.name]]
                if victims:
                    victim = rng.choice(victims)
                    time.sleep(rng.uniform(0.0, 0.05))
                    pid, holding = victim.name, held[victim.name]
                    victim.kill()
                    killed += 1
                    victim.start()
                    print(f"{elapsed:6.1f} s  kill #{killed}: worker {victim.slot} ({pid}, "
                          f"holding {holding} rows) SIGKILL at {catcher.count} received; "
                          f"restarted")  # fmt: skip
            if elapsed - shown >= 2.0:
                shown = elapsed
                print(f"{elapsed:6.1f} s  received {catcher.count:5d}  sent {state['sent']:5d}  "
                      f"accepted {state['accepted']:3d}  sending {state['sending']:3d}  "
                      f"pending {state['pending']:5d}")  # fmt: skip
            time.sleep(0.05)
        elapsed = time.perf_counter() - began
        for worker in workers:
            worker.kill()
        state, checked = outbox_state(engine, team_id), cross_check(engine, team_id)

    wanted = set(emails)
    got = Counter(address for address in catcher.recipients if address in wanted)
    delivered = len(got)
    duplicates = sum(got.values()) - delivered
    strangers = sum(1 for address in catcher.recipients if address not in wanted)
    starts = sum(w.starts for w in workers)
    print(f"finished in {elapsed:.1f} s" + (" (TIMEOUT)" if elapsed > timeout else "")
          + f"; worker starts {starts}, unexpected exits {exits}")  # fmt: skip
    ready = sorted(t for w in workers for t in w.ready_after)
    if ready:
        print(f"worker start to running: {len(ready)} starts, min {ready[0]:.1f} s, "
              f"median {ready[len(ready) // 2]:.1f} s, max {ready[-1]:.1f} s")  # fmt: skip
    print(f"catcher: {catcher.count} messages, {delivered} distinct recipients, "
          f"{duplicates} repeated, {strangers} to unknown addresses")  # fmt: skip
    print("outbox step rows: " + ", ".join(f"{k} {v}" for k, v in sorted(state.items())))
    print("database: " + ", ".join(f"{k} {v}" for k, v in checked.items()))
    print(
        "why: a worker claims rows (lease, SKIP LOCKED) and sends each in its own transaction "
        "that marks it `accepted` and commits after SMTP took it; the sends' events and next "
        "steps are booked afterwards. A SIGKILL leaves its claimed rows `sending` or `accepted` "
        f"until the lease ({LEASE_SECONDS} s) ends, then another worker takes them: a `sending` "
        "row is sent, an `accepted` one only booked. Only the row whose message SMTP had "
        "accepted but whose commit had not happened is sent twice, so duplicates <= kills, and "
        "every due row is eventually sent, so lost = 0. The database records each lead once "
        "(messages rows = leads messaged = email_sent events = due) whatever SMTP saw."
    )
    print(
        f"crash-test: due={due} delivered={delivered} lost={due - delivered} "
        f"duplicates={duplicates} kills={killed}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db-url", default=None, help="default: a scratch PostgreSQL database")
    parser.add_argument("--leads", type=int, default=2000)
    parser.add_argument("--kills", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds of delivery")
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    run(args.db_url, args.leads, args.kills, args.seed, args.timeout)


if __name__ == "__main__":
    main()
