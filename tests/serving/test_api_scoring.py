from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from model.settings import ModelSettings
from model.training import TrainingResult
from tests.factories import unique_email
from tests.model.conftest import make_candidate
from tests.serving.conftest import Tenant, make_app, new_tenant

NOW = datetime.now(UTC)
EVENTS = [
    {"type": "email_opened", "occurred_at": (NOW - timedelta(days=3)).isoformat(), "human": 0.9},
    {"type": "link_clicked", "occurred_at": (NOW - timedelta(days=2)).isoformat(),
     "payload": {"link": "https://a.co/pricing", "link_kind": "pricing"}},
    {"type": "page_dwell", "occurred_at": (NOW - timedelta(days=1)).isoformat(),
     "payload": {"document": "deck", "page": 2, "seconds": 40}},
    {"type": "api_event", "occurred_at": (NOW - timedelta(hours=5)).isoformat(),
     "payload": {"action": "signup"}},
]  # fmt: skip
LEAD = {"industry": "software", "employees": "120", "country": "KR", "source": "webinar"}


def stored_lead(client: TestClient, tenant: Tenant) -> int:
    response = client.post(
        "/v1/leads", json={"email": unique_email(), **LEAD}, headers=tenant.headers
    )
    lead_id = int(response.json()["lead"]["id"])
    for n, event in enumerate(EVENTS):
        body = {"lead_id": lead_id, "idempotency_key": f"{lead_id}-e{n}", **event}
        assert client.post("/v1/events", json=body, headers=tenant.headers).status_code == 201
    return lead_id


def comparable(decision: dict) -> dict:
    # Engagement decays by the second between two calls; everything else must match exactly.
    return {k: v for k, v in decision.items() if k != "engagement"}


def test_a_stored_lead_and_the_same_lead_given_inline_score_the_same(
    client: TestClient, tenant: Tenant
) -> None:
    lead_id = stored_lead(client, tenant)
    by_id = client.post("/v1/score", json={"lead_id": lead_id}, headers=tenant.headers)
    inline = client.post("/v1/score", json={"lead": LEAD, "events": EVENTS}, headers=tenant.headers)
    assert by_id.status_code == inline.status_code == 200
    assert comparable(by_id.json()["decision"]) == comparable(inline.json()["decision"])
    assert by_id.json()["decision"]["engagement"] == pytest.approx(
        inline.json()["decision"]["engagement"], rel=1e-3
    )
    assert by_id.json()["decision"]["rules_only"] is True


def test_score_requests_are_checked(client: TestClient, tenant: Tenant) -> None:
    both = client.post("/v1/score", json={"lead_id": 1, "lead": {}}, headers=tenant.headers)
    assert both.status_code == 422
    bad_lead = client.post(
        "/v1/score", json={"lead": {"employees": "many"}}, headers=tenant.headers
    )
    assert bad_lead.json()["errors"][0]["field"] == "lead.employees"
    bad_event = client.post(
        "/v1/score", json={"lead": {}, "events": [{"type": "email_opened"}]},
        headers=tenant.headers,
    )  # fmt: skip
    assert bad_event.status_code == 422
    assert bad_event.json()["errors"][0]["field"] == "events[0].occurred_at"
    missing = client.post("/v1/score", json={"lead_id": 10**9}, headers=tenant.headers)
    assert missing.status_code == 404


def test_batch_scores_stored_and_inline_leads_and_refuses_more_than_the_limit(
    engine: Engine, tenant: Tenant, other: Tenant
) -> None:
    with TestClient(make_app(engine, batch_limit=3)) as client:
        ids = [stored_lead(client, tenant) for _ in range(2)]
        batch = client.post("/v1/score:batch", json={"lead_ids": ids}, headers=tenant.headers)
        assert batch.status_code == 200
        assert [r["lead_id"] for r in batch.json()["results"]] == ids
        inline = client.post(
            "/v1/score:batch",
            json={"leads": [{"lead": LEAD, "events": EVENTS}, {"lead": {}}]},
            headers=tenant.headers,
        )
        first, empty = (r["decision"] for r in inline.json()["results"])
        assert comparable(first) == comparable(batch.json()["results"][0]["decision"])
        assert empty["reasons"][0]["rule"] == "no_engagement"
        too_many = client.post(
            "/v1/score:batch", json={"lead_ids": [*ids, *ids]}, headers=tenant.headers
        )
        assert too_many.status_code == 422
        assert too_many.json()["errors"][0]["field"] == "lead_ids"
        foreign = client.post("/v1/score:batch", json={"lead_ids": ids}, headers=other.headers)
        assert foreign.status_code == 404


@pytest.fixture(scope="module")
def registry_settings(tmp_path_factory: pytest.TempPathFactory) -> ModelSettings:
    folder = tmp_path_factory.mktemp("serving-mlruns")
    return ModelSettings(
        mlflow_tracking_uri=f"sqlite:///{folder / 'mlflow.db'}",
        mlflow_artifacts=folder / "artifacts",
        model_name="lead-scorer-serving",
    )


def test_the_champion_scores_and_a_moved_alias_is_served_without_restart(
    engine: Engine,
    trained: tuple[TrainingResult, str],
    registry_settings: ModelSettings,
    tmp_path: Path,
) -> None:
    from model import registry

    first = registry.register(make_candidate(trained, tmp_path / "v1"), settings=registry_settings)
    registry.promote(settings=registry_settings)
    tenant = new_tenant(engine)
    with TestClient(_watching(engine, registry_settings)) as client:
        model = client.get("/v1/model", headers=tenant.headers).json()
        assert model["version"] == first
        assert model["rules_only"] is False
        assert "roc_auc" in model["metrics"]
        lead_id = stored_lead(client, tenant)
        decision = client.post("/v1/score", json={"lead_id": lead_id}, headers=tenant.headers)
        scored = decision.json()["decision"]
        assert scored["model_version"] == first
        assert 0.0 <= scored["probability"] <= 1.0
        detail = client.get(f"/v1/leads/{lead_id}", headers=tenant.headers).json()["lead"]
        assert detail["model_version"] == first
        assert detail["score"] == pytest.approx(scored["probability"], abs=0.05)

        second = registry.register(
            make_candidate(trained, tmp_path / "v2"), settings=registry_settings
        )
        registry.promote(force=True, reason="reload test", settings=registry_settings)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if client.get("/v1/model", headers=tenant.headers).json()["version"] == second:
                break
            time.sleep(0.2)
        assert client.get("/v1/model", headers=tenant.headers).json()["version"] == second
        rescored = client.post("/v1/score", json={"lead_id": lead_id}, headers=tenant.headers)
        assert rescored.json()["decision"]["model_version"] == second
        metrics = client.get("/metrics").text
        assert f"leadpulse_model_version {float(second)}" in metrics


def _watching(engine: Engine, settings: ModelSettings):  # type: ignore[no-untyped-def]
    from model.champion import Champion
    from serving.app import create_app
    from serving.settings import ServingSettings

    return create_app(
        engine=engine,
        champion=Champion(settings),
        settings=ServingSettings(model_refresh_seconds=0.2),
        watch_model=True,
    )
