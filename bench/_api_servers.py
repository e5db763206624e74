"""The servers and load generator of `bench/scoring_api.py`: the API and a trivial FastAPI app
served the same way (the framework ceiling), and wrk driving either with random bodies."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from _smtp_catcher import free_port
from fastapi import FastAPI
from pydantic import BaseModel

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SCRIPT = Path(__file__).with_name("scoring_api.py")  # serves the ceiling with --ceiling-port
HOST = "127.0.0.1"
CONNECTIONS = 8


class _Ping(BaseModel):
    lead_id: int


def ceiling_app() -> FastAPI:
    """The framework ceiling: a small JSON body in, a constant dict out (and a GET)."""
    app = FastAPI()
    answer = {"lead_id": None, "decision": {"stage": "mql", "probability": 0.5}}

    @app.post("/v1/score")
    async def post(body: _Ping) -> dict[str, Any]:  # noqa: ARG001 - parsing is the point
        return answer

    @app.get("/v1/score")
    async def get() -> dict[str, Any]:
        return answer

    @app.get("/readyz")
    async def ready() -> dict[str, Any]:
        return {"status": "ready", "model_version": "none"}

    return app


def serve_ceiling(port: int) -> None:
    """Serve `ceiling_app` exactly as `leadpulse serve` serves the API."""
    import uvicorn

    uvicorn.run(ceiling_app(), host=HOST, port=port, access_log=False, log_level="warning")


@contextmanager
def servers(variables: dict[str, str], workers: int, folder: Path) -> Iterator[tuple[str, str]]:
    """`leadpulse serve` (with `variables` in its environment) and the ceiling app running,
    served the same way; their base URLs. Both are stopped on exit."""
    env = os.environ | {"OMP_NUM_THREADS": "1", **variables}
    api_port, ceiling_port = free_port(), free_port()
    commands = {
        "api": [
            sys.executable,
            "-m",
            "serving.cli",
            "serve",
            "--port",
            str(api_port),
            "--workers",
            str(workers),
        ],
        "ceiling": [sys.executable, str(SCRIPT), "--ceiling-port", str(ceiling_port)],
    }
    processes: dict[str, subprocess.Popen[bytes]] = {}
    try:
        for name, command in commands.items():
            log = (folder / f"{name}.log").open("wb")
            processes[name] = subprocess.Popen(
                command, cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
            )
        urls = (f"http://{HOST}:{api_port}", f"http://{HOST}:{ceiling_port}")
        for (name, process), url in zip(processes.items(), urls, strict=True):
            wait_ready(name, process, url, folder / f"{name}.log")
        yield urls
    finally:
        for process in processes.values():
            process.terminate()
        for process in processes.values():
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def wait_ready(name: str, process: subprocess.Popen[bytes], url: str, log: Path) -> None:
    began = time.perf_counter()
    while time.perf_counter() - began < 180:
        if process.poll() is not None:
            raise RuntimeError(f"{name} server exited:\n{log.read_text()[-3000:]}")
        try:
            ready = httpx.get(f"{url}/readyz", timeout=2)
            if ready.status_code == 200 and ready.json().get("model_version"):
                print(
                    f"{name} server ready in {time.perf_counter() - began:.1f} s "
                    f"(model {ready.json()['model_version']})"
                )
                return
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{name} server not ready after 180 s:\n{log.read_text()[-3000:]}")


@dataclass(frozen=True)
class Load:
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int


LUA = """
local bodies = {%s}
local headers = {["Content-Type"] = "application/json", ["Authorization"] = "Bearer %s"}
local method, path = "%s", "%s"
math.randomseed(%d)
request = function()
  local body = nil
  if #bodies > 0 then body = bodies[math.random(#bodies)] end
  return wrk.format(method, path, headers, body)
end
done = function(summary, latency, requests)
  local e = summary.errors
  local line = "WRK_RESULT requests=%%d seconds=%%.3f p50_us=%%d p99_us=%%d errors=%%d\\n"
  io.write(string.format(line,
    summary.requests, summary.duration / 1e6, latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.status + e.timeout))
end
"""
RESULT = re.compile(
    r"WRK_RESULT requests=(\d+) seconds=([\d.]+) p50_us=(\d+) p99_us=(\d+) errors=(\d+)"
)


def lua_string(text: str) -> str:
    level = 0
    while f"]{'=' * level}]" in text:
        level += 1
    return f"[{'=' * level}[{text}]{'=' * level}]"


def wrk(url: str, path: str, bodies: list[bytes], key: str, seconds: float, folder: Path) -> Load:
    """Closed-loop load from wrk on one path; bodies drawn at random per request (none: GET)."""
    script = folder / f"_wrk_{uuid.uuid4().hex[:6]}.lua"
    listed = ",\n".join(lua_string(b.decode()) for b in bodies)
    script.write_text(LUA % (listed, key, "POST" if bodies else "GET", path, 1))
    command = ["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{seconds:g}s", "--timeout", "10s"]
    ran = subprocess.run([*command, "-s", str(script), url], capture_output=True, text=True)
    found = RESULT.search(ran.stdout)
    if found is None:
        raise RuntimeError(f"wrk said:\n{ran.stdout}\n{ran.stderr}")
    requests, took, p50, p99, errors = found.groups()
    return Load(int(requests) / float(took), int(p50) / 1e3, int(p99) / 1e3, int(errors))


def machine() -> str:
    """The 1-minute load average: other work on the machine moves every figure."""
    return f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}
