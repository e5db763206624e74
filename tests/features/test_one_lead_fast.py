"""One lead's fast paths give the values the grouped (whole-team) paths give, bit for bit.

Every reduction of `Segments` skips its grouping when there is one lead (the per-event path),
and `ratio` divides one pair as Python floats. These tests draw random events (empty leads,
one event, ties in time, events after as_of, unknown types, odd `human` values, NaN, text and
missing payload values) and check that a lead computed alone equals its row among others.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from features import EventArrays, feature_rows
from features._segments import Segments, ratio, running_sum
from features.arrays import (
    TYPES,
    BoolArray,
    FloatArray,
    IntArray,
    epoch_micros,
    epoch_seconds,
    event_arrays,
    lead_arrays,
    micros_to_seconds,
)
from features.catalog import CATALOG
from leads.team_settings import TeamSettings
from tests.features.builders import NOW, deck_table, plain_leads

AS_OF = epoch_seconds(NOW)
DAY = 86_400.0

# Mostly everyday numbers (whose sums round differently in another order), some odd ones.
odd_floats = (
    st.floats(-1e3, 1e3)
    | st.sampled_from([0.0, -0.0, 0.1, 1 / 3, 1e16, float("nan"), float("inf"), -float("inf")])
    | st.floats(allow_nan=True, allow_infinity=True)
)
payloads = st.none() | st.fixed_dictionaries(
    {},
    optional={
        "link_kind": st.sampled_from(["pricing", "booking", "blog", "other", None, 3]),
        "document": st.sampled_from(["deck", "deck", "other", None, 7]),
        "page": st.sampled_from([1, 2, 3, 9, 12, 13, 0, -1, "4", 2.5, float("nan"), None]),
        "seconds": st.sampled_from([5, 40, "30", -0.0, 1e308, float("nan"), "nan", [1]]),
        "minutes": st.sampled_from([30, "45", 0.5, float("nan"), "inf", None]),
        "form": st.sampled_from(["demo-request", "newsletter", "other", None]),
        "action": st.sampled_from(["signup", "login", None, 1]),
    },
)
# Every type, the ones with payloads and pages more often.
kinds = st.sampled_from([*TYPES, "not_a_type"]) | st.sampled_from(
    ["page_dwell", "doc_viewed", "link_clicked", "webinar_attended", "form_submitted"]
)
events = st.tuples(
    kinds,
    # A few fixed ages make ties; negative ones are after as_of (never seen).
    st.sampled_from([0.0, 0.5, 6.99, 7.0, 29.0, 30.0, 90.0, 400.0, -1.0])
    | st.floats(min_value=-2.0, max_value=500.0),
    st.none() | st.sampled_from([0.0, 0.5, 1.0, 1.2, -0.3]) | odd_floats,
    payloads,
)
# Events of up to four leads, interleaved: (lead row, event).
team_events = st.integers(1, 4).flatmap(
    lambda size: st.tuples(
        st.just(size), st.lists(st.tuples(st.integers(0, size - 1), events), max_size=40)
    )
)


def arrays(rows: list[tuple[int, Any]]) -> EventArrays:
    return event_arrays(
        lead=np.array([lead for lead, _ in rows], dtype=np.int64),
        types=[event[0] for _, event in rows],
        t=np.array([AS_OF - event[1] * DAY for _, event in rows], dtype=np.float64),
        human=[event[2] for _, event in rows],
        payloads=[event[3] for _, event in rows],
        documents=deck_table(),
    )


def assert_same_bits(left: FloatArray, right: FloatArray) -> None:
    """Equal values, NaN where NaN, and zeros of the same sign."""
    assert left.shape == right.shape
    np.testing.assert_array_equal(left, right)
    np.testing.assert_array_equal(np.signbit(left), np.signbit(right))


@settings(max_examples=300, deadline=None)
@given(drawn=team_events)
def test_a_lead_alone_has_the_features_of_its_row_among_others(
    drawn: tuple[int, list[tuple[int, Any]]],
) -> None:
    size, rows = drawn
    with np.errstate(over="ignore"):  # webinar minutes of "inf" overflow alike on both paths
        team = feature_rows(plain_leads(size), arrays(rows), AS_OF, TeamSettings())
        alone = [
            feature_rows(plain_leads(1), arrays([(0, e) for r, e in rows if r == lead]), AS_OF,
                         TeamSettings())
            for lead in range(size)
        ]  # fmt: skip
    for lead, own in enumerate(alone):
        for spec in CATALOG:
            mine, theirs = team.columns[spec.name], own.columns[spec.name]
            if isinstance(mine, np.ndarray) and isinstance(theirs, np.ndarray):
                assert_same_bits(mine[lead : lead + 1], theirs)
            else:
                assert mine[lead] == theirs[0], spec.name


def segments(lead: list[int], type_: list[int], age: list[float], size: int) -> Segments:
    events = event_arrays(
        lead=np.array(lead, dtype=np.int64),
        types=[TYPES[code] for code in type_],
        t=np.zeros(len(lead)),
        human=[None] * len(lead),
        payloads=[None] * len(lead),
    )
    return Segments(events, size, np.array(age, dtype=np.float64))


reductions = st.integers(1, 4).flatmap(
    lambda size: st.lists(
        st.tuples(
            st.integers(0, size - 1),
            st.integers(0, len(TYPES) - 1),
            st.sampled_from([0.0, 1.0, 86_400.0]) | st.floats(0.0, 1e8),  # ties and zeros
            st.booleans(),
            odd_floats,
            st.integers(-1, 5),
        ),
        max_size=60,
    ).map(lambda events: (size, events))
)


@settings(max_examples=300, deadline=None)
@given(drawn=reductions)
def test_each_reduction_of_a_lead_alone_equals_its_row_among_others(
    drawn: tuple[int, list[tuple[int, int, float, bool, float, int]]],
) -> None:
    size, rows = drawn
    lead, type_, age = [r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows]
    team = segments(lead, type_, age, size)
    mask = np.array([r[3] for r in rows], dtype=np.bool_)
    weights = np.array([r[4] for r in rows], dtype=np.float64)
    codes = np.array([r[5] for r in rows], dtype=np.int64)
    with np.errstate(all="ignore"):  # odd weights overflow alike on both paths
        for row in range(size):
            check_row(team, row, rows, mask, weights, codes)


def check_row(
    team: Segments,
    row: int,
    rows: list[tuple[int, int, float, bool, float, int]],
    mask: BoolArray,
    weights: FloatArray,
    codes: IntArray,
) -> None:
    """The reductions of lead `row` alone equal its row of the team's."""
    mine = np.array([r[0] == row for r in rows], dtype=np.bool_)
    alone = Segments(team.events.take(mine), 1, team.age[mine])
    own_mask, own_weights, own_codes = mask[mine], weights[mine], codes[mine]
    own_rows = np.zeros(int(own_mask.sum()), dtype=np.int64)
    for together, by_itself in [
        (team.total(mask), alone.total(own_mask)),
        (team.total(mask, weights), alone.total(own_mask, own_weights)),
        (team.total_of(team.events.lead[mask]), alone.total_of(own_rows)),
        (team.any(mask), alone.any(own_mask)),
        (team.count(TYPES[0]), alone.count(TYPES[0])),
        (team.distinct_count(mask, codes), alone.distinct_count(own_mask, own_codes)),
        (team.oldest(), alone.oldest()),
        (
            team.maximum(team.events.lead[mask], weights[mask]),
            alone.maximum(own_rows, own_weights[own_mask]),
        ),
        (team.counts(codes, 6), alone.counts(own_codes, 6)),
        (team.youngest(codes.clip(0), 6), alone.youngest(own_codes.clip(0), 6)),
    ]:
        assert_same_bits(together[row : row + 1], by_itself)


@pytest.mark.parametrize("seed", range(5))
def test_long_leads_sum_in_event_order_alone_and_among_others(seed: int) -> None:
    # Long enough for np.sum's pairwise rounding to differ from a running sum.
    rng = np.random.default_rng(seed)
    size, count = 3, 400
    lead = rng.integers(0, size, count).tolist()
    team = segments(lead, rng.integers(0, len(TYPES), count).tolist(), [0.0] * count, size)
    mask = rng.random(count) < 0.8
    weights = rng.normal(0, 1e3, count)
    for row in range(size):
        check_row(team, row, [(r, 0, 0.0, True, 0.0, 0) for r in lead], mask, weights, mask * 1)


@settings(max_examples=300, deadline=None)
@given(pairs=st.lists(st.tuples(odd_floats, odd_floats), min_size=2, max_size=6))
def test_ratio_of_one_pair_is_its_element_of_many(pairs: list[tuple[float, float]]) -> None:
    numerator = np.array([n for n, _ in pairs])
    denominator = np.array([d for _, d in pairs])
    with np.errstate(all="ignore"):
        many = ratio(numerator, denominator)
    for i in range(len(pairs)):
        assert_same_bits(many[i : i + 1], ratio(numerator[i : i + 1], denominator[i : i + 1]))


@settings(max_examples=300, deadline=None)
@given(values=st.lists(odd_floats, max_size=20))
def test_a_running_sum_adds_as_bincount_does(values: list[float]) -> None:
    weights = np.array(values, dtype=np.float64)
    rows = np.zeros(len(values), dtype=np.int64)
    with np.errstate(all="ignore"):
        grouped = np.bincount(rows, weights=weights, minlength=1).astype(np.float64)
        assert_same_bits(np.array([running_sum(weights)]), grouped)


@settings(max_examples=300, deadline=None)
@given(moment=st.datetimes(timezones=st.just(UTC)))
def test_epoch_seconds_of_one_moment_are_those_of_the_arrays(moment: datetime) -> None:
    micros = np.array([epoch_micros(moment)], dtype=np.int64)
    assert_same_bits(np.array([epoch_seconds(moment)]), micros_to_seconds(micros))


def test_a_lead_without_events_and_one_with_a_single_event() -> None:
    empty = feature_rows(plain_leads(1), arrays([]), AS_OF, TeamSettings())
    single = feature_rows(
        plain_leads(1), arrays([(0, ("email_opened", 1.0, 0.9, None))]), AS_OF, TeamSettings()
    )
    assert empty.columns["opens_human_all"][0] == 0
    assert empty.columns["days_since_first_event"][0] == 9999
    assert single.columns["opens_human_7d"][0] == 1
    assert single.columns["days_since_open"][0] == 1.0


def test_lead_arrays_of_one_row_is_the_row_of_many() -> None:
    row = (7, "CEO", "saas", "KR", "web", "ko", 1e6, 40, ["a"], NOW, None)
    one, many = lead_arrays([row]), lead_arrays([(6, *row[1:]), row])
    assert one.title == many.title[1:]
    assert_same_bits(one.created_at, many.created_at[1:])
