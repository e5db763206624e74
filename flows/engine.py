"""How flows react to what happened to a lead: stop, pause, start or move it.

Called by the per-event loop after each decision (`flows.loop`), with the event (if any), the
lead's stage before it, and the list changes it caused:

- unsubscribed, or a permanent bounce: every flow stops, the address is suppressed and the
  lead's flow state becomes `suppressed` (nothing is ever sent again);
- meeting booked: every flow stops; flow state `meeting`;
- an event the live flow stops on (a reply stops a sequence): that flow stops;
- the lead became SQL: it leaves its campaign or nurture for the sales sequence;
- an MQL without a flow enters the onboarding campaign;
- entering a list starts the flows that list triggers (replacing nurture, never a sequence).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from flows.definitions import flows_for, nurture_flow, stops_of
from flows.enrollments import live_enrollment, live_enrollment_and_flow, start, stop
from leads.events import NewEvent
from leads.history import change_flow
from leads.list_membership import MembershipChange
from leads.suppression import suppress
from leads.tables import Lead, Team

_ENDINGS = {"unsubscribed": "suppressed", "bounced": "suppressed", "meeting_booked": "meeting"}


def react(
    session: Session,
    *,
    team: Team,
    lead: Lead,
    previous_stage: str,
    event: NewEvent | None,
    list_changes: list[MembershipChange],
    now: datetime,
) -> None:
    """Apply the rules of the module docstring to one lead."""
    if lead.flow_state == "suppressed":
        return
    kind = event.type if event is not None else None
    if kind in _ENDINGS and _ends_flows(kind, event):
        _end_everything(session, team=team, lead=lead, kind=kind, now=now)
        return
    if lead.flow_state == "meeting":
        return
    live, live_flow = live_enrollment_and_flow(session, lead=lead)
    if live is not None and live_flow is not None and kind in stops_of(live_flow):
        stop(session, enrollment=live, reason=str(kind).replace("_", " "), now=now)
        return
    if kind == "email_replied":
        return  # a person answered: the team takes it from here
    became_sql = lead.stage == "sql" and previous_stage != "sql"
    if became_sql and (live_flow is None or live_flow.kind != "sequence"):
        for flow in flows_for(session, team_id=team.id, stage="sql")[:1]:
            start(session, team=team, lead=lead, flow=flow, reason="became SQL", now=now)
            return
    if lead.stage == "mql" and live is None and lead.flow_state is None:
        for flow in flows_for(session, team_id=team.id, stage="mql")[:1]:
            start(session, team=team, lead=lead, flow=flow, reason="classified MQL", now=now)
            return
    for change in list_changes:
        if not change.entered or (live_flow is not None and live_flow.kind == "sequence"):
            continue
        for flow in flows_for(session, team_id=team.id, list_name=change.list_name)[:1]:
            start(
                session, team=team, lead=lead, flow=flow,
                reason=f"entered list {change.list_name}", now=now,
            )  # fmt: skip
            return


def _ends_flows(kind: str, event: NewEvent | None) -> bool:
    if kind != "bounced" or event is None:
        return True
    return bool(event.payload.get("permanent", True))  # a temporary bounce changes nothing


def _end_everything(session: Session, *, team: Team, lead: Lead, kind: str, now: datetime) -> None:
    live = live_enrollment(session, lead=lead)
    if live is not None:
        stop(session, enrollment=live, reason=kind.replace("_", " "), now=now)
    state = _ENDINGS[kind]
    if state != "meeting":
        state = "suppressed"
        if lead.email is not None:
            suppress(session, team_id=team.id, email=lead.email, reason=kind)
    detail = f"{kind.replace('_', ' ')}: flows stopped"
    change_flow(
        session, lead=lead, to=state,
        reasons=[{"rule": kind, "detail": detail, "values": {}}], actor="flows",
    )  # fmt: skip


def place(session: Session, *, team: Team, lead: Lead, now: datetime) -> bool:
    """Put a lead with no live flow where its stage calls for (SQL: the sales sequence; MQL:
    the onboarding campaign, else nurture). For backfills and recycling; True if it started."""
    if lead.flow_state in ("suppressed", "meeting") or live_enrollment(session, lead=lead):
        return False
    for flow in flows_for(
        session, team_id=team.id, stage=lead.stage if lead.stage != "new" else "mql"
    )[:1]:
        return (
            start(
                session,
                team=team,
                lead=lead,
                flow=flow,
                reason=f"placed as {lead.stage.upper()}",
                now=now,
            )
            is not None
        )
    nurture = nurture_flow(session, team_id=team.id)
    if nurture is None:
        return False
    return (
        start(session, team=team, lead=lead, flow=nurture, reason="recycled to nurture", now=now)
        is not None
    )
