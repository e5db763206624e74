"""Leads and events as columnar numpy arrays: the one input of `features.compute`.

Loaders (`features.load`) read rows from the database and hand them to `lead_arrays` and
`event_arrays`; tests can build the same arrays by hand. Strings become small integer codes
here (-1 for anything not in the vocabulary), so `compute` works on numbers only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import Any

import numpy as np

from features._codes import (
    EMPTY_DOCUMENTS,
    FORMS,
    LINK_KINDS,
    PAYLOAD_TYPES,
    TOPICS,
    TYPE_CODE,
    TYPES,
    BoolArray,
    DocumentTable,
    FloatArray,
    IntArray,
    Payload,
    codes,
    epoch_micros,
    epoch_seconds,
    micros_to_seconds,
)
from features._payloads import payload_fields

__all__ = [
    "EMPTY_DOCUMENTS", "FORMS", "LINK_KINDS", "PAYLOAD_TYPES", "TOPICS", "TYPES", "TYPE_CODE",
    "BoolArray", "DocumentTable", "EventArrays", "FloatArray", "IntArray", "LeadArrays",
    "Payload", "codes", "epoch_micros", "epoch_seconds", "event_arrays", "lead_arrays",
    "lead_rows", "micros_to_seconds",
]  # fmt: skip


@dataclass(frozen=True, slots=True)
class LeadArrays:
    """Leads as parallel columns, ordered by id (row i of every column is lead `id[i]`)."""

    id: IntArray
    title: list[str | None]
    industry: list[str | None]
    country: list[str | None]
    source: list[str | None]
    language: list[str | None]
    revenue_usd: FloatArray  # NaN when unknown
    employees: FloatArray  # NaN when unknown
    interests: IntArray  # number of product interests
    created_at: FloatArray  # epoch seconds
    converted: FloatArray  # 1, 0 or NaN (unknown): the imported outcome

    def __len__(self) -> int:
        return len(self.id)


def lead_arrays(rows: Sequence[Sequence[Any]]) -> LeadArrays:
    """From rows of (id, title, industry, country, source, language, revenue_usd, employees,
    product_interests, created_at, converted), created_at an aware datetime."""
    columns = list(zip(*rows, strict=True)) if rows else [()] * 11
    ids = np.array(columns[0], dtype=np.int64)
    if len(ids) > 1 and np.any(np.diff(ids) <= 0):
        raise ValueError("lead rows must be ordered by id, without repeats")

    def floats(values: Sequence[Any]) -> FloatArray:
        return np.array([np.nan if v is None else float(v) for v in values], dtype=np.float64)

    return LeadArrays(
        id=ids, title=list(columns[1]), industry=list(columns[2]), country=list(columns[3]),
        source=list(columns[4]), language=list(columns[5]), revenue_usd=floats(columns[6]),
        employees=floats(columns[7]),
        interests=np.array([len(v or ()) for v in columns[8]], dtype=np.int64),
        created_at=micros_to_seconds(np.array([epoch_micros(v) for v in columns[9]], np.int64)),
        converted=floats(columns[10]),
    )  # fmt: skip


@dataclass(frozen=True, slots=True)
class EventArrays:
    """Events as parallel columns; `lead` is a row of the matching `LeadArrays`."""

    lead: IntArray
    type: IntArray  # code in TYPES
    t: FloatArray  # epoch seconds
    human: FloatArray  # 0..1; a missing likelihood counts as a person (1)
    link_kind: IntArray  # code in LINK_KINDS (clicks)
    document: IntArray  # code in `document_pages` (views and dwell)
    page: IntArray  # page number (dwell), 0 when none
    topic: IntArray  # code in TOPICS of the page read (dwell)
    seconds: FloatArray  # dwell seconds; webinar minutes x 60; else 0
    form: IntArray  # code in FORMS (forms)
    signup: BoolArray  # an api_event whose action is "signup"
    document_pages: IntArray  # per document code: its number of pages (0 when unknown)

    def __len__(self) -> int:
        return len(self.lead)

    def take(self, index: BoolArray | IntArray) -> EventArrays:
        """The events selected by a mask or an index array (`self` when that is all of them)."""
        if _selects_all(index, len(self)):
            return self
        parts = {f.name: getattr(self, f.name) for f in fields(self)}
        taken = {k: v if k == "document_pages" else v[index] for k, v in parts.items()}
        return EventArrays(**taken)


def _selects_all(index: BoolArray | IntArray, size: int) -> bool:
    if index.dtype == np.bool_:
        return bool(index.all())
    return len(index) == size and bool((index == np.arange(size)).all())


def lead_rows(lead_ids: Sequence[int] | IntArray, leads: LeadArrays) -> IntArray:
    """The row in `leads` of each lead id (-1 for ids that are not there)."""
    ids = np.asarray(lead_ids, dtype=np.int64)
    rows = np.searchsorted(leads.id, ids)
    found = rows < len(leads.id)
    found[found] = leads.id[rows[found]] == ids[found]
    return np.where(found, rows, -1)


def event_arrays(
    *,
    lead: IntArray,
    types: Sequence[str],
    t: FloatArray,
    human: Sequence[float | None],
    payloads: Sequence[Payload | None],
    documents: DocumentTable = EMPTY_DOCUMENTS,
) -> EventArrays:
    """Events from their columns; `payloads` may be None where a type's payload is not read.

    A missing `human` counts as a person (1); payload values are read as `_payloads` says.
    """
    type_code = codes(types, TYPES)
    human_ = np.array(human, dtype=np.float64)  # None becomes NaN
    human_[np.isnan(human_)] = 1.0
    return EventArrays(
        lead=np.asarray(lead, dtype=np.int64), type=type_code, t=np.asarray(t, dtype=np.float64),
        human=np.clip(human_, 0.0, 1.0), **payload_fields(payloads, type_code, documents),
    )  # fmt: skip
