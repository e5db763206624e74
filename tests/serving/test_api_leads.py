from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from leads import db
from leads.suppression import is_suppressed, suppress
from leads.tables import Event
from tests.factories import unique_email
from tests.serving.conftest import Tenant


def create(client: TestClient, tenant: Tenant, **fields: object) -> dict:
    fields.setdefault("email", unique_email())
    response = client.post("/v1/leads", json=fields, headers=tenant.headers)
    assert response.status_code in (200, 201), response.text
    return response.json()


def test_create_answers_201_with_the_classified_lead_and_korean_fields_normalised(
    client: TestClient, tenant: Tenant
) -> None:
    body = {"email": "Minji.Kim@Acme.co.kr", "company": "에이크미", "revenue": "10억",
            "country": "대한민국", "attributes": {"plan": "trial"}}  # fmt: skip
    response = client.post("/v1/leads", json=body, headers=tenant.headers)
    assert response.status_code == 201
    written = response.json()
    lead = written["lead"]
    assert lead["id"] > 0
    assert lead["email"] == "minji.kim@acme.co.kr"
    assert lead["company"] == "에이크미"
    assert lead["country"] == "KR"
    assert lead["revenue_amount"] == 1_000_000_000
    assert lead["attributes"] == {"plan": "trial"}
    assert written["created"] is True
    assert lead["stage"] == written["decision"]["stage"] == "mql"
    assert written["decision"]["rules_only"] is True
    assert written["decision"]["reasons"][0]["rule"] == "no_engagement"


def test_the_same_person_twice_is_one_record_answered_200(
    client: TestClient, tenant: Tenant
) -> None:
    email = unique_email()
    first = create(client, tenant, email=email, company="Acme")
    again = client.post(
        "/v1/leads", json={"email": email.upper(), "title": "CTO"}, headers=tenant.headers
    )
    assert again.status_code == 200
    assert again.json()["lead"]["id"] == first["lead"]["id"]
    assert again.json()["lead"]["company"] == "Acme"
    assert again.json()["lead"]["title"] == "CTO"


def test_bad_fields_answer_422_naming_each_field(client: TestClient, tenant: Tenant) -> None:
    response = client.post(
        "/v1/leads",
        json={"email": "not-an-address", "employees": "many", "colour": "blue"},
        headers=tenant.headers,
    )
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert {"email", "colour"} <= fields
    non_object = client.post("/v1/leads", json=["x"], headers=tenant.headers)
    assert non_object.status_code == 422
    assert non_object.json()["errors"][0]["field"] == "body"


def test_every_lead_endpoint_needs_a_live_key(client: TestClient, tenant: Tenant) -> None:
    assert client.get("/v1/leads").status_code == 401
    wrong = {"Authorization": "Bearer lp_not-a-key"}
    assert client.get("/v1/leads", headers=wrong).status_code == 401
    assert client.post("/v1/leads", json={"email": unique_email()}).status_code == 401


def test_another_teams_key_gets_404_for_every_lead_endpoint(
    client: TestClient, tenant: Tenant, other: Tenant
) -> None:
    lead_id = create(client, tenant)["lead"]["id"]
    assert client.get(f"/v1/leads/{lead_id}", headers=other.headers).status_code == 404
    patched = client.patch(f"/v1/leads/{lead_id}", json={"title": "x"}, headers=other.headers)
    assert patched.status_code == 404
    assert client.delete(f"/v1/leads/{lead_id}", headers=other.headers).status_code == 404
    event = {"lead_id": lead_id, "type": "email_opened"}
    assert client.post("/v1/events", json=event, headers=other.headers).status_code == 404
    score = client.post("/v1/score", json={"lead_id": lead_id}, headers=other.headers)
    assert score.status_code == 404
    listed = client.get("/v1/leads", headers=other.headers).json()["leads"]
    assert lead_id not in [lead["id"] for lead in listed]
    assert (
        client.get(f"/v1/leads/{lead_id}", headers=tenant.headers).json()["lead"]["title"] is None
    )


def test_read_shows_timeline_history_and_lists(client: TestClient, tenant: Tenant) -> None:
    lead_id = create(client, tenant)["lead"]["id"]
    for n in range(3):
        event = {"lead_id": lead_id, "type": "link_clicked", "idempotency_key": f"c{n}",
                 "payload": {"link": f"https://x.co/{n}"}}  # fmt: skip
        assert client.post("/v1/events", json=event, headers=tenant.headers).status_code == 201
    detail = client.get(f"/v1/leads/{lead_id}", headers=tenant.headers).json()
    assert [e["type"] for e in detail["timeline"]] == ["link_clicked"] * 3
    assert detail["lead"]["stage"] == "sql"
    stages = [(h["from_value"], h["to_value"]) for h in detail["history"] if h["kind"] == "stage"]
    assert stages == [("new", "mql"), ("mql", "sql")]
    last = [h for h in detail["history"] if h["kind"] == "stage"][-1]
    assert last["actor"] == "rules"
    assert any(r["rule"] == "clicks" for r in last["reasons"]), last["reasons"]


def test_patch_changes_fields_and_reclassifies(client: TestClient, tenant: Tenant) -> None:
    lead_id = create(client, tenant)["lead"]["id"]
    response = client.patch(
        f"/v1/leads/{lead_id}", json={"industry": "software", "employees": "250"},
        headers=tenant.headers,
    )  # fmt: skip
    assert response.status_code == 200
    assert response.json()["lead"]["employees"] == 250
    bad = client.patch(f"/v1/leads/{lead_id}", json={"employees": "x"}, headers=tenant.headers)
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "employees"


def test_search_filters_and_pages_through_every_lead_once(
    client: TestClient, tenant: Tenant
) -> None:
    ids = [create(client, tenant, company=f"Page Co {n}")["lead"]["id"] for n in range(7)]
    target = create(client, tenant, company="Zebra Tiles 한국")["lead"]["id"]
    found = client.get("/v1/leads", params={"q": "zebra"}, headers=tenant.headers).json()
    assert [lead["id"] for lead in found["leads"]] == [target]
    korean = client.get("/v1/leads", params={"q": "한국"}, headers=tenant.headers).json()
    assert [lead["id"] for lead in korean["leads"]] == [target]
    seen, cursor = [], None
    while True:
        params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        page = client.get("/v1/leads", params=params, headers=tenant.headers).json()
        seen += [lead["id"] for lead in page["leads"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == sorted([*ids, target])
    mql = client.get("/v1/leads", params={"stage": "mql"}, headers=tenant.headers).json()
    assert len(mql["leads"]) == 8
    assert (
        client.get("/v1/leads", params={"stage": "hot"}, headers=tenant.headers).json()["errors"][
            0
        ]["field"]
        == "stage"
    )
    scored = client.get(
        "/v1/leads", params={"score_min": 0.5}, headers=tenant.headers
    ).json()  # rules only: no probabilities
    assert scored["leads"] == []
    assert client.get("/v1/leads", params={"limit": 0}, headers=tenant.headers).status_code == 422
    missing = client.get("/v1/leads", params={"list": "nope"}, headers=tenant.headers)
    assert missing.status_code == 404


def test_delete_erases_events_but_the_suppression_stays(
    client: TestClient, tenant: Tenant, engine: Engine
) -> None:
    email = unique_email()
    lead_id = create(client, tenant, email=email)["lead"]["id"]
    event = {"lead_id": lead_id, "type": "unsubscribed", "idempotency_key": "u1"}
    client.post("/v1/events", json=event, headers=tenant.headers)
    with db.unit_of_work(engine) as session:
        suppress(session, team_id=tenant.team_id, email=email, reason="unsubscribed")
    response = client.delete(f"/v1/leads/{lead_id}", headers=tenant.headers)
    assert response.status_code == 200
    assert response.json() == {"lead_id": lead_id, "events_deleted": 1, "suppression_kept": True}
    assert client.get(f"/v1/leads/{lead_id}", headers=tenant.headers).status_code == 404
    with db.unit_of_work(engine) as session:
        assert session.scalars(select(Event).where(Event.lead_id == lead_id)).all() == []
        assert is_suppressed(session, team_id=tenant.team_id, email=email)
    again = create(client, tenant, email=email)  # the person may come back as a new lead
    detail = client.get(f"/v1/leads/{again['lead']['id']}", headers=tenant.headers).json()
    assert detail["timeline"] == []
