"""Inbound mail posted by a relay (raw RFC 822): replies, bounces, automatic replies."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, Request

from flows.replies import handle_inbound
from leads.errors import ValidationFailed
from leads.tables import utcnow
from serving.deps import ServiceDep, TeamId

router = APIRouter(prefix="/v1", tags=["mail"])
MAX_BYTES = 25 * 1024 * 1024


@router.post(
    "/inbound",
    openapi_extra={"requestBody": {"content": {"message/rfc822": {"schema": {"type": "string"}}}}},
)
async def inbound(request: Request, team_id: TeamId, service: ServiceDep) -> dict[str, Any]:
    """Record one raw message (send it as the body, `Content-Type: message/rfc822`), matched to
    the team's sent email by its reply token or Message-IDs."""
    raw = await request.body()
    if not raw.strip():
        raise ValidationFailed("body", "send the raw message as the request body")
    if len(raw) > MAX_BYTES:
        raise ValidationFailed("body", f"larger than {MAX_BYTES // 1024 // 1024} MB")
    with service.transaction() as session:
        handled = handle_inbound(
            session, raw=raw, champion=service.champion, now=utcnow(), team_id=team_id
        )
    return asdict(handled)
