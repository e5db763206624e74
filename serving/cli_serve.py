"""`leadpulse serve`: the HTTP API on uvicorn."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from serving.console import console, fail, ready_engine


def serve_command(
    host: Annotated[str | None, typer.Option(help="Address to listen on.")] = None,
    port: Annotated[int | None, typer.Option(min=1, max=65535, help="Port.")] = None,
    workers: Annotated[
        int, typer.Option(min=1, max=64, help="Server processes (more than one: PostgreSQL).")
    ] = 1,
    access_log: Annotated[bool, typer.Option(help="Log every request (slower).")] = False,
) -> None:
    """Serve the API (docs at /docs); the team's key goes in `Authorization: Bearer KEY`.

    Example: leadpulse serve --port 8000
    """
    # One OpenMP thread per serving process: a second one spins and doubles CPU per row.
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    import uvicorn

    from serving.settings import get_settings

    settings = get_settings()
    engine = ready_engine()  # migrates a new database once, before any worker starts
    bind_host, bind_port = host or settings.host, port or settings.port
    console.print(f"leadpulse API on http://{bind_host}:{bind_port} (docs: /docs)")
    if workers > 1:
        if engine.dialect.name == "sqlite":
            fail("--workers: several server processes need PostgreSQL (LEADPULSE_DB_URL)")
        uvicorn.run(
            "serving.app:from_environment", factory=True, workers=workers, host=bind_host,
            port=bind_port, access_log=access_log, log_level="warning",
        )  # fmt: skip
        return
    from model.champion import Champion
    from serving.app import create_app

    app = create_app(engine=engine, champion=Champion(), settings=settings, settle=True)
    uvicorn.run(app, host=bind_host, port=bind_port, access_log=access_log, log_level="warning")
