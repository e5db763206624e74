"""The agent as the flows' draft provider: what the record knows about a lead, gathered into
the agent's input; its draft back as the flows' `Draft`.

`flows` and `agents` never import each other: this module, in `serving`, wires them. A draft
goes out without review only when the team auto-sends that kind of flow and every guardrail
passed; anything else waits in the review queue with its checks shown.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict
from typing import Any

from langchain_core.language_models import BaseChatModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from agents.drafting import AgentDraft, draft_email
from agents.facts import AgentInput, ContentItem, FlowStep, LeadProfile, Score, ScoreReason
from agents.providers import capable, chat_model, provider_name
from agents.settings import AgentSettings
from agents.timeline import PulseRead
from features import online_features
from features.frames import records
from flows.definitions import Step, render_step
from flows.drafts import Draft, StepContext, template_context
from leads.flow_tables import ContentItem as ContentRow
from leads.flow_tables import Flow
from leads.tables import Document, Event, Lead, Team
from leads.teams import settings_of
from model.champion import Champion
from model.lead_decisions import decide_frame

ALLOWED = {
    "sequence": ("meeting_proposal", "reminder", "onboarding_content", "wait"),
    "campaign": ("onboarding_content", "nurture_newsletter", "wait"),
    "nurture": ("nurture_newsletter", "onboarding_content", "wait"),
}
DESCRIPTION = "ai_description"  # the lead attribute holding its company's description


def pulse_reads(session: Session, team: Team, lead: Lead) -> tuple[PulseRead, ...]:
    dwell = session.execute(
        select(Event.payload)
        .where(Event.team_id == team.id, Event.lead_id == lead.id, Event.type == "page_dwell")
        .order_by(Event.id.desc())
        .limit(1000)
    ).scalars()
    pages: dict[str, dict[int, float]] = defaultdict(dict)
    for payload in dwell:
        slug, page = payload.get("document"), payload.get("page")
        if isinstance(slug, str) and isinstance(page, int):
            seconds = float(payload.get("seconds") or 0)
            pages[slug][page] = pages[slug].get(page, 0.0) + seconds
    if not pages:
        return ()
    documents = {
        d.slug: d
        for d in session.scalars(
            select(Document).where(Document.team_id == team.id, Document.slug.in_(pages))
        )
    }
    reads = []
    for slug, dwelt in pages.items():
        document = documents.get(slug)
        total = len(document.pages) if document is not None else 0
        longest = max(dwelt, key=lambda p: dwelt[p])
        reads.append(
            PulseRead(
                document=document.title if document is not None else slug,
                read_depth=min(1.0, len(dwelt) / total) if total else 0.0,
                longest_page=longest,
                longest_dwell_seconds=dwelt[longest],
            )
        )
    return tuple(reads)


def form_answers(session: Session, team: Team, lead: Lead) -> dict[str, str]:
    payload = session.scalar(
        select(Event.payload)
        .where(Event.team_id == team.id, Event.lead_id == lead.id, Event.type == "form_submitted")
        .order_by(Event.id.desc())
        .limit(1)
    )
    answers = payload.get("answers", {}) if isinstance(payload, dict) else {}
    return {str(k): str(v) for k, v in answers.items() if isinstance(v, str | int | float)}


def agent_input(
    session: Session,
    *,
    team: Team,
    lead: Lead,
    champion: Champion,
    flow_kind: str,
    step_index: int,
    step: Step | None = None,
    context: dict[str, Any] | None = None,
) -> AgentInput:
    """Everything the agent may use about this lead, read from the record now."""
    settings = settings_of(team)
    frame = online_features(session, team_id=team.id, lead_id=lead.id)
    served = champion.current
    decision = decide_frame(
        frame, settings, scorer=served.scorer if served else None,
        version=served.version if served else None, factors=False,
    )[0]  # fmt: skip
    language = lead.language if lead.language in ("en", "ko") else settings.language
    subject, body = render_step(step, context or {}) if step is not None else ("", "")
    allowed = ALLOWED[flow_kind]
    default = step.action if step is not None and step.action in allowed else allowed[0]
    library = session.scalars(
        select(ContentRow).where(ContentRow.team_id == team.id).order_by(ContentRow.id)
    )
    return AgentInput(
        lead=LeadProfile(
            name=lead.name or lead.first_name or "", company=lead.company or "",
            title=lead.title or "", industry=lead.industry or "", country=lead.country or "",
            language="ko" if language == "ko" else "en", source=lead.source or "",
            product_interests=tuple(lead.product_interests or ()),
            form_answers=form_answers(session, team, lead),
        ),
        score=Score(
            stage=decision.stage, probability=decision.probability,
            fit_grade=decision.fit_grade, engagement=decision.engagement,
            reasons=tuple(ScoreReason(r.rule, r.detail) for r in decision.reasons),
        ),
        flow=FlowStep(
            kind=flow_kind,  # type: ignore[arg-type]
            step=step_index, allowed_actions=allowed,  # type: ignore[arg-type]
            default_action=default,  # type: ignore[arg-type]
            default_subject=subject, default_body=body,
        ),
        features=records(frame)[0],
        team_description=settings.company_description,
        company_description=str(lead.attributes.get(DESCRIPTION, "")),
        reads=pulse_reads(session, team, lead),
        library=tuple(
            ContentItem(
                slug=c.slug, kind=c.kind if c.kind != "other" else "document",  # type: ignore[arg-type]
                title=c.title, url=c.url, summary=c.summary,
                language="ko" if c.language == "ko" else "en",
            )
            for c in library
        ),
    )  # fmt: skip


class AgentDrafts:
    """Drafts each step with the agent (the model is built once, when first needed)."""

    def __init__(self, champion: Champion, settings: AgentSettings | None = None) -> None:
        self.champion = champion
        self.settings = settings or AgentSettings()
        self._model: BaseChatModel | None = None

    @property
    def model(self) -> BaseChatModel:
        if self._model is None:
            self._model = chat_model(self.settings)
        return self._model

    def write(self, data: AgentInput) -> AgentDraft:
        """The agent's draft for this input."""
        return draft_email(
            data, model=self.model, capable=capable(self.settings),
            provider=provider_name(self.settings),
        )  # fmt: skip

    def draft(self, session: Session, context: StepContext) -> Draft:
        data = agent_input(
            session, team=context.team, lead=context.lead, champion=self.champion,
            flow_kind=context.flow.kind, step_index=context.step_index, step=context.step,
            context=template_context(context),
        )  # fmt: skip
        return as_flow_draft(self.write(data), context.flow, context.team, data)


def as_flow_draft(drafted: AgentDraft, flow: Flow, team: Team, data: AgentInput) -> Draft:
    """The agent's draft in the flows' terms: held for review unless the team auto-sends this
    flow and every check passed."""
    auto = flow.kind in settings_of(team).auto_send
    waiting = drafted.action == "wait"
    # A draft that failed its checks twice is kept for the reviewer to see, but the queue
    # offers the step's own text (written by the team) to approve or edit instead.
    replaced = not drafted.checks.passed and bool(data.flow.default_body)
    subject = data.flow.default_subject if replaced or not drafted.subject else drafted.subject
    body = data.flow.default_body if replaced or not drafted.body else drafted.body
    return Draft(
        subject=subject,
        body=body,
        language=drafted.language,
        source=drafted.provider,
        facts=list(drafted.facts_used),
        needs_review=drafted.needs_review or waiting or not auto,
        action=drafted.action,
        checks=asdict(drafted.checks),
        context={
            "why": [f"{r.rule}: {r.detail}" for r in data.score.reasons],
            "stage": data.score.stage, "probability": data.score.probability,
            "pick_reason": drafted.reason, "policy_action": drafted.policy_action,
            "agreed_with_policy": drafted.agreed_with_policy, "repaired": drafted.repaired,
            "fell_back": drafted.fell_back, "content": drafted.content,
            "replaced_by_step_text": replaced,
            "model_attempt": (
                {"subject": drafted.subject, "body": drafted.body} if replaced else None
            ),
        },
    )  # fmt: skip
