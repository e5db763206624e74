from __future__ import annotations

from fastapi.testclient import TestClient

from tests.factories import unique_email
from tests.serving.conftest import Tenant

GUIDE = {"slug": "getting-started", "kind": "onboarding", "title": "Getting started",
         "url": "https://example.com/guide", "summary": "Five steps to the first flow"}  # fmt: skip


def test_the_content_library_is_per_team_and_checked(
    client: TestClient, tenant: Tenant, other: Tenant
) -> None:
    assert client.post("/v1/content", json=GUIDE, headers=tenant.headers).status_code == 201
    assert client.post("/v1/content", json=GUIDE, headers=tenant.headers).status_code == 409
    bad = client.post("/v1/content", json={**GUIDE, "url": "not a url"}, headers=tenant.headers)
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "url"
    assert [c["slug"] for c in client.get("/v1/content", headers=tenant.headers).json()] == [
        "getting-started"
    ]
    assert client.get("/v1/content", headers=other.headers).json() == []


def test_a_company_description_is_written_from_the_record_and_editable(
    client: TestClient, tenant: Tenant, other: Tenant
) -> None:
    lead = client.post(
        "/v1/leads",
        json={"email": unique_email(), "company": "한빛소프트", "industry": "software",
              "country": "KR", "employees": "250", "language": "ko",
              "product_interests": ["Product A"]},
        headers=tenant.headers,
    ).json()["lead"]  # fmt: skip
    url = f"/v1/leads/{lead['id']}/description"
    written = client.post(url, headers=tenant.headers).json()["description"]
    assert '"한빛소프트"' in written
    assert "250" in written
    assert "Product A" in written
    assert client.post(url, headers=other.headers).status_code == 404
    edited = client.put(url, json={"text": "게임 엔진을 만드는 회사"}, headers=tenant.headers)
    assert edited.json() == {"description": "게임 엔진을 만드는 회사"}
    detail = client.get(f"/v1/leads/{lead['id']}", headers=tenant.headers).json()
    assert detail["lead"]["attributes"]["ai_description"] == "게임 엔진을 만드는 회사"
    empty = client.put(url, json={"text": ""}, headers=tenant.headers)
    assert empty.status_code == 422
