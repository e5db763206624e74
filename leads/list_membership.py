"""Keeping dynamic lists filled: per event for one lead, or by a full rebuild of a list.

Both paths evaluate the same expression (`list_conditions.compile_condition`), so a lead's
membership after any stream of `refresh_lead` calls equals what `rebuild_list` would give.
Lists that read other lists (`in_list`) read their stored membership; lists are therefore
evaluated by level (a list's level is one more than the highest level of the dynamic lists it
reads), and a list is re-evaluated only when something it reads has changed.

Each change is stored and recorded as a `list_entered` / `list_left` event (source "lists").
The team's lists as read here (parsed, with levels) are in `leads.team_lists`.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from sqlalchemy import ColumnElement, Executable, bindparam, delete, exists, insert, select
from sqlalchemy.orm import Session

from leads.errors import NotFound
from leads.events import NewEvent, record_event, record_events
from leads.list_conditions import compile_condition, compile_template, window_params
from leads.tables import Lead, ListMembership, utcnow
from leads.team_lists import DynamicList, parsed, team_lists

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
        condition, _reads = parsed(definition)
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
