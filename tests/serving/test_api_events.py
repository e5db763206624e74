from __future__ import annotations

import asyncio
from typing import Any

import httpx
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from leads import db
from leads.tables import Event
from tests.factories import unique_email
from tests.serving.conftest import Tenant, make_app, new_tenant


def new_lead(client: TestClient, tenant: Tenant) -> int:
    response = client.post("/v1/leads", json={"email": unique_email()}, headers=tenant.headers)
    return int(response.json()["lead"]["id"])


def events_of(engine: Engine, lead_id: int) -> int:
    with db.unit_of_work(engine) as session:
        return int(session.scalar(select(func.count()).where(Event.lead_id == lead_id)) or 0)


def test_an_event_returns_the_new_state_and_a_replay_changes_nothing(
    client: TestClient, tenant: Tenant, engine: Engine
) -> None:
    lead_id = new_lead(client, tenant)
    click = {"lead_id": lead_id, "type": "link_clicked", "payload": {"link": "https://a.co/p"}}
    states = []
    for n in range(3):
        response = client.post(
            "/v1/events", json={**click, "idempotency_key": f"k{n}"}, headers=tenant.headers
        )
        assert response.status_code == 201
        states.append((response.json()["previous_stage"], response.json()["stage"]))
    assert states == [("mql", "mql"), ("mql", "mql"), ("mql", "sql")]
    replay = client.post(
        "/v1/events", json={**click, "idempotency_key": "k2"}, headers=tenant.headers
    )
    assert replay.status_code == 200
    assert replay.json()["created"] is False
    assert replay.json()["decision"] is None
    assert events_of(engine, lead_id) == 3
    reused = client.post(
        "/v1/events",
        json={"lead_id": lead_id, "type": "email_opened", "idempotency_key": "k2"},
        headers=tenant.headers,
    )
    assert reused.status_code == 409


def test_scanner_clicks_are_stored_but_do_not_make_sql(
    client: TestClient, tenant: Tenant, engine: Engine
) -> None:
    lead_id = new_lead(client, tenant)
    for n in range(5):
        event = {"lead_id": lead_id, "type": "link_clicked", "human": 0.05,
                 "idempotency_key": f"s{n}"}  # fmt: skip
        assert (
            client.post("/v1/events", json=event, headers=tenant.headers).json()["stage"] == "mql"
        )
    assert events_of(engine, lead_id) == 5


def test_bad_events_answer_422_naming_the_field(client: TestClient, tenant: Tenant) -> None:
    lead_id = new_lead(client, tenant)
    cases = [
        ({"lead_id": lead_id, "type": "Bad Type!"}, "type"),
        ({"lead_id": lead_id, "type": "email_opened", "occurred_at": "2026-01-01T09:00"},
         "occurred_at"),
        ({"lead_id": lead_id, "type": "email_opened", "occurred_at": "2999-01-01T09:00Z"},
         "occurred_at"),
        ({"lead_id": lead_id, "type": "email_opened", "human": 3}, "human"),
        ({"lead_id": "seven", "type": "email_opened"}, "lead_id"),
        ({"type": "email_opened"}, "lead_id"),
        ({"lead_id": lead_id, "type": "email_opened", "payload": [1]}, "payload"),
    ]  # fmt: skip
    for body, field in cases:
        response = client.post("/v1/events", json=body, headers=tenant.headers)
        assert response.status_code == 422, (body, response.text)
        assert response.json()["errors"][0]["field"] == field, (body, response.json())
    assert client.post("/v1/events", json={"lead_id": 10**9, "type": "x"},
                       headers=tenant.headers).status_code == 404  # fmt: skip


def test_a_batch_with_one_bad_event_stores_nothing_and_names_it(
    client: TestClient, tenant: Tenant, engine: Engine
) -> None:
    lead_id = new_lead(client, tenant)
    good = {"lead_id": lead_id, "type": "email_opened", "idempotency_key": "b0"}
    bad = {"lead_id": lead_id, "type": "email_opened", "occurred_at": "2999-01-01T00:00Z"}
    response = client.post("/v1/events:batch", json={"events": [good, bad]}, headers=tenant.headers)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "events[1].occurred_at"
    assert events_of(engine, lead_id) == 0
    both = client.post(
        "/v1/events:batch",
        json={"events": [good, {**good, "idempotency_key": "b1"}, good]},
        headers=tenant.headers,
    )
    assert both.status_code == 200
    assert [r["created"] for r in both.json()["results"]] == [True, True, False]
    assert events_of(engine, lead_id) == 2
    metrics = client.get("/metrics").text  # the refused batch counted nothing
    assert 'leadpulse_events_total{type="email_opened"} 2.0' in metrics
    empty = client.post("/v1/events:batch", json={"events": []}, headers=tenant.headers)
    assert empty.status_code == 422


def burst(app: FastAPI, tenant: Tenant, bodies: list[dict[str, Any]]) -> list[httpx.Response]:
    """The events posted at the same moment, each on its own request."""

    async def post_all() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://leadpulse.test", headers=tenant.headers
        ) as client:
            return list(await asyncio.gather(*(client.post("/v1/events", json=b) for b in bodies)))

    return asyncio.run(post_all())


def test_events_posted_together_share_a_commit_and_each_gets_its_own_answer(
    engine: Engine, tenant: Tenant
) -> None:
    app = make_app(engine)
    with TestClient(app) as client:
        leads = [new_lead(client, tenant) for _ in range(3)]
    click = {"type": "link_clicked", "payload": {"link": "https://a.co/p"}}
    bodies = [{**click, "lead_id": leads[n % 3], "idempotency_key": f"g{n}"} for n in range(9)]
    answers = burst(app, tenant, [*bodies, bodies[4]])  # the last: a repeated delivery
    assert [a.status_code for a in answers] == [201] * 9 + [200]
    commits = TestClient(app).get("/metrics").text
    assert "leadpulse_event_group_size_count 0.0" not in commits
    counted = next(
        line for line in commits.splitlines() if line.startswith("leadpulse_event_group_size_count")
    )
    assert 1 <= float(counted.split()[-1]) < len(bodies)  # fewer commits than events
    for lead_id in leads:  # each lead's answers in order: its third click makes it SQL
        mine = [a.json() for a in answers[:9] if a.json()["lead_id"] == lead_id]
        assert [(m["previous_stage"], m["stage"]) for m in mine] == [
            ("mql", "mql"), ("mql", "mql"), ("mql", "sql"),
        ]  # fmt: skip
        assert events_of(engine, lead_id) == 3


def test_a_bad_event_in_a_group_gets_its_error_and_the_others_are_stored(
    engine: Engine, tenant: Tenant
) -> None:
    app = make_app(engine)
    with TestClient(app) as client:
        lead_id = new_lead(client, tenant)
        other_team = new_tenant(engine)
        theirs = client.post(
            "/v1/leads", json={"email": unique_email()}, headers=other_team.headers
        ).json()["lead"]["id"]
    bodies: list[dict[str, Any]] = [
        {"lead_id": lead_id, "type": "email_opened", "idempotency_key": "b1"},
        {"lead_id": theirs, "type": "email_opened", "idempotency_key": "b2"},  # not ours: 404
        {"lead_id": lead_id, "type": "email_opened", "idempotency_key": "b3"},
        {"lead_id": lead_id, "type": "link_clicked", "idempotency_key": "b1"},  # key reused: 409
    ]
    answers = burst(app, tenant, bodies)
    assert [a.status_code for a in answers] == [201, 404, 201, 409]
    assert events_of(engine, lead_id) == 2
    assert events_of(engine, theirs) == 0
    metrics = TestClient(app).get("/metrics").text
    assert 'leadpulse_events_total{type="email_opened"} 2.0' in metrics  # counted once each
