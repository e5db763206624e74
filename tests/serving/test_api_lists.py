"""Dynamic lists through the API: each example of the product fills and empties itself."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from leads import db
from leads.documents import PageSpec, create_document
from tests.factories import unique_email
from tests.serving.conftest import Tenant

EXAMPLES = {
    "clicked the last campaign twice": {
        "events": {"type": "link_clicked", "campaign": "@last"}, "op": ">=", "value": 2},
    "replied to a sequence": {
        "events": {"type": "email_replied", "payload": {"flow": "sequence"}}, "op": ">=",
        "value": 1},
    "pricing link 3 times": {
        "events": {"type": "link_clicked", "per": "link"}, "op": ">=", "value": 3},
    "meeting booked": {"events": {"type": "meeting_booked"}, "op": ">=", "value": 1},
    "signed up": {
        "events": {"type": "api_event", "payload": {"action": "signup"}}, "op": ">=", "value": 1},
    "quiet for 30 days": {
        "events": {"types": ["email_opened", "link_clicked", "email_replied", "doc_viewed",
                             "page_dwell", "meeting_booked", "form_submitted"],
                   "within_days": 30}, "op": "<=", "value": 0},
    "read the deck": {"read_depth": {"document": "deck"}, "op": ">", "value": 0.8},
    "hot and signed up": {"all": [{"in_list": "signed up"}, {"field": "stage", "op": "==",
                                                             "value": "sql"}]},
}  # fmt: skip


def make_lists(client: TestClient, tenant: Tenant) -> dict[str, int]:
    ids = {}
    for name, definition in EXAMPLES.items():
        response = client.post(
            "/v1/lists", json={"name": name, "definition": definition}, headers=tenant.headers
        )
        assert response.status_code == 201, response.text
        ids[name] = response.json()["list"]["id"]
    return ids


def lists_of(client: TestClient, tenant: Tenant, lead_id: int) -> set[str]:
    return set(client.get(f"/v1/leads/{lead_id}", headers=tenant.headers).json()["lists"])


def post(client: TestClient, tenant: Tenant, lead_id: int, kind: str, key: str, **payload: object):  # type: ignore[no-untyped-def]
    body = {"lead_id": lead_id, "type": kind, "idempotency_key": f"{lead_id}-{key}",
            "payload": payload}  # fmt: skip
    response = client.post("/v1/events", json=body, headers=tenant.headers)
    assert response.status_code == 201, response.text
    return response.json()


def test_each_example_list_fills_as_events_arrive(
    client: TestClient, tenant: Tenant, engine: Engine
) -> None:
    with db.unit_of_work(engine) as session:
        create_document(
            session, team_id=tenant.team_id, slug="deck", title="Product deck",
            pages=[PageSpec(title=f"p{n}") for n in range(1, 6)],
        )  # fmt: skip
    make_lists(client, tenant)
    lead = client.post("/v1/leads", json={"email": unique_email()}, headers=tenant.headers)
    lead_id = lead.json()["lead"]["id"]
    assert lists_of(client, tenant, lead_id) == {"quiet for 30 days"}

    post(client, tenant, lead_id, "email_sent", "s1", campaign="spring")
    first = post(
        client, tenant, lead_id, "link_clicked", "c1", campaign="spring", link="https://a/p"
    )
    assert [c["list"] for c in first["list_changes"] if not c["entered"]] == ["quiet for 30 days"]
    second = post(
        client, tenant, lead_id, "link_clicked", "c2", campaign="spring", link="https://a/p"
    )
    entered = {c["list"] for c in second["list_changes"] if c["entered"]}
    assert entered == {"clicked the last campaign twice"}
    post(client, tenant, lead_id, "email_sent", "s2", campaign="summer")
    assert "clicked the last campaign twice" not in lists_of(client, tenant, lead_id)
    third = post(
        client, tenant, lead_id, "link_clicked", "c3", campaign="summer", link="https://a/p"
    )
    assert {c["list"] for c in third["list_changes"] if c["entered"]} == {"pricing link 3 times"}
    assert third["stage"] == "sql"

    post(client, tenant, lead_id, "email_replied", "r1", flow="nurture")
    assert "replied to a sequence" not in lists_of(client, tenant, lead_id)
    post(client, tenant, lead_id, "email_replied", "r2", flow="sequence")
    post(client, tenant, lead_id, "api_event", "a1", action="signup")
    post(client, tenant, lead_id, "meeting_booked", "m1")
    for page in range(1, 5):
        post(client, tenant, lead_id, "page_dwell", f"d{page}", document="deck", page=page,
             seconds=30)  # fmt: skip
    assert "read the deck" not in lists_of(client, tenant, lead_id)  # 4 of 5 pages = 80%
    post(client, tenant, lead_id, "page_dwell", "d5", document="deck", page=5, seconds=30)
    assert lists_of(client, tenant, lead_id) == {
        "pricing link 3 times", "replied to a sequence", "signed up", "meeting booked",
        "read the deck", "hot and signed up",
    }  # fmt: skip
    timeline = client.get(f"/v1/leads/{lead_id}", headers=tenant.headers).json()["timeline"]
    assert {"list_entered", "list_left"} <= {e["type"] for e in timeline}


def test_lists_are_checked_scoped_and_rebuilt(
    client: TestClient, tenant: Tenant, other: Tenant
) -> None:
    bad = client.post(
        "/v1/lists",
        json={
            "name": "bad",
            "definition": {"all": [{"field": "stage", "op": "==", "value": "hot"}]},
        },
        headers=tenant.headers,
    )
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"].startswith("definition.all[0]")
    unknown = client.post(
        "/v1/lists", json={"name": "x", "definition": {"in_list": "nope"}}, headers=tenant.headers
    )
    assert unknown.status_code == 422
    lead_ids = [
        client.post("/v1/leads", json={"email": unique_email()}, headers=tenant.headers).json()[
            "lead"
        ]["id"]
        for _ in range(3)
    ]
    made = client.post(
        "/v1/lists",
        json={"name": "everyone mql", "definition": {"field": "stage", "op": "==", "value": "mql"}},
        headers=tenant.headers,
    )
    assert made.json()["entered"] == 3, made.json()
    list_id = made.json()["list"]["id"]
    assert client.get(f"/v1/lists/{list_id}", headers=other.headers).status_code == 404
    assert client.post(f"/v1/lists/{list_id}:rebuild", headers=other.headers).status_code == 404
    members = client.get(f"/v1/lists/{list_id}", headers=tenant.headers).json()
    assert members["lead_ids"] == lead_ids
    redefined = client.put(
        f"/v1/lists/{list_id}/definition",
        json={"field": "stage", "op": "==", "value": "sql"},
        headers=tenant.headers,
    )
    assert redefined.json()["left"] == 3
    rebuilt = client.post(f"/v1/lists/{list_id}:rebuild", headers=tenant.headers)
    assert rebuilt.json() == {**rebuilt.json(), "entered": 0, "left": 0}

    static = client.post("/v1/lists", json={"name": "vip"}, headers=tenant.headers).json()
    static_id = static["list"]["id"]
    put = client.put(f"/v1/lists/{static_id}/members/{lead_ids[0]}", headers=tenant.headers)
    assert put.status_code == 204
    assert client.get(f"/v1/lists/{static_id}", headers=tenant.headers).json()["lead_ids"] == [
        lead_ids[0]
    ]
    foreign = client.put(f"/v1/lists/{static_id}/members/{lead_ids[1]}", headers=other.headers)
    assert foreign.status_code == 404
    dynamic_add = client.put(f"/v1/lists/{list_id}/members/{lead_ids[1]}", headers=tenant.headers)
    assert dynamic_add.status_code == 422
    listed = client.get("/v1/lists", headers=tenant.headers).json()
    assert {(item["name"], item["size"]) for item in listed} == {("everyone mql", 0), ("vip", 1)}


def test_time_passing_moves_leads_in_lists_with_windows(client: TestClient, tenant: Tenant) -> None:
    import time
    from datetime import UTC, datetime, timedelta

    from serving.app import refresh_timed_lists

    quiet = {"events": {"type": "link_clicked", "within_days": 30}, "op": "<=", "value": 0}
    made = client.post(
        "/v1/lists", json={"name": "quiet", "definition": quiet}, headers=tenant.headers
    ).json()
    lead_id = client.post(
        "/v1/leads", json={"email": unique_email()}, headers=tenant.headers
    ).json()["lead"]["id"]
    clicked = (datetime.now(UTC) - timedelta(days=30) + timedelta(seconds=1)).isoformat()
    event = {"lead_id": lead_id, "type": "link_clicked", "occurred_at": clicked}
    client.post("/v1/events", json=event, headers=tenant.headers)
    members = f"/v1/lists/{made['list']['id']}"
    assert lead_id not in client.get(members, headers=tenant.headers).json()["lead_ids"]
    service = client.app.state.service  # type: ignore[attr-defined]
    time.sleep(1.5)  # the click leaves the 30-day window
    assert refresh_timed_lists(service) >= 1
    assert lead_id in client.get(members, headers=tenant.headers).json()["lead_ids"]
