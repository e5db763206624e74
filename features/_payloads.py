"""The few payload fields features read, taken only from the event types that carry them.

Text fields are read when they are strings; numbers when `float()` accepts them (a JSON
number, or text such as "40"); anything else counts as missing. The same rules hold for one
event or two million, so the online and batch paths read the same values.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypedDict

import numpy as np

from features._codes import (
    FORMS,
    LINK_KINDS,
    TYPE_CODE,
    BoolArray,
    DocumentTable,
    FloatArray,
    IntArray,
    Payload,
    codes,
    texts,
)

MAX_PAGE = 100_000


class PayloadColumns(TypedDict):
    """The `EventArrays` columns read from payloads."""

    link_kind: IntArray
    document: IntArray
    page: IntArray
    topic: IntArray
    seconds: FloatArray
    form: IntArray
    signup: BoolArray
    document_pages: IntArray


def payload_fields(
    payloads: Sequence[Payload | None], type_code: IntArray, documents: DocumentTable
) -> PayloadColumns:
    """The payload columns of `EventArrays` (all but the type, time, lead and human ones)."""
    size = len(payloads)
    given = np.fromiter((p is not None for p in payloads), dtype=np.bool_, count=size)

    def read(types: tuple[str, ...], key: str) -> tuple[IntArray, list[Any]]:
        wanted = np.zeros(len(TYPE_CODE) + 1, dtype=np.bool_)  # the last entry is code -1
        wanted[[TYPE_CODE[t] for t in types]] = True
        rows = np.flatnonzero(given & wanted[type_code])
        return rows, [payloads[i].get(key) for i in rows.tolist()]  # type: ignore[union-attr]

    link_kind, document = np.full(size, -1, dtype=np.int64), np.full(size, -1, dtype=np.int64)
    form, topic = np.full(size, -1, dtype=np.int64), np.full(size, -1, dtype=np.int64)
    page, seconds = np.zeros(size, dtype=np.int64), np.zeros(size, dtype=np.float64)
    signup = np.zeros(size, dtype=np.bool_)
    rows, kinds = read(("link_clicked",), "link_kind")
    link_kind[rows] = codes(texts(kinds), LINK_KINDS)
    rows, slugs = read(("doc_viewed", "page_dwell"), "document")
    document[rows], document_pages = _document_codes(slugs, documents)
    rows, pages = read(("page_dwell",), "page")
    page[rows] = _pages(numbers(pages))
    seconds[rows] = np.nan_to_num(numbers(read(("page_dwell",), "seconds")[1]), nan=0.0)
    topic[rows] = _topics(document[rows], page[rows], documents)
    rows, minutes = read(("webinar_attended",), "minutes")
    seconds[rows] = np.nan_to_num(numbers(minutes), nan=0.0) * 60.0
    rows, forms = read(("form_submitted",), "form")
    form[rows] = codes(texts(forms), FORMS)
    rows, actions = read(("api_event",), "action")
    signup[rows] = [a == "signup" for a in actions]
    return {
        "link_kind": link_kind, "document": document, "page": page, "topic": topic,
        "seconds": seconds, "form": form, "signup": signup, "document_pages": document_pages,
    }  # fmt: skip


def numbers(values: Sequence[Any]) -> FloatArray:
    """Each value as a float when `float()` accepts it, else NaN."""
    try:
        # The fast path: numpy converts with the same rules as float() when it succeeds.
        fast = np.array(values, dtype=np.float64)
        if fast.shape == (len(values),):
            return fast
    except (TypeError, ValueError, OverflowError):
        pass
    return np.array([_number(v) for v in values], dtype=np.float64)


def _number(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError, OverflowError):
        return np.nan


def _pages(values: FloatArray) -> IntArray:
    """Page numbers 1..MAX_PAGE; 0 for anything that is not a whole page number."""
    whole = np.isfinite(values) & (values == np.floor(values))
    valid = whole & (values >= 1) & (values <= MAX_PAGE)
    return np.where(valid, values, 0).astype(np.int64)


def _document_codes(slugs: list[Any], documents: DocumentTable) -> tuple[IntArray, IntArray]:
    """Codes of document slugs; slugs the team's table lacks get new codes with 0 pages."""
    names = texts(slugs)
    known = set(documents.slugs)
    extra = sorted({s for s in names if s is not None and s not in known})
    vocabulary = documents.slugs + tuple(extra)
    pages = np.concatenate([documents.pages, np.zeros(len(extra), dtype=np.int64)])
    return codes(names, vocabulary), pages


def _topics(document: IntArray, page: IntArray, documents: DocumentTable) -> IntArray:
    rows, width = documents.topics.shape
    known = (document >= 0) & (document < rows) & (page >= 1) & (page < width)
    out = np.full(len(document), -1, dtype=np.int64)
    out[known] = documents.topics[document[known], page[known]]
    return out
