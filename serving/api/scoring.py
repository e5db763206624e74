"""Scoring: one lead or a batch, stored or given in the request; nothing is written."""

from __future__ import annotations

from typing import Any

import pandas as pd
from fastapi import APIRouter
from sqlalchemy import select
from sqlalchemy.orm import Session

from features import TransientLead, batch_features, online_features, transient_features
from leads.errors import InvalidInput, NotFound, ValidationFailed
from leads.lead_input import parse_lead_fields
from leads.tables import Lead, Team
from leads.teams import settings_of
from model.lead_decisions import decide_frame
from serving.api.convert import decision_out
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
    return TransientLead(parsed.values, [e.model_dump() for e in events])


@router.post("/score", response_model=ScoreOut)
async def score(request: ScoreIn, team_id: TeamId, service: ServiceDep) -> ScoreOut:
    """Probability, SQL/MQL, fit grade, engagement, reasons and model version for one lead:
    a stored lead (`lead_id`, from its record as of now) or one given here."""
    served = service.champion.current
    with service.transaction() as session:
        team = session.get_one(Team, team_id)
        if request.lead_id is not None:
            frame = online_features(session, team_id=team_id, lead_id=request.lead_id)
        else:
            transient = _transient(request.lead or {}, request.events, "lead")
            frame = transient_features(session, team_id=team_id, leads=[transient])
        decision = decide_frame(
            frame,
            settings_of(team),
            scorer=served.scorer if served else None,
            version=served.version if served else None,
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


@router.post("/score:batch", response_model=ScoreBatchOut)
async def score_batch(request: ScoreBatchIn, team_id: TeamId, service: ServiceDep) -> ScoreBatchOut:
    """Score up to 10,000 leads at once, stored (`lead_ids`) or given here (`leads`)."""
    limit = service.settings.batch_limit
    size = len(request.lead_ids if request.lead_ids is not None else request.leads or [])
    if size > limit:
        raise ValidationFailed("lead_ids" if request.lead_ids else "leads", f"at most {limit}")
    served = service.champion.current
    with service.transaction() as session:
        team = session.get_one(Team, team_id)
        if request.lead_ids is not None:
            frame = _stored_frame(session, team_id, request.lead_ids)
            ids: list[int | None] = list(request.lead_ids)
        else:
            leads = [
                _transient(item.lead, item.events, f"leads[{i}].lead")
                for i, item in enumerate(request.leads or [])
            ]
            frame = transient_features(session, team_id=team_id, leads=leads)
            ids = [None] * len(leads)
        settings = settings_of(team)
    if not len(frame):
        return ScoreBatchOut(model_version=served.version if served else None, results=[])
    decisions = decide_frame(
        frame,
        settings,
        scorer=served.scorer if served else None,
        version=served.version if served else None,
        factors=request.factors,
    )
    for decision in decisions:
        service.metrics.decisions.labels(decision.stage).inc()
    return ScoreBatchOut(
        model_version=served.version if served else None,
        results=[
            ScoreOut(lead_id=i, decision=decision_out(d))
            for i, d in zip(ids, decisions, strict=True)
        ],
    )
