"""One email for one lead: pick -> write -> guardrails -> regenerate once -> `AgentDraft`.

The body is plain-text paragraphs: the template adds greeting, signature, the tracked link of
`content` and the unsubscribe footer. A draft whose checks fail after one regeneration is
returned with `needs_review` and its failures, never to be sent automatically. `wait` is a
pick like the others: it returns an empty draft that the caller does not queue.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.tools import BaseTool

from agents.agent import PickOutcome, WriteOutcome, pick, write, writing_facts
from agents.facts import AgentInput, Fact
from agents.guardrails import Checks, check_draft
from agents.schemas import Action, Language


@dataclass(frozen=True, slots=True)
class AgentDraft:
    """A drafted email and how it was made; `facts_used` holds the facts' texts."""

    action: Action
    content: str | None
    subject: str
    body: str
    language: Language
    facts_used: list[str]
    checks: Checks
    provider: str
    needs_review: bool
    reason: str
    agreed_with_policy: bool
    repaired: bool
    fell_back: bool
    policy_action: Action
    regenerated: bool = False
    errors: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The draft as JSON-ready data."""
        return asdict(self)


@dataclass(frozen=True, slots=True)
class _Text:
    subject: str
    body: str
    facts_used: list[str]
    checks: Checks
    fell_back: bool = False


def draft_email(
    data: AgentInput,
    *,
    model: BaseChatModel,
    capable: bool,
    provider: str,
    tools: Sequence[BaseTool] | None = None,
) -> AgentDraft:
    """Pick the next email for this lead and write it; every draft carries its checks."""
    picked = pick(data, model=model, capable=capable, tools=tools)
    if picked.choice.action == "wait":
        return _draft(
            data, picked, _Text("", "", [], Checks(True, [], {"skipped": "wait"})), provider
        )
    known = writing_facts(data, picked.choice.content)
    first = write(data, picked.choice, known, model=model, capable=capable)
    text = _text(data, first, known)
    outcomes = [first]
    if not text.checks.passed and not first.fell_back:
        second = write(
            data, picked.choice, known, model=model, capable=capable, feedback=text.checks.failures
        )
        outcomes.append(second)
        retry = _text(data, second, known)
        if second.written is not None and len(retry.checks.failures) <= len(text.checks.failures):
            text = retry
    return _draft(data, picked, text, provider, outcomes)


def _text(data: AgentInput, outcome: WriteOutcome, known: Sequence[Fact]) -> _Text:
    written = outcome.written
    if written is None:
        return _fallback_text(data)
    by_id = {fact.id: fact.text for fact in known}
    used = [by_id[fact_id] for fact_id in dict.fromkeys(written.facts_used) if fact_id in by_id]
    subject, body = written.subject.strip(), written.body
    checks = check_draft(
        subject, body, language=data.lead.language, facts=known, library=data.library
    )
    return _Text(subject, body, used, checks)


def _fallback_text(data: AgentInput) -> _Text:
    """The flow's own step text: written by the team, so it is not fact-checked."""
    subject, body = data.flow.default_subject.strip(), data.flow.default_body.strip()
    if subject and body:
        return _Text(subject, body, [], Checks(True, [], {"source": "flow step"}), fell_back=True)
    failure = "fallback: the model's answer did not parse and the step has no text of its own"
    checks = Checks(False, [failure], {"source": "flow step"})
    return _Text(subject, body, [], checks, fell_back=True)


def _draft(
    data: AgentInput,
    picked: PickOutcome,
    text: _Text,
    provider: str,
    outcomes: Sequence[WriteOutcome] = (),
) -> AgentDraft:
    errors = [picked.error] if picked.error else []
    errors += [outcome.error for outcome in outcomes if outcome.error]
    return AgentDraft(
        action=picked.choice.action,
        content=picked.choice.content,
        subject=text.subject,
        body=text.body,
        language=data.lead.language,
        facts_used=text.facts_used,
        checks=text.checks,
        provider=provider,
        needs_review=not text.checks.passed,
        reason=picked.choice.reason,
        agreed_with_policy=picked.agreed_with_policy,
        repaired=picked.repaired or any(outcome.repaired for outcome in outcomes),
        fell_back=picked.fell_back or text.fell_back,
        policy_action=picked.policy.action,
        regenerated=len(outcomes) > 1,
        errors=errors,
    )
