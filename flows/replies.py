"""Mail that comes back: replies, bounces and automatic replies, matched to what we sent.

A message is matched by the signed token of its reply address (`reply+TOKEN@...`), else by
the Message-IDs in In-Reply-To and References (a bounce carries the original's). Then:

- a reply records `email_replied` with its new text (which stops a sequence), puts the lead on
  the team's "Replied" list and, when the team says so, stops the sequences of colleagues at
  the same company;
- a permanent bounce records `bounced`, which suppresses the address; a temporary one is kept
  as an event and changes nothing;
- an out-of-office reply records `auto_replied` and holds the lead's pending steps until the
  return date when one can be read (English and Korean).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from flows.enrollments import lead_zone, live_enrollment, pause_until, stop
from flows.inbound import Inbound, parse_inbound
from flows.loop import process_event
from flows.tokens import read_token, team_of
from leads.events import NewEvent
from leads.flow_tables import Flow, Message
from leads.lists import add_member, ensure_list
from leads.tables import Lead, Team
from leads.teams import settings_of, signing_key
from model.champion import Champion

REPLIED_LIST = "Replied"


@dataclass(frozen=True, slots=True)
class Handled:
    """What became of one inbound message."""

    kind: str
    matched: bool
    lead_id: int | None = None
    event_id: int | None = None
    detail: str = ""


def find_message(session: Session, inbound: Inbound, *, team_id: int | None) -> Message | None:
    """The sent message this one answers or returns, if any (of `team_id` when given)."""
    for token in inbound.tokens:
        owner = team_of(token)
        team = session.get(Team, owner) if owner is not None else None
        if team is None or (team_id is not None and team.id != team_id):
            continue
        data = read_token(signing_key(session, team=team), token, kind="reply", team_id=team.id)
        if data is not None:
            found = session.scalar(
                select(Message).where(Message.team_id == team.id, Message.token == data.message)
            )
            if found is not None:
                return found
    ids = [*inbound.in_reply_to, *reversed(inbound.references)]
    if inbound.bounce is not None and inbound.bounce.original_message_id:
        ids.insert(0, inbound.bounce.original_message_id)
    for message_id in ids:
        statement = select(Message).where(Message.message_id == message_id)
        if team_id is not None:
            statement = statement.where(Message.team_id == team_id)
        found = session.scalar(statement)
        if found is not None:
            return found
    return None


def handle_inbound(
    session: Session,
    *,
    raw: bytes,
    champion: Champion,
    now: datetime,
    team_id: int | None = None,
) -> Handled:
    """Parse, match and record one inbound message (see the module docstring)."""
    inbound = parse_inbound(raw, received_at=now)
    message = find_message(session, inbound, team_id=team_id)
    if message is None:
        return Handled(inbound.kind, matched=False, detail="no message of ours matches")
    team = session.get_one(Team, message.team_id)
    lead = session.get_one(Lead, message.lead_id)
    key = f"inbound:{inbound.message_id}" if inbound.message_id else None
    base = {"message": message.message_id, "campaign": message.campaign, "flow": message.flow,
            "subject": inbound.subject[:300]}  # fmt: skip
    if inbound.kind == "bounce" and inbound.bounce is not None:
        bounce = inbound.bounce
        payload = {**base, "permanent": bounce.permanent, "status": bounce.status,
                   "diagnostic": bounce.diagnostic[:500]}  # fmt: skip
        event = NewEvent(lead.id, "bounced", now, "inbound", payload, key)
    elif inbound.kind == "auto_reply":
        back = inbound.out_of_office.return_date if inbound.out_of_office else None
        payload = {**base, "return_date": back.isoformat() if back else None}
        event = NewEvent(lead.id, "auto_replied", now, "inbound", payload, key)
    else:
        payload = {**base, "text": inbound.text[:20_000], "from": inbound.from_address}
        event = NewEvent(lead.id, "email_replied", now, "inbound", payload, key)
    outcome = process_event(session, team=team, event=event, champion=champion, now=now)
    if outcome.created:
        _follow_up(session, team=team, lead=lead, inbound=inbound, now=now)
    return Handled(
        inbound.kind,
        True,
        lead.id,
        outcome.event_id,
        "recorded" if outcome.created else "seen before",
    )


def _follow_up(
    session: Session, *, team: Team, lead: Lead, inbound: Inbound, now: datetime
) -> None:
    if inbound.kind == "auto_reply" and inbound.out_of_office and inbound.out_of_office.return_date:
        live = live_enrollment(session, lead=lead)
        if live is not None:
            zone = ZoneInfo(lead_zone(lead, team))  # the return date is a day where the lead is
            back = datetime.combine(inbound.out_of_office.return_date, time(0, 0), tzinfo=zone)
            pause_until(session, enrollment=live, until=max(back, now), team=team, lead=lead)
    if inbound.kind != "reply":
        return
    replied = ensure_list(session, team_id=team.id, name=REPLIED_LIST)
    add_member(session, team_id=team.id, list_id=replied.id, lead_id=lead.id, reason="replied")
    if settings_of(team).stop_on_colleague_reply and lead.domain:
        colleagues = session.scalars(
            select(Lead).where(
                Lead.team_id == team.id, Lead.domain == lead.domain, Lead.id != lead.id
            )
        )
        for colleague in colleagues:
            live = live_enrollment(session, lead=colleague)
            flow = session.get(Flow, live.flow_id) if live is not None else None
            if live is not None and flow is not None and flow.kind == "sequence":
                stop(
                    session, enrollment=live, reason=f"a colleague ({lead.email}) replied", now=now
                )
