from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from tests.flows.conftest import START, World

SEOUL = ZoneInfo("Asia/Seoul")


def make_sql(world: World, lead_id: int) -> None:
    for n in range(3):
        outcome = world.event(lead_id, "link_clicked", link=f"https://example.com/{n}")
    assert outcome.lead.stage == "sql"


def test_a_sequence_proposes_reminds_twice_and_stops_on_reply(world: World) -> None:
    lead_id = world.lead(first_name="Minji", company="Hanbit")
    make_sql(world, lead_id)
    assert world.state(lead_id).flow_state == "sequence"
    world.run(START + timedelta(days=12))
    sent = world.catcher.messages
    assert [m["Subject"] for m in sent] == [
        "Hanbit x " + world.state(lead_id).company and sent[0]["Subject"],
        "Re: Hanbit",
        "Last note",
    ]
    local = [m["Date"].datetime.astimezone(SEOUL) for m in sent]
    assert [t.strftime("%a %H") for t in local] == ["Mon 09", "Wed 09", "Mon 09"]
    assert all(9 <= t.hour < 17 and t.weekday() < 5 for t in local)
    assert "/t/c/" in sent[0].get_body(("plain",)).get_content()  # the booking link, tracked
    assert "/meet/" in world.messages(lead_id)[0].links[0]
    # Three business days after the last step with no meeting: back to nurture, not dropped.
    assert world.state(lead_id).flow_state == "nurture"

    other = world.lead(company="Quiet Co")
    make_sql(world, other)
    world.run(world.clock.now() + timedelta(days=3))  # Saturday: the proposal waits for Monday
    assert len(world.catcher.to(world.state(other).email or "")) == 1
    world.event(other, "email_replied", text="Sounds good, call me")
    world.run(world.clock.now() + timedelta(days=10))
    assert len(world.catcher.to(world.state(other).email or "")) == 1
    rows = [(item.payload["flow"], item.status) for item in world.outbox(other)]
    # The first click made it MQL (onboarding campaign), the third SQL (the campaign stopped).
    assert rows == [("campaign", "cancelled"), ("sequence", "sent"), ("sequence", "cancelled")]
    assert world.state(other).flow_state == "sequence"


def test_a_permanent_smtp_refusal_suppresses_and_a_temporary_one_retries(world: World) -> None:
    gone, busy = world.lead(company="Gone"), world.lead(company="Busy")
    world.catcher.refuse[world.state(gone).email or ""] = "550 5.1.1 no such user"
    world.catcher.refuse[world.state(busy).email or ""] = "451 4.7.1 try again later"
    for lead_id in (gone, busy):
        make_sql(world, lead_id)
    world.run(START + timedelta(days=1))
    assert world.state(gone).flow_state == "suppressed"
    assert world.events(gone, "bounced")[0].payload["permanent"] is True
    retrying = [item for item in world.outbox(busy) if item.payload["flow"] == "sequence"]
    assert retrying[0].status == "pending"
    assert retrying[0].attempts >= 2
    assert "451" in (retrying[0].last_error or "")
    del world.catcher.refuse[world.state(busy).email or ""]
    world.run(world.clock.now() + timedelta(days=1))
    assert len(world.catcher.to(world.state(busy).email or "")) == 1
    world.run(world.clock.now() + timedelta(days=10))
    assert world.catcher.to(world.state(gone).email or "") == []


def test_an_mql_campaign_hands_a_clicking_lead_to_the_sales_sequence(world: World) -> None:
    lead_id = world.lead(company="Curious")
    world.event(lead_id, "email_opened")
    assert world.state(lead_id).flow_state == "campaign"
    world.run(START + timedelta(days=1))
    address = world.state(lead_id).email or ""
    assert [m["Subject"] for m in world.catcher.to(address)] == ["Getting started"]
    for n in range(3):
        world.event(lead_id, "link_clicked", link=f"https://example.com/guide{n}")
    assert world.state(lead_id).flow_state == "sequence"
    world.run(world.clock.now() + timedelta(days=1))
    assert [m["Subject"] for m in world.catcher.to(address)] == [
        "Getting started",
        "Curious x " + world.team_name,
    ]
