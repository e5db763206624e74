"""Keeping dynamic lists filled: per event for one lead, or by a full rebuild of a list.

Both paths evaluate the same expression (`list_conditions.compile_condition`), so a lead's
membership after any stream of `refresh_lead` calls equals what `rebuild_list` would give.
Lists that read other lists (`in_list`) read their stored membership; lists are therefore
evaluated by level (a list's level is one more than the highest level of the dynamic lists it
reads), and a list is re-evaluated only when something it reads has changed.

Each change is stored and recorded as a `list_entered` / `list_left` event (source "lists").
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

import orjson
from sqlalchemy import ColumnElement, Executable, bindparam, delete, exists, insert, select
from sqlalchemy.orm import Session

from leads.errors import NotFound, ValidationFailed
from leads.events import NewEvent, record_event, record_events
from leads.list_conditions import (
    Condition,
    Dependencies,
    compile_condition,
    compile_template,
    dependencies,
    window_params,
)
from leads.list_conditions import parse_condition as _parse
from leads.tables import Lead, LeadList, ListMembership, utcnow

SOURCE = "lists"
_CHUNK = 500
_FEW = 20


@dataclass(frozen=True, slots=True)
class MembershipChange:
    """A lead entered (or left) a list."""

    list_id: int
    list_name: str
    lead_id: int
    entered: bool


@dataclass(frozen=True, slots=True)
class DynamicList:
    """A dynamic list with its parsed condition, what it reads, and its evaluation level."""

    id: int
    name: str
    definition: str  # canonical JSON: the key of the cached statements
    condition: Condition
    reads: Dependencies
    level: int


@dataclass(frozen=True, slots=True)
class TeamLists:
    """The team's dynamic lists, and which of them read each list (by name)."""

    lists: dict[int, DynamicList]
    readers: dict[str, tuple[int, ...]]

    def reads_path(self, start: str, goal: str) -> list[str] | None:
        """A chain of `in_list` reads from list `start` to list `goal`, if there is one."""
        by_name = {d.name: d for d in self.lists.values()}
        todo: list[list[str]] = [[start]]
        seen: set[str] = set()
        while todo:
            path = todo.pop()
            if path[-1] == goal:
                return path
            if path[-1] in seen or path[-1] not in by_name:
                continue
            seen.add(path[-1])
            todo.extend([*path, read] for read in sorted(by_name[path[-1]].reads.lists))
        return None

    def with_readers(self, ids: Iterable[int]) -> list[DynamicList]:
        """The lists and every list that reads them, directly or not, in evaluation order."""
        seen: set[int] = set()
        todo = list(ids)
        while todo:
            list_id = todo.pop()
            if list_id not in seen:
                seen.add(list_id)
                todo.extend(self.readers.get(self.lists[list_id].name, ()))
        return sorted((self.lists[i] for i in seen), key=lambda d: (d.level, d.id))


# Run on the connection: the ORM's execution path costs more than this query on every event.
_TEAM_LISTS = select(LeadList.id, LeadList.name, LeadList.definition).where(
    LeadList.team_id == bindparam("team_id"), LeadList.kind == "dynamic"
)


@lru_cache(maxsize=1024)
def _parsed(definition: str) -> tuple[Condition, Dependencies]:
    condition = _parse(orjson.loads(definition))
    return condition, dependencies(condition)


def team_lists(session: Session, *, team_id: int) -> TeamLists:
    """The team's dynamic lists, parsed, with their levels."""
    session.flush()  # what the session holds is read too (as autoflush would)
    rows = session.connection().execute(_TEAM_LISTS, {"team_id": team_id}).all()
    found: dict[str, tuple[int, str, Condition, Dependencies]] = {}
    for list_id, name, definition in rows:
        text = orjson.dumps(definition, option=orjson.OPT_SORT_KEYS).decode()
        found[name] = (list_id, text, *_parsed(text))
    levels: dict[str, int] = {}

    def level(name: str, path: tuple[str, ...]) -> int:
        if name in path:  # `lists` refuses to store one; stop rather than recurse forever
            raise ValidationFailed("definition", f"lists read each other: {_arrow(path, name)}")
        if name not in levels:
            below = [level(r, (*path, name)) for r in found[name][3].lists if r in found]
            levels[name] = 1 + max(below, default=-1)
        return levels[name]

    lists: dict[int, DynamicList] = {}
    readers: dict[str, list[int]] = {}
    for name, (list_id, text, condition, reads) in found.items():
        lists[list_id] = DynamicList(list_id, name, text, condition, reads, level(name, ()))
        for read in reads.lists:
            readers.setdefault(read, []).append(list_id)
    return TeamLists(lists, {k: tuple(v) for k, v in readers.items()})


def _arrow(path: tuple[str, ...], name: str) -> str:
    return " -> ".join((*path[path.index(name) :], name))


def refresh_lead(
    session: Session,
    *,
    team_id: int,
    lead_id: int,
    event_types: Collection[str] = (),
    fields_changed: bool = False,
    lists_changed: Collection[str] = (),
    now: datetime | None = None,
) -> list[MembershipChange]:
    """Re-evaluate, for one lead, the team's dynamic lists that the change can affect.

    Affected are the lists that count events of `event_types`, read lead fields (when
    `fields_changed`), or read a list named in `lists_changed` (e.g. a static list the lead was
    put on); then, level by level, the lists reading a list whose membership just changed.
    """
    changed = LeadChange(tuple(event_types), fields_changed, tuple(lists_changed))
    return refresh_leads(session, team_id=team_id, leads={lead_id: changed}, now=now)[lead_id]


@dataclass(frozen=True, slots=True)
class LeadChange:
    """What changed for one lead (`refresh_lead`'s arguments)."""

    event_types: tuple[str, ...] = ()
    fields_changed: bool = False
    lists_changed: tuple[str, ...] = ()


def refresh_leads(
    session: Session,
    *,
    team_id: int,
    leads: Mapping[int, LeadChange],
    now: datetime | None = None,
) -> dict[int, list[MembershipChange]]:
    """`refresh_lead` for several leads of a team at once, each by its own change: one query
    per level for all of them. A lead's result is what `refresh_lead` gives it (conditions read
    only the lead's own events, fields and memberships)."""
    now = now or utcnow()
    team = team_lists(session, team_id=team_id)
    pending: dict[int, set[int]] = {}
    for lead_id, what in leads.items():
        types, touched = frozenset(what.event_types), set(what.lists_changed)
        pending[lead_id] = {
            d.id
            for d in team.lists.values()
            if d.reads.reads_events(types)
            or (what.fields_changed and d.reads.fields)
            or not d.reads.lists.isdisjoint(touched)
        }
    changes: dict[int, list[MembershipChange]] = {lead_id: [] for lead_id in leads}
    for level in sorted({d.level for d in team.lists.values()}):
        due = {
            lead_id: [i for i in sorted(ids) if team.lists[i].level == level]
            for lead_id, ids in pending.items()
        }
        due = {lead_id: ids for lead_id, ids in due.items() if ids}
        if not due:
            continue
        found = _evaluate(session, team_id=team_id, due=due, lists=team.lists, now=now)
        _store(session, team_id=team_id, changes=found, now=now)  # the next level reads it
        for change in found:
            changes[change.lead_id].append(change)
            pending[change.lead_id].update(team.readers.get(change.list_name, ()))
    return changes


def _evaluate(
    session: Session,
    *,
    team_id: int,
    due: Mapping[int, Sequence[int]],
    lists: Mapping[int, DynamicList],
    now: datetime,
) -> list[MembershipChange]:
    """Which lists each lead enters or leaves, of the list ids `due` names for it: one query
    for all of them (every lead gets every column; each reads only its own)."""
    evaluated = sorted({i for ids in due.values() for i in ids})
    column = {list_id: n for n, list_id in enumerate(evaluated)}
    statement = _evaluation(
        team_id, tuple((i, lists[i].definition) for i in evaluated), one=len(due) == 1
    )
    windows = {days for i in evaluated for days in lists[i].reads.windows}
    values = {"refresh_lead_ids": list(due), **window_params(windows, now)}
    if len(due) == 1:
        values["refresh_lead_id"] = next(iter(due))
    session.flush()  # the conditions read the leads' fields as the session holds them
    rows = {row[0]: row[1:] for row in session.connection().execute(statement, values)}
    found: list[MembershipChange] = []
    for lead_id, ids in due.items():
        row = rows.get(lead_id)
        if row is None:
            raise NotFound("lead", lead_id)
        for list_id in ids:
            should, was = row[2 * column[list_id]], row[2 * column[list_id] + 1]
            if bool(should) != bool(was):
                d = lists[list_id]
                found.append(MembershipChange(d.id, d.name, lead_id, entered=bool(should)))
    return found


@lru_cache(maxsize=256)
def _evaluation(team_id: int, lists: tuple[tuple[int, str], ...], *, one: bool) -> Executable:
    """Per lead (`refresh_lead_id`, or `refresh_lead_ids` when not `one`): its id, then per
    list, should it be on it, and is it.

    Cached: building the expressions costs several times more than running them, and a cached
    statement also keeps its SQL compiled (an expanding IN is rendered on each run: one lead
    compares with `=`).
    """
    columns: list[ColumnElement[bool]] = []
    for list_id, definition in lists:
        condition, _reads = _parsed(definition)
        columns.append(compile_template(condition, team_id=team_id))
        columns.append(
            exists().where(ListMembership.list_id == list_id, ListMembership.lead_id == Lead.id)
        )
    which = (
        Lead.id == bindparam("refresh_lead_id")
        if one
        else Lead.id.in_(bindparam("refresh_lead_ids", expanding=True))
    )
    return select(Lead.id, *columns).where(which, Lead.team_id == team_id)


def rebuild_list(
    session: Session, *, team_id: int, list_id: int, now: datetime | None = None
) -> list[MembershipChange]:
    """Fill a dynamic list from scratch, then the lists that read it (they may change too)."""
    team = team_lists(session, team_id=team_id)
    if list_id not in team.lists:
        raise NotFound("dynamic list", list_id)
    return _rebuild(session, team_id=team_id, lists=team.with_readers([list_id]), now=now)


def refresh_time_based(
    session: Session, *, team_id: int, now: datetime | None = None
) -> list[MembershipChange]:
    """Rebuild the lists whose conditions have time windows (time passing changes them), and
    the lists that read them. A worker calls this periodically."""
    team = team_lists(session, team_id=team_id)
    timed = [d.id for d in team.lists.values() if d.reads.time_based]
    return _rebuild(session, team_id=team_id, lists=team.with_readers(timed), now=now)


def _rebuild(
    session: Session, *, team_id: int, lists: Sequence[DynamicList], now: datetime | None
) -> list[MembershipChange]:
    now = now or utcnow()
    changes: list[MembershipChange] = []
    for d in lists:  # in level order: a list is rebuilt after the lists it reads
        expression = compile_condition(d.condition, team_id=team_id, now=now)
        should = set(session.scalars(select(Lead.id).where(Lead.team_id == team_id, expression)))
        now_in = set(
            session.scalars(select(ListMembership.lead_id).where(ListMembership.list_id == d.id))
        )
        found = [MembershipChange(d.id, d.name, i, True) for i in sorted(should - now_in)]
        found += [MembershipChange(d.id, d.name, i, False) for i in sorted(now_in - should)]
        _store(session, team_id=team_id, changes=found, now=now)
        changes.extend(found)
    return changes


def _store(
    session: Session, *, team_id: int, changes: Sequence[MembershipChange], now: datetime
) -> None:
    """Apply the changes to the memberships and record an event for each."""
    if not changes:
        return
    entered = [c for c in changes if c.entered]
    if entered:
        session.execute(
            insert(ListMembership),
            [
                {
                    "list_id": c.list_id,
                    "lead_id": c.lead_id,
                    "team_id": team_id,
                    "added_at": now,
                    "reason": "matches the list's definition",
                }
                for c in entered
            ],
        )
    left: dict[int, list[int]] = {}
    for c in changes:
        if not c.entered:
            left.setdefault(c.list_id, []).append(c.lead_id)
    for list_id, lead_ids in left.items():
        for start in range(0, len(lead_ids), _CHUNK):
            session.execute(
                delete(ListMembership).where(
                    ListMembership.list_id == list_id,
                    ListMembership.lead_id.in_(lead_ids[start : start + _CHUNK]),
                )
            )
    events = [
        NewEvent(
            lead_id=c.lead_id,
            type="list_entered" if c.entered else "list_left",
            occurred_at=now,
            source=SOURCE,
            payload={"list": c.list_name, "list_id": c.list_id},
        )
        for c in changes
    ]
    if len(events) > _FEW:
        record_events(session, team_id=team_id, events=events)
    else:  # the bulk path's set-up (COPY into a staging table) outweighs a few inserts
        for new in events:
            record_event(session, team_id=team_id, event=new)
