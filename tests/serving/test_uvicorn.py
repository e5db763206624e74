"""The API served by a real `leadpulse serve` process (uvicorn), over a real socket."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine

from tests.factories import free_port, unique_email
from tests.serving.conftest import new_tenant


@pytest.fixture
def served(database_url: str, tmp_path: Path) -> Iterator[str]:
    port = free_port()
    env = {
        **os.environ,
        "LEADPULSE_DB_URL": database_url,
        "LEADPULSE_MLFLOW_TRACKING_URI": f"sqlite:///{tmp_path / 'mlflow.db'}",
        "LEADPULSE_MLFLOW_ARTIFACTS": str(tmp_path / "artifacts"),
    }
    command = [sys.executable, "-m", "serving.cli", "serve", "--port", str(port)]
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if process.poll() is not None:
                output = process.stdout.read().decode() if process.stdout else ""
                pytest.fail(f"leadpulse serve exited: {output}")
            try:
                if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_a_real_server_takes_a_lead_and_its_events(served: str, engine: Engine) -> None:
    tenant = new_tenant(engine)
    with httpx.Client(base_url=served, headers=tenant.headers, timeout=30) as client:
        created = client.post("/v1/leads", json={"email": unique_email(), "company": "서울상사"})
        assert created.status_code == 201
        lead_id = created.json()["lead"]["id"]
        for n in range(3):
            event = {"lead_id": lead_id, "type": "link_clicked", "idempotency_key": f"u{n}"}
            response = client.post("/v1/events", json=event)
            assert response.status_code == 201
        assert response.json()["stage"] == "sql"
        assert client.get(f"/v1/leads/{lead_id}").json()["lead"]["company"] == "서울상사"
        assert client.get("/v1/model").json()["rules_only"] is True
        assert httpx.get(f"{served}/v1/leads").status_code == 401
        assert "leadpulse_events_total" in httpx.get(f"{served}/metrics").text
