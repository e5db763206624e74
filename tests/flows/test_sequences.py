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
