"""A claimed batch, read in a few queries and prepared before the transactions that send it.

The batch's rows, teams, leads, enrollments, flows, reviewed drafts, suppressed addresses and
weekly counts are read with one query each, and each email is drafted and rendered, before any
row is sent. What may have changed since (the lead's address and flow state, the enrollment, a
suppression) is read again inside the transaction that sends (`flows.outbox.hold_checked`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, TypeVar

from jinja2 import TemplateError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from flows.definitions import definition_of
from flows.drafts import Draft, DraftProvider, StepContext
from flows.enrollments import END, lead_zone
from flows.mail import RenderedEmail, render_email
from flows.meetings import INVITE, booking_url
from flows.outbox import ACCEPTED, Facts, blocked
from flows.schedule import Delay, add_delay, next_send_time
from flows.tokens import new_message_token
from leads.errors import ValidationFailed
from leads.flow_tables import (
    LIVE_ENROLLMENT,
    EmailDraft,
    Enrollment,
    Flow,
    Message,
    OutboxItem,
)
from leads.suppression import email_hash
from leads.tables import Lead, Suppression, Team
from leads.teams import settings_of, signing_key

_Row = TypeVar("_Row", Team, Lead, Enrollment, Flow, EmailDraft)
CAPPED = ("campaign", "nurture")  # frequency caps apply to these flows, not to sales sequences


@dataclass(frozen=True, slots=True)
class Email:
    """A rendered step, with what its `messages` row and `email_sent` event record."""

    rendered: RenderedEmail
    token: str
    subject: str
    flow: str
    campaign: str
    source: str


@dataclass(frozen=True, slots=True)
class Planned:
    """A claimed step email and what to do with it: send `email`, hold `review` for review,
    postpone it (weekly cap), or, with none of them, nothing (it was blocked when prepared)."""

    item_id: int
    team_id: int
    lead_id: int
    address: str | None
    payload: dict[str, Any]
    email: Email | None = None
    review: Draft | None = None
    postpone_until: datetime | None = None
    error: str | None = None  # it cannot be rendered (an unusable address or template): fails


@dataclass(slots=True)
class Batch:
    """A claimed batch sorted by what each row needs."""

    emails: list[Planned] = field(default_factory=list)
    others: list[int] = field(default_factory=list)  # ends and invites, delivered one by one
    to_book: list[int] = field(default_factory=list)  # taken from a killed worker, sent already

    @property
    def size(self) -> int:
        return len(self.emails) + len(self.others) + len(self.to_book)


def prepare(
    session: Session, *, item_ids: list[int], drafts: DraftProvider, now: datetime, base_url: str
) -> Batch:
    """Read the claimed rows and everything their emails need; draft and render each email."""
    rows = session.scalars(select(OutboxItem).where(OutboxItem.id.in_(item_ids)))
    items = {item.id: item for item in rows}
    preparer = _Preparer(session, drafts, now, base_url, list(items.values()))
    batch = Batch()
    for item in (items[item_id] for item_id in item_ids if item_id in items):
        if item.status == ACCEPTED:
            batch.to_book.append(item.id)
        elif item.kind in (END, INVITE):
            batch.others.append(item.id)
        else:
            try:
                batch.emails.append(preparer.plan(item))
            except (ValidationFailed, TemplateError) as error:  # this row only, not the batch
                failed = Planned(item.id, item.team_id, item.lead_id, None, dict(item.payload))
                batch.emails.append(replace(failed, error=f"cannot render the email: {error}"))
    return batch


class _Preparer:
    """The batch's teams, leads, enrollments, flows, reviewed drafts, suppressions and weekly
    counts (one query each), and the planning of each row with them."""

    def __init__(
        self,
        session: Session,
        drafts: DraftProvider,
        now: datetime,
        base_url: str,
        items: list[OutboxItem],
    ) -> None:
        self.session, self.drafts, self.now, self.base_url = session, drafts, now, base_url
        self.teams = rows_by_id(session, Team, {i.team_id for i in items})
        self.leads = rows_by_id(session, Lead, {i.lead_id for i in items})
        self.enrollments = rows_by_id(session, Enrollment, {i.enrollment_id for i in items})
        self.flows = rows_by_id(session, Flow, {e.flow_id for e in self.enrollments.values()})
        draft_ids = {i.payload.get("draft_id") for i in items}
        self.reviewed = rows_by_id(session, EmailDraft, draft_ids)
        self.suppressed = _suppressed(session, self.leads.values())
        self.sent_this_week = _capped_counts(session, items, now)
        self.settings = {team.id: settings_of(team) for team in self.teams.values()}
        self.keys = {team.id: signing_key(session, team=team) for team in self.teams.values()}

    def plan(self, item: OutboxItem) -> Planned:
        """What to do with one step email, drafted and rendered if it is to be sent."""
        lead, team = self.leads[item.lead_id], self.teams[item.team_id]
        enrollment = self.enrollments.get(item.enrollment_id or 0)
        hashed = email_hash(lead.email) if lead.email else ""
        plan = Planned(item.id, item.team_id, item.lead_id, lead.email, dict(item.payload))
        live = enrollment is not None and enrollment.status in LIVE_ENROLLMENT
        facts = Facts(lead.email, lead.flow_state, live, (team.id, hashed) in self.suppressed)
        if enrollment is None or blocked(facts) is not None:
            return plan  # the sending transaction cancels it, with the reason it finds then
        settings = self.settings[team.id]
        capped = item.payload.get("flow") in CAPPED
        if capped and self.sent_this_week[lead.id] >= settings.max_emails_per_week:
            window, zone = settings.send_window, lead_zone(lead, team)
            later = add_delay(self.now, Delay(days=1), window, zone)
            return replace(plan, postpone_until=next_send_time(later, window, zone))
        flow = self.flows[enrollment.flow_id]
        draft = self._draft(item, team, lead, flow)
        if draft.needs_review:
            return replace(plan, review=draft)
        self.sent_this_week[lead.id] += capped
        return replace(plan, email=self._email(draft, team, lead, flow))

    def _draft(self, item: OutboxItem, team: Team, lead: Lead, flow: Flow) -> Draft:
        """The reviewed draft the row came back with, or the provider's."""
        reviewed = self.reviewed.get(int(item.payload.get("draft_id") or 0))
        if reviewed is not None and reviewed.status in ("approved", "edited"):
            return Draft(reviewed.subject, reviewed.body, reviewed.language, reviewed.provider)
        steps = definition_of(flow).steps
        step = steps[item.step % len(steps)]
        key = self.keys[team.id]
        url = booking_url(key, team_id=team.id, lead_id=lead.id, base_url=self.base_url)
        return self.drafts.draft(self.session, StepContext(team, lead, flow, item.step, step, url))

    def _email(self, draft: Draft, team: Team, lead: Lead, flow: Flow) -> Email:
        assert lead.email is not None
        token = new_message_token()
        rendered = render_email(
            key=self.keys[team.id], team_id=team.id,
            sender=self.settings[team.id].sender, to_email=lead.email, to_name=lead.name,
            language=draft.language, subject=draft.subject, body=draft.body,
            base_url=self.base_url, message_token=token,
            greeting_name=lead.first_name or lead.name, now=self.now,
        )  # fmt: skip
        campaign = definition_of(flow).campaign or flow.name
        return Email(rendered, token, draft.subject[:500], flow.kind, campaign, draft.source)


def rows_by_id(session: Session, table: type[_Row], ids: Iterable[int | None]) -> dict[int, _Row]:
    """The rows of `table` with these ids (None and 0 are no id), one query."""
    wanted = {row_id for row_id in ids if row_id}
    if not wanted:
        return {}
    return {row.id: row for row in session.scalars(select(table).where(table.id.in_(wanted)))}


def _suppressed(session: Session, leads: Iterable[Lead]) -> set[tuple[int, str]]:
    """(team, address hash) of the leads' suppressed addresses."""
    teams, hashes = set(), set()
    for lead in leads:
        if lead.email:
            teams.add(lead.team_id)
            hashes.add(email_hash(lead.email))
    if not hashes:
        return set()
    rows = session.execute(
        select(Suppression.team_id, Suppression.email_hash).where(
            Suppression.team_id.in_(teams), Suppression.email_hash.in_(hashes)
        )
    )
    return {(team_id, hashed) for team_id, hashed in rows}


def _capped_counts(session: Session, items: list[OutboxItem], now: datetime) -> Counter[int]:
    """Campaign and nurture emails each lead of a capped row had in the last seven days."""
    lead_ids = {item.lead_id for item in items if item.payload.get("flow") in CAPPED}
    if not lead_ids:
        return Counter()
    rows = session.execute(
        select(Message.lead_id, func.count())
        .where(
            Message.lead_id.in_(lead_ids),
            Message.flow.in_(CAPPED),
            Message.sent_at > now - timedelta(days=7),
        )
        .group_by(Message.lead_id)
    )
    return Counter({lead_id: int(count) for lead_id, count in rows})
