"""The FastAPI app: the versioned JSON API, operations endpoints, and the champion watcher.

`create_app` takes everything it needs (engine, champion holder, settings), so tests and
benchmarks build apps on their own databases and registries; `leadpulse serve` builds one on
the configured ones.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime

from fastapi import FastAPI
from sqlalchemy import Engine, select
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from leads.list_membership import refresh_time_based
from leads.tables import Team
from model.champion import Champion
from serving import errors
from serving.api import (
    agent,
    events,
    flows,
    forms,
    health,
    imports,
    inbound,
    leads,
    lists,
    meetings,
    review,
    review_pages,
    scoring,
    teams,
    tracking,
)
from serving.event_groups import EventGroups
from serving.openapi import extend_schemas
from serving.service import Service
from serving.settings import ServingSettings, get_settings

API_VERSION = "1"
log = logging.getLogger(__name__)


class LatencyMiddleware:
    """Request latency by route template and status, as plain ASGI (Starlette's
    BaseHTTPMiddleware costs a task and a stream per request)."""

    def __init__(self, app: ASGIApp, service: Service) -> None:
        self.app = app
        self.latency = service.metrics.latency

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            route = getattr(scope.get("route"), "path", "unmatched")
            self.latency.labels(scope["method"], route, str(status)).observe(
                time.perf_counter() - started
            )


async def _watch(service: Service) -> None:
    """Check the champion alias every `model_refresh_seconds` and swap in a moved one."""
    while True:
        await asyncio.sleep(service.settings.model_refresh_seconds)
        await asyncio.to_thread(service.champion.refresh)


def refresh_timed_lists(service: Service, now: datetime | None = None) -> int:
    """Re-evaluate every team's lists with time windows (time passing changes them without
    any event); the number of membership changes."""
    with service.transaction() as session:
        team_ids = list(session.scalars(select(Team.id)))
    changed = 0
    for team_id in team_ids:
        with service.transaction() as session:
            changed += len(refresh_time_based(session, team_id=team_id, now=now))
    return changed


async def _refresh_lists(service: Service) -> None:
    while True:
        await asyncio.sleep(service.settings.list_refresh_seconds)
        try:
            await asyncio.to_thread(refresh_timed_lists, service)
        except Exception:  # a failed round is retried at the next one
            log.exception("refreshing the time-based lists failed")


def settle_heap() -> None:
    """Keep what is loaded at start (libraries, the model: some 600k objects) out of the
    collector's full passes, which otherwise walk all of it while a request waits (150-400 ms
    pauses measured under the event load); what requests allocate is collected as usual."""
    gc.collect()
    gc.freeze()


def create_app(
    *,
    engine: Engine,
    champion: Champion,
    settings: ServingSettings | None = None,
    watch_model: bool = True,
    refresh_lists: bool = True,
    settle: bool = False,
) -> FastAPI:
    """An app serving `engine`'s record with `champion`'s scorer (loaded at start); `settle`
    freezes the heap once started (`settle_heap`: for a serving process, not for tests)."""
    service = Service(engine=engine, champion=champion, settings=settings or get_settings())

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await asyncio.to_thread(champion.refresh)
        if settle:
            settle_heap()
        tasks = [asyncio.create_task(_watch(service))] if watch_model else []
        if refresh_lists:
            tasks.append(asyncio.create_task(_refresh_lists(service)))
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    app = FastAPI(
        title="leadpulse",
        version=API_VERSION,
        description="Lead scoring and email automation. Send the team's API key as "
        "`Authorization: Bearer KEY`.",
        lifespan=lifespan,
    )
    app.state.service = service
    app.state.event_groups = EventGroups(service)
    errors.install(app)
    routers = (
        leads, events, scoring, lists, forms, imports, inbound, meetings, teams, tracking, health,
        flows, review, review_pages, agent,
    )  # fmt: skip
    for module in routers:
        app.include_router(module.router)

    app.add_middleware(LatencyMiddleware, service=service)
    extend_schemas(app, scoring.BODY_SCHEMAS)
    return app


def from_environment() -> FastAPI:
    """The app on the configured database and registry (`leadpulse serve --workers N` builds
    one per process through this factory)."""
    from serving.console import ready_engine

    return create_app(engine=ready_engine(), champion=Champion(), settle=True)
