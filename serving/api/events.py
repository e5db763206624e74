"""Events: one or a batch, each through the per-event loop before the call returns."""

from __future__ import annotations

from fastapi import APIRouter, Response

from flows.loop import process_event, process_events
from leads.errors import ValidationFailed
from leads.events import NewEvent
from leads.tables import Team
from serving.api.convert import event_result
from serving.deps import EventGroupsDep, ServiceDep, TeamId
from serving.metrics import Pending
from serving.schemas import EventBatchIn, EventBatchResult, EventIn, EventResult
from serving.service import Service

router = APIRouter(prefix="/v1/events", tags=["events"])


def _new(event: EventIn) -> NewEvent:
    return NewEvent(
        lead_id=event.lead_id,
        type=event.type,
        occurred_at=event.occurred_at,
        source="api",
        payload=event.payload,
        idempotency_key=event.idempotency_key,
        human=event.human,
    )


@router.post("", status_code=201, response_model=EventResult)
async def post_event(
    event: EventIn, team_id: TeamId, groups: EventGroupsDep, response: Response
) -> EventResult:
    """Record an event (an API-reported action such as a sign-up is `type: api_event` with
    `payload.action`); 201 with the lead's new stage, score and list changes, or 200 when the
    idempotency key was seen before (nothing changes). Stored and committed before the answer:
    events posted at the same moment share a transaction (`serving.event_groups`)."""
    result, created = await groups.process(team_id, _new(event))
    if not created:
        response.status_code = 200
    return result


@router.post(":batch", response_model=EventBatchResult)
async def post_events(
    batch: EventBatchIn, team_id: TeamId, service: ServiceDep
) -> EventBatchResult:
    """Record up to 1,000 events in one transaction, in order, through the loop together
    (`flows.loop.process_events`); one bad event refuses the batch (422 naming
    `events[i].field`) and stores nothing."""
    events = [_new(event) for event in batch.events]
    counts = Pending()
    try:
        with service.transaction() as session:
            team = session.get_one(Team, team_id)
            outcomes = process_events(
                session, team=team, events=events, champion=service.champion, observer=counts
            )
            results = [event_result(outcome) for outcome in outcomes]
    except ValidationFailed as error:
        raise _refused(service, team_id, events) or error from None
    counts.count_into(service.metrics)
    return EventBatchResult(results=results)


def _refused(service: Service, team_id: int, events: list[NewEvent]) -> ValidationFailed | None:
    """The first event the loop refuses, its field prefixed with its index (`events[i].`),
    found by running the batch again one event at a time in a transaction rolled back after."""
    with service.sessions() as session:
        try:
            team = session.get_one(Team, team_id)
            for index, event in enumerate(events):
                try:
                    process_event(session, team=team, event=event, champion=service.champion)
                except ValidationFailed as error:
                    error.field = f"events[{index}].{error.field}"
                    return error
        finally:
            session.rollback()
    return None
