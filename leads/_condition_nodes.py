"""The typed nodes of the list condition language (see `leads.list_conditions`)."""

from __future__ import annotations

import re
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    ValidationInfo,
    field_validator,
    model_validator,
)

from leads._condition_fields import OPS_BY_KIND, check_key, field_kind, field_value
from leads.events import EVENT_TYPES

_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,99}$")
_OWN_EVENTS = ("list_entered", "list_left")  # written by the lists themselves
LAST = "@last"

Op = Literal["==", "!=", ">", ">=", "<", "<=", "in", "not_in", "contains", "exists"]
CountOp = Literal["==", "!=", ">", ">=", "<", "<="]


class _Node(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
    key: ClassVar[str]


class AllOf(_Node):
    """True when every condition holds."""

    key = "all"
    all: list[Condition] = Field(min_length=1)


class AnyOf(_Node):
    """True when at least one condition holds."""

    key = "any"
    any: list[Condition] = Field(min_length=1)


class Not(_Node):
    """True when the condition does not hold."""

    key = "not"
    not_: Condition = Field(alias="not")


class FieldTest(_Node):
    """A test of one lead field (column or `attributes.KEY`)."""

    key = "field"
    field: str
    op: Op
    value: Any = Field(default=None, validate_default=True)

    @field_validator("field")
    @classmethod
    def _known_field(cls, name: str) -> str:
        field_kind(name)
        return name

    @field_validator("op")
    @classmethod
    def _op_fits_field(cls, op: str, info: ValidationInfo) -> str:
        if "field" in info.data:
            allowed = OPS_BY_KIND[field_kind(info.data["field"])]
            if op not in allowed:
                use = ", ".join(allowed)
                raise ValueError(f"{op!r} does not apply to {info.data['field']}: use {use}")
        return op

    @field_validator("value")
    @classmethod
    def _value_fits(cls, value: Any, info: ValidationInfo) -> Any:
        if "field" not in info.data or "op" not in info.data:
            return value
        name, op = info.data["field"], info.data["op"]
        if op == "exists":
            if value is None:
                return True
            if not isinstance(value, bool):
                raise ValueError("exists takes true or false")
            return value
        if op in ("in", "not_in"):
            if not isinstance(value, list) or not value or len(value) > 1000:
                raise ValueError(f"{op} takes a list of 1 to 1000 values")
            return [field_value(name, op, v) for v in value]
        return field_value(name, op, value)


class EventFilter(_Node):
    """Which of the lead's events count (all of them unless narrowed)."""

    type: str | None = None
    types: list[str] | None = Field(default=None, min_length=1)
    within_days: float | None = Field(default=None, gt=0, le=3650)
    campaign: str | None = Field(default=None, min_length=1)
    link: str | None = Field(default=None, min_length=1)
    document: str | None = Field(default=None, min_length=1)
    payload: dict[str, Any] = Field(default_factory=dict)
    human_only: bool = True
    per: str | None = None

    @field_validator("type")
    @classmethod
    def _known_type(cls, kind: str | None) -> str | None:
        if kind is not None:
            _check_type(kind)
        return kind

    @field_validator("types")
    @classmethod
    def _known_types(cls, kinds: list[str] | None) -> list[str] | None:
        for kind in kinds or ():
            _check_type(kind)
        return kinds

    @field_validator("payload")
    @classmethod
    def _plain_payload(cls, payload: dict[str, Any]) -> dict[str, Any]:
        for key, value in payload.items():
            check_key(key)
            if isinstance(value, bool) or not isinstance(value, str | int):
                raise ValueError(f"{key}: payload values are strings or integers, not {value!r}")
        return payload

    @field_validator("per")
    @classmethod
    def _per_key(cls, per: str | None) -> str | None:
        return None if per is None else check_key(per)

    @model_validator(mode="after")
    def _one_way_to_name_types(self) -> EventFilter:
        if self.type is not None and self.types is not None:
            raise ValueError("give type or types, not both")
        return self

    def type_names(self) -> tuple[str, ...]:
        """The event types counted; empty means every type."""
        return (self.type,) if self.type else tuple(self.types or ())

    def equalities(self) -> dict[str, str]:
        """Payload key -> required text, the shortcuts (campaign, link, document) included."""
        wanted = {k: str(v) for k, v in self.payload.items()}
        for key in ("campaign", "link", "document"):
            value = getattr(self, key)
            if value is not None and value != LAST:
                wanted[key] = value
        return wanted


def _check_type(kind: str) -> None:
    if kind in _OWN_EVENTS:
        raise ValueError(f"{kind} is written by the lists themselves; use in_list")
    if kind not in EVENT_TYPES:
        known = ", ".join(t for t in EVENT_TYPES if t not in _OWN_EVENTS)
        raise ValueError(f"{kind!r} is not an event type: use one of {known}")


class EventCount(_Node):
    """How many matching events the lead has (or, with `per`, the most for one payload value)."""

    key = "events"
    events: EventFilter
    op: CountOp
    value: int = Field(ge=0)


class DocumentRef(_Node):
    document: str

    @field_validator("document")
    @classmethod
    def _slug(cls, slug: str) -> str:
        if not _SLUG.match(slug):
            raise ValueError(f"{slug!r} is not a document slug")
        return slug


class ReadDepth(_Node):
    """The share (0..1) of a document's pages the lead dwelt on."""

    key = "read_depth"
    read_depth: DocumentRef
    op: CountOp
    value: float = Field(ge=0, le=1)


class InList(_Node):
    """True when the lead is on another list of the team (static or dynamic)."""

    key = "in_list"
    in_list: str = Field(min_length=1, max_length=200)

    @field_validator("in_list")
    @classmethod
    def _tidy(cls, name: str) -> str:
        return " ".join(name.split())


_NODES: tuple[type[_Node], ...] = (AllOf, AnyOf, Not, EventCount, ReadDepth, InList, FieldTest)


def _tag(data: Any) -> str | None:
    if isinstance(data, _Node):
        return f"<{data.key}>"
    if isinstance(data, dict):
        for node in _NODES:
            if node.key in data:
                return f"<{node.key}>"
    return None


_KEYS = ", ".join(node.key for node in _NODES)
Condition = Annotated[
    Annotated[AllOf, Tag("<all>")]
    | Annotated[AnyOf, Tag("<any>")]
    | Annotated[Not, Tag("<not>")]
    | Annotated[EventCount, Tag("<events>")]
    | Annotated[ReadDepth, Tag("<read_depth>")]
    | Annotated[InList, Tag("<in_list>")]
    | Annotated[FieldTest, Tag("<field>")],
    Discriminator(
        _tag,
        custom_error_type="condition",
        custom_error_message=f"a condition is an object with one of the keys {_KEYS}",
    ),
]


for _model in _NODES:
    _model.model_rebuild()
