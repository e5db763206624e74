"""Dependencies of the routes, as named types."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.exceptions import HTTPException

from leads.errors import NotFound
from serving.event_groups import EventGroups
from serving.service import Service

_bearer = HTTPBearer(auto_error=False, description="The team's API key.")


async def get_service(request: Request) -> Service:
    service: Service = request.app.state.service
    return service


ServiceDep = Annotated[Service, Depends(get_service)]


async def get_event_groups(request: Request) -> EventGroups:
    groups: EventGroups = request.app.state.event_groups
    return groups


EventGroupsDep = Annotated[EventGroups, Depends(get_event_groups)]


async def get_team_id(
    service: ServiceDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> int:
    """The caller's team, from `Authorization: Bearer KEY`; 401 without a live key."""
    challenge = {"WWW-Authenticate": "Bearer"}
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise HTTPException(401, "send the team's API key as Authorization: Bearer KEY", challenge)
    try:
        return service.team_of_key(credentials.credentials)
    except NotFound:
        raise HTTPException(401, "the API key is unknown or revoked", challenge) from None


TeamId = Annotated[int, Depends(get_team_id)]
