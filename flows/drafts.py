"""Where a step's email text comes from: the "draft provider" protocol.

The flow engine asks a provider for each step's subject and body; `TemplateDrafts` renders the
step's own Jinja2 templates. The agent (in `agents`) fills the same protocol, wired by
`serving`, so the flows never import the agent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy.orm import Session

from flows.definitions import Step, render_step
from leads.flow_tables import Flow
from leads.tables import Lead, Team


@dataclass(frozen=True, slots=True)
class Draft:
    """An email's text before the template adds greeting, links and footer.

    `needs_review` holds it in the review queue instead of sending it; `checks` are the
    guardrail results and `context` what the writer was given (both shown to reviewers)."""

    subject: str
    body: str
    language: str
    source: str = "template"
    facts: list[str] = field(default_factory=list)
    needs_review: bool = False
    action: str | None = None
    checks: dict[str, Any] = field(default_factory=dict)
    context: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class StepContext:
    """What a provider knows about the email to write."""

    team: Team
    lead: Lead
    flow: Flow
    step_index: int
    step: Step
    booking_url: str


class DraftProvider(Protocol):
    """Writes one step's email for one lead."""

    def draft(self, session: Session, context: StepContext) -> Draft: ...


def template_context(context: StepContext) -> dict[str, Any]:
    """What a step's templates may use."""
    lead = context.lead
    first = lead.first_name or (lead.name.split()[0] if lead.name else "")
    return {
        "lead": {
            "first_name": first, "name": lead.name or "", "company": lead.company or "",
            "title": lead.title or "", "industry": lead.industry or "",
        },
        "team": {"name": context.team.name},
        "content_url": context.step.content_url or "",
        "booking_url": context.booking_url,
        "step": context.step_index + 1,
    }  # fmt: skip


class TemplateDrafts:
    """The step's own subject and body templates, in the lead's (or team's) language."""

    def draft(self, session: Session, context: StepContext) -> Draft:  # noqa: ARG002
        subject, body = render_step(context.step, template_context(context))
        language = context.lead.language or "en"
        return Draft(subject=subject, body=body, language=language)
