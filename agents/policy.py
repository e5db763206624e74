"""The reference policy: the next email from the flow step, the features and the score.

Deterministic and explainable, it always runs. With the bundled offline model it decides (tiny
models choose near-randomly); with a capable model it is the yardstick the model's pick is
compared with. It reads features and score only: nothing the lead typed can change it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from agents.facts import AgentInput, ContentItem, ContentKind
from agents.schemas import Action
from agents.timeline import number

REPLY_QUIET_DAYS = 3  # after a reply a person answers; the flow waits
PRICING_DWELL_SECONDS = 60.0
HOT_PROBABILITY = 0.5


@dataclass(frozen=True, slots=True)
class Choice:
    """An action the step allows, the library item to attach (a slug) and a one-line reason."""

    action: Action
    content: str | None
    reason: str


def reference_pick(data: AgentInput) -> Choice:
    """The policy's choice for this lead at this step."""
    wanted = _wanted(data)
    if wanted.action in data.flow.allowed_actions:
        return wanted
    fallback = default_pick(data)
    return Choice(
        fallback.action,
        fallback.content,
        f"{wanted.action} is not allowed at this step; {fallback.reason}",
    )


def default_pick(data: AgentInput) -> Choice:
    """The flow's own step: its action and the content that action would attach."""
    allowed = data.flow.allowed_actions
    action = data.flow.default_action if data.flow.default_action in allowed else allowed[0]
    return Choice(action, content_for(data, action), f"the flow's step {data.flow.step}")


def content_for(data: AgentInput, action: Action) -> str | None:
    """The library item an action attaches, in the lead's language when there is one."""
    kinds: dict[Action, tuple[ContentKind, ...]] = {
        "meeting_proposal": ("case_study",),
        "onboarding_content": ("onboarding", "document", "case_study"),
        "nurture_newsletter": ("newsletter", "case_study"),
    }
    for kind in kinds.get(action, ()):
        items = _unread(data, kind)
        if not items:
            continue
        if kind == "case_study":
            return _closest_case(data, items).slug
        return items[(data.flow.step - 1) % len(items)].slug
    return None


def hot_signal(data: AgentInput) -> str | None:
    """Why the lead looks ready for a meeting, or None."""
    features = data.features
    if number(features, "demo_requested") > 0:
        return "requested a demo"
    if number(features, "clicks_booking") > 0:
        return "clicked the booking link"
    if number(features, "clicks_pricing") > 0:
        return "clicked the pricing link"
    if number(features, "dwell_pricing_seconds") >= PRICING_DWELL_SECONDS:
        return "read the pricing page"
    probability = data.score.probability
    if data.score.stage == "sql" and probability is not None and probability >= HOT_PROBABILITY:
        return f"SQL with a {probability:.0%} chance of a meeting"
    return None


def _wanted(data: AgentInput) -> Choice:
    features, flow = data.features, data.flow
    if number(features, "unsubscribed") > 0 or number(features, "bounced") > 0:
        return Choice("wait", None, "unsubscribed or bounced: nothing is sent")
    replies = number(features, "replies_all")
    if replies > 0 and number(features, "days_since_reply") <= REPLY_QUIET_DAYS:
        return Choice("wait", None, "replied in the last few days: a person answers")
    hot = hot_signal(data)
    if hot and "meeting_proposal" in flow.allowed_actions:
        return _choice(data, "meeting_proposal", f"{hot}: propose a meeting")
    if flow.kind == "sequence":
        if flow.step <= 1:
            return _choice(data, "meeting_proposal", "first email of the sales sequence")
        if number(features, "opens_human_30d") + number(features, "clicks_human_30d") > 0:
            return _choice(data, "reminder", "engaged with recent emails but booked nothing")
        return _choice(data, "reminder", "no reaction yet: a short reminder")
    if flow.kind == "campaign":
        if content_for(data, "onboarding_content") is None:
            return Choice("wait", None, "no onboarding content left to send")
        return _choice(data, "onboarding_content", f"onboarding step {flow.step}")
    if content_for(data, "nurture_newsletter") is None:
        return Choice("wait", None, "no newsletter in the library")
    return _choice(data, "nurture_newsletter", "keep the lead warm with the newsletter")


def _choice(data: AgentInput, action: Action, reason: str) -> Choice:
    return Choice(action, content_for(data, action), reason)


def _unread(data: AgentInput, kind: ContentKind) -> list[ContentItem]:
    read = {read.document.casefold() for read in data.reads}
    items = [item for item in data.library if item.kind == kind]
    items = [item for item in items if item.title.casefold() not in read]
    own = [item for item in items if item.language == data.lead.language]
    return own or items


def _closest_case(data: AgentInput, items: Sequence[ContentItem]) -> ContentItem:
    industry = data.lead.industry.casefold().strip()
    for item in items:
        if industry and industry in f"{item.title} {item.summary}".casefold():
            return item
    return items[0]
