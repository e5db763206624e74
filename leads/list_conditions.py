"""The condition language of dynamic target lists: JSON in, typed nodes, one SQL expression out.

A definition is a tree of nodes, each a JSON object told apart by its key:

    {"all": [c, ...]}  {"any": [c, ...]}  {"not": c}
    {"field": "industry", "op": "in", "value": ["software", "fintech"]}
    {"events": {"type": "link_clicked", "within_days": 30, "campaign": "@last"},
     "op": ">=", "value": 2}
    {"read_depth": {"document": "pricing-deck"}, "op": ">", "value": 0.8}
    {"in_list": "Trial users"}

`parse_condition` checks a definition and names the path of the first mistake;
`compile_condition` turns it into one boolean SQL expression over `Lead` (correlated
subqueries), which both the full rebuild and the per-event refresh evaluate, so they cannot
disagree. Every leaf is two-valued (never NULL), so `not` is the exact complement: a lead whose
industry is unknown is not in `industry == software` and is in `industry != software`.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from sqlalchemy import (
    ColumnElement,
    Float,
    String,
    and_,
    bindparam,
    cast,
    exists,
    func,
    literal_column,
    not_,
    or_,
    select,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import aliased
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import Boolean, Integer

from leads.errors import ValidationFailed
from leads.events import EVENT_TYPES
from leads.tables import CONSENT, FLOW_STATES, STAGES, Document, DocumentPage, Event, Lead, LeadList
from leads.tables import ListMembership as Membership

_TEXT_FIELDS = frozenset(
    {"stage", "flow_state", "fit_grade", "industry", "country", "source", "consent", "language"}
    | {"title", "company", "domain", "city"}
)
_NUMBER_FIELDS = frozenset({"score", "engagement", "employees", "revenue_usd"})
_CHOICES: dict[str, tuple[str, ...]] = {
    "stage": STAGES,
    "flow_state": FLOW_STATES,
    "consent": CONSENT,
    "fit_grade": ("A", "B", "C", "D"),
}
_ORDERING = ("==", "!=", ">", ">=", "<", "<=")
_OPS_BY_KIND: dict[str, tuple[str, ...]] = {
    "text": ("==", "!=", "in", "not_in", "contains", "exists"),
    "number": (*_ORDERING, "in", "not_in", "exists"),
    "time": (">", ">=", "<", "<=", "exists"),
    "list": ("contains", "exists"),
    "attribute": (*_ORDERING, "in", "not_in", "contains", "exists"),
}
# No quotes or backslashes: keys are written into SQL text and JSON paths as they are.
_KEY = re.compile(r"^\w[\w .:-]{0,63}$")
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,99}$")
_OWN_EVENTS = ("list_entered", "list_left")  # written by the lists themselves
MAX_NODES = 200
MAX_DEPTH = 12
LAST = "@last"

Op = Literal["==", "!=", ">", ">=", "<", "<=", "in", "not_in", "contains", "exists"]
CountOp = Literal["==", "!=", ">", ">=", "<", "<="]
_COMPARE: dict[str, Callable[[Any, Any], ColumnElement[bool]]] = {
    "==": operator.eq,
    "!=": operator.ne,
    ">": operator.gt,
    ">=": operator.ge,
    "<": operator.lt,
    "<=": operator.le,
}


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


def field_kind(name: str) -> str:
    """How a lead field compares: text, number, time, list or attribute."""
    if name in _TEXT_FIELDS:
        return "text"
    if name in _NUMBER_FIELDS:
        return "number"
    if name == "created_at":
        return "time"
    if name == "product_interests":
        return "list"
    if name.startswith("attributes.") and _KEY.match(name.removeprefix("attributes.")):
        return "attribute"
    known = ", ".join(sorted(_TEXT_FIELDS | _NUMBER_FIELDS | {"created_at", "product_interests"}))
    raise ValueError(f"{name!r} is not a lead field; use one of {known} or attributes.KEY")


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
            allowed = _OPS_BY_KIND[field_kind(info.data["field"])]
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
            return [_one_value(name, op, v) for v in value]
        return _one_value(name, op, value)


def _one_value(name: str, op: str, value: Any) -> Any:
    kind = field_kind(name)
    if value is None:
        raise ValueError(f"{name} {op} needs a value")
    if kind == "number" or (kind == "attribute" and op in _ORDERING[2:]):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"{name} {op} takes a number, not {value!r}")
        return value
    if kind == "time":
        try:
            moment = datetime.fromisoformat(value) if isinstance(value, str) else None
        except ValueError:
            moment = None
        if moment is None or moment.tzinfo is None:
            raise ValueError(f"{name} takes a time with a zone, e.g. 2026-01-31T09:00:00+00:00")
        return value
    if kind == "attribute":
        if not isinstance(value, str | int | float | bool):
            raise ValueError(f"{name} takes a string, number or boolean, not {value!r}")
        return value
    if not isinstance(value, str):
        raise ValueError(f"{name} {op} takes a string, not {value!r}")
    if name in _CHOICES and op != "contains" and value not in _CHOICES[name]:
        raise ValueError(f"{value!r} is not a {name}: use one of {', '.join(_CHOICES[name])}")
    return value


def _check_key(key: str) -> str:
    if not _KEY.match(key):
        raise ValueError(f"{key!r}: a key is letters, digits and _ .:- (max 64)")
    return key


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
            _check_key(key)
            if isinstance(value, bool) or not isinstance(value, str | int):
                raise ValueError(f"{key}: payload values are strings or integers, not {value!r}")
        return payload

    @field_validator("per")
    @classmethod
    def _per_key(cls, per: str | None) -> str | None:
        return None if per is None else _check_key(per)

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


class _Root(BaseModel):
    condition: Condition


for _model in _NODES:
    _model.model_rebuild()
_Root.model_rebuild()


def parse_condition(data: Any, *, field: str = "definition") -> Condition:
    """The typed condition of a definition; `ValidationFailed` naming the path of a mistake."""
    try:
        condition = _Root.model_validate({"condition": data}).condition
    except ValidationError as error:
        first = error.errors()[0]
        problem = str(first["msg"]).removeprefix("Value error, ")
        raise ValidationFailed(_path(field, first["loc"][1:]), problem) from None
    for nodes, (path, depth, _node) in enumerate(walk(condition, field), start=1):
        if nodes > MAX_NODES or depth > MAX_DEPTH:
            raise ValidationFailed(path, f"too large: at most {MAX_NODES} nodes, {MAX_DEPTH} deep")
    return condition


def _path(field: str, loc: tuple[int | str, ...]) -> str:
    parts = [field]
    for part in loc:
        if isinstance(part, int):
            parts.append(f"[{part}]")
        elif not part.startswith("<"):  # union tags are not part of the input
            parts.append(f".{part}")
    return "".join(parts)


def dump_condition(condition: Condition) -> dict[str, Any]:
    """The condition as JSON again, tidied (defaults left out), as a list stores it."""
    return condition.model_dump(mode="json", by_alias=True, exclude_defaults=True)


def walk(condition: Condition, path: str = "definition") -> Iterator[tuple[str, int, Condition]]:
    """Every node with its path and depth, parents first."""
    stack: list[tuple[str, int, Condition]] = [(path, 1, condition)]
    while stack:
        path, depth, node = stack.pop()
        yield path, depth, node
        if isinstance(node, AllOf | AnyOf):
            children = node.all if isinstance(node, AllOf) else node.any
            stack.extend(
                (f"{path}.{node.key}[{i}]", depth + 1, child)
                for i, child in reversed(list(enumerate(children)))
            )
        elif isinstance(node, Not):
            stack.append((f"{path}.not", depth + 1, node.not_))


@dataclass(frozen=True, slots=True)
class Dependencies:
    """What a condition reads, so that a change re-evaluates only the lists it can affect."""

    event_types: frozenset[str]
    any_event: bool
    fields: bool
    lists: frozenset[str]
    windows: frozenset[float]

    @property
    def time_based(self) -> bool:
        """Whether time passing alone can change the result (a window moves)."""
        return bool(self.windows)

    def reads_events(self, types: frozenset[str]) -> bool:
        return bool(types) and (self.any_event or not self.event_types.isdisjoint(types))


def dependencies(condition: Condition) -> Dependencies:
    """The event types, lead fields, lists and clock the condition depends on."""
    types: set[str] = set()
    any_event = fields = False
    windows: set[float] = set()
    lists: set[str] = set()
    for _where, _depth, node in walk(condition):
        if isinstance(node, EventCount):
            named = node.events.type_names()
            any_event = any_event or not named
            types.update(named)
            if node.events.campaign == LAST:
                types.add("email_sent")
            if node.events.within_days is not None:
                windows.add(node.events.within_days)
        elif isinstance(node, ReadDepth):
            types.add("page_dwell")
        elif isinstance(node, FieldTest):
            fields = True
        elif isinstance(node, InList):
            lists.add(node.in_list)
    return Dependencies(frozenset(types), any_event, fields, frozenset(lists), frozenset(windows))


def list_references(condition: Condition, field: str = "definition") -> list[tuple[str, str]]:
    """(path of the name, list name) of every `in_list` node, in document order."""
    return [
        (f"{path}.in_list", node.in_list)
        for path, _depth, node in walk(condition, field)
        if isinstance(node, InList)
    ]


def compile_condition(condition: Condition, *, team_id: int, now: datetime) -> ColumnElement[bool]:
    """One boolean SQL expression over `Lead`, true for the leads the condition selects."""
    return _compile(condition, team_id, now)


def compile_template(condition: Condition, *, team_id: int) -> ColumnElement[bool]:
    """`compile_condition` with the start of each time window left as a bound parameter.

    Building the expression costs more than running it for one lead, so the per-event path
    builds it once and passes `window_params(dependencies(c).windows, now)` at each execution.
    """
    return _compile(condition, team_id, None)


def window_params(windows: Iterable[float], now: datetime) -> dict[str, datetime]:
    """The values of the window parameters of `compile_template` at time `now`."""
    return {_window_name(days): now - timedelta(days=days) for days in windows}


def _window_name(days: float) -> str:
    return f"window_start_{round(days * 86_400)}s"


def _compile(node: Condition, team_id: int, now: datetime | None) -> ColumnElement[bool]:
    if isinstance(node, AllOf):
        return and_(*(_compile(c, team_id, now) for c in node.all))
    if isinstance(node, AnyOf):
        return or_(*(_compile(c, team_id, now) for c in node.any))
    if isinstance(node, Not):
        return not_(_compile(node.not_, team_id, now))
    if isinstance(node, FieldTest):
        return _field_test(node)
    if isinstance(node, EventCount):
        return _event_count(node, team_id, now)
    if isinstance(node, ReadDepth):
        return _read_depth(node, team_id)
    return _in_list(node, team_id)


def _field_test(node: FieldTest) -> ColumnElement[bool]:
    kind = field_kind(node.field)
    op, value = node.op, node.value
    if kind == "list":
        column = Lead.product_interests
        if op == "exists":
            present = _JsonArrayLength(column) > 0
        else:
            return and_(column.is_not(None), _JsonArrayContains(column, value))
    else:
        if kind == "attribute":
            key = node.field.removeprefix("attributes.")
            numeric = op in _ORDERING[2:]
            target = (_JsonNumber if numeric else _JsonText)(Lead.attributes, key)
            value = _as_text(value) if not numeric else value
        else:
            target = getattr(Lead, node.field)
            if kind == "time" and op != "exists":
                value = datetime.fromisoformat(value)
        present = target.is_not(None)
        if op != "exists":
            if op in ("!=", "not_in"):
                test = target != value if op == "!=" else target.not_in(value)
                return or_(target.is_(None), test)
            if op == "in":
                return and_(present, target.in_(value))
            if op == "contains":
                return and_(present, func.lower(target).contains(value.lower(), autoescape=True))
            return and_(present, _COMPARE[op](target, value))
    return present if value else not_(present)


def _as_text(value: Any) -> Any:
    if isinstance(value, list):
        return [_as_text(v) for v in value]
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _event_count(node: EventCount, team_id: int, now: datetime | None) -> ColumnElement[bool]:
    wanted = node.events
    event = aliased(Event)
    where = [event.team_id == team_id, event.lead_id == Lead.id]
    types = wanted.type_names()
    if types:
        where.append(event.type == types[0] if len(types) == 1 else event.type.in_(types))
    if wanted.within_days is not None:
        days, name = wanted.within_days, _window_name(wanted.within_days)
        start = (
            bindparam(name, type_=Event.occurred_at.type)
            if now is None
            else bindparam(name, now - timedelta(days=days), type_=Event.occurred_at.type)
        )
        where.append(event.occurred_at >= start)
    if wanted.human_only:
        where.append(or_(event.human.is_(None), event.human >= 0.5))
    where.extend(_JsonText(event.payload, k) == v for k, v in wanted.equalities().items())
    if wanted.campaign == LAST:
        where.append(_JsonText(event.payload, "campaign") == _last_campaign(team_id))
    matching = exists().where(*where).correlate(Lead)
    if wanted.per is not None:
        key = _JsonText(event.payload, wanted.per)
        most = (
            select(func.count())
            .select_from(event)
            .where(*where, key.is_not(None))
            .group_by(key)
            .order_by(func.count().desc())
            .limit(1)
            .correlate(Lead)
            .scalar_subquery()
        )
        return _COMPARE[node.op](func.coalesce(most, 0), node.value)
    if (node.op, node.value) in ((">=", 1), (">", 0), ("!=", 0)):
        return matching
    if (node.op, node.value) in (("==", 0), ("<", 1), ("<=", 0)):
        return not_(matching)
    count = select(func.count()).select_from(event).where(*where).correlate(Lead)
    return _COMPARE[node.op](count.scalar_subquery(), node.value)


def _last_campaign(team_id: int) -> Any:
    sent = aliased(Event)
    campaign = _JsonText(sent.payload, "campaign")
    return (
        select(campaign)
        .where(
            sent.team_id == team_id,
            sent.lead_id == Lead.id,
            sent.type == "email_sent",
            campaign.is_not(None),
        )
        .order_by(sent.occurred_at.desc(), sent.id.desc())
        .limit(1)
        .correlate(Lead)
        .scalar_subquery()
    )


def _read_depth(node: ReadDepth, team_id: int) -> ColumnElement[bool]:
    slug = node.read_depth.document
    dwell = aliased(Event)
    pages = (
        select(func.count(DocumentPage.id))
        .join(Document, Document.id == DocumentPage.document_id)
        .where(Document.team_id == team_id, Document.slug == slug)
    )
    read = pages.where(
        exists()
        .where(
            dwell.team_id == team_id,
            dwell.lead_id == Lead.id,
            dwell.type == "page_dwell",
            _JsonText(dwell.payload, "document") == slug,
            _JsonText(dwell.payload, "page") == cast(DocumentPage.number, String),
        )
        .correlate(Lead, DocumentPage)
    )
    total = pages.correlate(Lead).scalar_subquery()
    share = cast(read.correlate(Lead).scalar_subquery(), Float) / func.nullif(total, 0)
    return and_(total > 0, _COMPARE[node.op](share, node.value))


def _in_list(node: InList, team_id: int) -> ColumnElement[bool]:
    return exists().where(
        Membership.lead_id == Lead.id,
        Membership.list_id == LeadList.id,
        LeadList.team_id == team_id,
        LeadList.name == node.in_list,
    )


# JSON access that reads alike on SQLite and PostgreSQL. Keys are checked against `_KEY` (no
# quotes, no backslashes) and written into the SQL as literals, so they are part of the
# statement's cache key; values stay bound parameters.


class _JsonText(FunctionElement[str]):
    """The scalar under `key` of a JSON column as text: strings bare, numbers as written,
    booleans `true`/`false`; NULL when missing or null."""

    type = String()
    inherit_cache = True
    name = "json_text"

    def __init__(self, document: Any, key: str) -> None:
        super().__init__(document, literal_column(f"'{_check_key(key)}'"))


class _JsonNumber(FunctionElement[float]):
    """The number under `key` of a JSON column; NULL when missing or not a number."""

    type = Float()
    inherit_cache = True
    name = "json_number"

    def __init__(self, document: Any, key: str) -> None:
        super().__init__(document, literal_column(f"'{_check_key(key)}'"))


class _JsonArrayContains(FunctionElement[bool]):
    """True when the JSON array holds the string."""

    type = Boolean()
    inherit_cache = True
    name = "json_array_contains"


class _JsonArrayLength(FunctionElement[int]):
    """The length of a JSON array (NULL on PostgreSQL, 0 on SQLite, for anything else)."""

    type = Integer()
    inherit_cache = True
    name = "json_array_length"


def _parts(element: FunctionElement[Any], compiler: SQLCompiler, **kw: Any) -> list[str]:
    return [compiler.process(clause, **kw) for clause in element.clauses]


def _sqlite_path(key: str) -> str:
    return f"'$.\"{key[1:-1]}\"'"


@compiles(_JsonText, "sqlite")
def _json_text_sqlite(element: _JsonText, compiler: SQLCompiler, **kw: Any) -> str:
    document, key = _parts(element, compiler, **kw)
    path = _sqlite_path(key)
    return (
        f"(CASE json_type({document}, {path}) WHEN 'true' THEN 'true' "
        f"WHEN 'false' THEN 'false' WHEN 'null' THEN NULL "
        f"ELSE CAST(json_extract({document}, {path}) AS TEXT) END)"
    )


@compiles(_JsonText, "postgresql")
def _json_text_postgresql(element: _JsonText, compiler: SQLCompiler, **kw: Any) -> str:
    document, key = _parts(element, compiler, **kw)
    return f"({document} ->> {key})"


@compiles(_JsonNumber, "sqlite")
def _json_number_sqlite(element: _JsonNumber, compiler: SQLCompiler, **kw: Any) -> str:
    document, key = _parts(element, compiler, **kw)
    path = _sqlite_path(key)
    return (
        f"(CASE WHEN json_type({document}, {path}) IN ('integer', 'real') "
        f"THEN json_extract({document}, {path}) END)"
    )


@compiles(_JsonNumber, "postgresql")
def _json_number_postgresql(element: _JsonNumber, compiler: SQLCompiler, **kw: Any) -> str:
    document, key = _parts(element, compiler, **kw)
    return (
        f"(CASE WHEN jsonb_typeof({document} -> {key}) = 'number' "
        f"THEN CAST({document} ->> {key} AS DOUBLE PRECISION) END)"
    )


@compiles(_JsonArrayContains, "sqlite")
def _contains_sqlite(element: _JsonArrayContains, compiler: SQLCompiler, **kw: Any) -> str:
    document, value = _parts(element, compiler, **kw)
    return f"EXISTS (SELECT 1 FROM json_each({document}) AS item WHERE item.value = {value})"


@compiles(_JsonArrayContains, "postgresql")
def _contains_postgresql(element: _JsonArrayContains, compiler: SQLCompiler, **kw: Any) -> str:
    document, value = _parts(element, compiler, **kw)
    return f"({document} @> jsonb_build_array(CAST({value} AS TEXT)))"


@compiles(_JsonArrayLength, "sqlite")
def _length_sqlite(element: _JsonArrayLength, compiler: SQLCompiler, **kw: Any) -> str:
    (document,) = _parts(element, compiler, **kw)
    return f"json_array_length({document})"


@compiles(_JsonArrayLength, "postgresql")
def _length_postgresql(element: _JsonArrayLength, compiler: SQLCompiler, **kw: Any) -> str:
    (document,) = _parts(element, compiler, **kw)
    return f"(CASE WHEN jsonb_typeof({document}) = 'array' THEN jsonb_array_length({document}) END)"
