"""Send throughput: messages/s from the outbox to a local SMTP server, next to bare smtplib.

N leads enrolled in a one-step flow are delivered by the worker's sender in this process
(`Worker.drain`: claim, prepare, send, book) to an aiosmtpd catcher on loopback; then the same
number of messages, rendered beforehand with `render_email`, go to the same server over one
`smtplib.SMTP` connection, each as the very bytes and envelope the sender hands to SMTP
(`sendmail`, so the bare loop pays for no MIME building at all). The ratio says what checks,
drafting, rendering and recording cost per message. A second, profiled run shows where the
sender's time goes (our packages only). Nothing is asserted. Usage:

    .venv/bin/python bench/send_throughput.py [--messages 2000] [--db-url URL] [--catcher-in-thread]

The catcher is a process of its own (`bench/_smtp_catcher.py`), as a relay is: in a thread of
this process it would compete with the sender and with the bare loop for the interpreter lock
(`--catcher-in-thread` measures it that way). Both loops talk to the same server. The catcher,
the team and the seeding live here; bench/crash_sends.py uses them too.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import inspect
import smtplib
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from _smtp_catcher import smtp_catcher
from pyinstrument import Profiler
from sqlalchemy import Engine, create_engine, select, text
from sqlalchemy.engine import make_url

from flows import batch as flow_batch
from flows import booking as flow_booking
from flows import loop as flow_loop
from flows import sender as flow_sender
from flows.definitions import FlowDefinition, create_flow, render_step
from flows.drafts import StepContext, TemplateDrafts, template_context
from flows.enrollments import start
from flows.mail import RenderedEmail, render_email
from flows.meetings import booking_url
from flows.settings import FlowSettings
from flows.smtp import SmtpMailer
from flows.tokens import new_message_token
from leads import db, migrate
from leads.flow_tables import Flow
from leads.records import LeadChange, upsert_leads
from leads.settings import PROJECT_ROOT
from leads.tables import Lead, Team, utcnow
from leads.teams import create_team, settings_of, signing_key
from model.champion import Champion
from serving.worker import Worker

PUBLIC_URL = "https://track.lumen-bench.com"
TEAM_SETTINGS: dict[str, Any] = {
    "timezone": "UTC",
    "sender": {
        "from_name": "Lumen Sales",
        "from_email": "sales@lumen-bench.com",
        "reply_domain": "reply.lumen-bench.com",
        "postal_address": "1 Main St, Seoul",
    },
    # always open, so every step is due the moment it is scheduled
    "send_window": {
        "days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
        "start": "00:00:00",
        "end": "23:59:59",
    },
}
ONE_STEP: dict[str, Any] = {
    "campaign": "bench",
    "steps": [
        {
            "action": "meeting_proposal",
            "subject": "{{ lead.company }} x {{ team.name }}",
            "body": "Could we talk this week? Pick a time: {{ booking_url }}\n\n"
            "Our guide: https://example.com/guide",
        }
    ],
}
OURS = tuple(
    str(PROJECT_ROOT / package) + "/" for package in ("leads", "features", "model", "flows")
)


# Where one delivery's wall time goes, without a profiler: (depth, owner, attribute, label).
# A name the code no longer has (the loop changes under other hands) is left out.
STAGES: list[tuple[int, Any, str, str]] = [
    (0, flow_sender.Sender, "run_once", "run_once (claim a batch, prepare, send each, book)"),
    (1, flow_sender, "claim", "claim"),
    (1, flow_sender, "prepare", "prepare (read the batch, draft and render each)"),
    (2, TemplateDrafts, "draft", "draft (step templates)"),
    (2, flow_batch, "render_email", "render_email"),
    (1, flow_sender.Sender, "_send", "send (one row's transaction, commit included)"),
    (2, flow_sender, "hold_checked", "hold_checked (lock the row, read the lead's facts)"),
    (2, SmtpMailer, "send", "SMTP send (aiosmtplib)"),
    (2, flow_sender, "accept", "accept (mark the row)"),
    (1, flow_sender, "book", "book (accepted rows, several a transaction, commit included)"),
    (2, flow_booking, "process_event", "process_event (email_sent through the loop)"),
    (3, flow_loop, "record_event", "record_event"),
    (3, flow_loop, "online_features", "online_features"),
    (3, flow_loop, "online_rows", "online_rows"),
    (3, flow_loop, "decide_frame", "decide_frame"),
    (3, flow_loop, "decide_rows", "decide_rows"),
    (3, flow_loop, "apply_decision", "apply_decision"),
    (3, flow_loop, "refresh_lead", "refresh_lead (lists)"),
    (3, flow_loop, "react", "react (flows)"),
    (2, flow_booking, "advance", "advance (schedule the end)"),
]


@contextmanager
def stage_timers() -> Iterator[dict[str, float]]:
    """Seconds spent in each of `STAGES` while the block runs (wrapped, then restored)."""
    stages = [stage for stage in STAGES if hasattr(stage[1], stage[2])]
    spent = dict.fromkeys((label for *_, label in stages), 0.0)
    originals = [(owner, name, getattr(owner, name)) for _, owner, name, _ in stages]
    for (_, owner, name, label), (*_, function) in zip(stages, originals, strict=True):
        setattr(owner, name, _timed(function, spent, label))
    try:
        yield spent
    finally:
        for owner, name, function in originals:
            setattr(owner, name, function)


def _timed(function: Callable[..., Any], spent: dict[str, float], label: str) -> Any:
    if inspect.iscoroutinefunction(function):

        @functools.wraps(function)
        async def timed_async(*args: Any, **kwargs: Any) -> Any:
            began = time.perf_counter()
            try:
                return await function(*args, **kwargs)
            finally:
                spent[label] += time.perf_counter() - began

        return timed_async

    @functools.wraps(function)
    def timed(*args: Any, **kwargs: Any) -> Any:
        began = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            spent[label] += time.perf_counter() - began

    return timed


def print_stages(spent: dict[str, float], messages: int) -> None:
    """The wall time of each stage per message, nested stages indented under their caller,
    then what the caller spent outside them."""
    print("where a send goes (wall time of the unprofiled run), ms/msg:")
    pending: list[tuple[int, str, float, bool]] = []  # callers: depth, name, rest, has callees

    def close(depth: int) -> None:
        while pending and pending[-1][0] >= depth:
            caller_depth, caller, rest, callees = pending.pop()
            if callees:
                print(
                    f"{1000 * rest / messages:10.3f}  {'  ' * (caller_depth + 1)}(rest of {caller})"
                )

    for depth, *_, label in (stage for stage in STAGES if stage[3] in spent):
        close(depth)
        if pending:
            caller_depth, caller, rest, _ = pending[-1]
            pending[-1] = (caller_depth, caller, rest - spent[label], True)
        print(f"{1000 * spent[label] / messages:10.3f}  {'  ' * depth}{label}")
        pending.append((depth, label.split()[0], spent[label], False))
    close(0)


@contextmanager
def scratch_database(server_url: str) -> Iterator[str]:
    """A new, migrated database `lp_bench_<random>` on the server; dropped on exit."""
    server = make_url(server_url)
    name = f"lp_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = server.set(database=name).render_as_string(hide_password=False)
    try:
        engine = db.make_engine(url)
        migrate.upgrade(engine)
        engine.dispose()
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def seed(engine: Engine, *, leads: int, label: str) -> tuple[int, list[str]]:
    """A team with a one-step flow and `leads` leads enrolled in it, all due now (one
    transaction); the team's id and the leads' addresses."""
    emails = [f"buyer{i}.{label}@acme{i % 97}.com" for i in range(leads)]
    with db.unit_of_work(engine) as session:
        team, _key = create_team(session, name=f"bench-{label}", settings=TEAM_SETTINGS)
        flow = create_flow(session, team_id=team.id, name="One step", kind="sequence",
                           definition=ONE_STEP)  # fmt: skip
        changes = [
            LeadChange({"email": email, "company": f"Acme {i % 97}", "name": f"Kim Buyer{i}"})
            for i, email in enumerate(emails)
        ]
        now = utcnow()
        for outcome in upsert_leads(session, team_id=team.id, changes=changes):
            start(session, team=team, lead=outcome.lead, flow=flow, reason="bench", now=now)
        return team.id, emails


def prepared_messages(engine: Engine, team_id: int) -> list[RenderedEmail]:
    """The team's step-0 email for each of its leads, rendered as the sender would."""
    with db.unit_of_work(engine) as session:
        team = session.get_one(Team, team_id)
        flow = session.scalars(select(Flow).where(Flow.team_id == team_id)).one()
        step = FlowDefinition.model_validate(flow.definition).steps[0]
        key, sender, now = signing_key(session, team=team), settings_of(team).sender, utcnow()
        out = []
        for lead in session.scalars(select(Lead).where(Lead.team_id == team_id)):
            assert lead.email is not None
            url = booking_url(key, team_id=team_id, lead_id=lead.id, base_url=PUBLIC_URL)
            subject, body = render_step(
                step, template_context(StepContext(team, lead, flow, 0, step, url))
            )
            rendered = render_email(
                key=key, team_id=team_id, sender=sender, to_email=lead.email, to_name=lead.name,
                language="en", subject=subject, body=body, base_url=PUBLIC_URL,
                message_token=new_message_token(), greeting_name=lead.first_name, now=now,
            )  # fmt: skip
            out.append(rendered)
        return out


def deliver_all(engine: Engine, team_id: int, port: int, profiler: Profiler | None) -> int:
    """Run the worker's sender in this process until nothing of the team is due; sent count.
    With `profiler`, the delivery is sampled (awaits count to the coroutine that awaits)."""
    settings = FlowSettings(smtp_host="127.0.0.1", smtp_port=port, public_url=PUBLIC_URL)
    worker = Worker(
        engine=engine, settings=settings, champion=Champion.fixed(None, None), team_id=team_id
    )

    async def drain() -> int:
        sender = worker.sender()
        if profiler is not None:
            profiler.start()
        try:
            return (await worker.drain(sender))["sent"]
        finally:
            if profiler is not None:
                profiler.stop()
            await sender.mailer.close()

    return asyncio.run(drain())


def bare_smtp(messages: list[RenderedEmail], port: int) -> None:
    """Send the prepared messages (their wire form, as the sender hands it over) over one
    smtplib connection."""
    with smtplib.SMTP("127.0.0.1", port) as client:
        for message in messages:
            client.sendmail(message.sender, [message.recipient], message.raw)


def cumulative_ours(profiler: Profiler) -> tuple[float, dict[str, tuple[float, float]]]:
    """Sampled seconds in all, and per function of our packages: (cumulative, own) seconds;
    a function on the stack twice counts once."""
    root = profiler.last_session.root_frame() if profiler.last_session else None
    spent: dict[str, tuple[float, float]] = {}
    if root is None:
        return 0.0, spent

    def walk(frame: Any, above: frozenset[str]) -> None:
        path = frame.file_path or ""
        if path.startswith(OURS):
            where = path.removeprefix(str(PROJECT_ROOT) + "/")
            key = f"{where}:{frame.line_no} {frame.function}"
            cumulative, own = spent.get(key, (0.0, 0.0))
            added = 0.0 if key in above else frame.time
            spent[key] = (cumulative + added, own + frame.total_self_time)
            above = above | {key}
        for child in frame.children:
            walk(child, above)

    walk(root, frozenset())
    return root.time, spent


def print_profile(profiler: Profiler, messages: int, top: int = 25) -> None:
    """The functions of our packages with the most cumulative time, per message."""
    total, spent = cumulative_ours(profiler)
    print(
        f"profile: {total:.2f} s sampled on {messages} messages ({1000 * total / messages:.2f} "
        "ms each, profiler overhead included); top functions of leads/ features/ model/ flows/"
    )
    print(f"{'cum ms/msg':>10} {'cum %':>6} {'own ms/msg':>10}  function")
    ranked = sorted(spent.items(), key=lambda item: item[1][0], reverse=True)
    for where, (cumulative, own) in ranked[:top]:
        print(
            f"{1000 * cumulative / messages:10.3f} {100 * cumulative / total:6.1f} "
            f"{1000 * own / messages:10.3f}  {where}"
        )


def run(messages: int, db_url: str | None, *, catcher_in_thread: bool) -> None:
    with (
        tempfile.TemporaryDirectory() as tmp,
        smtp_catcher(in_thread=catcher_in_thread) as (catcher, port),
    ):
        engine = db.make_engine(db_url or f"sqlite:///{Path(tmp) / 'send.db'}")
        migrate.upgrade(engine)
        label = uuid.uuid4().hex[:6]
        team_id, _emails = seed(engine, leads=messages, label=f"{label}-timed")
        prepared = prepared_messages(engine, team_id)
        where = "a thread of this process" if catcher_in_thread else "a process of its own"
        print(f"seeded {messages} due steps on {engine.url.get_backend_name()}; the SMTP "
              f"catcher runs in {where}")  # fmt: skip

        with stage_timers() as spent:
            began, cpu = time.perf_counter(), time.process_time()
            sent = deliver_all(engine, team_id, port, profiler=None)
            sender_s, sender_cpu = time.perf_counter() - began, time.process_time() - cpu
        received = catcher.count
        began, cpu = time.perf_counter(), time.process_time()
        bare_smtp(prepared, port)
        bare_s, bare_cpu = time.perf_counter() - began, time.process_time() - cpu
        # CPU time (this process's; the catcher's too when it is a thread here) tells
        # contention with other processes apart from our cost
        print(f"sender: {sent} sent, {received} received in {sender_s:.2f} s "
              f"({sender_cpu:.2f} s CPU, {1000 * sender_s / sent:.2f} ms/msg)")  # fmt: skip
        print(f"bare smtplib: {catcher.count - received} received in {bare_s:.2f} s "
              f"({bare_cpu:.2f} s CPU, {1000 * bare_s / len(prepared):.2f} ms/msg)")  # fmt: skip

        print_stages(spent, sent)
        profiled_team, _ = seed(engine, leads=messages, label=f"{label}-profiled")
        profiler = Profiler()
        profiled = deliver_all(engine, profiled_team, port, profiler)
        print_profile(profiler, profiled)
        engine.dispose()
    sender_rate, bare_rate = sent / sender_s, len(prepared) / bare_s
    print(
        f"send-throughput: sender={sender_rate:.0f} msg/s bare_smtplib={bare_rate:.0f} msg/s "
        f"ratio={sender_rate / bare_rate:.2f} (target >= 0.5; CPU of this process per message: "
        f"sender {1000 * sender_cpu / sent:.2f} ms, bare {1000 * bare_cpu / len(prepared):.2f} ms)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--db-url", default=None, help="default: a temporary SQLite file")
    parser.add_argument(
        "--catcher-in-thread", action="store_true", help="run the SMTP catcher in this process"
    )
    args = parser.parse_args()
    run(args.messages, args.db_url, catcher_in_thread=args.catcher_in_thread)


if __name__ == "__main__":
    main()
