"""The sender's two phases: each email sent in its own transaction, the sends booked after."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta

from sqlalchemy.orm import Session

from flows.drafts import Draft, StepContext, TemplateDrafts
from flows.outbox import claim
from leads import db
from leads.flow_tables import OutboxItem
from leads.suppression import suppress
from leads.tables import Lead
from tests.flows.conftest import World
from tests.flows.test_sequences import make_sql

LEASE = timedelta(minutes=5)


def due_proposal(world: World, company: str) -> tuple[int, str]:
    """A lead made SQL, its sequence's first email due now."""
    lead_id = world.lead(company=company)
    make_sql(world, lead_id)
    world.clock.advance(timedelta(hours=2))  # inside the send window
    return lead_id, world.state(lead_id).email or ""


def sequence_rows(world: World, lead_id: int) -> list[OutboxItem]:
    return [item for item in world.outbox(lead_id) if item.payload["flow"] == "sequence"]


def received(world: World, address: str) -> int:
    """Messages the SMTP server took for exactly this address."""
    return sum(m["To"].addresses[0].addr_spec == address for m in world.catcher.messages)


def claimed(world: World, worker: str) -> list[int]:
    with db.unit_of_work(world.engine) as session:
        return claim(
            session, worker=worker, now=world.clock.now(), limit=10, lease=LEASE,
            team_id=world.team_id,
        )  # fmt: skip


def test_rows_a_killed_worker_left_accepted_are_booked_by_the_next_and_never_sent_again(
    world: World,
) -> None:
    lead_id, address = due_proposal(world, "Halfway")
    killed = replace(world.sender, worker="killed-worker")

    async def send_and_die() -> list[int]:
        _outcomes, accepted = await killed.send_all(claimed(world, killed.worker))
        await killed.mailer.close()
        return accepted  # killed before booking them

    accepted = asyncio.run(send_and_die())
    assert len(accepted) == 1
    assert received(world, address) == 1
    assert [item.status for item in sequence_rows(world, lead_id)] == ["accepted"]
    assert world.events(lead_id, "email_sent") == []
    assert len(world.messages(lead_id)) == 1  # recorded with the send: replies find it

    world.run(world.clock.now() + LEASE + timedelta(minutes=1))
    assert received(world, address) == 1
    assert len(world.events(lead_id, "email_sent")) == 1
    assert [(item.kind, item.status) for item in sequence_rows(world, lead_id)] == [
        ("meeting_proposal", "sent"),
        ("reminder", "pending"),  # the next step, scheduled from the first one's send time
    ]


class _MeanwhileDrafts(TemplateDrafts):
    """Template drafts that, while a batch is being prepared, let something happen to the lead
    in another transaction (as an unsubscribe or an edit arriving then would)."""

    def __init__(self, world: World, meanwhile: str) -> None:
        self.world, self.meanwhile, self.done = world, meanwhile, False

    def draft(self, session: Session, context: StepContext) -> Draft:
        if not self.done:
            self.done = True
            with db.unit_of_work(self.world.engine) as other:
                lead = other.get_one(Lead, context.lead.id)
                assert lead.email is not None
                if self.meanwhile == "suppress":
                    suppress(other, team_id=lead.team_id, email=lead.email, reason="do_not_contact")
                else:
                    lead.email = f"new-{lead.email}"
        return super().draft(session, context)


def test_an_address_suppressed_after_its_batch_was_prepared_gets_nothing(world: World) -> None:
    lead_id, address = due_proposal(world, "Gone Quiet")
    sender = replace(world.sender, drafts=_MeanwhileDrafts(world, "suppress"))

    async def deliver() -> object:
        try:
            return await sender.deliver_all(claimed(world, sender.worker))
        finally:
            await sender.mailer.close()

    assert asyncio.run(deliver()) == {"cancelled": 1}
    assert received(world, address) == 0
    (item,) = sequence_rows(world, lead_id)
    assert (item.status, item.last_error) == ("cancelled", "the address is suppressed")


def test_a_lead_whose_address_changed_while_preparing_is_prepared_again(world: World) -> None:
    lead_id, address = due_proposal(world, "Moved On")
    world.sender = replace(world.sender, drafts=_MeanwhileDrafts(world, "edit"))
    world.run(world.clock.now() + timedelta(minutes=30))
    assert received(world, address) == 0
    assert received(world, f"new-{address}") == 1
    assert [item.status for item in sequence_rows(world, lead_id)] == ["sent", "pending"]


class _BrokenDrafts(TemplateDrafts):
    """Template drafts whose email for one company comes out with an empty subject (as a
    provider or an edited template may produce), which `render_email` refuses."""

    def draft(self, session: Session, context: StepContext) -> Draft:
        draft = super().draft(session, context)
        return replace(draft, subject="  ") if context.lead.company == "Broken Co" else draft


def test_an_email_that_cannot_be_rendered_fails_alone_and_the_batch_goes_out(
    world: World,
) -> None:
    broken_id, broken = due_proposal(world, "Broken Co")
    fine_id, fine = due_proposal(world, "Fine Co")
    sender = replace(world.sender, drafts=_BrokenDrafts())

    async def deliver() -> object:
        try:
            return await sender.deliver_all(claimed(world, sender.worker))
        finally:
            await sender.mailer.close()

    assert asyncio.run(deliver()) == {"failed": 1, "sent": 1}
    assert (received(world, broken), received(world, fine)) == (0, 1)
    (item,) = sequence_rows(world, broken_id)
    assert item.status == "failed"
    assert item.last_error is not None and "subject" in item.last_error
    assert [item.status for item in sequence_rows(world, fine_id)] == ["sent", "pending"]
