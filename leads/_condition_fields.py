"""The lead fields a condition can test, the operators each takes, and the values that fit."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from leads.tables import CONSENT, FLOW_STATES, STAGES

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
ORDERING = ("==", "!=", ">", ">=", "<", "<=")
OPS_BY_KIND: dict[str, tuple[str, ...]] = {
    "text": ("==", "!=", "in", "not_in", "contains", "exists"),
    "number": (*ORDERING, "in", "not_in", "exists"),
    "time": (">", ">=", "<", "<=", "exists"),
    "list": ("contains", "exists"),
    "attribute": (*ORDERING, "in", "not_in", "contains", "exists"),
}
# No quotes or backslashes: keys are written into SQL text and JSON paths as they are.
_KEY = re.compile(r"^\w[\w .:-]{0,63}$")


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


def field_value(name: str, op: str, value: Any) -> Any:
    """The value checked against what the field compares to; `ValueError` naming the problem."""
    kind = field_kind(name)
    if value is None:
        raise ValueError(f"{name} {op} needs a value")
    if kind == "number" or (kind == "attribute" and op in ORDERING[2:]):
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


def check_key(key: str) -> str:
    """The key of an attribute or payload entry, checked safe to write into SQL and JSON paths."""
    if not _KEY.match(key):
        raise ValueError(f"{key!r}: a key is letters, digits and _ .:- (max 64)")
    return key
