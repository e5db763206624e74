"""A step whose draft needs review waits for the reviewer, then goes out (or is skipped)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from flows.drafts import Draft, StepContext, TemplateDrafts
from flows.review import approve, get_draft, reject
from leads import db
from leads.flow_tables import EmailDraft
from leads.history import history_of
from leads.tables import Lead
from tests.flows.conftest import START, World
from tests.flows.test_sequences import make_sql


class ReviewedDrafts:
    """Templates, but every sequence email waits for a reviewer."""

    def draft(self, session: Session, context: StepContext) -> Draft:
        written = TemplateDrafts().draft(session, context)
        return replace(written, needs_review=context.flow.kind == "sequence", source="scripted")


def pending(world: World, lead_id: int) -> list[EmailDraft]:
    with db.unit_of_work(world.engine) as session:
        found = select(EmailDraft).where(
            EmailDraft.lead_id == lead_id, EmailDraft.status == "pending"
        )
        return list(session.scalars(found))


def test_a_held_step_goes_out_as_edited_and_a_rejected_one_is_skipped(world: World) -> None:
    world.sender.drafts = ReviewedDrafts()
    lead_id = world.lead(company="Reviewed")
    make_sql(world, lead_id)
    world.run(START + timedelta(days=3))
    address = world.state(lead_id).email or ""
    assert world.catcher.to(address) == []
    [held] = pending(world, lead_id)
    assert held.provider == "scripted"
    assert [i.status for i in world.outbox(lead_id) if i.payload["flow"] == "sequence"] == ["held"]

    with db.unit_of_work(world.engine) as session:
        draft = get_draft(session, team_id=world.team_id, draft_id=held.id)
        approve(session, draft=draft, reviewer="minji@lumen.example", now=world.clock.now(),
                body="Edited by a person: could we talk on Thursday?")  # fmt: skip
    world.run(world.clock.now() + timedelta(days=1))
    [sent] = world.catcher.to(address)
    assert "Edited by a person" in sent.get_body(("plain",)).get_content()

    world.run(world.clock.now() + timedelta(days=4))  # the first reminder is drafted and held
    [reminder] = pending(world, lead_id)
    with db.unit_of_work(world.engine) as session:
        draft = get_draft(session, team_id=world.team_id, draft_id=reminder.id)
        reject(session, draft=draft, reviewer="minji@lumen.example", reason="too pushy",
               now=world.clock.now())  # fmt: skip
        history = history_of(session, lead=session.get_one(Lead, lead_id))
    decisions = [(h.to_value, h.actor) for h in history if h.kind == "draft"]
    assert decisions == [("edited", "minji@lumen.example"), ("rejected", "minji@lumen.example")]
    statuses = [i.status for i in world.outbox(lead_id) if i.payload["flow"] == "sequence"]
    assert statuses == ["sent", "cancelled", "pending"]  # the flow moved on to the last step
