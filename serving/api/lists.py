"""Target lists: static lists and dynamic lists that fill and empty themselves."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from leads.errors import NotFound, ValidationFailed
from leads.list_membership import rebuild_list
from leads.lists import add_member, create_list, member_ids, remove_member, update_list_definition
from leads.tables import LeadList, ListMembership
from serving.deps import ServiceDep, TeamId
from serving.schemas import ListIn, ListOut, MembersOut, RebuildOut

router = APIRouter(prefix="/v1/lists", tags=["lists"])

EXAMPLE = {
    "name": "clicked the last campaign twice",
    "definition": {
        "events": {"type": "link_clicked", "campaign": "@last"},
        "op": ">=",
        "value": 2,
    },
}


def _list(session: Session, team_id: int, list_id: int) -> LeadList:
    found = session.get(LeadList, list_id)
    if found is None or found.team_id != team_id:
        raise NotFound("list", list_id)
    return found


def _out(session: Session, lead_list: LeadList) -> ListOut:
    size = session.scalar(select(func.count()).where(ListMembership.list_id == lead_list.id))
    out = ListOut.model_validate(lead_list)
    out.size = int(size or 0)
    return out


@router.post("", status_code=201, response_model=RebuildOut)
async def create(
    body: Annotated[ListIn, Body(examples=[EXAMPLE])], team_id: TeamId, service: ServiceDep
) -> RebuildOut:
    """A static list, or a dynamic one (with `definition`), filled at once from the record."""
    with service.transaction() as session:
        lead_list = create_list(
            session,
            team_id=team_id,
            name=body.name,
            kind="dynamic" if body.definition is not None else "static",
            description=body.description,
            definition=body.definition,
        )
        out = _out(session, lead_list)  # a dynamic list is filled as it is created
        return RebuildOut(list=out, entered=out.size, left=0)


@router.get("", response_model=list[ListOut])
async def all_lists(team_id: TeamId, service: ServiceDep) -> list[ListOut]:
    """The team's lists with their sizes."""
    with service.transaction() as session:
        found = session.scalars(
            select(LeadList).where(LeadList.team_id == team_id).order_by(LeadList.name)
        )
        return [_out(session, lead_list) for lead_list in found]


@router.get("/{list_id}", response_model=MembersOut)
async def members(list_id: int, team_id: TeamId, service: ServiceDep) -> MembersOut:
    """A list and the ids of its members."""
    with service.transaction() as session:
        lead_list = _list(session, team_id, list_id)
        ids = member_ids(session, team_id=team_id, list_id=list_id)
        return MembersOut(list=_out(session, lead_list), lead_ids=ids)


@router.put("/{list_id}/definition", response_model=RebuildOut)
async def redefine(
    list_id: int,
    definition: Annotated[dict[str, object], Body(examples=[EXAMPLE["definition"]])],
    team_id: TeamId,
    service: ServiceDep,
) -> RebuildOut:
    """Change a dynamic list's condition; its members are rebuilt at once."""
    with service.transaction() as session:
        lead_list = _list(session, team_id, list_id)
        changes = update_list_definition(
            session, team_id=team_id, list_id=list_id, definition=dict(definition)
        )
        return RebuildOut(
            list=_out(session, lead_list),
            entered=sum(c.entered for c in changes if c.list_id == list_id),
            left=sum(not c.entered for c in changes if c.list_id == list_id),
        )


@router.post("/{list_id}:rebuild", response_model=RebuildOut)
async def rebuild(list_id: int, team_id: TeamId, service: ServiceDep) -> RebuildOut:
    """Re-evaluate every lead against a dynamic list (membership is otherwise kept up to date
    event by event)."""
    with service.transaction() as session:
        lead_list = _list(session, team_id, list_id)
        if lead_list.kind != "dynamic":
            raise ValidationFailed("list_id", "only a dynamic list can be rebuilt")
        changes = rebuild_list(session, team_id=team_id, list_id=list_id)
        return RebuildOut(
            list=_out(session, lead_list),
            entered=sum(c.entered for c in changes if c.list_id == list_id),
            left=sum(not c.entered for c in changes if c.list_id == list_id),
        )


@router.put("/{list_id}/members/{lead_id}", status_code=204)
async def add(list_id: int, lead_id: int, team_id: TeamId, service: ServiceDep) -> None:
    """Put a lead on a static list."""
    with service.transaction() as session:
        if _list(session, team_id, list_id).kind != "static":
            raise ValidationFailed("list_id", "a dynamic list's members follow its definition")
        add_member(session, team_id=team_id, list_id=list_id, lead_id=lead_id, reason="api")


@router.delete("/{list_id}/members/{lead_id}", status_code=204)
async def remove(list_id: int, lead_id: int, team_id: TeamId, service: ServiceDep) -> None:
    """Take a lead off a static list."""
    with service.transaction() as session:
        if _list(session, team_id, list_id).kind != "static":
            raise ValidationFailed("list_id", "a dynamic list's members follow its definition")
        if not remove_member(session, team_id=team_id, list_id=list_id, lead_id=lead_id):
            raise NotFound("member", lead_id)
