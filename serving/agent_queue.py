"""Drafting for one lead on demand (CLI and API): pick its flow step, draft, queue for review."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from agents.describe import CompanyFacts, describe
from agents.drafting import AgentDraft
from flows.definitions import Step, definition_of, flows_for, nurture_flow
from flows.drafts import StepContext, template_context
from flows.enrollments import live_enrollment
from flows.meetings import booking_url
from flows.review import hold_for_review
from flows.settings import get_settings as flow_settings
from leads.flow_tables import Flow, OutboxItem
from leads.tables import Lead, Team
from leads.teams import signing_key
from serving.agent_drafts import (
    DESCRIPTION,
    AgentDrafts,
    agent_input,
    as_flow_draft,
    form_answers,
    pulse_reads,
)


def _step(session: Session, team: Team, lead: Lead) -> tuple[Flow | None, int, OutboxItem | None]:
    """The lead's next step: its live flow's pending row, else the flow its stage calls for."""
    live = live_enrollment(session, lead=lead)
    if live is not None:
        item = session.scalar(
            select(OutboxItem).where(
                OutboxItem.enrollment_id == live.id, OutboxItem.status == "pending"
            )
        )
        return session.get(Flow, live.flow_id), (item.step if item else live.next_step), item
    stage = lead.stage if lead.stage in ("sql", "mql") else "mql"
    started = flows_for(session, team_id=team.id, stage=stage)
    return (started[0] if started else nurture_flow(session, team_id=team.id)), 0, None


def draft_for_lead(
    session: Session, *, team: Team, lead: Lead, drafts: AgentDrafts
) -> dict[str, Any]:
    """Draft the lead's next email and queue it for review (holding its pending step, if any)."""
    flow, index, item = _step(session, team, lead)
    kind = flow.kind if flow is not None else ("sequence" if lead.stage == "sql" else "nurture")
    step: Step | None = None
    context: dict[str, Any] = {}
    if flow is not None:
        steps = definition_of(flow).steps
        step = steps[index % len(steps)]
        url = booking_url(signing_key(session, team=team), team_id=team.id, lead_id=lead.id,
                          base_url=flow_settings().public_url)  # fmt: skip
        context = template_context(StepContext(team, lead, flow, index, step, url))
    data = agent_input(
        session, team=team, lead=lead, champion=drafts.champion, flow_kind=kind,
        step_index=index, step=step, context=context,
    )  # fmt: skip
    drafted: AgentDraft = drafts.write(data)
    queued = None
    if drafted.action != "wait" and flow is not None:
        row = hold_for_review(
            session, team_id=team.id, lead=lead, item=item,
            draft=as_flow_draft(drafted, flow, team, data),
        )  # fmt: skip
        queued = row.id
    return {
        "lead_id": lead.id, "flow": kind, "step": index,
        "pick": {"action": drafted.action, "content": drafted.content, "reason": drafted.reason,
                 "policy_action": drafted.policy_action,
                 "agreed_with_policy": drafted.agreed_with_policy,
                 "repaired": drafted.repaired, "fell_back": drafted.fell_back},
        "subject": drafted.subject, "body": drafted.body, "language": drafted.language,
        "facts_used": list(drafted.facts_used), "guardrails": asdict(drafted.checks),
        "needs_review": drafted.needs_review, "provider": drafted.provider,
        "draft_id": queued, "held_step": item.id if item is not None and queued else None,
    }  # fmt: skip


def describe_lead(session: Session, *, team: Team, lead: Lead, model: Any = None) -> str:
    """Write the lead's company description from the record and store it (editable later)."""
    facts = CompanyFacts(
        company=lead.company or "", industry=lead.industry or "", country=lead.country or "",
        employees=lead.employees, revenue_usd=lead.revenue_usd,
        interests=tuple(lead.product_interests or ()),
        attributes={k: v for k, v in lead.attributes.items() if k != DESCRIPTION},
        answers=form_answers(session, team, lead), reads=pulse_reads(session, team, lead),
        language=lead.language if lead.language in ("en", "ko") else "en",
    )  # fmt: skip
    text = describe(facts, model=model)
    lead.attributes = {**lead.attributes, DESCRIPTION: text}
    session.flush()
    return text
