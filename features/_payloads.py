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
    PAYLOAD_TYPES,
    TYPE_CODE,
    TYPES,
    BoolArray,
    DocumentTable,
    FloatArray,
    IntArray,
    Payload,
    codes,
    texts,
)

MAX_PAGE = 100_000
_LARGEST = np.finfo(np.float64).max
# Per type code, whether its payload is read (the last entry is code -1, an unknown type).
_CARRIES = np.zeros(len(TYPES) + 1, dtype=np.bool_)
_CARRIES[[TYPE_CODE[name] for name in PAYLOAD_TYPES]] = True


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
    rows = _rows_by_type(payloads, type_code)

    def read(rows_: list[int], key: str) -> list[Any]:
        return [payloads[i].get(key) for i in rows_]  # type: ignore[union-attr]

    link_kind, document, form, topic = np.full((4, size), -1, dtype=np.int64)
    page, seconds = np.zeros(size, dtype=np.int64), np.zeros(size, dtype=np.float64)
    signup = np.zeros(size, dtype=np.bool_)
    document_pages = documents.pages
    # A type no event has costs nothing: most leads have a few of the six types, or none.
    if clicks := rows["link_clicked"]:
        link_kind[clicks] = codes(texts(read(clicks, "link_kind")), LINK_KINDS)
    if opened := rows["doc_viewed"] + rows["page_dwell"]:
        document[opened], document_pages = _document_codes(read(opened, "document"), documents)
    if dwell := rows["page_dwell"]:
        page[dwell] = _pages(numbers(read(dwell, "page")))
        seconds[dwell] = _amounts(read(dwell, "seconds"))
        topic[dwell] = _topics(document[dwell], page[dwell], documents)
    if webinars := rows["webinar_attended"]:
        seconds[webinars] = _amounts(read(webinars, "minutes")) * 60.0
    if forms := rows["form_submitted"]:
        form[forms] = codes(texts(read(forms, "form")), FORMS)
    if actions := rows["api_event"]:
        signup[actions] = [action == "signup" for action in read(actions, "action")]
    return {
        "link_kind": link_kind, "document": document, "page": page, "topic": topic,
        "seconds": seconds, "form": form, "signup": signup, "document_pages": document_pages,
    }  # fmt: skip


def _rows_by_type(payloads: Sequence[Payload | None], type_code: IntArray) -> dict[str, list[int]]:
    """Per payload type, the rows of its events that have a payload, in order."""
    out: dict[str, list[int]] = {name: [] for name in PAYLOAD_TYPES}
    carriers = np.flatnonzero(_CARRIES[type_code])
    for row, code in zip(carriers.tolist(), type_code[carriers].tolist(), strict=True):
        if payloads[row] is not None:
            out[TYPES[code]].append(row)
    return out


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


def _amounts(values: Sequence[Any]) -> FloatArray:
    """`numbers`, missing ones as 0 and infinities as the largest finite floats.

    What `np.nan_to_num(numbers(values), nan=0.0)` gives, in a third of its time.
    """
    out = numbers(values)
    out[np.isnan(out)] = 0.0
    return np.clip(out, -_LARGEST, _LARGEST, out=out)


def _number(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError, OverflowError):
        return np.nan


def _pages(values: FloatArray) -> IntArray:
    """Page numbers 1..MAX_PAGE; 0 for anything that is not a whole page number."""
    # NaN and infinities fail the bounds.
    valid = (values == np.floor(values)) & (values >= 1) & (values <= MAX_PAGE)
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
