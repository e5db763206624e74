"""Merge two records of the same person into one, keeping every event and list membership."""

from __future__ import annotations

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from leads.tables import Event, Lead, LeadHistory, ListMembership, SimulatedTruth

_FILLABLE = (
    "name",
    "first_name",
    "company",
    "domain",
    "title",
    "industry",
    "revenue_usd",
    "revenue_amount",
    "revenue_currency",
    "employees",
    "country",
    "city",
    "timezone",
    "language",
    "phone",
    "source",
    "converted",
)


def merge_leads(session: Session, *, keep: Lead, drop: Lead, actor: str) -> None:
    """Fold `drop` into `keep`: events, memberships and history move; empty fields are filled."""
    if keep.team_id != drop.team_id:
        raise ValueError("cannot merge leads of different teams")
    session.flush()
    for name in _FILLABLE:
        if getattr(keep, name) is None and getattr(drop, name) is not None:
            setattr(keep, name, getattr(drop, name))
    keep.product_interests = list(dict.fromkeys([*drop.product_interests, *keep.product_interests]))
    keep.attributes = {**drop.attributes, **keep.attributes}
    if "denied" in (keep.consent, drop.consent):
        keep.consent = "denied"
    if drop.flow_state == "suppressed":
        keep.flow_state = "suppressed"
    external = (drop.external_id, drop.external_id_source) if keep.external_id is None else None
    session.flush()
    drop_id = drop.id
    reason = {
        "rule": "same_person",
        "detail": f"lead {drop_id} merged into {keep.id}",
        "email": drop.email,
        "external_id": drop.external_id,
    }
    _move_rows(session, keep_id=keep.id, drop_id=drop_id)
    session.delete(drop)
    session.flush()
    if external is not None:
        keep.external_id, keep.external_id_source = external
    session.add(
        LeadHistory(
            team_id=keep.team_id,
            lead_id=keep.id,
            kind="merge",
            from_value=str(drop_id),
            to_value=str(keep.id),
            actor=actor,
            reasons=[reason],
        )
    )
    session.flush()


def _move_rows(session: Session, *, keep_id: int, drop_id: int) -> None:
    session.execute(update(Event).where(Event.lead_id == drop_id).values(lead_id=keep_id))
    session.execute(
        update(LeadHistory).where(LeadHistory.lead_id == drop_id).values(lead_id=keep_id)
    )
    kept_lists = set(
        session.scalars(select(ListMembership.list_id).where(ListMembership.lead_id == keep_id))
    )
    session.execute(
        update(ListMembership)
        .where(ListMembership.lead_id == drop_id, ListMembership.list_id.not_in(kept_lists))
        .values(lead_id=keep_id)
    )
    session.execute(delete(ListMembership).where(ListMembership.lead_id == drop_id))
    session.execute(delete(SimulatedTruth).where(SimulatedTruth.lead_id == drop_id))
