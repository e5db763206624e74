"""Scoring every lead of a team at once and recording each stage change with its reasons."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from features import batch_features
from leads.history import change_stage
from leads.tables import Lead, Team
from leads.teams import settings_of
from model.policy import Decision, decide
from model.scorer import LeadScorer


def decisions_for_team(
    session: Session, *, team: Team, scorer: LeadScorer | None, version: str | None
) -> dict[int, Decision]:
    """Each lead's decision from the same features the online path computes."""
    frame = batch_features(session, team_id=team.id)
    settings = settings_of(team)
    if scorer is None:
        rows: list[dict[str, Any]] = frame.to_dict("records")  # type: ignore[assignment]
        return {int(i): decide(r, settings) for i, r in zip(frame.index, rows, strict=True)}
    decided = scorer.decisions(frame, settings, model_version=version)
    return {int(i): d for i, d in zip(frame.index, decided, strict=True)}


def score_team(
    session: Session, *, team: Team, scorer: LeadScorer | None, version: str | None
) -> Counter[str]:
    """Classify every lead, record the changes in its history; the count of leads per stage."""
    decisions = decisions_for_team(session, team=team, scorer=scorer, version=version)
    leads = session.scalars(select(Lead).where(Lead.team_id == team.id))
    stages: Counter[str] = Counter()
    actor = f"model:v{version}" if version else "rules"
    for lead in leads:
        decision = decisions.get(lead.id)
        if decision is None:
            continue
        reasons = [asdict(r) for r in decision.reasons]
        if decision.probability is not None:
            reasons.append(
                {
                    "rule": "probability",
                    "detail": f"{decision.probability:.3f}",
                    "values": {"probability": decision.probability},
                    "points_to": "",
                }
            )
        change_stage(session, lead=lead, to=decision.stage, reasons=reasons, actor=actor)
        stages[decision.stage] += 1
    session.flush()
    return stages
