"""Web forms: created by the team, submitted by the public with the form's key."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Header, Query, Request
from starlette.exceptions import HTTPException

from flows.loop import rescore
from leads.errors import NotFound
from leads.events import NewEvent
from leads.forms import create_form, get_form, submit_form
from leads.signing import sign, verify
from leads.tables import Form, Team
from leads.teams import signing_key
from serving.deps import ServiceDep, TeamId
from serving.schemas import FormSubmissionOut

router = APIRouter(prefix="/v1/forms", tags=["forms"])
PURPOSE = "form"

FORM_EXAMPLE = {
    "name": "demo request",
    "definition": {
        "fields": [
            {"name": "email", "type": "email", "required": True, "maps_to": "email"},
            {"name": "company", "maps_to": "company"},
            {"name": "interest", "type": "select", "options": ["Product A", "Product B"]},
        ],
        "rules": [
            {"field": "interest", "equals": "Product A", "add_to_list": "product-a",
             "add_product_interest": "Product A"}
        ],
    },
}  # fmt: skip


@router.post("", status_code=201)
async def new_form(
    body: Annotated[dict[str, Any], Body(examples=[FORM_EXAMPLE])],
    team_id: TeamId,
    service: ServiceDep,
) -> dict[str, Any]:
    """Create a form; the answer carries the public `key` its submissions must send."""
    with service.transaction() as session:
        team = session.get_one(Team, team_id)
        form = create_form(
            session,
            team_id=team_id,
            name=str(body.get("name", "")),
            definition=body.get("definition") or {},
        )
        key = sign(signing_key(session, team=team), PURPOSE, str(form.id))
        return {"id": form.id, "name": form.name, "definition": form.definition, "key": key}


@router.get("/{form_id}")
async def read_form(form_id: int, team_id: TeamId, service: ServiceDep) -> dict[str, Any]:
    """A form of the team, with its public key."""
    with service.transaction() as session:
        team = session.get_one(Team, team_id)
        form = get_form(session, team_id=team_id, form_id=form_id)
        key = sign(signing_key(session, team=team), PURPOSE, str(form.id))
        return {"id": form.id, "name": form.name, "definition": form.definition, "key": key}


@router.post("/{form_id}/submissions", status_code=201, response_model=FormSubmissionOut)
async def submit(
    form_id: int,
    answers: Annotated[
        dict[str, Any], Body(examples=[{"email": "a@b.co", "interest": "Product A"}])
    ],
    request: Request,
    service: ServiceDep,
    key: Annotated[str | None, Query(description="The form's public key.")] = None,
    x_form_key: Annotated[str | None, Header()] = None,
    idempotency_key: Annotated[str | None, Header()] = None,
) -> FormSubmissionOut:
    """A public submission (no API key: the form's key instead, rate-limited per address).
    Creates or updates the lead, routes answers to lists, and classifies the lead."""
    client = request.client.host if request.client else "unknown"
    wait = service.form_limiter.allow(f"{form_id}:{client}")
    if wait:
        raise HTTPException(
            429, "too many submissions; try again later", {"Retry-After": str(int(wait) + 1)}
        )
    given = key or x_form_key or ""
    with service.transaction() as session:
        form = session.get(Form, form_id)
        team = session.get(Team, form.team_id) if form is not None else None
        if (
            form is None
            or team is None
            or not verify(signing_key(session, team=team), PURPOSE, str(form_id), given)
        ):
            raise NotFound("form", form_id)  # a wrong key looks like a missing form
        submission = submit_form(
            session, team_id=team.id, form_id=form_id, answers=answers,
            idempotency_key=idempotency_key,
        )  # fmt: skip
        if not submission.duplicate:
            rescore(
                session, team=team, lead=submission.lead, champion=service.champion,
                event=NewEvent(lead_id=submission.lead.id, type="form_submitted", source="form"),
                lists_changed=tuple(submission.lists),
                new=submission.created, observer=service.metrics,
            )  # fmt: skip
            service.metrics.event_stored("form_submitted")
        return FormSubmissionOut(
            lead_id=submission.lead.id,
            created=submission.created,
            duplicate=submission.duplicate,
            lists=list(submission.lists),
            stage=submission.lead.stage,
        )
