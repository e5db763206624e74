"""Deciding one lead or many from their features, and keeping the decision on the lead.

One function decides computed features (with the model when there is one, by rules otherwise),
so the per-event path, `POST /v1/score` and the bulk scorer give the same decision for the same
lead state: `decide_rows` takes a few leads' `FeatureRows` (no pandas on the way, for one lead
online) or a frame, `decide_frame` a frame. `apply_decision` stores the decision on the lead and
records a stage change with its reasons.
"""

from __future__ import annotations

import math
from dataclasses import asdict
from typing import Any

import pandas as pd
from sqlalchemy.orm import Session

from features import records
from leads.history import change_stage
from leads.records import write_scores
from leads.tables import Lead
from leads.team_settings import TeamSettings
from model.policy import Decision, Factor, decide
from model.scorer import Features, LeadScorer


def decide_rows(
    rows: Features,
    settings: TeamSettings,
    *,
    scorer: LeadScorer | None,
    version: str | None,
    factors: bool = False,
) -> list[Decision]:
    """A decision per lead of feature rows (or a frame): model and rules, or rules alone.

    `factors=True` adds each lead's top model factors (LightGBM contributions), which cost more
    than the probability itself: the per-event path asks for them on a stage change only.
    """
    if scorer is not None and factors:
        return scorer.decisions(rows, settings, model_version=version)
    values = records(rows)
    if scorer is None:
        return [decide(row, settings) for row in values]
    probabilities = scorer.probabilities(rows)
    return [
        decide(row, settings, probability=float(p), model_version=version)
        for row, p in zip(values, probabilities, strict=True)
    ]


def decide_frame(
    frame: pd.DataFrame,
    settings: TeamSettings,
    *,
    scorer: LeadScorer | None,
    version: str | None,
    factors: bool = True,
) -> list[Decision]:
    """A decision per row of a feature frame: `decide_rows`, with factors unless told not to.

    `factors=False` leaves out each lead's top model factors, which cost more than the
    probability itself on big batches.
    """
    return decide_rows(frame, settings, scorer=scorer, version=version, factors=factors)


def history_reasons(decision: Decision) -> list[dict[str, Any]]:
    """The reasons a stage change keeps in the lead's history (the probability included)."""
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
    if decision.top_positive or decision.top_negative:
        reasons.append(
            {
                "rule": "top_factors",
                "detail": "the model's largest contributions (log-odds)",
                "values": {
                    "positive": [_factor(f) for f in decision.top_positive],
                    "negative": [_factor(f) for f in decision.top_negative],
                },
                "points_to": "",
            }
        )
    return reasons


def _factor(factor: Factor) -> dict[str, Any]:
    """A factor as JSON (a missing feature value is null: PostgreSQL's JSON has no NaN)."""
    value = factor.value
    if isinstance(value, float) and not math.isfinite(value):
        value = None
    return {"feature": factor.feature, "value": value, "contribution": factor.contribution}


def actor_of(decision: Decision) -> str:
    """Who decided: the model version, or the rules."""
    return f"model:v{decision.model_version}" if decision.model_version else "rules"


def apply_decision(session: Session, *, lead: Lead, decision: Decision) -> bool:
    """Store the decision on the lead; True when its stage changed (recorded in history)."""
    write_scores(
        session, lead=lead, score=decision.probability, fit_grade=decision.fit_grade,
        engagement=decision.engagement, model_version=decision.model_version,
    )  # fmt: skip
    changed = change_stage(
        session,
        lead=lead,
        to=decision.stage,
        reasons=history_reasons(decision),
        actor=actor_of(decision),
    )
    return changed is not None
