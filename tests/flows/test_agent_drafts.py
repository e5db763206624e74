"""The agent as the worker's draft provider (a scripted model at the seam)."""

from __future__ import annotations

from datetime import timedelta

from agents.settings import AgentSettings
from leads import db
from leads.tables import Team
from leads.teams import update_settings
from serving.agent_drafts import AgentDrafts
from tests.agents.test_agent import ScriptedChatModel, written
from tests.flows.conftest import START, World
from tests.flows.test_review import pending
from tests.flows.test_sequences import make_sql

PLAIN = {"subject": "A short call", "opening": "Thank you for reading our emails.",
         "paragraphs": ["Would a short call next week suit you?"], "facts_used": []}  # fmt: skip


def agent(world: World, *replies: dict[str, object]) -> AgentDrafts:
    drafts = AgentDrafts(world.champion, AgentSettings(llm="offline"))
    drafts._model = ScriptedChatModel(replies=[written(**reply) for reply in replies])
    world.sender.drafts = drafts
    return drafts


def test_agent_drafts_wait_for_review_unless_the_team_auto_sends_the_flow(world: World) -> None:
    agent(world, PLAIN, PLAIN, PLAIN)  # one held proposal; a proposal and a reminder sent
    held = world.lead(company="Held Co")
    make_sql(world, held)
    world.run(START + timedelta(days=1))
    [draft] = pending(world, held)
    assert draft.subject == "A short call"
    assert draft.provider.startswith("offline:")
    assert draft.checks["passed"] is True
    assert draft.context["policy_action"] == "meeting_proposal"
    assert world.catcher.to(world.state(held).email or "") == []

    with db.unit_of_work(world.engine) as session:
        team = session.get_one(Team, world.team_id)
        update_settings(session, team=team, changes={"auto_send": ["sequence"]})
    sent = world.lead(company="Auto Co")
    make_sql(world, sent)
    world.run(world.clock.now() + timedelta(days=3))
    emails = world.catcher.to(world.state(sent).email or "")
    assert [m["Subject"] for m in emails] == ["A short call", "A short call"]
    email = emails[0]
    assert "next week suit you" in email.get_body(("plain",)).get_content()


def test_a_draft_that_fails_its_checks_is_never_sent_automatically(world: World) -> None:
    # The small model's schema cannot even spell a number; an invented customer it can.
    invented = {**PLAIN, "paragraphs": ["Globex Industries doubled its meetings with us."]}
    agent(world, invented, invented)
    with db.unit_of_work(world.engine) as session:
        team = session.get_one(Team, world.team_id)
        update_settings(session, team=team, changes={"auto_send": ["sequence"]})
    lead_id = world.lead(company="Tempted Co")
    make_sql(world, lead_id)
    world.run(START + timedelta(days=1))
    [draft] = pending(world, lead_id)
    assert draft.checks["passed"] is False
    assert any("Globex" in failure for failure in draft.checks["failures"])
    assert world.catcher.to(world.state(lead_id).email or "") == []
