"""Putting a lead in a flow, scheduling its next step, moving it on, and stopping it.

A lead has at most one live (active or paused) enrollment, which the database enforces;
every move changes the lead's flow state and is recorded in its history with the reason.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from flows.definitions import definition_of, nurture_flow
from flows.schedule import add_delay, next_send_time
from leads.flow_tables import LIVE_ENROLLMENT, Enrollment, Flow, OutboxItem
from leads.history import change_flow
from leads.tables import Lead, Team
from leads.teams import settings_of

END = "end"  # an outbox row that sends nothing: the flow ends when it comes due


def lead_zone(lead: Lead, team: Team) -> str:
    """The time zone the lead's send window is read in."""
    return lead.timezone or settings_of(team).timezone


def live_enrollment(session: Session, *, lead: Lead) -> Enrollment | None:
    """The lead's active or paused enrollment, if any."""
    return session.scalar(
        select(Enrollment).where(
            Enrollment.lead_id == lead.id, Enrollment.status.in_(LIVE_ENROLLMENT)
        )
    )


# Built once: building the statement cost more than running it, on every event.
_LIVE_WITH_FLOW = (
    select(Enrollment, Flow)
    .join(Flow, Flow.id == Enrollment.flow_id)
    .where(Enrollment.lead_id == bindparam("lead_id"), Enrollment.status.in_(LIVE_ENROLLMENT))
)


def live_enrollment_and_flow(
    session: Session, *, lead: Lead
) -> tuple[Enrollment, Flow] | tuple[None, None]:
    """The lead's live enrollment and its flow, in one query (the per-event loop asks)."""
    row = session.execute(_LIVE_WITH_FLOW, {"lead_id": lead.id}).first()
    return (row[0], row[1]) if row is not None else (None, None)


def start(
    session: Session, *, team: Team, lead: Lead, flow: Flow, reason: str, now: datetime
) -> Enrollment | None:
    """Enroll the lead (ending its live enrollment first) and schedule the first step.

    Nothing starts for a lead that cannot be emailed (no address, consent denied,
    suppressed, or in a meeting)."""
    if (
        lead.email is None
        or lead.consent == "denied"
        or lead.flow_state in ("suppressed", "meeting")
    ):
        return None
    current = live_enrollment(session, lead=lead)
    if current is not None:
        if current.flow_id == flow.id:
            return current
        stop(session, enrollment=current, reason=f"moved to {flow.name}", now=now)
    enrollment = Enrollment(
        team_id=team.id, lead_id=lead.id, flow_id=flow.id, status="active", started_at=now
    )
    session.add(enrollment)
    session.flush()
    change_flow(
        session,
        lead=lead,
        to=flow.kind,
        reasons=[{"rule": "flow", "detail": reason, "values": {"flow": flow.name}}],
        actor="flows",
    )
    schedule_step(session, team=team, lead=lead, flow=flow, enrollment=enrollment, after=now)
    return enrollment


def schedule_step(
    session: Session,
    *,
    team: Team,
    lead: Lead,
    flow: Flow,
    enrollment: Enrollment,
    after: datetime,
) -> OutboxItem:
    """Put the enrollment's next step (or its end) in the outbox, due inside the send window."""
    definition = definition_of(flow)
    window, zone = settings_of(team).send_window, lead_zone(lead, team)
    index = enrollment.next_step
    steps = definition.steps
    kind: str = END
    if index < len(steps) or definition.repeat:
        step = steps[index % len(steps)]
        due = next_send_time(add_delay(after, step.delay, window, zone), window, zone)
        kind = step.action
    else:
        due = add_delay(after, definition.end_after, window, zone)
    item = OutboxItem(
        team_id=team.id,
        lead_id=lead.id,
        enrollment_id=enrollment.id,
        step=index,
        kind=kind,
        due_at=due,
        status="pending",
        payload={"flow": flow.kind, "flow_name": flow.name},
    )
    session.add(item)
    session.flush()
    return item


def stop(session: Session, *, enrollment: Enrollment, reason: str, now: datetime) -> int:
    """End the enrollment and cancel its pending steps; the number cancelled."""
    enrollment.status = "stopped"
    enrollment.ended_at = now
    enrollment.ended_reason = reason[:200]
    result = session.execute(
        update(OutboxItem)
        .where(OutboxItem.enrollment_id == enrollment.id, OutboxItem.status == "pending")
        .values(status="cancelled", last_error=reason[:500])
    )
    session.flush()
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def _live_of(session: Session, item: OutboxItem) -> tuple[Enrollment, Flow] | None:
    """The row's enrollment and flow while the enrollment is live."""
    enrollment = session.get(Enrollment, item.enrollment_id) if item.enrollment_id else None
    if enrollment is None or enrollment.status not in LIVE_ENROLLMENT:
        return None
    return enrollment, session.get_one(Flow, enrollment.flow_id)


def advance(
    session: Session, *, team: Team, lead: Lead, item: OutboxItem, sent_at: datetime
) -> None:
    """After a step went out: schedule the next one from the actual send time (a late step
    pushes the later ones), or the flow's end."""
    live = _live_of(session, item)
    if live is None:
        return
    enrollment, flow = live
    enrollment.next_step = item.step + 1
    schedule_step(session, team=team, lead=lead, flow=flow, enrollment=enrollment, after=sent_at)


def finish(session: Session, *, team: Team, lead: Lead, item: OutboxItem, now: datetime) -> None:
    """A flow's end came due: complete it and move the lead to nurture (nothing is a dead end)."""
    live = _live_of(session, item)
    if live is None:
        return
    enrollment, flow = live
    enrollment.status = "completed"
    enrollment.ended_at = now
    enrollment.ended_reason = "all steps sent"
    session.flush()
    nurture = nurture_flow(session, team_id=team.id)
    reason = f"{flow.name} ended" + (" without a meeting" if flow.kind == "sequence" else "")
    if nurture is not None and nurture.id != flow.id:
        start(session, team=team, lead=lead, flow=nurture, reason=reason, now=now)
    else:
        change_flow(
            session, lead=lead, to="nurture",
            reasons=[{"rule": "flow", "detail": reason, "values": {"flow": flow.name}}],
            actor="flows",
        )  # fmt: skip


def pause_until(
    session: Session, *, enrollment: Enrollment, until: datetime, team: Team, lead: Lead
) -> None:
    """Hold the enrollment's pending steps until `until` (an out-of-office return date)."""
    window, zone = settings_of(team).send_window, lead_zone(lead, team)
    resume = next_send_time(until, window, zone)
    enrollment.paused_until = resume
    for item in session.scalars(
        select(OutboxItem).where(
            OutboxItem.enrollment_id == enrollment.id, OutboxItem.status == "pending"
        )
    ):
        item.due_at = max(item.due_at, resume)
    session.flush()
