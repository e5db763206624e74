"""Web forms: a definition (fields and routing rules) and submissions that create or update leads.

A routing rule turns an answer into a list membership, a product interest or a lead attribute:
"Interested in: Product A" -> the `product-a` list and product interest `Product A`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from leads.errors import Conflict, InvalidInput, NotFound, ValidationFailed
from leads.events import NewEvent, record_event
from leads.fields import LEAD_FIELDS
from leads.form_answers import check_answers
from leads.lead_input import parse_lead_fields
from leads.lists import add_member, ensure_list
from leads.records import LeadChange, upsert_lead
from leads.tables import Form, Lead

FieldType = Literal["email", "text", "textarea", "select", "multiselect", "checkbox", "number"]


class FormField(BaseModel):
    """One question of a form."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=r"^[A-Za-z0-9_\-]{1,64}$")
    label: str = ""
    type: FieldType = "text"
    required: bool = False
    options: list[str] = Field(default_factory=list)
    maps_to: str | None = Field(default=None, description="Lead field the answer fills.")

    @model_validator(mode="after")
    def _check(self) -> FormField:
        if self.maps_to is not None and self.maps_to not in LEAD_FIELDS:
            raise ValueError(f"maps_to {self.maps_to!r} is not a lead field")
        if self.type in ("select", "multiselect") and not self.options:
            raise ValueError(f"field {self.name!r} of type {self.type} needs options")
        return self


class RoutingRule(BaseModel):
    """When an answer matches, add the lead to a list, a product interest, or set a field."""

    model_config = ConfigDict(extra="forbid")

    field: str
    equals: str | None = None
    contains: str | None = None
    add_to_list: str | None = None
    add_product_interest: str | None = None
    set_fields: dict[str, str] = Field(default_factory=dict)

    def matches(self, answer: Any) -> bool:
        values = [str(v) for v in answer] if isinstance(answer, list) else [str(answer)]
        if self.equals is not None:
            return any(v.strip().casefold() == self.equals.strip().casefold() for v in values)
        if self.contains is not None:
            return any(self.contains.casefold() in v.casefold() for v in values)
        return any(v.strip() for v in values)


class FormDefinition(BaseModel):
    """A form: its fields, routing rules, and lists every submitter joins."""

    model_config = ConfigDict(extra="forbid")

    fields: list[FormField]
    rules: list[RoutingRule] = Field(default_factory=list)
    lists: list[str] = Field(default_factory=list)
    source: str | None = None

    @model_validator(mode="after")
    def _check(self) -> FormDefinition:
        names = [f.name for f in self.fields]
        if len(set(names)) != len(names):
            raise ValueError("field names must be unique")
        if not any(f.maps_to == "email" or f.type == "email" for f in self.fields):
            raise ValueError("a form needs an email field")
        for rule in self.rules:
            if rule.field not in names:
                raise ValueError(f"rule refers to unknown field {rule.field!r}")
            unknown = set(rule.set_fields) - set(LEAD_FIELDS)
            if unknown:
                raise ValueError(f"rule sets unknown lead fields {sorted(unknown)}")
        return self

    def email_field(self) -> FormField:
        return next(f for f in self.fields if f.maps_to == "email" or f.type == "email")


@dataclass(slots=True)
class Submission:
    """What a submission did."""

    lead: Lead
    created: bool
    event_id: int
    duplicate: bool
    lists: list[str] = field(default_factory=list)
    product_interests: list[str] = field(default_factory=list)


def create_form(session: Session, *, team_id: int, name: str, definition: dict[str, Any]) -> Form:
    """Store a form after checking its definition; the lists it routes to are created."""
    try:
        parsed = FormDefinition.model_validate(definition)
    except ValidationError as exc:
        raise InvalidInput(
            [
                ValidationFailed(".".join(map(str, e["loc"])) or "definition", e["msg"])
                for e in exc.errors()
            ]
        ) from exc
    if session.scalar(select(Form.id).where(Form.team_id == team_id, Form.name == name)):
        raise Conflict(f"a form named {name!r} exists already")
    for list_name in {*parsed.lists, *(r.add_to_list for r in parsed.rules if r.add_to_list)}:
        ensure_list(session, team_id=team_id, name=list_name)
    form = Form(team_id=team_id, name=name, definition=parsed.model_dump(mode="json"))
    session.add(form)
    session.flush()
    return form


def get_form(session: Session, *, team_id: int, form_id: int) -> Form:
    """The team's form with this id."""
    form = session.get(Form, form_id)
    if form is None or form.team_id != team_id:
        raise NotFound("form", form_id)
    return form


def submit_form(
    session: Session,
    *,
    team_id: int,
    form_id: int,
    answers: dict[str, Any],
    submitted_at: datetime | None = None,
    idempotency_key: str | None = None,
) -> Submission:
    """Create or update the submitter's lead, record `form_submitted`, and apply routing."""
    form = get_form(session, team_id=team_id, form_id=form_id)
    definition = FormDefinition.model_validate(form.definition)
    answers = check_answers(definition, answers, form.name)
    raw, interests, lists = _route(definition, answers)
    parsed = parse_lead_fields(raw)
    if parsed.errors:
        raise InvalidInput(parsed.errors)
    parsed.values.setdefault("source", definition.source or f"form:{form.name}")
    change = LeadChange.from_parsed(parsed)
    change.values["product_interests"] = [*parsed.values.get("product_interests", []), *interests]
    outcome = upsert_lead(session, team_id=team_id, change=change, actor=f"form:{form.name}")
    lead = outcome.lead
    recorded = record_event(
        session,
        team_id=team_id,
        event=NewEvent(
            lead_id=lead.id,
            type="form_submitted",
            occurred_at=submitted_at,
            source="form",
            payload={"form": form.name, "form_id": form.id, "answers": answers},
            idempotency_key=idempotency_key,
        ),
    )
    for list_name in lists:
        target = ensure_list(session, team_id=team_id, name=list_name)
        add_member(
            session, team_id=team_id, list_id=target.id, lead_id=lead.id, reason=f"form {form.name}"
        )
    return Submission(
        lead, outcome.created, recorded.event_id, not recorded.created, lists, interests
    )


def _route(
    definition: FormDefinition, answers: dict[str, Any]
) -> tuple[dict[str, Any], list[str], list[str]]:
    raw: dict[str, Any] = {}
    for form_field in definition.fields:
        if form_field.maps_to and form_field.name in answers:
            raw[form_field.maps_to] = answers[form_field.name]
    email = definition.email_field()
    raw.setdefault("email", answers.get(email.name))
    interests: list[str] = []
    lists = list(definition.lists)
    for rule in definition.rules:
        if rule.field not in answers or not rule.matches(answers[rule.field]):
            continue
        if rule.add_to_list and rule.add_to_list not in lists:
            lists.append(rule.add_to_list)
        if rule.add_product_interest and rule.add_product_interest not in interests:
            interests.append(rule.add_product_interest)
        raw.update(rule.set_fields)
    return raw, interests, lists
