from __future__ import annotations

from fastapi.testclient import TestClient

from tests.factories import unique_email
from tests.serving.conftest import Tenant


def test_health_readiness_and_the_rules_only_model(client: TestClient, tenant: Tenant) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz").json()
    assert ready["status"] == "ready"
    assert ready["model_version"] is None
    model = client.get("/v1/model", headers=tenant.headers).json()
    assert model["rules_only"] is True
    assert model["version"] is None
    assert client.get("/v1/model").status_code == 401


def test_metrics_count_requests_decisions_and_events(client: TestClient, tenant: Tenant) -> None:
    lead = client.post("/v1/leads", json={"email": unique_email()}, headers=tenant.headers)
    event = {"lead_id": lead.json()["lead"]["id"], "type": "email_opened"}
    client.post("/v1/events", json=event, headers=tenant.headers)
    text = client.get("/metrics").text
    assert 'leadpulse_events_total{type="email_opened"}' in text
    assert 'leadpulse_decisions_total{stage="mql"}' in text
    assert 'leadpulse_request_seconds_count{method="POST",route="/v1/events",status="201"}' in text
    assert "leadpulse_model_version 0.0" in text


def test_team_settings_are_read_and_changed_with_field_errors(
    client: TestClient, tenant: Tenant
) -> None:
    settings = client.get("/v1/team/settings", headers=tenant.headers).json()
    assert settings["click_threshold"] == 3
    changed = client.patch(
        "/v1/team/settings",
        json={"click_threshold": 5, "icp": {"industries": ["software"]}},
        headers=tenant.headers,
    )
    assert changed.status_code == 200
    assert changed.json()["click_threshold"] == 5
    assert changed.json()["icp"]["industries"] == ["software"]
    bad = client.patch("/v1/team/settings", json={"click_threshold": -1}, headers=tenant.headers)
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "click_threshold"
    stats = client.get("/v1/team/stats", headers=tenant.headers).json()
    assert stats["leads"] == 0


def test_the_openapi_document_lists_the_versioned_api(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    paths = document["paths"]
    body = paths["/v1/score:batch"]["post"]["requestBody"]["content"]["application/json"]
    name = body["schema"]["$ref"].rsplit("/", 1)[1]
    assert {name, "TransientLeadIn", "TransientEventIn"} <= set(document["components"]["schemas"])
    for path in ("/v1/leads", "/v1/events", "/v1/score", "/v1/score:batch", "/v1/lists",
                 "/v1/forms/{form_id}/submissions", "/v1/imports", "/v1/model"):  # fmt: skip
        assert path in paths, path
