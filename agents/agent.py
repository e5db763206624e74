"""The agent: `build_agent(model, tools)`, the pick of the next email, and the writing of it.

`pick` always computes the reference policy. A capable model picks through a tool-calling
agent whose answer is a per-call `Pick` schema; its choice is used when the flow step allows
it, and disagreement with the policy is recorded. The bundled offline model does not pick (it
chooses near-randomly): the policy decides. `write` asks the model for a per-call `Written`
schema. An answer that does not parse is repaired once (asked again with the error);
after that the flow's default step is used and recorded as such.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

from langchain.agents import create_agent
from langchain.agents.structured_output import StructuredOutputError, ToolStrategy
from langchain_core.exceptions import OutputParserException
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage
from langchain_core.tools import BaseTool
from langgraph.errors import GraphRecursionError
from pydantic import BaseModel, ValidationError

from agents import _prompts as prompts
from agents.facts import AgentInput, Fact, FactSource, facts
from agents.policy import Choice, default_pick, reference_pick
from agents.schemas import Pick, Written, pick_schema, written_schema
from agents.tools import lead_tools

WRITING_SOURCES: frozenset[FactSource] = frozenset(
    {"profile", "form", "timeline", "team", "company", "content"}
)
RECURSION_LIMIT = 16  # model turns + tool calls of one pick
_Answer = TypeVar("_Answer", bound=BaseModel)
_PARSE_ERRORS = (
    StructuredOutputError,
    OutputParserException,
    ValidationError,
    GraphRecursionError,
    RuntimeError,  # llama.cpp: "output that does not match the expected format"
    ValueError,
)


@dataclass(frozen=True, slots=True)
class PickOutcome:
    """The choice used, the policy's choice, and how the choice was reached."""

    choice: Choice
    policy: Choice
    source: Literal["policy", "model", "fallback"]
    model_choice: Choice | None = None
    repaired: bool = False
    fell_back: bool = False
    error: str | None = None

    @property
    def agreed_with_policy(self) -> bool:
        """Whether the action used is the one the reference policy chose."""
        return self.choice.action == self.policy.action


@dataclass(frozen=True, slots=True)
class WriteOutcome:
    """The model's text (None when it never parsed) and whether a repair was needed."""

    written: Written | None
    repaired: bool = False
    error: str | None = None

    @property
    def fell_back(self) -> bool:
        """Whether the answer never parsed, so the flow's own step text is to be used."""
        return self.written is None


def build_agent(
    model: BaseChatModel,
    tools: Sequence[BaseTool],
    *,
    response_format: ToolStrategy[Any] | None = None,
    system_prompt: str = prompts.PICK_SYSTEM,
) -> Any:
    """A LangChain agent over `model` with these (read-only) tools; a compiled graph."""
    return create_agent(
        model, list(tools), system_prompt=system_prompt, response_format=response_format
    )


def writing_facts(data: AgentInput, content: str | None) -> list[Fact]:
    """The facts the writer sees: about the lead and us, not its score or flow internals."""
    return [fact for fact in facts(data, content=content) if fact.source in WRITING_SOURCES]


def pick(
    data: AgentInput,
    *,
    model: BaseChatModel | None,
    capable: bool,
    tools: Sequence[BaseTool] | None = None,
) -> PickOutcome:
    """The next email: the policy's choice, or a capable model's when the step allows it."""
    policy = reference_pick(data)
    if not capable or model is None:
        return PickOutcome(policy, policy, "policy")
    schema = pick_schema(data.flow.allowed_actions, [item.slug for item in data.library])
    if _calls_tools(model):
        answer, repaired, problem = _pick_with_tools(data, model, schema, tools)
    else:
        answer, repaired, problem = _pick_directly(data, model, schema)
    if answer is None or answer.action not in data.flow.allowed_actions:
        fallback = default_pick(data)
        problem = problem or "no usable pick"
        return PickOutcome(fallback, policy, "fallback", None, repaired, True, problem)
    content = None if answer.action == "wait" else answer.content
    chosen = Choice(answer.action, content, answer.reason)
    return PickOutcome(chosen, policy, "model", chosen, repaired)


def _calls_tools(model: BaseChatModel) -> bool:
    try:
        model.bind_tools([])
    except NotImplementedError:  # e.g. a local GGUF: constrained JSON, no tool calls
        return False
    return True


def _pick_with_tools(
    data: AgentInput, model: BaseChatModel, schema: type[Pick], tools: Sequence[BaseTool] | None
) -> tuple[Pick | None, bool, str | None]:
    repair = _OneRepair()
    strategy = ToolStrategy(schema, handle_errors=repair.handle)
    agent = build_agent(
        model, lead_tools(data) if tools is None else tools, response_format=strategy
    )
    messages: list[BaseMessage] = [HumanMessage(prompts.pick_request(data))]
    config = {"recursion_limit": RECURSION_LIMIT}
    answer: Pick | None = None
    try:
        state = agent.invoke({"messages": messages}, config=config)
        answer = state.get("structured_response")
        if answer is None and repair.allow("the answer did not call the Pick tool"):
            again = HumanMessage(prompts.repair_request(data.lead.language, repair.error or ""))
            state = agent.invoke({"messages": [*state["messages"], again]}, config=config)
            answer = state.get("structured_response")
    except _PARSE_ERRORS as error:
        repair.error = str(error)
    return answer, repair.used, repair.error


def _pick_directly(
    data: AgentInput, model: BaseChatModel, schema: type[Pick]
) -> tuple[Pick | None, bool, str | None]:
    """The pick from a model without tool calls: the tools' facts go into the prompt."""
    structured = model.with_structured_output(schema, include_raw=True)
    request = prompts.pick_facts_request(data, facts(data))
    messages: list[BaseMessage] = [SystemMessage(prompts.PICK_SYSTEM), HumanMessage(request)]
    answer, error = _ask(structured, messages, schema)
    if answer is not None:
        return answer, False, None
    messages.append(HumanMessage(prompts.repair_request(data.lead.language, error)))
    answer, error = _ask(structured, messages, schema)
    return answer, True, None if answer else error


def write(
    data: AgentInput,
    choice: Choice,
    known: Sequence[Fact],
    *,
    model: BaseChatModel,
    capable: bool,
    feedback: Sequence[str] = (),
) -> WriteOutcome:
    """The email's text for `choice`, grounded in `known`; repaired once if it does not parse."""
    language = data.lead.language
    slugs = [choice.content] if choice.content else []
    schema = written_schema([fact.id for fact in known], slugs, plain_text=not capable)
    structured = model.with_structured_output(schema, include_raw=True)
    item = data.content(choice.content)
    request = prompts.write_request(
        language, choice.action, item, known, feedback, show_ids=capable
    )
    messages: list[BaseMessage] = [
        SystemMessage(prompts.write_system(language)),
        HumanMessage(request),
    ]
    written, error = _ask(structured, messages, schema)
    if written is not None:
        return WriteOutcome(written)
    messages.append(HumanMessage(prompts.repair_request(language, error)))
    written, second_error = _ask(structured, messages, schema)
    return WriteOutcome(written, repaired=True, error=None if written else second_error)


def _ask(
    structured: Any, messages: list[BaseMessage], schema: type[_Answer]
) -> tuple[_Answer | None, str]:
    try:
        result = structured.invoke(messages)
    except _PARSE_ERRORS as error:
        return None, str(error)
    parsed = result.get("parsed")
    if isinstance(parsed, dict):  # providers that return plain JSON
        try:
            parsed = schema.model_validate(parsed)
        except ValidationError as error:
            return None, str(error)
    if isinstance(parsed, schema):
        return parsed, ""
    problem = result.get("parsing_error")
    return None, str(problem) if problem else "the answer held no structured output"


class _OneRepair:
    """Counts repairs of one pick: the first bad answer is sent back with its error, the
    second ends the pick (the flow's default step is used)."""

    def __init__(self) -> None:
        self.used = False
        self.error: str | None = None

    def allow(self, error: str) -> bool:
        """Whether a repair may still be asked for; records the error either way."""
        self.error = error
        if self.used:
            return False
        self.used = True
        return True

    def handle(self, error: Exception) -> str:
        """ToolStrategy's error hook: the repair message once, then the error ends the pick."""
        if not self.allow(str(error)):
            raise error
        return prompts.repair_request("en", str(error))
