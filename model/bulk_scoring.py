"""Scoring every lead of a team at once and recording each stage change with its reasons."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select
from sqlalchemy.orm import Session

from features import batch_features
from leads.tables import Lead, Team
from leads.teams import settings_of
from model.lead_decisions import apply_decision, decide_frame
from model.policy import Decision
from model.scorer import LeadScorer


def decisions_for_team(
    session: Session, *, team: Team, scorer: LeadScorer | None, version: str | None
) -> dict[int, Decision]:
    """Each lead's decision from the same features the online path computes."""
    frame = batch_features(session, team_id=team.id)
    decided = decide_frame(frame, settings_of(team), scorer=scorer, version=version)
    return {int(i): d for i, d in zip(frame.index, decided, strict=True)}


def score_team(
    session: Session, *, team: Team, scorer: LeadScorer | None, version: str | None
) -> Counter[str]:
    """Classify every lead, record the changes in its history; the count of leads per stage."""
    decisions = decisions_for_team(session, team=team, scorer=scorer, version=version)
    leads = session.scalars(select(Lead).where(Lead.team_id == team.id))
    stages: Counter[str] = Counter()
    for lead in leads:
        decision = decisions.get(lead.id)
        if decision is None:
            continue
        apply_decision(session, lead=lead, decision=decision)
        stages[decision.stage] += 1
    session.flush()
    return stages
