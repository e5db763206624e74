"""Events as parallel numpy arrays, gathered per family and sorted before they are written.

Columns `a`, `b` and `c` are small integers whose meaning depends on the type (message, link,
document, page, seconds...); `payloads.py` turns them into JSON payloads. `parent` ties an
email response to the send it answers (-1 when none); `human` is -1 where it does not apply.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np
from numpy.typing import ArrayLike, NDArray

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]

TYPES: tuple[str, ...] = (
    "email_sent",
    "email_delivered",
    "bounced",
    "email_opened",
    "link_clicked",
    "email_replied",
    "unsubscribed",
    "doc_viewed",
    "page_dwell",
    "webinar_attended",
    "form_submitted",
    "api_event",
    "meeting_booked",
)
CODE: dict[str, int] = {name: code for code, name in enumerate(TYPES)}
NO_HUMAN = -1.0
HUMAN, PROXY, SCANNER = 0.95, 0.3, 0.05


@dataclass(frozen=True, slots=True)
class Events:
    """A set of simulated events (leads are positions in the current block)."""

    lead: IntArray
    t: IntArray
    type: IntArray
    a: IntArray
    b: IntArray
    c: IntArray
    parent: IntArray
    human: FloatArray

    def __len__(self) -> int:
        return len(self.lead)

    def take(self, index: NDArray[np.bool_] | IntArray) -> Events:
        """The events selected by a mask or an index array."""
        return Events(*(getattr(self, f.name)[index] for f in fields(self)))

    def sorted(self) -> Events:
        """The events in a fixed order: by lead, then time, then content (deterministic)."""
        return self.take(np.lexsort((self.c, self.b, self.a, self.type, self.t, self.lead)))

    def of_type(self, name: str) -> NDArray[np.bool_]:
        """A mask of the events of type `name`."""
        mask: NDArray[np.bool_] = self.type == CODE[name]
        return mask


def make(
    kind: str,
    lead: ArrayLike,
    t: ArrayLike,
    *,
    a: ArrayLike = 0,
    b: ArrayLike = 0,
    c: ArrayLike = 0,
    parent: ArrayLike = -1,
    human: ArrayLike = NO_HUMAN,
) -> Events:
    """Events of type `kind`; scalars are broadcast to the length of `lead`."""
    leads = np.asarray(lead, dtype=np.int64)
    size = len(leads)

    def column(value: ArrayLike) -> IntArray:
        return np.broadcast_to(np.asarray(value, dtype=np.int64), (size,)).copy()

    return Events(
        lead=leads,
        t=column(t),
        type=np.full(size, CODE[kind], dtype=np.int64),
        a=column(a),
        b=column(b),
        c=column(c),
        parent=column(parent),
        human=np.broadcast_to(np.asarray(human, dtype=np.float64), (size,)).copy(),
    )


def concat(parts: list[Events]) -> Events:
    """All `parts` as one set."""
    if not parts:
        return make("email_sent", [], [])
    return Events(*(np.concatenate([getattr(p, f.name) for p in parts]) for f in fields(Events)))
