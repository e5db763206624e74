"""Tracking links of real sent emails, followed through the HTTP app."""

from __future__ import annotations

import asyncio
import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from flows.outbox import claim
from leads import db
from leads.tables import Event
from tests.flows.conftest import START, World
from tests.serving.conftest import make_app

CHROME = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36"


@pytest.fixture
def client(world: World) -> TestClient:
    with TestClient(make_app(world.engine, world.champion), follow_redirects=False) as test_client:
        yield test_client  # type: ignore[misc]


def urls(world: World, address: str) -> list[str]:
    text = world.catcher.to(address)[-1].get_body(("plain",)).get_content()
    return re.findall(r"https://track\.lumen\.example(/\S+)", text)


def events(world: World, lead_id: int, kind: str) -> list[Event]:
    with db.unit_of_work(world.engine) as session:
        found = select(Event).where(Event.lead_id == lead_id, Event.type == kind)
        return list(session.scalars(found.order_by(Event.id)))


def onboarded(world: World) -> tuple[int, str]:
    lead_id = world.lead()
    world.event(lead_id, "email_opened")  # classified MQL: the onboarding campaign starts
    world.run(START + timedelta(days=1))
    address = world.state(lead_id).email or ""
    assert len(world.catcher.to(address)) == 1
    return lead_id, address


def test_clicks_redirect_only_to_the_signed_link_and_count_as_human(
    world: World, client: TestClient
) -> None:
    lead_id, address = onboarded(world)
    guide, _pricing, unsubscribe = urls(world, address)
    assert unsubscribe.startswith("/u/")
    response = client.get(guide, headers={"User-Agent": CHROME})
    assert response.status_code == 302
    assert response.headers["location"] == "https://example.com/guide"
    clicks = events(world, lead_id, "link_clicked")
    assert [(e.payload["link"], e.human) for e in clicks] == [("https://example.com/guide", 0.95)]
    assert clicks[0].payload["campaign"] == "onboarding"

    forged = guide[:-3] + ("aaa" if not guide.endswith("aaa") else "bbb")
    assert client.get(forged, headers={"User-Agent": CHROME}).status_code == 404
    other_link = re.sub(r"-c0-", "-c1-", guide)  # pointing the signature at another link
    assert client.get(other_link, headers={"User-Agent": CHROME}).status_code == 404
    assert client.get("/t/c/not-a-token").status_code == 404
    assert len(events(world, lead_id, "link_clicked")) == 1

    pixel = re.search(
        r'src="https://track\.lumen\.example(/t/o/[^"]+)"',
        world.catcher.to(address)[-1].get_body(("html",)).get_content(),
    )
    assert pixel is not None
    opened = client.get(pixel.group(1), headers={"User-Agent": CHROME})
    assert opened.headers["content-type"] == "image/gif"
    assert events(world, lead_id, "email_opened")[-1].source == "tracking"


def test_scanner_clicks_are_recorded_but_do_not_make_sql(world: World, client: TestClient) -> None:
    lead_id, address = onboarded(world)
    guide, pricing, _unsubscribe = urls(world, address)
    for _ in range(3):
        client.head(guide, headers={"User-Agent": CHROME})
        client.get(pricing, headers={"User-Agent": "Mozilla/5.0 Barracuda Sentinel"})
    scanner = events(world, lead_id, "link_clicked")
    assert len(scanner) == 6
    assert max(e.human or 0 for e in scanner) < 0.5
    assert world.state(lead_id).stage == "mql"
    assert world.state(lead_id).flow_state == "campaign"
    for _ in range(3):
        client.get(pricing, headers={"User-Agent": CHROME})
    assert world.state(lead_id).stage == "sql"  # three human clicks: the team's threshold
    assert world.state(lead_id).flow_state == "sequence"


def test_unsubscribe_asks_then_stops_everything_even_a_claimed_step(
    world: World, client: TestClient
) -> None:
    lead_id, address = onboarded(world)
    _guide, _pricing, unsubscribe = urls(world, address)
    page = client.get(unsubscribe)
    assert page.status_code == 200
    assert "<form" in page.text
    assert not events(world, lead_id, "unsubscribed")  # a GET never unsubscribes

    world.clock.advance(timedelta(days=3))  # the campaign's second step is due
    with db.unit_of_work(world.engine) as session:
        claimed = claim(
            session, worker="test-worker", now=world.clock.now(), limit=10,
            lease=timedelta(minutes=5), team_id=world.team_id,
        )  # fmt: skip
    assert claimed
    one_click = client.post(unsubscribe, data={"List-Unsubscribe": "One-Click"})
    assert one_click.status_code == 200
    assert "unsubscribed" in one_click.text
    outcomes = [asyncio.run(world.sender.deliver(item_id)) for item_id in claimed]
    assert outcomes == ["cancelled"] * len(claimed)
    world.run(world.clock.now() + timedelta(days=30))
    assert len(world.catcher.to(address)) == 1
    assert world.state(lead_id).flow_state == "suppressed"
    with db.unit_of_work(world.engine) as session:
        recorded = select(func.count()).where(
            Event.lead_id == lead_id, Event.type == "unsubscribed"
        )
        assert session.scalar(recorded) == 1
    assert client.post(unsubscribe[:-2] + "zz").status_code == 404
