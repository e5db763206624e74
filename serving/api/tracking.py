"""Tracking links (public, no API key): the open pixel, click redirects and unsubscribe.

Every token is HMAC-signed with the team's key; a forged or altered token gets 404 and records
nothing. A click redirects only to the link the message carried at that index (no open
redirect). Each open and click is scored for how likely a person made it (`flows.human`).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from flows.human import likelihood
from flows.loop import process_event
from flows.tokens import TokenKind, read_token, team_of
from leads.errors import NotFound
from leads.events import NewEvent
from leads.flow_tables import Message
from leads.tables import Event, Lead, Team, utcnow
from leads.teams import signing_key
from serving.deps import ServiceDep
from serving.pages import TEMPLATES, UNSUBSCRIBE, words

router = APIRouter(tags=["tracking"])
PIXEL = bytes.fromhex(
    "47494638396101000100800000000000ffffff21f90401000000002c00000000010001000002024401003b"
)
NO_STORE = {"Cache-Control": "no-store, private", "Referrer-Policy": "no-referrer"}
AT_ONCE = timedelta(seconds=5)


def _message(session: Session, token: str, kind: TokenKind) -> tuple[Team, Message, int | None]:
    """The team and message a valid token names; `NotFound` for anything forged or unknown."""
    team_id = team_of(token)
    team = session.get(Team, team_id) if team_id is not None else None
    if team is None:
        raise NotFound("link", "")
    data = read_token(signing_key(session, team=team), token, kind=kind, team_id=team.id)
    if data is None:
        raise NotFound("link", "")
    message = session.scalar(
        select(Message).where(Message.team_id == team.id, Message.token == data.message)
    )
    if message is None:
        raise NotFound("link", "")
    return team, message, data.link


def _payload(message: Message, request: Request, reason: str) -> dict[str, object]:
    return {
        "campaign": message.campaign, "message": message.message_id, "flow": message.flow,
        "agent": request.headers.get("user-agent", "")[:200], "human_reason": reason,
    }  # fmt: skip


@router.api_route("/t/o/{token}.gif", methods=["GET", "HEAD"], include_in_schema=False)
async def opened(token: str, request: Request, service: ServiceDep) -> Response:
    """The open pixel: records `email_opened` with its human likelihood."""
    with service.transaction() as session:
        team, message, _link = _message(session, token, "open")
        seconds = (utcnow() - message.sent_at).total_seconds()
        score = likelihood(
            kind="open", method=request.method, user_agent=request.headers.get("user-agent", ""),
            headers=dict(request.headers), seconds_since_sent=seconds,
        )  # fmt: skip
        process_event(
            session, team=team, champion=service.champion, observer=service.metrics,
            event=NewEvent(lead_id=message.lead_id, type="email_opened", source="tracking",
                           payload=_payload(message, request, score.reason), human=score.human),
        )  # fmt: skip
    return Response(PIXEL, media_type="image/gif", headers=NO_STORE)


@router.api_route("/t/c/{token}", methods=["GET", "HEAD"], include_in_schema=False)
async def clicked(token: str, request: Request, service: ServiceDep) -> Response:
    """A tracked link: records `link_clicked`, then redirects to the link the message had."""
    with service.transaction() as session:
        team, message, link = _message(session, token, "click")
        if link is None or not 0 <= link < len(message.links):
            raise NotFound("link", "")
        url = message.links[link]
        now = utcnow()
        others = session.scalar(
            select(func.count(func.distinct(Event.payload["link"].as_string()))).where(
                Event.team_id == team.id, Event.lead_id == message.lead_id,
                Event.type == "link_clicked", Event.occurred_at >= now - AT_ONCE,
                Event.payload["message"].as_string() == message.message_id,
                Event.payload["link"].as_string() != url,
            )
        )  # fmt: skip
        seconds = (now - message.sent_at).total_seconds()
        score = likelihood(
            kind="click", method=request.method, user_agent=request.headers.get("user-agent", ""),
            headers=dict(request.headers), seconds_since_sent=seconds,
            links_clicked_just_before=int(others or 0),
        )  # fmt: skip
        payload = {**_payload(message, request, score.reason), "link": url, "link_index": link}
        process_event(
            session, team=team, champion=service.champion, observer=service.metrics,
            event=NewEvent(lead_id=message.lead_id, type="link_clicked", source="tracking",
                           payload=payload, human=score.human),
        )  # fmt: skip
    return RedirectResponse(url, status_code=302, headers=NO_STORE)


def _page(request: Request, team: Team, lead: Lead | None, done: bool) -> HTMLResponse:
    text = words(UNSUBSCRIBE, lead.language if lead else None)
    return TEMPLATES.TemplateResponse(
        request,
        "unsubscribe.html",
        {"title": text["title"], "text": text, "done": done, "team": team.name,
         "language": (lead.language if lead else None) or "en"},
        headers=NO_STORE,
    )  # fmt: skip


@router.get("/u/{token}", response_class=HTMLResponse, include_in_schema=False)
async def unsubscribe_page(token: str, request: Request, service: ServiceDep) -> HTMLResponse:
    """Asks to confirm (a GET never unsubscribes: scanners follow every link)."""
    with service.transaction() as session:
        team, message, _link = _message(session, token, "unsubscribe")
        return _page(request, team, session.get(Lead, message.lead_id), done=False)


@router.post("/u/{token}", response_class=HTMLResponse, include_in_schema=False)
async def unsubscribe(
    token: str,
    request: Request,
    service: ServiceDep,
    list_unsubscribe: Annotated[str | None, Form(alias="List-Unsubscribe")] = None,  # noqa: ARG001
) -> HTMLResponse:
    """Unsubscribes: the confirmation form, or a mail client's one-click POST (RFC 8058)."""
    with service.transaction() as session:
        team, message, _link = _message(session, token, "unsubscribe")
        process_event(
            session, team=team, champion=service.champion, observer=service.metrics,
            event=NewEvent(lead_id=message.lead_id, type="unsubscribed", source="tracking",
                           payload={"message": message.message_id, "campaign": message.campaign},
                           idempotency_key=f"unsubscribe:{message.lead_id}"),
        )  # fmt: skip
        return _page(request, team, session.get(Lead, message.lead_id), done=True)
