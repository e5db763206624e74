"""The agent with a scripted chat model: tool calls, structured output, repair and fallback.

`ScriptedChatModel` and `lead_input` are shared with the drafting tests.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, ToolMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from pydantic import Field

from agents.agent import build_agent, pick, write, writing_facts
from agents.facts import (
    AgentInput,
    ContentItem,
    FlowKind,
    FlowStep,
    LeadProfile,
    PulseRead,
    Score,
    ScoreReason,
)
from agents.policy import Choice
from agents.schemas import Action, Language
from agents.tools import lead_tools

_ids = itertools.count(1)

LIBRARY = (
    ContentItem(
        "beta-case",
        "case_study",
        "How Beta Corp booked more meetings",
        "https://example.com/beta",
        "Beta Corp focused its sales team on scored leads.",
    ),
    ContentItem(
        "start-guide",
        "onboarding",
        "Getting started guide",
        "https://example.com/start",
        "Set up your first scoring model in one afternoon.",
    ),
    ContentItem(
        "ko-start",
        "onboarding",
        "시작 안내서",
        "https://example.com/ko",
        "첫 리드 점수 모델을 설정하는 방법.",
        "ko",
    ),
    ContentItem(
        "news-june",
        "newsletter",
        "Monthly newsletter",
        "https://example.com/news",
        "Product updates and customer stories.",
    ),
)
ALLOWED: dict[FlowKind, tuple[Action, ...]] = {
    "sequence": ("meeting_proposal", "reminder", "wait"),
    "campaign": ("onboarding_content", "meeting_proposal", "wait"),
    "nurture": ("nurture_newsletter", "wait"),
}


def lead_input(
    *,
    language: Language = "en",
    kind: FlowKind = "sequence",
    step: int = 2,
    features: dict[str, Any] | None = None,
    form_answer: str = "too many cold leads",
    probability: float | None = 0.3,
) -> AgentInput:
    """A lead who opened 3 of 4 emails, clicked pricing twice and read 80% of the deck."""
    english = language == "en"
    lead = LeadProfile(
        name="Jane Park" if english else "박지민",
        company="Acme Corp" if english else "에이스테크",
        title="VP Marketing" if english else "마케팅 이사",
        industry="Software",
        country="KR",
        language=language,
        source="webinar",
        product_interests=("Lead scoring",),
        form_answers={"Biggest challenge?": form_answer},
    )
    values = {
        "sends_90d": 4,
        "opens_human_90d": 3,
        "opens_human_30d": 2,
        "clicks_pricing": 2,
        "read_depth_max": 0.8,
        "days_since_activity": 2,
        "days_since_reply": 9999,
    }
    return AgentInput(
        lead=lead,
        score=Score(
            "sql", probability, "A", 3.1, (ScoreReason("clicks", "4.0 human clicks >= 3"),)
        ),
        flow=FlowStep(kind, step, ALLOWED[kind], ALLOWED[kind][0], "Quick question", "A call?"),
        features=values if features is None else features,
        team_description="LeadPulse scores B2B leads and automates follow-up emails.",
        company_description="Acme Corp makes accounting software for small firms.",
        reads=(PulseRead("Product deck", 0.8, 4, 130),),
        library=LIBRARY,
    )


def call(name: str, **args: Any) -> AIMessage:
    """A scripted reply that calls one tool (or answers through a structured-output tool)."""
    return AIMessage("", tool_calls=[{"name": name, "args": args, "id": f"call-{next(_ids)}"}])


class ScriptedChatModel(BaseChatModel):
    """Answers each call with the next scripted message; records what it was sent."""

    replies: list[AIMessage]
    seen: list[list[BaseMessage]] = Field(default_factory=list)

    @property
    def _llm_type(self) -> str:
        return "scripted"

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        self.seen.append(list(messages))
        if not self.replies:
            raise AssertionError("the model was called more often than scripted")
        return ChatResult(generations=[ChatGeneration(message=self.replies.pop(0))])

    def bind_tools(self, tools: Sequence[Any], **kwargs: Any) -> ScriptedChatModel:  # type: ignore[override]
        return self


def written(**overrides: Any) -> AIMessage:
    args = {
        "subject": "A short call about lead scoring",
        "opening": "You opened 3 of the last 4 emails and clicked the pricing link twice.",
        "paragraphs": ["Would a short call help Acme Corp focus on the right leads?"],
        "facts_used": ["F4", "F5"],
        "content_used": [],
    }
    return call("Written", **{**args, **overrides})


def test_agent_reads_tools_then_answers_with_its_pick() -> None:
    data = lead_input(kind="sequence")
    model = ScriptedChatModel(
        replies=[
            call("timeline"),
            call("search_content", query="case study"),
            call("Pick", action="reminder", content=None, reason="engaged, no booking yet"),
        ]
    )

    outcome = pick(data, model=model, capable=True)

    assert outcome.source == "model"
    assert outcome.choice == Choice("reminder", None, "engaged, no booking yet")
    tool_answers = [m for m in model.seen[-1] if isinstance(m, ToolMessage)]
    assert "opened 3 of the last 4 emails" in str(tool_answers[0].content)
    assert "beta-case" in str(tool_answers[1].content)


def test_disagreement_with_the_policy_is_recorded() -> None:
    data = lead_input(kind="sequence")  # clicked pricing: the policy proposes a meeting
    model = ScriptedChatModel(replies=[call("Pick", action="reminder", reason="too early")])

    outcome = pick(data, model=model, capable=True)

    assert outcome.policy.action == "meeting_proposal"
    assert outcome.choice.action == "reminder"
    assert not outcome.agreed_with_policy


def test_a_pick_that_does_not_validate_is_repaired_once() -> None:
    data = lead_input(kind="sequence")
    model = ScriptedChatModel(
        replies=[
            call("Pick", action="send_discount", reason="x"),
            call("Pick", action="meeting_proposal", content="beta-case", reason="clicked pricing"),
        ]
    )

    outcome = pick(data, model=model, capable=True)

    assert outcome.repaired and not outcome.fell_back
    assert outcome.choice == Choice("meeting_proposal", "beta-case", "clicked pricing")
    assert outcome.agreed_with_policy
    error_turn = model.seen[-1][-1]
    assert isinstance(error_turn, ToolMessage) and "send_discount" in str(error_turn.content)


def test_two_bad_picks_fall_back_to_the_flows_step() -> None:
    data = lead_input(kind="nurture")
    model = ScriptedChatModel(
        replies=[
            call("Pick", action="meeting_proposal", reason="not allowed in nurture"),
            call("Pick", action="nurture_newsletter", content="no-such-slug", reason="x"),
        ]
    )

    outcome = pick(data, model=model, capable=True)

    assert outcome.source == "fallback" and outcome.fell_back and outcome.repaired
    assert outcome.choice.action == "nurture_newsletter"
    assert outcome.choice.content == "news-june"
    assert outcome.error is not None


def test_a_prose_answer_is_repaired_then_falls_back() -> None:
    data = lead_input(kind="sequence")
    model = ScriptedChatModel(replies=[AIMessage("I think a meeting"), AIMessage("Really")])

    outcome = pick(data, model=model, capable=True)

    assert outcome.fell_back and outcome.repaired
    assert outcome.choice.action == "meeting_proposal"  # the flow's default step


def test_the_offline_model_never_picks() -> None:
    model = ScriptedChatModel(replies=[])

    outcome = pick(lead_input(), model=model, capable=False)

    assert outcome.source == "policy" and outcome.choice == outcome.policy
    assert model.seen == []


def test_build_agent_takes_its_model_and_tools() -> None:
    data = lead_input()
    model = ScriptedChatModel(replies=[call("flow_step"), AIMessage("done")])

    state = build_agent(model, lead_tools(data)).invoke({"messages": [("user", "where?")]})

    assert "allowed actions: meeting_proposal, reminder, wait" in state["messages"][2].content


def test_write_returns_the_structured_text() -> None:
    data = lead_input()
    known = writing_facts(data, "beta-case")
    model = ScriptedChatModel(replies=[written(content_used=["beta-case"])])

    outcome = write(
        data, Choice("meeting_proposal", "beta-case", "r"), known, model=model, capable=True
    )

    assert outcome.written is not None and not outcome.repaired
    assert outcome.written.body.startswith("You opened 3 of the last 4 emails")
    assert outcome.written.content_used == ["beta-case"]


def test_write_repairs_an_unknown_fact_id_once() -> None:
    data = lead_input()
    known = writing_facts(data, None)
    model = ScriptedChatModel(replies=[written(facts_used=["F99"]), written()])

    outcome = write(data, Choice("reminder", None, "r"), known, model=model, capable=True)

    assert outcome.written is not None and outcome.repaired
    assert "could not be used" in str(model.seen[-1][-1].content)


def test_write_gives_up_after_two_bad_answers() -> None:
    data = lead_input()
    known = writing_facts(data, None)
    model = ScriptedChatModel(replies=[AIMessage("plain prose"), written(subject="")])

    outcome = write(data, Choice("reminder", None, "r"), known, model=model, capable=True)

    assert outcome.fell_back and outcome.repaired and outcome.error


def test_the_writer_sees_no_score_or_flow_internals() -> None:
    sources = {fact.source for fact in writing_facts(lead_input(), "beta-case")}

    assert sources == {"profile", "form", "timeline", "team", "company", "content"}
