"""A team's dynamic lists as the membership code reads them: parsed conditions, what each
reads, and its evaluation level (one more than the highest level of the dynamic lists it reads).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import orjson
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from leads.errors import ValidationFailed
from leads.list_conditions import Condition, Dependencies, dependencies
from leads.list_conditions import parse_condition as _parse
from leads.tables import LeadList


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
def parsed(definition: str) -> tuple[Condition, Dependencies]:
    """A stored definition (canonical JSON) parsed, and what it reads (cached by its text)."""
    condition = _parse(orjson.loads(definition))
    return condition, dependencies(condition)


def team_lists(session: Session, *, team_id: int) -> TeamLists:
    """The team's dynamic lists, parsed, with their levels."""
    session.flush()  # what the session holds is read too (as autoflush would)
    rows = session.connection().execute(_TEAM_LISTS, {"team_id": team_id}).all()
    found: dict[str, tuple[int, str, Condition, Dependencies]] = {}
    for list_id, name, definition in rows:
        text = orjson.dumps(definition, option=orjson.OPT_SORT_KEYS).decode()
        found[name] = (list_id, text, *parsed(text))
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
