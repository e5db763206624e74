"""Per-lead reductions over events: the vectorised building blocks of every feature.

They group events by lead row for a whole team. For one lead (the per-event path) there is
nothing to group, and each reduction skips the grouping calls (bincount, `ufunc.at`), whose
fixed cost is most of the work on a lead's few dozen events. Both ways give the same values
bit for bit: counts are whole numbers, minima and maxima do not depend on the order, and sums
add the weights in event order from 0.0, as `np.bincount` does (tests/features/
test_one_lead_fast.py checks the two against each other).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import numpy as np

from features.arrays import TYPE_CODE, BoolArray, EventArrays, FloatArray, IntArray
from features.catalog import NEVER_DAYS

DAY = 86_400.0
LIKELY_HUMAN = 0.5
Shared = TypeVar("Shared")


@dataclass(frozen=True, slots=True)
class Segments:
    """The events one computation may see, grouped by lead row (`size` leads).

    Every event's `lead` is a row in 0..size-1. Masks and results several features use are
    made once (`of`, `likely_human`, `shared`): combine them, never write to them.
    """

    events: EventArrays
    size: int
    age: FloatArray  # seconds between each event and its lead's as_of (>= 0)
    _likely: BoolArray = field(init=False, repr=False, compare=False)
    _made: dict[str, Any] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_likely", self.events.human >= LIKELY_HUMAN)
        object.__setattr__(self, "_made", {})

    def of(self, type_name: str) -> BoolArray:
        """A mask of the events of this type."""
        mask: BoolArray | None = self._made.get(type_name)
        if mask is None:
            mask = self._made[type_name] = self.events.type == TYPE_CODE[type_name]
        return mask

    def likely_human(self) -> BoolArray:
        """A mask of the events a person most likely made."""
        return self._likely

    def shared(self, name: str, make: Callable[[Segments], Shared]) -> Shared:
        """`make(self)`, made once for every feature that asks for it under `name`."""
        key = f"shared:{name}"
        if key not in self._made:
            self._made[key] = make(self)
        made: Shared = self._made[key]
        return made

    def count(self, type_name: str) -> FloatArray:
        """Per lead: how many events of this type (every type counted in one pass, once)."""
        by_type = self.shared("type_counts", lambda s: s.counts(s.events.type, len(TYPE_CODE)))
        counted: FloatArray = by_type[:, TYPE_CODE[type_name]]
        return counted

    def total(self, mask: BoolArray, weights: FloatArray | None = None) -> FloatArray:
        """Per lead: how many events match `mask`, or the sum of their `weights`."""
        if self.size == 1:
            if weights is None:
                return np.array([np.count_nonzero(mask)], dtype=np.float64)
            return np.array([running_sum(weights[mask])])
        chosen = None if weights is None else weights[mask]
        return np.bincount(self.events.lead[mask], weights=chosen, minlength=self.size).astype(
            np.float64
        )

    def total_of(self, rows: IntArray) -> FloatArray:
        """Per lead: how many of `rows` (lead rows, repeats allowed) name it."""
        if self.size == 1:
            return np.array([len(rows)], dtype=np.float64)
        return np.bincount(rows, minlength=self.size).astype(np.float64)

    def counts(self, codes: IntArray, width: int) -> FloatArray:
        """Per lead (rows) and code (columns 0..width-1): how many events have each code.

        Events with a negative code count nowhere: one call counts many disjoint masks.
        """
        counted = codes >= 0
        keys = codes[counted]
        if self.size != 1:
            keys = self.events.lead[counted] * width + keys
        flat = np.bincount(keys, minlength=self.size * width).astype(np.float64)
        return flat.reshape(self.size, width)

    def youngest(self, codes: IntArray, width: int) -> FloatArray:
        """Per lead (rows) and code (columns 0..width-1, every event has one): the age of the
        youngest event with each code, inf when none."""
        keys = codes if self.size == 1 else self.events.lead * width + codes
        out = np.empty(self.size * width)
        out.fill(np.inf)
        np.minimum.at(out, keys, self.age)
        return out.reshape(self.size, width)

    def distinct_count(self, mask: BoolArray, key: IntArray) -> FloatArray:
        """Per lead: how many distinct values of `key` the events matching `mask` have."""
        if self.size == 1:
            return np.array([len(set(key[mask].tolist()))], dtype=np.float64)
        lead = self.events.lead[mask]
        first, _ = distinct(lead, key[mask])
        return self.total_of(lead[first])

    def distinct(self, lead: IntArray, *keys: IntArray) -> tuple[IntArray, IntArray]:
        """`distinct(lead, *keys)`; with one lead, the lead column (all 0) is left out."""
        return distinct(*keys) if self.size == 1 else distinct(lead, *keys)

    def any(self, mask: BoolArray) -> FloatArray:
        """Per lead: 1.0 when an event matches `mask`, else 0.0."""
        return (self.total(mask) > 0).astype(np.float64)

    def oldest(self) -> FloatArray:
        """Per lead: the age of its oldest event, -inf when none."""
        if self.size == 1:
            return np.array([np.maximum.reduce(self.age) if self.age.size else -np.inf])
        out = np.empty(self.size)
        out.fill(-np.inf)
        np.maximum.at(out, self.events.lead, self.age)
        return out

    def maximum(self, rows: IntArray, values: FloatArray) -> FloatArray:
        """Per lead: the largest of `values` (given with their lead `rows`), 0 when none."""
        if self.size == 1:
            # maximum.at keeps 0.0 unless a value is larger (or NaN): so does maximum(0, max).
            return np.array([np.maximum(0.0, np.maximum.reduce(values)) if values.size else 0.0])
        out = np.zeros(self.size)
        np.maximum.at(out, rows, values)
        return out


def days(ages: FloatArray) -> FloatArray:
    """Ages in seconds as days; `NEVER_DAYS` for an infinite age (no such event, whichever
    sign of infinity stands for none)."""
    return np.where(np.isinf(ages), NEVER_DAYS, ages / DAY)


def running_sum(values: FloatArray) -> float:
    """The sum of `values` added one by one in order from 0.0, as `np.bincount` adds weights.

    Not `np.sum`: its pairwise summation rounds differently from a running sum.
    """
    if values.size == 0:
        return 0.0
    # accumulate starts from the first value, not 0.0: they differ only in the sign of a zero.
    return float(np.add.accumulate(values, dtype=np.float64)[-1]) + 0.0


def distinct(*keys: IntArray) -> tuple[IntArray, IntArray]:
    """The distinct rows of the key columns: one member of each (an index into the keys) and
    the group of every element, groups numbered in sorted key order."""
    size = len(keys[0])
    if size == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
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
    if len(denominator) == 1:  # one lead: Python's float division is the same IEEE division
        below = float(denominator[0])
        return np.array([float(numerator[0]) / below if below > 0 else 0.0])
    out = np.zeros(len(denominator))
    return np.divide(numerator, denominator, out=out, where=denominator > 0)
