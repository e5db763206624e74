"""Group commit for `POST /v1/events`.

Events whose requests are ready at the same moment run through the per-event loop together
(`flows.loop.process_events`: their leads, features and lists read and scored for all of them
at once) in one transaction, and each request is answered once that transaction has
committed, so what an answer says is stored, as with a transaction per event.

Under a trickle every group holds one event and nothing changes. When requests queue up (a
burst, or a load near capacity) the fixed costs are paid once per group instead of once per
event: the transaction's (a pooled connection, BEGIN, reading the team, COMMIT) and most of the
loop's own (a statement and a model call per step, whatever the number of leads). So the
server catches up instead of falling further behind. A group that fails anywhere (an unknown
lead, a deadlock between two server processes on PostgreSQL) is rolled back whole and its
events run again one per transaction: a bad event gets its own error and the others lose
nothing.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from flows.loop import process_events
from leads.events import NewEvent
from leads.tables import Team
from serving.api.convert import event_result
from serving.metrics import Pending
from serving.schemas import EventResult
from serving.service import Service

# Turns of the event loop between a group's first event and its flush: each turn polls the
# sockets and moves the requests already read a step closer to the group (a request takes a
# few to get through the app). Idle, it costs microseconds; under load it makes groups bigger.
TURNS = 3
LARGEST_GROUP = 32  # events per transaction; a group's last answer waits for all of them


@dataclass(slots=True)
class _Waiting:
    team_id: int
    event: NewEvent
    answer: asyncio.Future[tuple[EventResult, bool]]


class EventGroups:
    """Collects the events of concurrent requests and runs them as groups (module docstring)."""

    def __init__(self, service: Service, *, largest: int = LARGEST_GROUP) -> None:
        self._service = service
        self._largest = largest
        self._waiting: list[_Waiting] = []
        self._scheduled = False

    async def process(self, team_id: int, event: NewEvent) -> tuple[EventResult, bool]:
        """The event's result once its group committed, and whether it was stored (False: its
        idempotency key was seen before); the loop's errors are raised here, one per event."""
        loop = asyncio.get_running_loop()
        answer: asyncio.Future[tuple[EventResult, bool]] = loop.create_future()
        self._waiting.append(_Waiting(team_id, event, answer))
        if not self._scheduled:
            # A few turns of the loop later: requests that arrived together join the group.
            self._scheduled = True
            loop.call_soon(self._soon, loop, TURNS)
        return await answer

    def _soon(self, loop: asyncio.AbstractEventLoop, turns: int) -> None:
        if turns:
            loop.call_soon(self._soon, loop, turns - 1)
        else:
            self._flush()

    def _flush(self) -> None:
        group, self._waiting = self._waiting[: self._largest], self._waiting[self._largest :]
        self._scheduled = bool(self._waiting)
        if self._scheduled:
            asyncio.get_running_loop().call_soon(self._flush)
        try:
            results = self._run(group)
        except Exception as error:
            if len(group) == 1:
                _settle(group[0], error=error)
                return
            for one in group:  # run alone, each answers its own outcome
                try:
                    (result,) = self._run([one])
                except Exception as alone:
                    _settle(one, error=alone)
                else:
                    _settle(one, result=result)
            return
        for one, result in zip(group, results, strict=True):
            _settle(one, result=result)

    def _run(self, group: list[_Waiting]) -> list[tuple[EventResult, bool]]:
        counts = Pending()
        results: list[tuple[EventResult, bool] | None] = [None] * len(group)
        by_team: dict[int, list[int]] = {}
        for n, one in enumerate(group):
            by_team.setdefault(one.team_id, []).append(n)
        service = self._service
        with service.transaction() as session:
            for team_id, positions in by_team.items():
                outcomes = process_events(
                    session,
                    team=session.get_one(Team, team_id),
                    events=[group[n].event for n in positions],
                    champion=service.champion,
                    observer=counts,
                )
                for n, outcome in zip(positions, outcomes, strict=True):
                    results[n] = (event_result(outcome), outcome.created)
        service.metrics.event_group(len(group))
        counts.count_into(service.metrics)
        return [result for result in results if result is not None]


def _settle(
    one: _Waiting,
    *,
    result: tuple[EventResult, bool] | None = None,
    error: Exception | None = None,
) -> None:
    if one.answer.done():  # the client went away and its request was cancelled
        return
    if error is not None:
        one.answer.set_exception(error)
    elif result is not None:
        one.answer.set_result(result)
