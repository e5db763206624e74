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

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError

from leads._condition_fields import field_kind
from leads._condition_nodes import (
    LAST,
    AllOf,
    AnyOf,
    Condition,
    CountOp,
    DocumentRef,
    EventCount,
    EventFilter,
    FieldTest,
    InList,
    Not,
    Op,
    ReadDepth,
)
from leads._list_sql import compile_condition, compile_template, window_params
from leads.errors import ValidationFailed

__all__ = [
    "LAST",
    "MAX_DEPTH",
    "MAX_NODES",
    "AllOf",
    "AnyOf",
    "Condition",
    "CountOp",
    "Dependencies",
    "DocumentRef",
    "EventCount",
    "EventFilter",
    "FieldTest",
    "InList",
    "Not",
    "Op",
    "ReadDepth",
    "compile_condition",
    "compile_template",
    "dependencies",
    "dump_condition",
    "field_kind",
    "list_references",
    "parse_condition",
    "walk",
    "window_params",
]

MAX_NODES = 200
MAX_DEPTH = 12


class _Root(BaseModel):
    condition: Condition


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
