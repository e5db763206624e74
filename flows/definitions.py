"""Flows defined as data: a trigger, steps (action, delay, subject and body templates), and
the events that stop it. Stored per team; imported from JSON or YAML.

Templates are Jinja2 run in a sandbox; they see the lead (`lead.first_name`, `lead.company`,
...), the team (`team.name`), the step's `content_url` and the `booking_url`, never code.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Literal

import orjson
import yaml
from jinja2 import Template, TemplateSyntaxError
from jinja2.sandbox import SandboxedEnvironment
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from flows.schedule import Delay
from leads.errors import Conflict, InvalidInput, NotFound, ValidationFailed
from leads.flow_tables import FLOW_KINDS, Flow

Action = Literal["meeting_proposal", "reminder", "onboarding_content", "nurture_newsletter"]
FlowKind = Literal["sequence", "campaign", "nurture"]
STOPS: dict[str, tuple[str, ...]] = {
    "sequence": ("email_replied", "meeting_booked", "unsubscribed", "bounced"),
    "campaign": ("meeting_booked", "unsubscribed", "bounced"),
    "nurture": ("meeting_booked", "unsubscribed", "bounced"),
}
TEMPLATES = SandboxedEnvironment(autoescape=False, trim_blocks=True, lstrip_blocks=True)


class Trigger(BaseModel):
    """What starts the flow: a stage the lead reaches, or a list it enters. A nurture flow
    with neither is where leads go when other flows end."""

    model_config = ConfigDict(extra="forbid")

    stage: Literal["sql", "mql"] | None = None
    list: str | None = Field(default=None, min_length=1, max_length=200)

    @model_validator(mode="after")
    def _one_trigger(self) -> Trigger:
        if self.stage is not None and self.list is not None:
            raise ValueError("give stage or list, not both")
        return self


class Step(BaseModel):
    """One email of the flow, sent `delay` after the previous one (inside the send window)."""

    model_config = ConfigDict(extra="forbid")

    action: Action
    delay: Delay = Field(default_factory=Delay)
    subject: str = Field(min_length=1, max_length=300)
    body: str = Field(min_length=1, max_length=10_000)
    content_url: str | None = Field(default=None, max_length=2000)

    @field_validator("subject", "body")
    @classmethod
    def _template_parses(cls, text: str) -> str:
        try:
            TEMPLATES.parse(text)
        except TemplateSyntaxError as error:
            raise ValueError(f"template error on line {error.lineno}: {error.message}") from None
        return text

    @field_validator("content_url")
    @classmethod
    def _http_url(cls, url: str | None) -> str | None:
        if url is not None and not url.startswith(("https://", "http://")):
            raise ValueError("must start with https:// or http://")
        return url


class FlowDefinition(BaseModel):
    """A flow's trigger, steps and stop rules."""

    model_config = ConfigDict(extra="forbid")

    trigger: Trigger = Field(default_factory=Trigger)
    steps: list[Step] = Field(min_length=1, max_length=30)
    campaign: str | None = Field(default=None, max_length=200, description="Tracking label.")
    stop_on: list[str] | None = Field(default=None, description="Default: by the flow's kind.")
    end_after: Delay = Field(
        default_factory=lambda: Delay(business_days=3),
        description="Wait after the last step before the lead moves on (to nurture).",
    )
    repeat: bool = Field(default=False, description="Nurture: start over after the last step.")


def check_definition(kind: str, definition: dict[str, Any]) -> FlowDefinition:
    """The definition, checked; `InvalidInput` names each wrong field (`definition.steps[0]`)."""
    if kind not in FLOW_KINDS:
        raise ValidationFailed("kind", f"{kind!r} is not one of {', '.join(FLOW_KINDS)}")
    try:
        checked = FlowDefinition.model_validate(definition)
    except ValidationError as error:
        raise InvalidInput(
            [
                ValidationFailed(_path(e["loc"]), e["msg"].removeprefix("Value error, "))
                for e in error.errors()
            ]
        ) from None
    if kind == "sequence" and checked.trigger.stage == "mql":
        raise ValidationFailed("definition.trigger.stage", "a sales sequence starts on sql")
    return checked


def _path(loc: tuple[Any, ...]) -> str:
    out = "definition"
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


@lru_cache(maxsize=512)
def _parsed(text: str) -> FlowDefinition:
    return FlowDefinition.model_validate_json(text)


def definition_of(flow: Flow) -> FlowDefinition:
    """The flow's stored definition, parsed once per distinct definition (a send reads it
    several times; checking its templates again each time would cost more than rendering)."""
    return _parsed(orjson.dumps(flow.definition, option=orjson.OPT_SORT_KEYS).decode())


def stops_of(flow: Flow) -> tuple[str, ...]:
    """The event types that stop this flow."""
    definition = definition_of(flow)
    return tuple(definition.stop_on) if definition.stop_on is not None else STOPS[flow.kind]


def create_flow(
    session: Session, *, team_id: int, name: str, kind: str, definition: dict[str, Any]
) -> Flow:
    """Store a new flow after checking it; names are unique within a team."""
    name = " ".join(name.split())
    if not name:
        raise ValidationFailed("name", "a flow needs a name")
    checked = check_definition(kind, definition)
    if session.scalar(select(Flow.id).where(Flow.team_id == team_id, Flow.name == name)):
        raise Conflict(f"a flow named {name!r} exists already")
    flow = Flow(team_id=team_id, name=name, kind=kind, definition=checked.model_dump(mode="json"))
    session.add(flow)
    session.flush()
    return flow


def get_flow(session: Session, *, team_id: int, flow_id: int) -> Flow:
    """A flow of this team."""
    flow = session.get(Flow, flow_id)
    if flow is None or flow.team_id != team_id:
        raise NotFound("flow", flow_id)
    return flow


def import_flows(session: Session, *, team_id: int, text: str) -> list[Flow]:
    """Create the flows of a YAML or JSON document: a list of {name, kind, definition}."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise ValidationFailed("file", f"not YAML or JSON: {error}") from None
    if isinstance(data, dict):
        data = data.get("flows", [data])
    if not isinstance(data, list) or not data:
        raise ValidationFailed("file", "expected a list of flows (name, kind, definition)")
    created = []
    for index, item in enumerate(data):
        if not isinstance(item, dict):
            raise ValidationFailed(f"flows[{index}]", "must be an object")
        try:
            created.append(
                create_flow(
                    session,
                    team_id=team_id,
                    name=str(item.get("name", "")),
                    kind=str(item.get("kind", "")),
                    definition=item.get("definition") or {},
                )
            )
        except ValidationFailed as error:
            raise ValidationFailed(f"flows[{index}].{error.field}", error.problem) from None
        except InvalidInput as error:
            raise InvalidInput(
                [ValidationFailed(f"flows[{index}].{e.field}", e.problem) for e in error.errors]
            ) from None
    return created


# Built once: the per-event loop asks on every event of a lead without a flow.
_ACTIVE_FLOWS = (
    select(Flow)
    .where(Flow.team_id == bindparam("team_id"), Flow.active.is_(True))
    .order_by(Flow.id)
)


def flows_for(
    session: Session, *, team_id: int, stage: str | None = None, list_name: str | None = None
) -> list[Flow]:
    """The team's active flows started by reaching `stage` or entering `list_name`."""
    found = session.scalars(_ACTIVE_FLOWS, {"team_id": team_id})
    out = []
    for flow in found:
        trigger = definition_of(flow).trigger
        if (stage is not None and trigger.stage == stage) or (
            list_name is not None and trigger.list == list_name
        ):
            out.append(flow)
    return out


def nurture_flow(session: Session, *, team_id: int) -> Flow | None:
    """The team's default nurture flow (a nurture flow without a trigger), if any."""
    for flow in session.scalars(
        select(Flow)
        .where(Flow.team_id == team_id, Flow.kind == "nurture", Flow.active.is_(True))
        .order_by(Flow.id)
    ):
        trigger = definition_of(flow).trigger
        if trigger.stage is None and trigger.list is None:
            return flow
    return None


@lru_cache(maxsize=1024)
def _template(text: str) -> Template:
    return TEMPLATES.from_string(text)


def render_step(step: Step, context: dict[str, Any]) -> tuple[str, str]:
    """The step's subject and body for one lead (sandboxed Jinja2)."""
    subject = _template(step.subject).render(context)
    body = _template(step.body).render(context)
    return " ".join(subject.split()), body.strip()
