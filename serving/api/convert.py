"""Turning domain objects into HTTP schemas (one place, so every route shows them alike)."""

from __future__ import annotations

from typing import Any

from flows.loop import Outcome
from leads.list_membership import MembershipChange
from model.policy import Decision, Factor
from serving.schemas import DecisionOut, EventResult, ListChangeOut


def decision_dict(decision: Decision) -> dict[str, Any]:
    """The decision as JSON-ready data, built directly (`dataclasses.asdict` deep-copies every
    value, which shows on batches of thousands)."""
    return {
        "stage": decision.stage, "probability": decision.probability,
        "fit_grade": decision.fit_grade, "engagement": decision.engagement,
        "reasons": [
            {"rule": r.rule, "detail": r.detail, "values": r.values, "points_to": r.points_to}
            for r in decision.reasons
        ],
        "top_positive": [_factor(f) for f in decision.top_positive],
        "top_negative": [_factor(f) for f in decision.top_negative],
        "model_version": decision.model_version, "rules_only": decision.rules_only,
    }  # fmt: skip


def _factor(factor: Factor) -> dict[str, Any]:
    return {"feature": factor.feature, "value": factor.value, "contribution": factor.contribution}


def decision_out(decision: Decision) -> DecisionOut:
    return DecisionOut.model_validate(decision_dict(decision))


def change_out(change: MembershipChange) -> ListChangeOut:
    return ListChangeOut(list_id=change.list_id, list=change.list_name, entered=change.entered)


def event_result(outcome: Outcome) -> EventResult:
    return EventResult(
        event_id=outcome.event_id,
        created=outcome.created,
        lead_id=outcome.lead.id,
        stage=outcome.stage,
        previous_stage=outcome.previous_stage,
        score=outcome.score,
        decision=decision_out(outcome.decision) if outcome.decision else None,
        list_changes=[change_out(c) for c in outcome.list_changes],
    )
