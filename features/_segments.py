"""Per-lead reductions over events: the vectorised building blocks of every feature."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from features.arrays import TYPE_CODE, BoolArray, EventArrays, FloatArray, IntArray
from features.catalog import NEVER_DAYS

DAY = 86_400.0
LIKELY_HUMAN = 0.5


@dataclass(frozen=True, slots=True)
class Segments:
    """The events one computation may see, grouped by lead row (`size` leads)."""

    events: EventArrays
    size: int
    age: FloatArray  # seconds between each event and its lead's as_of (>= 0)

    def of(self, type_name: str) -> BoolArray:
        """A mask of the events of this type."""
        return np.asarray(self.events.type == TYPE_CODE[type_name], dtype=np.bool_)

    def likely_human(self) -> BoolArray:
        """A mask of the events a person most likely made."""
        return np.asarray(self.events.human >= LIKELY_HUMAN, dtype=np.bool_)

    def total(self, mask: BoolArray, weights: FloatArray | None = None) -> FloatArray:
        """Per lead: how many events match `mask`, or the sum of their `weights`."""
        chosen = None if weights is None else weights[mask]
        return np.bincount(self.events.lead[mask], weights=chosen, minlength=self.size).astype(
            np.float64
        )

    def total_of(self, rows: IntArray) -> FloatArray:
        """Per lead: how many of `rows` (lead rows, repeats allowed) name it."""
        return np.bincount(rows, minlength=self.size).astype(np.float64)

    def any(self, mask: BoolArray) -> FloatArray:
        """Per lead: 1.0 when an event matches `mask`, else 0.0."""
        return (self.total(mask) > 0).astype(np.float64)

    def days_since_last(self, mask: BoolArray) -> FloatArray:
        """Per lead: days since the latest event matching `mask` (`NEVER_DAYS` when none)."""
        youngest = np.full(self.size, np.inf)
        np.minimum.at(youngest, self.events.lead[mask], self.age[mask])
        return np.where(np.isinf(youngest), NEVER_DAYS, youngest / DAY)

    def days_since_first(self, mask: BoolArray) -> FloatArray:
        """Per lead: days since the earliest event matching `mask` (`NEVER_DAYS` when none)."""
        oldest = np.full(self.size, -np.inf)
        np.maximum.at(oldest, self.events.lead[mask], self.age[mask])
        return np.where(np.isinf(oldest), NEVER_DAYS, oldest / DAY)

    def maximum(self, rows: IntArray, values: FloatArray) -> FloatArray:
        """Per lead: the largest of `values` (given with their lead `rows`), 0 when none."""
        out = np.zeros(self.size)
        np.maximum.at(out, rows, values)
        return out


def distinct(*keys: IntArray) -> tuple[IntArray, IntArray]:
    """The distinct rows of the key columns: one member of each (an index into the keys) and
    the group of every element, groups numbered in sorted key order."""
    size = len(keys[0])
    order = np.lexsort(keys[::-1])
    starts = np.zeros(size, dtype=np.bool_)
    starts[:1] = True
    for key in keys:
        ordered = key[order]
        starts[1:] |= ordered[1:] != ordered[:-1]
    groups = np.empty(size, dtype=np.int64)
    groups[order] = np.cumsum(starts) - 1
    return order[starts], groups


def ratio(numerator: FloatArray, denominator: FloatArray) -> FloatArray:
    """numerator / denominator, 0 where the denominator is 0."""
    safe = np.where(denominator > 0, denominator, 1.0)
    return np.where(denominator > 0, numerator / safe, 0.0)
