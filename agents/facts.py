"""What the agent knows about one lead, as the caller gathered it, and the numbered facts from it.

`AgentInput` is plain data: the caller (serving, the bench) reads the lead, its score, its flow
step, its features and the team's content library from the database and fills it. `facts`
turns it into short numbered `Fact`s, the only statements a draft may make. Text the lead
supplied (names, company, title, form answers, document titles, and the company description
written from them) is wrapped in double quotes: it is data to mention, never an instruction,
and the guardrails never accept a number or a claim that only appears inside quotes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from agents._quoting import quote, unquoted
from agents.schemas import Action, Language
from agents.timeline import PulseRead, timeline_clauses

__all__ = [
    "AgentInput",
    "ContentItem",
    "Fact",
    "FlowStep",
    "LeadProfile",
    "PulseRead",
    "Score",
    "ScoreReason",
    "fact_lines",
    "facts",
    "quote",
    "unquoted",
]

FlowKind = Literal["sequence", "campaign", "nurture"]
ContentKind = Literal["onboarding", "newsletter", "case_study", "document"]
FactSource = Literal["profile", "form", "timeline", "score", "flow", "team", "company", "content"]


@dataclass(frozen=True, slots=True)
class LeadProfile:
    """The lead as recorded; every text field here came from the lead or an import."""

    name: str
    company: str
    title: str = ""
    industry: str = ""
    country: str = ""
    language: Language = "en"
    source: str = ""
    product_interests: tuple[str, ...] = ()
    form_answers: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ScoreReason:
    """One rule behind the stage (`rule` name and the policy's `detail`)."""

    rule: str
    detail: str


@dataclass(frozen=True, slots=True)
class Score:
    """The lead's latest score: calibrated probability (None when rules alone decided)."""

    stage: Literal["sql", "mql"]
    probability: float | None = None
    fit_grade: str = "C"
    engagement: float = 0.0
    reasons: tuple[ScoreReason, ...] = ()


@dataclass(frozen=True, slots=True)
class FlowStep:
    """Where the lead is: flow kind, 1-based step, the actions allowed there, and the step as
    the flow defines it (`default_*`), used when the agent's output cannot be used."""

    kind: FlowKind
    step: int
    allowed_actions: tuple[Action, ...]
    default_action: Action
    default_subject: str = ""
    default_body: str = ""


@dataclass(frozen=True, slots=True)
class ContentItem:
    """One item of the team's content library; the template turns `slug` into a tracked link."""

    slug: str
    kind: ContentKind
    title: str
    url: str
    summary: str = ""
    language: Language = "en"


@dataclass(frozen=True, slots=True)
class AgentInput:
    """Everything one draft may draw on; `features` is keyed by `features.catalog` names."""

    lead: LeadProfile
    score: Score
    flow: FlowStep
    features: Mapping[str, Any] = field(default_factory=dict)
    team_description: str = ""
    company_description: str = ""
    reads: tuple[PulseRead, ...] = ()
    library: tuple[ContentItem, ...] = ()

    def content(self, slug: str | None) -> ContentItem | None:
        """The library item with this slug, if any."""
        return next((item for item in self.library if item.slug == slug), None)


@dataclass(frozen=True, slots=True)
class Fact:
    """One short statement a draft may rely on, numbered `F1`, `F2`, ... per input."""

    id: str
    text: str
    source: FactSource

    def line(self) -> str:
        """The fact as a prompt bullet."""
        return f"- {self.text} [{self.id}]"


def fact_lines(found: Sequence[Fact]) -> str:
    """Facts as prompt bullets, one a line."""
    return "\n".join(fact.line() for fact in found)


_LABELS: dict[Language, dict[str, str]] = {
    "en": {
        "lead": "lead: {name}, {title} at {company}",
        "where": "industry {industry}, country {country}",
        "interests": "interested in {items}",
        "form": "form answer to {question}: {answer}",
        "team": "our company: {text}",
        "company": "about {company}: {text}",
        "stage": "stage {stage}, fit grade {grade}, engagement {engagement}",
        "probability": "chance of a meeting {percent}%",
        "reason": "score reason: {detail}",
        "flow": "flow {kind}, step {step}",
        "content": "content {slug}: {title}",
    },
    "ko": {
        "lead": "리드: {name}, {title}, {company}",
        "where": "업종 {industry}, 국가 {country}",
        "interests": "관심 제품: {items}",
        "form": "양식 답변 {question}: {answer}",
        "team": "우리 회사: {text}",
        "company": "{company} 소개: {text}",
        "stage": "단계 {stage}, 적합 등급 {grade}, 참여도 {engagement}",
        "probability": "미팅 가능성 {percent}%",
        "reason": "점수 근거: {detail}",
        "flow": "흐름 {kind}, {step}단계",
        "content": "콘텐츠 {slug}: {title}",
    },
}


def facts(data: AgentInput, *, content: str | None = None) -> list[Fact]:
    """The input as numbered facts; `content` adds the chosen library item's title and summary."""
    labels = _LABELS[data.lead.language]
    found: list[tuple[FactSource, str]] = [*_profile(data, labels)]
    clauses = timeline_clauses(data.features, data.reads, language=data.lead.language)
    found += [("timeline", clause) for clause in clauses]
    found += _score(data, labels)
    found.append(("flow", labels["flow"].format(kind=data.flow.kind, step=data.flow.step)))
    if data.team_description.strip():
        text = " ".join(data.team_description.split())
        found.append(("team", labels["team"].format(text=text)))
    if data.company_description.strip():
        line = labels["company"].format(
            company=quote(data.lead.company), text=quote(data.company_description)
        )
        found.append(("company", line))
    item = data.content(content)
    if item is not None:
        title = labels["content"].format(slug=item.slug, title=item.title)
        found.append(("content", f"{title}. {item.summary}".strip(". ") if item.summary else title))
    return [Fact(f"F{n}", text, source) for n, (source, text) in enumerate(found, start=1)]


def _profile(data: AgentInput, labels: dict[str, str]) -> list[tuple[FactSource, str]]:
    lead = data.lead
    found: list[tuple[FactSource, str]] = [
        (
            "profile",
            labels["lead"].format(
                name=quote(lead.name), title=quote(lead.title or "-"), company=quote(lead.company)
            ),
        )
    ]
    if lead.industry or lead.country:
        where = labels["where"].format(
            industry=quote(lead.industry or "-"), country=quote(lead.country or "-")
        )
        found.append(("profile", where))
    if lead.product_interests:
        items = ", ".join(quote(item) for item in lead.product_interests)
        found.append(("profile", labels["interests"].format(items=items)))
    for question, answer in lead.form_answers.items():
        found.append(
            ("form", labels["form"].format(question=quote(question), answer=quote(answer)))
        )
    return found


def _score(data: AgentInput, labels: dict[str, str]) -> list[tuple[FactSource, str]]:
    score = data.score
    found: list[tuple[FactSource, str]] = [
        (
            "score",
            labels["stage"].format(
                stage=score.stage.upper(),
                grade=score.fit_grade,
                engagement=f"{score.engagement:.1f}",
            ),
        )
    ]
    if score.probability is not None:
        found.append(
            ("score", labels["probability"].format(percent=round(score.probability * 100)))
        )
    found += [("score", labels["reason"].format(detail=reason.detail)) for reason in score.reasons]
    return found
