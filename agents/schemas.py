"""LLM I/O schemas: what the model answers when it picks the next email and when it writes it.

`Pick` and `Written` are the shapes the rest of the agent reads. The model never fills them
directly: `pick_schema` and `written_schema` build a per-call subclass whose action, content
slugs and fact ids are `Literal` enumerations of this lead's input, with bounded free text, so
that constrained decoding (the offline model) cannot name a fact or a document that does not
exist, and a hosted model's answer fails validation when it does.
"""

from __future__ import annotations

from collections.abc import Sequence
from types import GenericAlias
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model

Action = Literal["meeting_proposal", "reminder", "onboarding_content", "nurture_newsletter", "wait"]
ACTIONS: tuple[Action, ...] = (
    "meeting_proposal",
    "reminder",
    "onboarding_content",
    "nurture_newsletter",
    "wait",
)
Language = Literal["en", "ko"]

SUBJECT_MAX = 80
OPENING_MAX = 160
PARAGRAPH_MAX = 240
PARAGRAPHS_MAX = 2
REASON_MAX = 160
FACTS_MAX = 4

# For models that cannot be trusted with numbers or addresses: free text without digits,
# links or e-mail addresses, so an invented figure cannot even be decoded. The length bound
# lives in the pattern because llama.cpp ignores maxLength once a pattern is given.
_PLAIN_CHARS = r'[^0-9:/@<>{}\[\]\\"\n]'


class Pick(BaseModel):
    """The next email: an action the flow step allows, the content to attach, and why."""

    model_config = ConfigDict(extra="forbid")

    action: Action
    content: str | None = Field(default=None, description="Slug of the content to attach.")
    reason: str = Field(max_length=REASON_MAX, description="One line: why this email now.")


class Written(BaseModel):
    """The email's text; the template adds greeting, links, signature and unsubscribe footer.

    The fact ids come first so a small model chooses what to say before it says it.
    """

    model_config = ConfigDict(extra="forbid")

    facts_used: list[str] = Field(default_factory=list, description="Ids of the facts used.")
    content_used: list[str] = Field(default_factory=list, description="Slugs mentioned.")
    subject: str = Field(min_length=1, max_length=SUBJECT_MAX)
    opening: str = Field(max_length=OPENING_MAX, description="First sentence, no greeting.")
    paragraphs: list[str] = Field(max_length=PARAGRAPHS_MAX)

    @property
    def body(self) -> str:
        """Opening and paragraphs as plain-text paragraphs separated by blank lines."""
        parts = [self.opening, *self.paragraphs]
        return "\n\n".join(part.strip() for part in parts if part.strip())


def _choice(values: Sequence[str]) -> Any:
    """`Literal[values]`, or a type nothing validates against when there are none."""
    return Literal[tuple(values)] if values else Literal["none"]


def _list_of(item: Any) -> Any:
    return GenericAlias(list, (item,))


def pick_schema(actions: Sequence[Action], slugs: Sequence[str]) -> type[Pick]:
    """`Pick` restricted to these actions and content slugs (content may stay empty)."""
    if not actions:
        raise ValueError("actions is empty: a flow step allows at least one action")
    model: type[Pick] = create_model(
        "Pick",
        __base__=Pick,
        action=(_choice(actions), ...),
        content=(_choice(slugs) | None, Field(default=None)),
        reason=(str, Field(min_length=1, max_length=REASON_MAX)),
    )
    return model


def _text(low: int, high: int, *, plain_text: bool) -> Any:
    if plain_text:
        return Field(pattern=f"^{_PLAIN_CHARS}{{{low},{high}}}$")
    return Field(min_length=low, max_length=high)


def written_schema(
    fact_ids: Sequence[str], slugs: Sequence[str], *, plain_text: bool = False
) -> type[Written]:
    """`Written` whose fact ids and slugs are enumerations of the input.

    `plain_text` forbids digits, links and addresses in the free text (for small models).
    """
    paragraph = Annotated[str, _text(20, PARAGRAPH_MAX, plain_text=plain_text)]
    model: type[Written] = create_model(
        "Written",
        __base__=Written,
        facts_used=(_list_of(_choice(fact_ids)), Field(max_length=FACTS_MAX)),
        content_used=(_list_of(_choice(slugs)), Field(default_factory=list, max_length=2)),
        subject=(str, _text(3, SUBJECT_MAX, plain_text=plain_text)),
        opening=(str, _text(10, OPENING_MAX, plain_text=plain_text)),
        paragraphs=(_list_of(paragraph), Field(min_length=1, max_length=PARAGRAPHS_MAX)),
    )
    return model
