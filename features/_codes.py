"""Vocabularies, integer codes, epoch times and the document table shared by the arrays."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from itertools import repeat
from typing import Any

import numpy as np
from numpy.typing import NDArray

from leads.events import EVENT_TYPES

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
Payload = Mapping[str, Any]

TYPES: tuple[str, ...] = tuple(EVENT_TYPES)
TYPE_CODE: dict[str, int] = {name: code for code, name in enumerate(TYPES)}
LINK_KINDS: tuple[str, ...] = ("pricing", "product", "case_study", "blog", "booking")
FORMS: tuple[str, ...] = ("demo-request", "newsletter", "contact")
TOPICS: tuple[str, ...] = ("pricing", "product")
# Only these types carry payload fields that features read; loaders fetch no other payloads.
PAYLOAD_TYPES: tuple[str, ...] = (
    "link_clicked", "doc_viewed", "page_dwell", "webinar_attended", "form_submitted", "api_event",
)  # fmt: skip
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def epoch_micros(moment: datetime) -> int:
    """Whole microseconds since 1970 of an aware datetime."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: give a time zone")
    return (moment - _EPOCH) // _MICROSECOND


def epoch_seconds(moment: datetime) -> float:
    """Seconds since 1970 of an aware datetime, exactly as `micros_to_seconds` gives them:
    the same rounding of the whole microseconds to a float, and the same division."""
    return epoch_micros(moment) / 1e6


def micros_to_seconds(micros: NDArray[np.int64]) -> FloatArray:
    """Epoch microseconds as epoch seconds; every time in this package goes through here."""
    return np.asarray(micros, dtype=np.int64) / 1e6


def codes(values: Sequence[str | None], vocabulary: tuple[str, ...]) -> IntArray:
    """The position of each value in `vocabulary` (-1 for None or any other string)."""
    found = map(_index(vocabulary).get, values, repeat(-1))
    return np.fromiter(found, dtype=np.int64, count=len(values))


@lru_cache(maxsize=256)
def _index(vocabulary: tuple[str, ...]) -> dict[str | None, int]:
    # Made once per vocabulary (the same few tuples, call after call): do not change it.
    return {name: code for code, name in enumerate(vocabulary)}


def texts(values: Sequence[Any]) -> list[str | None]:
    """The strings among `values`; None for anything else (numbers, lists, objects)."""
    return [v if isinstance(v, str) else None for v in values]


@dataclass(frozen=True, slots=True)
class DocumentTable:
    """The team's Pulse documents: page counts and a topic code per (document, page)."""

    slugs: tuple[str, ...]
    pages: IntArray
    topics: IntArray  # shape (documents, max pages + 1); column 0 unused; -1 = other topic

    @classmethod
    def from_pages(cls, rows: Sequence[tuple[str, int, str]]) -> DocumentTable:
        """From (slug, page number, topic) rows."""
        slugs = tuple(sorted({slug for slug, _, _ in rows}))
        position = {slug: i for i, slug in enumerate(slugs)}
        pages = np.zeros(len(slugs), dtype=np.int64)
        width = max((number for _, number, _ in rows), default=0) + 1
        topics = np.full((len(slugs), width), -1, dtype=np.int64)
        topic_code = {name: code for code, name in enumerate(TOPICS)}
        for slug, number, topic in rows:
            pages[position[slug]] += 1
            topics[position[slug], number] = topic_code.get(topic, -1)
        return cls(slugs, pages, topics)


EMPTY_DOCUMENTS = DocumentTable((), np.zeros(0, dtype=np.int64), np.full((0, 1), -1, np.int64))
