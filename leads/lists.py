"""Target lists and their members.

A dynamic list stores a definition (see `leads.list_conditions`); it is filled when created or
edited, and `leads.list_membership` keeps it filled as events arrive.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from leads.errors import Conflict, NotFound, ValidationFailed
from leads.list_conditions import Condition, dump_condition, list_references, parse_condition
from leads.list_membership import MembershipChange, rebuild_list
from leads.records import get_lead
from leads.tables import LeadList, ListMembership
from leads.team_lists import team_lists


def create_list(
    session: Session,
    *,
    team_id: int,
    name: str,
    kind: str = "static",
    description: str = "",
    definition: dict[str, Any] | None = None,
) -> LeadList:
    """A new list; names are unique within a team. A dynamic list is filled at once."""
    name = " ".join(name.split())
    if not name:
        raise ValidationFailed("name", "a list needs a name")
    if kind not in ("static", "dynamic"):
        raise ValidationFailed("kind", f"{kind!r} is not static or dynamic")
    if (kind == "dynamic") != (definition is not None):
        raise ValidationFailed("definition", "a dynamic list needs one; a static list has none")
    if _by_name(session, team_id, name) is not None:
        raise Conflict(f"a list named {name!r} exists already")
    condition = None
    if definition is not None:
        condition = _checked(session, team_id=team_id, name=name, definition=definition)
        definition = dump_condition(condition)
    lead_list = LeadList(
        team_id=team_id, name=name, kind=kind, description=description, definition=definition
    )
    session.add(lead_list)
    session.flush()
    if condition is not None:
        rebuild_list(session, team_id=team_id, list_id=lead_list.id)
    return lead_list


def update_list_definition(
    session: Session,
    *,
    team_id: int,
    list_id: int,
    definition: dict[str, Any],
    now: datetime | None = None,
) -> list[MembershipChange]:
    """Give a dynamic list a new definition and refill it (and the lists that read it)."""
    lead_list = session.get(LeadList, list_id)
    if lead_list is None or lead_list.team_id != team_id:
        raise NotFound("list", list_id)
    if lead_list.kind != "dynamic":
        raise ValidationFailed("definition", "a static list has none; its members are set by hand")
    condition = _checked(session, team_id=team_id, name=lead_list.name, definition=definition)
    lead_list.definition = dump_condition(condition)
    session.flush()
    return rebuild_list(session, team_id=team_id, list_id=list_id, now=now)


def _checked(session: Session, *, team_id: int, name: str, definition: Any) -> Condition:
    """The parsed definition of list `name`; every list it reads exists and none reads it."""
    condition = parse_condition(definition, field="definition")
    references = list_references(condition, "definition")
    if not references:
        return condition
    names = set(session.scalars(select(LeadList.name).where(LeadList.team_id == team_id)))
    team = team_lists(session, team_id=team_id)
    for path, read in references:
        if read == name:
            raise ValidationFailed(path, f"list {name!r} cannot contain itself")
        if read not in names:
            raise ValidationFailed(path, f"there is no list named {read!r}")
        chain = team.reads_path(read, name)
        if chain is not None:
            raise ValidationFailed(path, f"makes a cycle: {' -> '.join([name, *chain])}")
    return condition


def _by_name(session: Session, team_id: int, name: str) -> LeadList | None:
    return session.scalar(
        select(LeadList).where(LeadList.team_id == team_id, LeadList.name == name)
    )


def get_list(session: Session, *, team_id: int, name: str) -> LeadList:
    """The team's list called `name`."""
    lead_list = _by_name(session, team_id, name)
    if lead_list is None:
        raise NotFound("list", name)
    return lead_list


def ensure_list(session: Session, *, team_id: int, name: str) -> LeadList:
    """The team's static list called `name`, created if missing (form routing uses this)."""
    return _by_name(session, team_id, " ".join(name.split())) or create_list(
        session, team_id=team_id, name=name
    )


def add_member(
    session: Session, *, team_id: int, list_id: int, lead_id: int, reason: str = ""
) -> bool:
    """Put the lead on the list; False if it was already there."""
    get_lead(session, team_id=team_id, lead_id=lead_id)
    lead_list = session.get(LeadList, list_id)
    if lead_list is None or lead_list.team_id != team_id:
        raise NotFound("list", list_id)
    if session.get(ListMembership, (list_id, lead_id)) is not None:
        return False
    session.add(ListMembership(list_id=list_id, lead_id=lead_id, team_id=team_id, reason=reason))
    session.flush()
    return True


def remove_member(session: Session, *, team_id: int, list_id: int, lead_id: int) -> bool:
    """Take the lead off the list; False if it was not on it."""
    result = session.execute(
        delete(ListMembership).where(
            ListMembership.team_id == team_id,
            ListMembership.list_id == list_id,
            ListMembership.lead_id == lead_id,
        )
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def member_ids(session: Session, *, team_id: int, list_id: int) -> list[int]:
    """Ids of the leads on the list."""
    return list(
        session.scalars(
            select(ListMembership.lead_id)
            .where(ListMembership.team_id == team_id, ListMembership.list_id == list_id)
            .order_by(ListMembership.lead_id)
        )
    )


def list_sizes(session: Session, *, team_id: int) -> dict[str, int]:
    """Every list of the team with its number of members."""
    rows = session.execute(
        select(LeadList.name, func.count(ListMembership.lead_id))
        .outerjoin(ListMembership, ListMembership.list_id == LeadList.id)
        .where(LeadList.team_id == team_id)
        .group_by(LeadList.name)
        .order_by(LeadList.name)
    )
    return {str(name): int(count) for name, count in rows}
