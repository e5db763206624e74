from __future__ import annotations

import io

from fastapi.testclient import TestClient

from tests.factories import unique_email
from tests.serving.conftest import Tenant

FORM = {
    "name": "demo request",
    "definition": {
        "fields": [
            {"name": "email", "type": "email", "required": True, "maps_to": "email"},
            {"name": "company", "maps_to": "company"},
            {"name": "interest", "type": "select", "options": ["Product A", "Product B"]},
        ],
        "rules": [
            {"field": "interest", "equals": "Product A", "add_to_list": "product-a",
             "add_product_interest": "Product A"}
        ],
    },
}  # fmt: skip


def test_a_public_submission_with_the_form_key_routes_and_classifies(
    client: TestClient, tenant: Tenant, other: Tenant
) -> None:
    form = client.post("/v1/forms", json=FORM, headers=tenant.headers).json()
    url = f"/v1/forms/{form['id']}/submissions"
    answers = {"email": unique_email(), "company": "한빛소프트", "interest": "Product A"}
    response = client.post(url, params={"key": form["key"]}, json=answers)
    assert response.status_code == 201, response.text
    submitted = response.json()
    assert submitted["lists"] == ["product-a"]
    assert submitted["stage"] == "sql"  # explicit product interest is a team rule
    lead = client.get(f"/v1/leads/{submitted['lead_id']}", headers=tenant.headers).json()
    assert lead["lead"]["company"] == "한빛소프트"
    assert "product-a" in lead["lists"]
    assert lead["timeline"][0]["type"] == "form_submitted"

    header = client.post(url, headers={"X-Form-Key": form["key"]}, json=answers)
    assert header.status_code == 201
    assert header.json()["lead_id"] == submitted["lead_id"]

    assert client.post(url, params={"key": "forged"}, json=answers).status_code == 404
    assert client.post(url, json=answers).status_code == 404
    foreign = client.get(f"/v1/forms/{form['id']}", headers=other.headers)
    assert foreign.status_code == 404
    bad = client.post(url, params={"key": form["key"]}, json={"email": "nope"})
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "email"


def test_public_submissions_are_rate_limited_per_form_and_address(
    client: TestClient, tenant: Tenant
) -> None:
    form = client.post("/v1/forms", json=FORM, headers=tenant.headers).json()
    url = f"/v1/forms/{form['id']}/submissions"
    codes = [
        client.post(url, params={"key": form["key"]}, json={"email": unique_email()}).status_code
        for _ in range(7)
    ]
    assert codes[:5] == [201] * 5  # the test app allows 5 a minute
    assert codes[5:] == [429, 429]
    limited = client.post(url, params={"key": form["key"]}, json={"email": unique_email()})
    assert int(limited.headers["Retry-After"]) >= 1


CSV = (
    "이메일,회사명,직함,매출\n"
    "kim@hanbit.co.kr,한빛소프트,CTO,10억\n"
    "not-an-email,Broken Co,CEO,1\n"
    "lee@acme.com,Acme,VP Sales,$2M\n"
)


def test_an_import_is_previewed_then_committed_with_bad_rows_reported_by_line(
    client: TestClient, tenant: Tenant, other: Tenant
) -> None:
    files = {"file": ("leads.csv", io.BytesIO(CSV.encode()), "text/csv")}
    preview = client.post("/v1/imports", files=files, headers=tenant.headers)
    assert preview.status_code == 201, preview.text
    shown = preview.json()
    assert shown["rows"] == 3
    assert shown["mapping"]["이메일"]["target"] == "email"
    assert shown["mapping"]["회사명"]["target"] == "company"
    assert shown["sample"][0]["회사명"] == "한빛소프트"
    upload_id = shown["upload_id"]
    assert client.get(f"/v1/imports/{upload_id}", headers=other.headers).status_code == 404
    nothing_yet = client.get("/v1/leads", params={"q": "hanbit"}, headers=tenant.headers)
    assert nothing_yet.json()["leads"] == []

    committed = client.post(f"/v1/imports/{upload_id}:commit", headers=tenant.headers)
    assert committed.status_code == 200, committed.text
    report = committed.json()["report"]
    assert report["imported"] == 2
    assert [p["line"] for p in report["rejected"]] == [3]
    found = client.get("/v1/leads", params={"q": "hanbit"}, headers=tenant.headers).json()
    assert found["leads"][0]["title"] == "CTO"
    assert found["leads"][0]["stage"] == "mql"
    again = client.post(f"/v1/imports/{upload_id}:commit", headers=tenant.headers)
    assert again.status_code == 409
    status = client.get(f"/v1/imports/{upload_id}", headers=tenant.headers).json()
    assert status["status"] == "committed"


def test_an_unreadable_upload_names_the_file(client: TestClient, tenant: Tenant) -> None:
    wrong = {"file": ("leads.pdf", io.BytesIO(b"%PDF"), "application/pdf")}
    response = client.post("/v1/imports", files=wrong, headers=tenant.headers)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "file"
    empty = {"file": ("leads.csv", io.BytesIO(b""), "text/csv")}
    response = client.post("/v1/imports", files=empty, headers=tenant.headers)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "file"
    assert client.post("/v1/imports", headers=tenant.headers).status_code == 422
