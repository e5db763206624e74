"""Scoring: one lead or a batch, stored or given in the request; nothing is written."""

from __future__ import annotations

from collections import Counter
from typing import Any

import orjson
import pandas as pd
from fastapi import APIRouter, Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from features import (
    TransientLead,
    batch_features,
    online_features,
    online_rows,
    transient_features,
    transient_rows,
)
from leads.errors import InvalidInput, NotFound, ValidationFailed
from leads.lead_input import parse_lead_fields
from leads.tables import Lead, Team
from leads.teams import settings_of
from model.lead_decisions import decide_frame, decide_rows
from serving.api.convert import decision_dict, decision_out
from serving.deps import ServiceDep, TeamId
from serving.schemas import (
    ScoreBatchIn,
    ScoreBatchOut,
    ScoreIn,
    ScoreOut,
    TransientEventIn,
)

router = APIRouter(prefix="/v1", tags=["scoring"])
# Above this many stored leads, reading the whole team at once beats one read per lead.
TEAM_READ_FROM = 300


def _transient(lead: dict[str, Any], events: list[TransientEventIn], prefix: str) -> TransientLead:
    parsed = parse_lead_fields(lead)
    if parsed.errors:
        raise InvalidInput(
            [ValidationFailed(f"{prefix}.{e.field}", e.problem) for e in parsed.errors]
        )
    return TransientLead(parsed.values, [e.__dict__ for e in events])


@router.post("/score", response_model=ScoreOut)
async def score(request: ScoreIn, team_id: TeamId, service: ServiceDep) -> ScoreOut:
    """Probability, SQL/MQL, fit grade, engagement, reasons and model version for one lead:
    a stored lead (`lead_id`, from its record as of now) or one given here."""
    # Feature rows, not a frame: for one lead pandas costs more than the scoring itself.
    served = service.champion.current
    with service.transaction() as session:
        team = session.get_one(Team, team_id)
        if request.lead_id is not None:
            rows = online_rows(session, team_id=team_id, lead_id=request.lead_id)
        else:
            transient = _transient(request.lead or {}, request.events, "lead")
            rows = transient_rows(session, team_id=team_id, leads=[transient])
        decision = decide_rows(
            rows,
            settings_of(team),
            scorer=served.scorer if served else None,
            version=served.version if served else None,
            factors=True,
        )[0]
    service.metrics.decisions.labels(decision.stage).inc()
    return ScoreOut(lead_id=request.lead_id, decision=decision_out(decision))


def _stored_frame(session: Session, team_id: int, lead_ids: list[int]) -> pd.DataFrame:
    known = set(
        session.scalars(select(Lead.id).where(Lead.team_id == team_id, Lead.id.in_(lead_ids)))
    )
    for lead_id in lead_ids:
        if lead_id not in known:
            raise NotFound("lead", lead_id)  # another team's id does not exist here
    if len(lead_ids) >= TEAM_READ_FROM:
        return batch_features(session, team_id=team_id).loc[lead_ids]
    frames = [online_features(session, team_id=team_id, lead_id=i) for i in lead_ids]
    return pd.concat(frames) if frames else pd.DataFrame()


BODY_SCHEMAS = (ScoreBatchIn,)  # parsed by the route itself; listed in the OpenAPI document
BATCH_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ScoreBatchIn"}}},
    }
}


@router.post("/score:batch", response_model=ScoreBatchOut, openapi_extra=BATCH_BODY)
async def score_batch(request: Request, team_id: TeamId, service: ServiceDep) -> Response:
    """Score up to 10,000 leads at once, stored (`lead_ids`) or given here (`leads`).

    The body is parsed and checked in one pass by pydantic's JSON parser and the answer written
    by orjson: for 10,000 leads with their events, the framework's generic JSON handling cost
    more than scoring them."""
    try:
        body = ScoreBatchIn.model_validate_json(await request.body())
    except ValidationError as error:
        raise RequestValidationError(error.errors()) from None
    limit = service.settings.batch_limit
    size = len(body.lead_ids if body.lead_ids is not None else body.leads or [])
    if size > limit:
        raise ValidationFailed("lead_ids" if body.lead_ids else "leads", f"at most {limit}")
    served = service.champion.current
    with service.transaction() as session:
        team = session.get_one(Team, team_id)
        if body.lead_ids is not None:
            frame = _stored_frame(session, team_id, body.lead_ids)
            ids: list[int | None] = list(body.lead_ids)
        else:
            leads = [
                _transient(item.lead, item.events, f"leads[{i}].lead")
                for i, item in enumerate(body.leads or [])
            ]
            frame = transient_features(session, team_id=team_id, leads=leads)
            ids = [None] * len(leads)
        settings = settings_of(team)
    version = served.version if served else None
    decisions = (
        decide_frame(
            frame, settings, scorer=served.scorer if served else None, version=version,
            factors=body.factors,
        )
        if len(frame)
        else []
    )  # fmt: skip
    for stage, count in Counter(d.stage for d in decisions).items():
        service.metrics.decisions.labels(stage).inc(count)
    results = [
        {"lead_id": i, "decision": decision_dict(d)} for i, d in zip(ids, decisions, strict=True)
    ]
    content = orjson.dumps({"model_version": version, "results": results})
    return Response(content, media_type="application/json")
