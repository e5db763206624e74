"""Events: one or a batch, each through the per-event loop before the call returns."""

from __future__ import annotations

from fastapi import APIRouter, Response

from flows.loop import process_event
from leads.errors import ValidationFailed
from leads.events import NewEvent
from leads.tables import Team
from serving.api.convert import event_result
from serving.deps import EventGroupsDep, ServiceDep, TeamId
from serving.schemas import EventBatchIn, EventBatchResult, EventIn, EventResult

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
    """Record up to 1,000 events in one transaction, each through the loop in order; one bad
    event refuses the batch (422 naming `events[i].field`) and stores nothing."""
    results = []
    with service.transaction() as session:
        team = session.get_one(Team, team_id)
        for index, event in enumerate(batch.events):
            try:
                outcome = process_event(
                    session, team=team, event=_new(event), champion=service.champion,
                    observer=service.metrics,
                )  # fmt: skip
            except ValidationFailed as error:
                error.field = f"events[{index}].{error.field}"  # which event of the batch
                raise
            results.append(event_result(outcome))
    return EventBatchResult(results=results)
