"""`leadpulse worker`: deliver due emails and take inbound mail."""

from __future__ import annotations

import asyncio
import os
import signal
from typing import Annotated

import typer

from serving.console import console, fail, ready_engine


def worker_command(
    inbound_port: Annotated[
        int | None, typer.Option(help="Listen for replies and bounces by SMTP on this port.")
    ] = None,
    inbound_host: Annotated[str, typer.Option(help="Address of the inbound listener.")] = (
        "127.0.0.1"
    ),
    once: Annotated[bool, typer.Option(help="Deliver what is due now, then exit.")] = False,
    drafts: Annotated[
        str,
        typer.Option(
            help="Who writes each step: 'template' (the step's own text) or 'agent' (the email "
            "agent, LEADPULSE_LLM; its drafts wait for review unless the team auto-sends)."
        ),
    ] = "template",
) -> None:
    """Deliver due emails from the outbox (SMTP settings: LEADPULSE_SMTP_*), and optionally
    receive replies and bounces for reply+TOKEN@ addresses.

    Example: leadpulse worker --inbound-port 2525 --drafts agent
    """
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    from flows.settings import get_settings
    from model.champion import Champion
    from serving.worker import Worker, inbound_listener

    if drafts not in ("template", "agent"):
        fail(f"--drafts: {drafts!r} is not 'template' or 'agent'")
    worker = Worker(engine=ready_engine(), settings=get_settings(), champion=Champion())
    if drafts == "agent":
        from serving.agent_drafts import AgentDrafts

        worker.drafts = AgentDrafts(worker.champion)
    listener = inbound_listener(worker, inbound_host, inbound_port) if inbound_port else None

    async def main() -> None:
        if once:
            await asyncio.to_thread(worker.chores)
            sender = worker.sender()
            worker.sent.update(await worker.drain(sender))
            await sender.mailer.close()
            return
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        console.print(f"worker {worker.name} running; Ctrl-C stops it")
        await worker.run(stop)

    try:
        asyncio.run(main())
    finally:
        if listener is not None:
            listener.stop()
    summary = ", ".join(f"{k} {v}" for k, v in sorted(worker.sent.items())) or "nothing due"
    console.print(f"worker {worker.name}: {summary}")
