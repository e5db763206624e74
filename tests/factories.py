"""Plain factory functions for tests."""

from __future__ import annotations

import socket
import uuid
from typing import Any

from sqlalchemy.orm import Session

from leads.records import LeadChange, upsert_lead
from leads.tables import Lead, Team


def unique_email(prefix: str = "lead") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}@example.com"


def make_lead(session: Session, team: Team, **values: Any) -> Lead:
    """A lead of `team` with the given column values (an email is made up if none is given)."""
    if "email" not in values and "external_id" not in values:
        values["email"] = unique_email()
    return upsert_lead(session, team_id=team.id, change=LeadChange(values)).lead


def free_port() -> int:
    """A TCP port on loopback that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
