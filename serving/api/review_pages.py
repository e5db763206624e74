"""The review queue as web pages (Jinja2, plain forms, no script needed).

A reviewer logs in with the team's API key and their name; the key is checked once and never
stored. The session cookie (HttpOnly, SameSite=Strict) holds `team.expiry.reviewer` signed with
the team's signing key. Every form carries a CSRF token derived from that cookie with the same
key under another purpose, so only a page this server rendered for this session can post.
"""

from __future__ import annotations

import base64
import hmac
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.exceptions import HTTPException

from flows.review import approve, reject
from flows.schedule import as_zone
from leads.errors import Conflict, NotFound, ValidationFailed
from leads.signing import sign, verify
from leads.tables import Team, utcnow
from leads.teams import settings_of, signing_key
from serving.api.review import Reviewed, approve_many, queue, reviewed
from serving.deps import ServiceDep
from serving.pages import TEMPLATES

router = APIRouter(prefix="/review", include_in_schema=False)

COOKIE, SESSION_SECONDS = "leadpulse_review", 8 * 3600


@dataclass(frozen=True, slots=True)
class ReviewSession:
    team_id: int
    reviewer: str
    csrf: str


def _b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _unb64(text: str) -> str:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode()


def session_token(key: bytes, *, team_id: int, reviewer: str, expires: int) -> str:
    """The cookie's value: who reviews for which team until when, signed."""
    value = f"{team_id}.{expires}.{_b64(reviewer)}"
    return f"{value}.{sign(key, 'review-session', value)}"


def read_session(session: Session, token: str, *, now: datetime) -> ReviewSession | None:
    """The session a cookie stands for, or None when it is forged, expired or malformed."""
    try:
        team_id, expires, reviewer, signature = token.split(".")
        team = session.get(Team, int(team_id))
        if team is None or int(expires) < now.timestamp():
            return None
        key, value = signing_key(session, team=team), f"{team_id}.{expires}.{reviewer}"
        if not verify(key, "review-session", value, signature):
            return None
        return ReviewSession(team.id, _unb64(reviewer), sign(key, "review-csrf", token))
    except ValueError:  # wrong number of parts, not a number, not base64 or UTF-8
        return None


async def current_session(request: Request, service: ServiceDep) -> ReviewSession:
    """The logged-in reviewer; without a valid cookie, a redirect to the login page."""
    with service.transaction() as session:
        found = read_session(session, request.cookies.get(COOKIE, ""), now=utcnow())
    if found is None:
        raise HTTPException(303, "log in first", {"Location": "/review"})
    return found


async def posted_session(
    found: Annotated[ReviewSession, Depends(current_session)], csrf: Annotated[str, Form()] = ""
) -> ReviewSession:
    """The logged-in reviewer of a form this server rendered for their session."""
    if not hmac.compare_digest(csrf.encode(), found.csrf.encode()):
        raise HTTPException(403, "the form is stale or not ours: reload the page and try again")
    return found


LoggedIn = Annotated[ReviewSession, Depends(current_session)]
Posted = Annotated[ReviewSession, Depends(posted_session)]


def _text(value: Any) -> str:
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_text(v)}" for k, v in value.items())
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _shown(found: Reviewed, zone: str) -> dict[str, Any]:
    """A draft as the templates show it."""
    draft, item = found.draft, found.item
    failures = draft.checks.get("failures") or []
    failures = failures if isinstance(failures, list) else [failures]
    due = item.due_at.astimezone(as_zone(zone)).strftime("%Y-%m-%d %H:%M %Z") if item else ""
    return {
        "draft": draft, "lead": found.lead, "facts": [_text(f) for f in draft.facts],
        "why": [(str(k), _text(v)) for k, v in draft.context.items()],
        "failed": draft.checks.get("passed") is False or bool(failures),
        "failures": [_text(f) for f in failures], "item": item, "due": due,
    }  # fmt: skip


def _render(
    request: Request, name: str, context: dict[str, Any], status: int = 200
) -> HTMLResponse:
    page = {"language": "en", "title": "Review queue", **context}
    return TEMPLATES.TemplateResponse(request, name, page, status_code=status)


def _login_page(request: Request, error: str = "", status: int = 200) -> HTMLResponse:
    return _render(request, "review_login.html", {"title": "Review log-in", "error": error}, status)


@router.get("", response_class=HTMLResponse)
async def login_page(request: Request, service: ServiceDep) -> Response:
    """The log-in form (the queue when a session is open)."""
    with service.transaction() as session:
        found = read_session(session, request.cookies.get(COOKIE, ""), now=utcnow())
    return RedirectResponse("/review/queue", 303) if found else _login_page(request)


@router.post("", response_class=HTMLResponse)
async def log_in(
    request: Request,
    service: ServiceDep,
    api_key: Annotated[str, Form()] = "",
    reviewer: Annotated[str, Form()] = "",
) -> Response:
    """Open a session for the key's team and this reviewer."""
    reviewer = " ".join(reviewer.split())
    if not reviewer or len(reviewer) > 200:
        return _login_page(request, "Give your name or email (up to 200 characters).", 422)
    try:
        team_id = service.team_of_key(api_key.strip())
    except NotFound:
        return _login_page(request, "That API key is unknown or revoked.", 401)
    expires = int(utcnow().timestamp()) + SESSION_SECONDS
    with service.transaction() as session:
        key = signing_key(session, team=session.get_one(Team, team_id))
    token = session_token(key, team_id=team_id, reviewer=reviewer, expires=expires)
    response = RedirectResponse("/review/queue", 303)
    response.set_cookie(
        COOKIE, token, max_age=SESSION_SECONDS, path="/review", httponly=True, samesite="strict",
        secure=request.url.scheme == "https",
    )  # fmt: skip
    return response


@router.post("/logout")
async def log_out(_found: Posted) -> Response:
    response = RedirectResponse("/review", 303)
    response.delete_cookie(COOKIE, path="/review", httponly=True, samesite="strict")
    return response


def _queue_page(
    request: Request, service: ServiceDep, found: ReviewSession, *, cursor: int | None = None,
    notice: str = "", error: str = "", status: int = 200,
) -> HTMLResponse:  # fmt: skip
    with service.transaction() as session:
        zone = settings_of(session.get_one(Team, found.team_id)).timezone
        page, more = queue(
            session, team_id=found.team_id, status="pending", limit=50, cursor=cursor
        )
        drafts = [_shown(draft, zone) for draft in page]
    context = {"me": found, "drafts": drafts, "more": more, "notice": notice, "error": error}
    return _render(request, "review_queue.html", context, status)


@router.get("/queue", response_class=HTMLResponse)
async def queue_page(
    request: Request, service: ServiceDep, found: LoggedIn, cursor: int | None = None,
    approved: int | None = None,
) -> HTMLResponse:  # fmt: skip
    """Pending drafts, highest score first, with why, facts and guardrail failures."""
    notice = f"{approved} draft(s) approved and queued for sending." if approved else ""
    return _queue_page(request, service, found, cursor=cursor, notice=notice)


@router.post("/queue", response_class=HTMLResponse)
async def approve_selected(
    request: Request, service: ServiceDep, found: Posted,
    ids: Annotated[list[int], Form(default_factory=list)],
) -> Response:  # fmt: skip
    """Approve the ticked drafts as written (all or none)."""
    if not ids:
        return _queue_page(request, service, found, error="Tick the drafts to approve.", status=422)
    try:
        with service.transaction() as session:
            done = approve_many(
                session, team_id=found.team_id, ids=ids, reviewer=found.reviewer, now=utcnow()
            )
    except (NotFound, Conflict) as error:
        return _queue_page(request, service, found, error=f"Nothing approved: {error}", status=409)
    return RedirectResponse(f"/review/queue?approved={len(done)}", 303)


def _draft_page(
    request: Request, service: ServiceDep, found: ReviewSession, draft_id: int, *,
    error: str = "", status: int = 200, typed: dict[str, str] | None = None,
) -> HTMLResponse:  # fmt: skip
    with service.transaction() as session:
        try:
            shown = reviewed(session, team_id=found.team_id, draft_id=draft_id)
        except NotFound:
            return _render(request, "review_missing.html", {"me": found}, 404)
        zone = settings_of(session.get_one(Team, found.team_id)).timezone
        context = {"me": found, "d": _shown(shown, zone), "error": error, "typed": typed or {}}
    return _render(request, "review_draft.html", context, status)


@router.get("/drafts/{draft_id}", response_class=HTMLResponse)
async def draft_page(
    draft_id: int, request: Request, service: ServiceDep, found: LoggedIn
) -> HTMLResponse:
    """One draft: the edit form, approve, and reject with a reason."""
    return _draft_page(request, service, found, draft_id)


@router.post("/drafts/{draft_id}/approve", response_class=HTMLResponse)
async def approve_one(
    draft_id: int, request: Request, service: ServiceDep, found: Posted,
    subject: Annotated[str | None, Form()] = None, body: Annotated[str | None, Form()] = None,
) -> Response:  # fmt: skip
    """Approve the draft, with the reviewer's edits; back to the draft, now queued."""
    try:
        with service.transaction() as session:
            shown = reviewed(session, team_id=found.team_id, draft_id=draft_id)
            approve(
                session, draft=shown.draft, reviewer=found.reviewer, now=utcnow(),
                subject=subject, body=body.replace("\r\n", "\n") if body is not None else None,
            )  # fmt: skip
    except (ValidationFailed, Conflict) as error:
        conflict = isinstance(error, Conflict)
        typed = None if conflict else {"subject": subject or "", "body": body or ""}
        return _draft_page(
            request, service, found, draft_id, error=str(error), status=409 if conflict else 422,
            typed=typed,
        )  # fmt: skip
    except NotFound:
        return _draft_page(request, service, found, draft_id)
    return RedirectResponse(f"/review/drafts/{draft_id}", 303)


@router.post("/drafts/{draft_id}/reject", response_class=HTMLResponse)
async def reject_one(
    draft_id: int, request: Request, service: ServiceDep, found: Posted,
    reason: Annotated[str, Form()] = "",
) -> Response:  # fmt: skip
    """Reject the draft with a reason; back to the queue."""
    try:
        with service.transaction() as session:
            shown = reviewed(session, team_id=found.team_id, draft_id=draft_id)
            reject(session, draft=shown.draft, reviewer=found.reviewer, reason=reason, now=utcnow())
    except (ValidationFailed, Conflict) as error:
        status = 409 if isinstance(error, Conflict) else 422
        return _draft_page(request, service, found, draft_id, error=str(error), status=status)
    except NotFound:
        return _draft_page(request, service, found, draft_id)
    return RedirectResponse("/review/queue", 303)
