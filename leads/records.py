"""One record per person: create, update and merge leads by email or external id."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, inspect, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from leads.errors import NotFound, ValidationFailed
from leads.history import change_flow
from leads.merge import merge_leads
from leads.tables import Lead, utcnow

if TYPE_CHECKING:
    from leads.lead_input import ParsedLead

_CHUNK = 500


@dataclass(slots=True)
class LeadChange:
    """One person's incoming data: parsed column values plus custom attributes."""

    values: dict[str, Any]
    attributes: dict[str, Any] = field(default_factory=dict)
    do_not_email: bool = False

    @classmethod
    def from_parsed(
        cls, parsed: ParsedLead, attributes: dict[str, Any] | None = None
    ) -> LeadChange:
        return cls(dict(parsed.values), dict(attributes or {}), parsed.do_not_email)


@dataclass(slots=True)
class UpsertOutcome:
    """What became of one incoming person."""

    lead: Lead
    created: bool
    merged_ids: list[int] = field(default_factory=list)


def get_lead(session: Session, *, team_id: int, lead_id: int) -> Lead:
    """A lead of this team (another team's lead does not exist here)."""
    lead = session.get(Lead, lead_id)
    if lead is None or lead.team_id != team_id:
        raise NotFound("lead", lead_id)
    return lead


# One UPDATE of the scores, built once (the per-event loop runs it on every event).
_SCORES = ("score", "fit_grade", "engagement", "model_version", "scored_at", "updated_at")
_WRITE_SCORES = (
    update(Lead.__table__)  # type: ignore[arg-type]
    .where(Lead.__table__.c.id == bindparam("lead_id"))
    .values({name: bindparam(name) for name in _SCORES})
)


def write_scores(
    session: Session,
    *,
    lead: Lead,
    score: float | None,
    fit_grade: str | None,
    engagement: float | None,
    model_version: str | None,
) -> None:
    """Store the lead's latest scores now, and show them on the loaded lead as stored.

    The per-event loop writes these on every event. A lead with no other pending change gets
    one UPDATE on the connection: the ORM's flush of the same change cost several times the
    statement. A lead with other changes pending is set the ORM way and flushed with them.
    """
    now = utcnow()
    values = {
        "score": score, "fit_grade": fit_grade, "engagement": engagement,
        "model_version": model_version, "scored_at": now,
    }  # fmt: skip
    state = inspect(lead)
    if not state.persistent or state.modified:
        for name, value in values.items():
            setattr(lead, name, value)
        return
    values["updated_at"] = now
    session.connection().execute(_WRITE_SCORES, {"lead_id": lead.id, **values})
    for name, value in values.items():
        set_committed_value(lead, name, value)


def find_lead(
    session: Session,
    *,
    team_id: int,
    email: str | None = None,
    external_id: str | None = None,
    id_source: str = "api",
) -> Lead | None:
    """The lead with this (normalised) email, or else this external id, if any."""
    if email:
        lead = session.scalar(select(Lead).where(Lead.team_id == team_id, Lead.email == email))
        if lead is not None:
            return lead
    if external_id:
        return session.scalar(
            select(Lead).where(
                Lead.team_id == team_id,
                Lead.external_id_source == id_source,
                Lead.external_id == external_id,
            )
        )
    return None


def upsert_lead(
    session: Session,
    *,
    team_id: int,
    change: LeadChange,
    id_source: str = "api",
    actor: str = "api",
) -> UpsertOutcome:
    """Create the lead or update the one it already is (merging duplicates it reveals)."""
    return upsert_leads(
        session, team_id=team_id, changes=[change], id_source=id_source, actor=actor
    )[0]


def upsert_leads(
    session: Session,
    *,
    team_id: int,
    changes: Sequence[LeadChange],
    id_source: str = "api",
    actor: str = "import",
) -> list[UpsertOutcome]:
    """Upsert many people in one round of look-ups; later rows for a person update earlier ones."""
    for change in changes:
        if not change.values.get("email") and not change.values.get("external_id"):
            raise ValidationFailed("email", "give an email or an external_id to identify the lead")
    index = _Index.load(session, team_id, changes, id_source)
    outcomes = []
    new_leads: list[Lead] = []
    for change in changes:
        outcome = _upsert_one(session, index, team_id, change, id_source, actor)
        if outcome.created:
            new_leads.append(outcome.lead)
        outcomes.append(outcome)
    session.flush()
    for change, outcome in zip(changes, outcomes, strict=True):
        if change.do_not_email:
            change_flow(
                session,
                lead=outcome.lead,
                to="suppressed",
                actor=actor,
                reasons=[{"rule": "do_not_email", "detail": f"marked do-not-email by {actor}"}],
            )
    return outcomes


@dataclass(slots=True)
class _Index:
    """Existing leads of the batch, by email and by external id, kept current as rows land."""

    by_email: dict[str, Lead]
    by_external: dict[str, Lead]

    @classmethod
    def load(
        cls, session: Session, team_id: int, changes: Sequence[LeadChange], id_source: str
    ) -> _Index:
        emails = {c.values["email"] for c in changes if c.values.get("email")}
        externals = {c.values["external_id"] for c in changes if c.values.get("external_id")}
        index = cls({}, {})
        for chunk in _chunks(emails):
            for lead in session.scalars(
                select(Lead).where(Lead.team_id == team_id, Lead.email.in_(chunk))
            ):
                index.add(lead)
        for chunk in _chunks(externals):
            for lead in session.scalars(
                select(Lead).where(
                    Lead.team_id == team_id,
                    Lead.external_id_source == id_source,
                    Lead.external_id.in_(chunk),
                )
            ):
                index.add(lead)
        return index

    def add(self, lead: Lead) -> None:
        if lead.email:
            self.by_email[lead.email] = lead
        if lead.external_id:
            self.by_external[lead.external_id] = lead

    def drop(self, lead: Lead) -> None:
        if lead.email and self.by_email.get(lead.email) is lead:
            del self.by_email[lead.email]
        if lead.external_id and self.by_external.get(lead.external_id) is lead:
            del self.by_external[lead.external_id]


def _chunks(items: Iterable[str]) -> Iterable[list[str]]:
    batch: list[str] = []
    for item in items:
        batch.append(item)
        if len(batch) == _CHUNK:
            yield batch
            batch = []
    if batch:
        yield batch


def _upsert_one(
    session: Session, index: _Index, team_id: int, change: LeadChange, id_source: str, actor: str
) -> UpsertOutcome:
    values = change.values
    by_email = index.by_email.get(values.get("email") or "")
    by_external = index.by_external.get(values.get("external_id") or "")
    merged: list[int] = []
    if by_email is not None and by_external is not None and by_email is not by_external:
        index.drop(by_external)
        merged.append(by_external.id)
        merge_leads(session, keep=by_email, drop=by_external, actor=actor)
    lead = by_email or by_external
    created = lead is None
    if lead is None:
        lead = Lead(team_id=team_id, product_interests=[], attributes={})
        session.add(lead)
    _apply(lead, change, id_source)
    index.add(lead)
    return UpsertOutcome(lead, created, merged)


def _apply(lead: Lead, change: LeadChange, id_source: str) -> None:
    for name, value in change.values.items():
        if name == "product_interests":
            lead.product_interests = list(dict.fromkeys([*lead.product_interests, *value]))
        elif name == "external_id":
            if lead.external_id is None:
                lead.external_id, lead.external_id_source = value, id_source
        else:
            setattr(lead, name, value)
    if change.attributes:
        lead.attributes = {**lead.attributes, **change.attributes}
    if change.do_not_email:
        lead.consent = "denied"
