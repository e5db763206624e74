"""Addresses nothing may be sent to: unsubscribed, bounced, do-not-contact.

An address is kept as the SHA-256 of its normalised form, scoped by team, so a suppression
survives the erasure of the lead (GDPR) without keeping the address itself, and the sender can
check it inside its own transaction.
"""

from __future__ import annotations

import hashlib

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from leads.errors import ValidationFailed
from leads.normalize import normalize_email
from leads.tables import Base, Suppression, utcnow

REASONS = ("unsubscribed", "bounced", "do_not_contact", "erased")


def email_hash(email: str) -> str:
    """The key an address is suppressed under."""
    normalised = normalize_email(email)
    if normalised is None:
        raise ValidationFailed("email", "is empty")
    return hashlib.sha256(normalised.encode()).hexdigest()


def suppress(session: Session, *, team_id: int, email: str, reason: str, detail: str = "") -> bool:
    """Suppress the address for the team; False when it was suppressed already (kept as was)."""
    if reason not in REASONS:
        raise ValidationFailed("reason", f"{reason!r} is not one of {', '.join(REASONS)}")
    table = Base.metadata.tables["suppressions"]
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)
    statement = insert.values(
        team_id=team_id,
        email_hash=email_hash(email),
        reason=reason,
        detail=detail[:300],
        created_at=utcnow(),
    ).on_conflict_do_nothing(index_elements=["team_id", "email_hash"])
    return bool(session.execute(statement).rowcount)  # type: ignore[attr-defined]


def suppression_of(session: Session, *, team_id: int, email: str) -> Suppression | None:
    """The address's suppression in this team, if any."""
    return session.scalar(
        select(Suppression).where(
            Suppression.team_id == team_id, Suppression.email_hash == email_hash(email)
        )
    )


def is_suppressed(session: Session, *, team_id: int, email: str) -> bool:
    """Whether nothing may be sent to this address."""
    return suppression_of(session, team_id=team_id, email=email) is not None
