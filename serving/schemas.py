"""HTTP schemas of the API (the ORM tables and the agent's schemas live elsewhere)."""

from __future__ import annotations

import builtins
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

MAX_EVENTS_PER_LEAD = 5_000


class Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class ReasonOut(Out):
    rule: str
    detail: str
    values: dict[str, Any] = {}
    points_to: str = "sql"


class FactorOut(Out):
    feature: str
    value: Any
    contribution: float


class DecisionOut(Out):
    """SQL or MQL with everything that led there."""

    stage: Literal["sql", "mql"]
    probability: float | None
    fit_grade: str
    engagement: float
    reasons: list[ReasonOut]
    top_positive: list[FactorOut] = []
    top_negative: list[FactorOut] = []
    model_version: str | None
    rules_only: bool


class LeadOut(Out):
    """A lead as the API shows it."""

    id: int
    email: str | None
    external_id: str | None
    external_id_source: str | None
    name: str | None
    first_name: str | None
    company: str | None
    domain: str | None
    title: str | None
    industry: str | None
    revenue_usd: float | None
    revenue_amount: float | None
    revenue_currency: str | None
    employees: int | None
    country: str | None
    city: str | None
    timezone: str | None
    language: str | None
    phone: str | None
    source: str | None
    product_interests: list[str]
    consent: str
    stage: str
    flow_state: str | None
    score: float | None
    fit_grade: str | None
    engagement: float | None
    scored_at: datetime | None
    model_version: str | None
    attributes: dict[str, Any]
    created_at: datetime
    updated_at: datetime


class LeadWritten(BaseModel):
    lead: LeadOut
    created: bool
    decision: DecisionOut


class EventOut(Out):
    id: int
    type: str
    occurred_at: datetime
    source: str
    payload: dict[str, Any]
    human: float | None


class HistoryOut(Out):
    at: datetime
    kind: str
    from_value: str | None
    to_value: str | None
    reasons: list[dict[str, Any]]
    actor: str


class LeadDetail(BaseModel):
    lead: LeadOut
    lists: list[str]
    timeline: list[EventOut]
    history: list[HistoryOut]


class LeadPage(BaseModel):
    leads: list[LeadOut]
    next_cursor: int | None = Field(description="Pass as `cursor` for the next page; null: end.")


class Erasure(BaseModel):
    lead_id: int
    events_deleted: int
    suppression_kept: bool


class EventIn(BaseModel):
    """An event to record; the same `idempotency_key` delivered twice is stored once."""

    lead_id: int
    type: str = Field(min_length=1, max_length=64)
    idempotency_key: str | None = Field(default=None, min_length=1, max_length=200)
    occurred_at: datetime | None = None
    payload: dict[str, Any] = {}
    human: float | None = Field(default=None, ge=0, le=1)


class EventBatchIn(BaseModel):
    events: list[EventIn] = Field(min_length=1, max_length=1_000)


class ListChangeOut(BaseModel):
    list_id: int
    list: str
    entered: bool


class EventResult(BaseModel):
    """What the event did: stored or not, and the lead's state right after it."""

    event_id: int
    created: bool
    lead_id: int
    stage: str
    previous_stage: str
    score: float | None
    decision: DecisionOut | None
    list_changes: list[ListChangeOut]


class EventBatchResult(BaseModel):
    results: list[EventResult]


class TransientEventIn(BaseModel):
    type: str = Field(min_length=1, max_length=64)
    occurred_at: datetime
    payload: dict[str, Any] = {}
    human: float | None = Field(default=None, ge=0, le=1)


class TransientLeadIn(BaseModel):
    """A lead that is not stored: its fields (as for POST /v1/leads) and events."""

    lead: dict[str, Any] = {}
    events: list[TransientEventIn] = Field(default=[], max_length=MAX_EVENTS_PER_LEAD)


class ScoreIn(BaseModel):
    """Score a stored lead (`lead_id`) or one given here (`lead` and `events`)."""

    lead_id: int | None = None
    lead: dict[str, Any] | None = None
    events: list[TransientEventIn] = Field(default=[], max_length=MAX_EVENTS_PER_LEAD)

    @model_validator(mode="after")
    def _one_way(self) -> ScoreIn:
        if (self.lead_id is None) == (self.lead is None):
            raise ValueError("give either lead_id or lead (with its events), not both")
        if self.lead_id is not None and self.events:
            raise ValueError("events go with lead, not with lead_id")
        return self


class ScoreBatchIn(BaseModel):
    """Up to the batch limit of stored leads (`lead_ids`) or leads given here (`leads`)."""

    lead_ids: list[int] | None = None
    leads: list[TransientLeadIn] | None = None
    factors: bool = Field(default=False, description="Include each lead's top factors.")

    @model_validator(mode="after")
    def _one_way(self) -> ScoreBatchIn:
        if (self.lead_ids is None) == (self.leads is None):
            raise ValueError("give either lead_ids or leads, not both")
        return self


class ScoreOut(BaseModel):
    lead_id: int | None
    decision: DecisionOut


class ScoreBatchOut(BaseModel):
    model_version: str | None
    results: list[ScoreOut]


class ModelOut(BaseModel):
    name: str
    version: str | None
    since: datetime | None
    metrics: dict[str, float]
    rules_only: bool
    checked_at: datetime | None
    last_error: str | None


class ListIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    description: str = ""
    definition: dict[str, Any] | None = Field(
        default=None, description="The condition of a dynamic list; none for a static list."
    )


class ListOut(Out):
    id: int
    name: str
    kind: str
    description: str
    definition: dict[str, Any] | None
    size: int = 0


class MembersOut(BaseModel):
    list: ListOut
    lead_ids: builtins.list[int]


class RebuildOut(BaseModel):
    list: ListOut
    entered: int
    left: int


class FormSubmissionOut(BaseModel):
    lead_id: int
    created: bool
    duplicate: bool
    lists: list[str]
    stage: str


class ImportPreview(BaseModel):
    upload_id: int
    filename: str
    rows: int
    mapping: dict[str, Any]
    sample: list[dict[str, Any]]


class ImportCommitIn(BaseModel):
    overrides: dict[str, str] = Field(
        default={}, description="Column header -> lead field (or 'ignore'), over the automatic."
    )
