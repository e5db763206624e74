"""Booking a meeting from a sequence email, and from an outside scheduler."""

from __future__ import annotations

import re
from datetime import timedelta

from fastapi.testclient import TestClient

from flows.meetings import booking_token
from leads import db
from leads.tables import Team, utcnow
from leads.teams import issue_key, signing_key
from tests.flows.conftest import World
from tests.flows.test_sequences import make_sql
from tests.serving.conftest import make_app


def page_of(world: World, lead_id: int) -> str:
    with db.unit_of_work(world.engine) as session:
        key = signing_key(session, team=session.get_one(Team, world.team_id))
    return f"/meet/{booking_token(key, team_id=world.team_id, lead_id=lead_id)}"


def test_booking_a_free_slot_stops_the_sequence_and_sends_an_invite(world: World) -> None:
    lead_id = world.lead(first_name="Hana", language="ko")
    make_sql(world, lead_id)
    world.clock.set(utcnow())
    with TestClient(make_app(world.engine, world.champion)) as client:
        page = client.get(page_of(world, lead_id))
        assert page.status_code == 200
        assert "미팅 예약" in page.text  # the lead's language
        slots = re.findall(r'name="slot" value="([^"]+)"', page.text)
        assert len(slots) >= 10
        booked = client.post(page_of(world, lead_id), data={"slot": slots[0]})
        assert booked.status_code == 200, booked.text
        assert "예약 완료" in booked.text
        again = client.get(page_of(world, lead_id))
        assert slots[0] not in again.text  # taken
        taken = client.post(page_of(world, lead_id), data={"slot": slots[0]})
        assert taken.status_code == 422
        assert client.get(page_of(world, lead_id)[:-3] + "xyz").status_code == 404
    assert world.state(lead_id).flow_state == "meeting"
    world.run(world.clock.now() + timedelta(minutes=30))
    sent = world.catcher.to(world.state(lead_id).email or "")
    invite = [m for m in sent if m.get_content_type() == "multipart/mixed"]
    assert len(invite) == 1
    calendar = next(p for p in invite[0].iter_attachments())
    assert calendar.get_content_type() == "text/calendar"
    assert "METHOD:REQUEST" in calendar.get_content()
    world.run(world.clock.now() + timedelta(days=10))
    assert len(world.catcher.to(world.state(lead_id).email or "")) == len(sent)  # flows stopped


def test_a_scheduler_webhook_books_once(world: World) -> None:
    lead_id = world.lead()
    email = world.state(lead_id).email
    with db.unit_of_work(world.engine) as session:
        key = issue_key(session, team=session.get_one(Team, world.team_id))
    headers = {"Authorization": f"Bearer {key}"}
    body = {"email": email, "starts_at": "2026-12-01T05:00:00Z", "source": "calendly",
            "external_id": "evt-1"}  # fmt: skip
    with TestClient(make_app(world.engine, world.champion)) as client:
        first = client.post("/v1/meetings", json=body, headers=headers)
        again = client.post("/v1/meetings", json=body, headers=headers)
        assert first.status_code == again.status_code == 201
        assert first.json()["meeting_id"] == again.json()["meeting_id"]
        assert first.json()["flow_state"] == "meeting"
        missing = client.post("/v1/meetings", json={**body, "email": "nobody@x.example"},
                              headers=headers)  # fmt: skip
        assert missing.status_code == 404
        bad = client.post("/v1/meetings", json={"starts_at": "soon"}, headers=headers)
        assert bad.status_code == 422
    assert len(world.events(lead_id, "meeting_booked")) == 1
