"""How flows start and stop: lists, colleagues, caps, recycling."""

from __future__ import annotations

import itertools
from datetime import timedelta

from flows.definitions import create_flow
from flows.engine import place
from flows.replies import handle_inbound
from leads import db
from leads.lists import create_list
from leads.tables import Lead, Team
from leads.teams import update_settings
from tests.flows.conftest import START, World
from tests.flows.test_replies import answer
from tests.flows.test_sequences import make_sql

WEBINAR_FOLLOW_UP = {
    "trigger": {"list": "signed up"},
    "campaign": "trial",
    "steps": [{"action": "onboarding_content", "subject": "Your trial", "body": "Start here"}],
}  # fmt: skip


def test_entering_a_list_starts_the_flow_it_triggers(world: World) -> None:
    with db.unit_of_work(world.engine) as session:
        create_flow(
            session, team_id=world.team_id, name="Trial", kind="campaign",
            definition=WEBINAR_FOLLOW_UP,
        )  # fmt: skip
        create_list(
            session, team_id=world.team_id, name="signed up", kind="dynamic",
            definition={"events": {"type": "api_event", "payload": {"action": "signup"}},
                        "op": ">=", "value": 1},
        )  # fmt: skip
    lead_id = world.lead()
    world.event(lead_id, "email_opened")  # MQL: the onboarding campaign
    outcome = world.event(lead_id, "api_event", action="signup")
    assert [c.list_name for c in outcome.list_changes if c.entered] == ["signed up"]
    world.run(START + timedelta(days=1))
    subjects = [m["Subject"] for m in world.catcher.to(world.state(lead_id).email or "")]
    assert subjects == ["Your trial"]


def test_a_colleagues_reply_stops_the_sequence_when_the_team_says_so(world: World) -> None:
    with db.unit_of_work(world.engine) as session:
        team = session.get_one(Team, world.team_id)
        update_settings(session, team=team, changes={"stop_on_colleague_reply": True})
    first = world.lead(domain="sameco.example", company="SameCo")
    second = world.lead(domain="sameco.example", company="SameCo")
    for lead_id in (first, second):
        make_sql(world, lead_id)
    world.run(START + timedelta(days=1))
    proposal = world.catcher.to(world.state(first).email or "")[0]
    with db.unit_of_work(world.engine) as session:
        handled = handle_inbound(
            session, raw=answer(proposal, "Let's talk").as_bytes(), champion=world.champion,
            now=world.clock.now(),
        )  # fmt: skip
    assert handled.matched
    world.run(START + timedelta(days=12))
    assert len(world.catcher.to(world.state(second).email or "")) == 1  # stopped too
    cancelled = [i for i in world.outbox(second) if i.payload["flow"] == "sequence"]
    assert "colleague" in (cancelled[-1].last_error or "")


def test_campaign_and_nurture_emails_respect_the_weekly_cap(world: World) -> None:
    with db.unit_of_work(world.engine) as session:
        team = session.get_one(Team, world.team_id)
        update_settings(session, team=team, changes={"max_emails_per_week": 1})
        create_flow(
            session, team_id=world.team_id, name="Daily", kind="campaign",
            definition={"trigger": {"list": "daily"}, "campaign": "daily", "steps": [
                {"action": "onboarding_content", "delay": {"days": 1}, "subject": f"Day {n}",
                 "body": "More"} for n in range(4)]},
        )  # fmt: skip
        attended = {"events": {"type": "webinar_attended"}, "op": ">=", "value": 1}
        create_list(
            session, team_id=world.team_id, name="daily", kind="dynamic", definition=attended
        )
    lead_id = world.lead()
    world.event(lead_id, "webinar_attended", minutes=40)
    world.run(START + timedelta(days=9))
    sent = world.catcher.to(world.state(lead_id).email or "")
    days = [m["Date"].datetime for m in sent]
    assert len(sent) >= 2
    assert all(b - a >= timedelta(days=6) for a, b in itertools.pairwise(days))


def test_place_recycles_a_lead_without_a_flow(world: World) -> None:
    lead_id = world.lead()
    with db.unit_of_work(world.engine) as session:
        team = session.get_one(Team, world.team_id)
        lead = session.get_one(Lead, lead_id)
        lead.stage = "sql"
        assert place(session, team=team, lead=lead, now=world.clock.now())
        assert lead.flow_state == "sequence"
        assert not place(session, team=team, lead=lead, now=world.clock.now())  # already placed
