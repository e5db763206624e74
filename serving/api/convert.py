"""Turning domain objects into HTTP schemas (one place, so every route shows them alike)."""

from __future__ import annotations

from flows.loop import Outcome
from leads.list_membership import MembershipChange
from model.policy import Decision
from serving.schemas import DecisionOut, EventResult, ListChangeOut


def decision_out(decision: Decision) -> DecisionOut:
    return DecisionOut.model_validate(decision.to_json())


def change_out(change: MembershipChange) -> ListChangeOut:
    return ListChangeOut(list_id=change.list_id, list=change.list_name, entered=change.entered)


def event_result(outcome: Outcome) -> EventResult:
    return EventResult(
        event_id=outcome.event_id,
        created=outcome.created,
        lead_id=outcome.lead.id,
        stage=outcome.lead.stage,
        previous_stage=outcome.previous_stage,
        score=outcome.lead.score,
        decision=decision_out(outcome.decision) if outcome.decision else None,
        list_changes=[change_out(c) for c in outcome.list_changes],
    )
