from __future__ import annotations

from fastapi.testclient import TestClient

from tests.factories import unique_email
from tests.serving.conftest import Tenant

SEQUENCE = {
    "name": "Sales sequence",
    "kind": "sequence",
    "definition": {
        "trigger": {"stage": "sql"},
        "steps": [
            {"action": "meeting_proposal", "subject": "Hello {{ lead.company }}", "body": "Talk?"},
            {"action": "reminder", "delay": {"business_days": 2}, "subject": "Reminder",
             "body": "Still keen?"},
        ],
    },
}  # fmt: skip
YAML = """
- name: Onboarding
  kind: campaign
  definition:
    trigger: {stage: mql}
    steps:
      - {action: onboarding_content, subject: "환영합니다", body: "가이드: https://example.com/ko"}
- name: Newsletter
  kind: nurture
  definition:
    repeat: true
    steps:
      - {action: nurture_newsletter, delay: {days: 14}, subject: News, body: "https://example.com"}
"""


def test_flows_are_created_imported_checked_and_scoped(
    client: TestClient, tenant: Tenant, other: Tenant
) -> None:
    created = client.post("/v1/flows", json=SEQUENCE, headers=tenant.headers)
    assert created.status_code == 201, created.text
    imported = client.post("/v1/flows:import", content=YAML.encode(), headers=tenant.headers)
    assert imported.status_code == 201, imported.text
    assert [f["name"] for f in imported.json()] == ["Onboarding", "Newsletter"]
    listed = client.get("/v1/flows", headers=tenant.headers).json()
    assert [f["kind"] for f in listed] == ["sequence", "campaign", "nurture"]
    assert client.get("/v1/flows", headers=other.headers).json() == []

    bad_delay = {
        **SEQUENCE,
        "name": "x",
        "definition": {
            **SEQUENCE["definition"],
            "steps": [
                {"action": "reminder", "delay": {"business_days": -1}, "subject": "s", "body": "b"}
            ],
        },
    }
    response = client.post("/v1/flows", json=bad_delay, headers=tenant.headers)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "definition.steps[0].delay.business_days"
    bad_template = {
        **SEQUENCE,
        "name": "y",
        "definition": {
            **SEQUENCE["definition"],
            "steps": [{"action": "reminder", "subject": "{{ lead.company ", "body": "b"}],
        },
    }
    response = client.post("/v1/flows", json=bad_template, headers=tenant.headers)
    assert response.json()["errors"][0]["field"] == "definition.steps[0].subject"
    duplicate = client.post("/v1/flows", json=SEQUENCE, headers=tenant.headers)
    assert duplicate.status_code == 409
    broken = client.post("/v1/flows:import", content=b"- name: [", headers=tenant.headers)
    assert broken.status_code == 422
    assert broken.json()["errors"][0]["field"] == "file"
    flow_id = created.json()["id"]
    off = client.patch(f"/v1/flows/{flow_id}", json={"active": False}, headers=other.headers)
    assert off.status_code == 404
    off = client.patch(f"/v1/flows/{flow_id}", json={"active": False}, headers=tenant.headers)
    assert off.json()["active"] is False


def test_the_preview_gives_each_steps_time_in_the_leads_zone(
    client: TestClient, tenant: Tenant
) -> None:
    flow_id = client.post("/v1/flows", json=SEQUENCE, headers=tenant.headers).json()["id"]
    times = {}
    for zone in ("Asia/Seoul", "America/Los_Angeles"):
        lead = client.post(
            "/v1/leads", json={"email": unique_email(), "timezone": zone}, headers=tenant.headers
        ).json()["lead"]
        preview = client.get(
            f"/v1/flows/{flow_id}/preview",
            params={"lead_id": lead["id"], "start": "2026-12-04T20:00:00Z"},  # a Friday
            headers=tenant.headers,
        ).json()
        assert preview["timezone"] == zone
        times[zone] = [s["local"] for s in preview["steps"]]
    # Saturday 05:00 in Seoul: the proposal waits for Monday 09:00, the reminder two business
    # days later. Friday 12:00 in Los Angeles: inside the window, sent at once.
    assert times["Asia/Seoul"] == ["2026-12-07T09:00:00+09:00", "2026-12-09T09:00:00+09:00"]
    assert times["America/Los_Angeles"] == [
        "2026-12-04T12:00:00-08:00",
        "2026-12-08T12:00:00-08:00",
    ]
    naive = client.get(
        f"/v1/flows/{flow_id}/preview", params={"lead_id": 1, "start": "2026-12-04T20:00"},
        headers=tenant.headers,
    )  # fmt: skip
    assert naive.status_code == 422
