"""List conditions compiled to one boolean SQL expression over `Lead` (correlated subqueries)."""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Float,
    String,
    and_,
    bindparam,
    cast,
    exists,
    func,
    not_,
    or_,
    select,
)
from sqlalchemy.orm import aliased

from leads._condition_fields import ORDERING, field_kind
from leads._condition_nodes import (
    LAST,
    AllOf,
    AnyOf,
    Condition,
    EventCount,
    FieldTest,
    InList,
    Not,
    ReadDepth,
)
from leads._json_sql import JsonArrayContains, JsonArrayLength, JsonNumber, JsonText
from leads.tables import Document, DocumentPage, Event, Lead, LeadList
from leads.tables import ListMembership as Membership

_COMPARE: dict[str, Callable[[Any, Any], ColumnElement[bool]]] = {
    "==": operator.eq,
    "!=": operator.ne,
    ">": operator.gt,
    ">=": operator.ge,
    "<": operator.lt,
    "<=": operator.le,
}


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
            present = JsonArrayLength(column) > 0
        else:
            return and_(column.is_not(None), JsonArrayContains(column, value))
    else:
        if kind == "attribute":
            key = node.field.removeprefix("attributes.")
            numeric = op in ORDERING[2:]
            target = (JsonNumber if numeric else JsonText)(Lead.attributes, key)
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
    where.extend(JsonText(event.payload, k) == v for k, v in wanted.equalities().items())
    if wanted.campaign == LAST:
        where.append(JsonText(event.payload, "campaign") == _last_campaign(team_id))
    matching = exists().where(*where).correlate(Lead)
    if wanted.per is not None:
        key = JsonText(event.payload, wanted.per)
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
    campaign = JsonText(sent.payload, "campaign")
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
            JsonText(dwell.payload, "document") == slug,
            JsonText(dwell.payload, "page") == cast(DocumentPage.number, String),
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
