"""`FeatureRows` gives what the feature frame gives: the frame itself, its cells, its records."""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from features import (
    FeatureRows,
    TransientLead,
    batch_features,
    compute,
    feature_names,
    feature_rows,
    held_rows,
    online_features,
    online_rows,
    records,
    transient_features,
    transient_rows,
)
from features.arrays import epoch_seconds
from leads.simulation import simulate
from leads.tables import Lead, Team, utcnow
from leads.team_settings import IcpCriteria, TeamSettings
from leads.teams import settings_of
from tests.features.builders import NOW, Timeline, add_deck, plain_leads


def same_cell(left: object, right: object) -> bool:
    """Equal values of the same type; NaN equals NaN."""
    if type(left) is not type(right):
        return False
    if isinstance(left, float) and math.isnan(left):
        return isinstance(right, float) and math.isnan(right)
    return left == right


def assert_same_cells(left: npt.NDArray[Any], right: npt.NDArray[Any]) -> None:
    assert left.shape == right.shape and left.dtype == right.dtype == np.dtype(object)
    for a, b in zip(left.ravel().tolist(), right.ravel().tolist(), strict=True):
        assert same_cell(a, b), (a, b)


def assert_same_records(left: list[dict[str, Any]], right: list[dict[str, Any]]) -> None:
    assert len(left) == len(right)
    for a, b in zip(left, right, strict=True):
        assert list(a) == list(b)
        for name in a:
            assert same_cell(a[name], b[name]), (name, a[name], b[name])


def assert_rows_give_their_frame(rows: FeatureRows, frame: pd.DataFrame) -> None:
    """The rows' frame, cells and records are the frame's, exactly."""
    pd.testing.assert_frame_equal(rows.frame(), frame, check_exact=True)
    assert_same_cells(rows.cells(), frame.to_numpy(dtype=object))
    assert_same_records(rows.records(), records(frame))
    assert_same_records(records(rows), records(frame))
    assert list(rows.ids) == list(frame.index)
    assert rows.names == tuple(frame.columns)


def busy_timeline() -> Timeline:
    timeline = Timeline()
    timeline.add(0, "email_sent", 3).add(0, "email_opened", 2, human=0.95)
    timeline.add(0, "link_clicked", 2, human=0.05, link_kind="pricing")
    timeline.add(0, "link_clicked", 1, human=0.95, link_kind="booking")
    timeline.add(1, "doc_viewed", 2, human=0.95, document="deck", pages=12)
    timeline.add(1, "page_dwell", 2, document="deck", page=9, seconds=40)
    timeline.add(2, "form_submitted", 1, form="demo_request")
    return timeline


def test_compute_is_the_frame_of_feature_rows() -> None:
    leads = plain_leads(3, industry=" Software ", country="KR", revenue_usd=-5, employees=40)
    settings = TeamSettings(icp=IcpCriteria(industries=["software"], employees_min=10))
    as_of = epoch_seconds(NOW)
    rows = feature_rows(leads, busy_timeline().arrays(), as_of, settings)
    frame = compute(leads, busy_timeline().arrays(), as_of, settings)
    assert list(frame.columns) == feature_names()
    assert len(rows) == 3
    assert_rows_give_their_frame(rows, frame)
    assert rows.records()[0]["industry"] == "Software"
    assert math.isnan(rows.records()[0]["log_revenue_usd"])  # a negative revenue is unknown


def test_a_missing_category_reads_as_nan_as_the_frame_gives_it() -> None:
    computed = feature_rows(plain_leads(2), Timeline().arrays(), epoch_seconds(NOW), TeamSettings())
    rows = FeatureRows(computed.ids, {**computed.columns, "country": [None, "KR"]})
    frame = rows.frame()
    assert frame["country"].isna().tolist() == [True, False]
    assert rows.records()[0]["country"] is np.nan  # the very object pandas gives
    assert_rows_give_their_frame(rows, frame)


def test_feature_rows_refuse_columns_out_of_catalogue_order_or_length() -> None:
    computed = feature_rows(plain_leads(2), Timeline().arrays(), epoch_seconds(NOW), TeamSettings())
    shuffled = dict(reversed(list(computed.columns.items())))
    with pytest.raises(ValueError, match="catalogue order"):
        FeatureRows(computed.ids, shuffled)
    with pytest.raises(ValueError, match="one value per lead"):
        FeatureRows(computed.ids, {**computed.columns, "country": ["KR"]})


def test_online_rows_are_the_online_frame_of_each_lead(session: Session, team: Team) -> None:
    add_deck(session, team)
    simulate(session, team_id=team.id, leads=25, days=30, seed=7)
    now = utcnow()
    lead_ids = [int(i) for i in batch_features(session, team_id=team.id, as_of=now).index]
    for lead_id in lead_ids:
        rows = online_rows(session, team_id=team.id, lead_id=lead_id, as_of=now)
        frame = online_features(session, team_id=team.id, lead_id=lead_id, as_of=now)
        assert_rows_give_their_frame(rows, frame)


def test_held_rows_are_the_online_rows_of_the_lead_in_hand(session: Session, team: Team) -> None:
    """The per-event loop's path (the lead object and the settings it holds, only the events
    read) gives each lead's online rows exactly, a lead changed but not yet flushed included."""
    add_deck(session, team)
    simulate(session, team_id=team.id, leads=25, days=30, seed=7)
    now = utcnow()
    settings = settings_of(team)
    leads = session.scalars(select(Lead).where(Lead.team_id == team.id).order_by(Lead.id)).all()
    leads[0].industry, leads[0].product_interests = "software", ["crm", "analytics"]
    leads[1].revenue_usd, leads[1].employees = None, None
    for lead in leads:
        held = held_rows(session, leads=[lead], settings=settings, as_of=now)
        online = online_rows(session, team_id=team.id, lead_id=lead.id, as_of=now)
        assert_same_cells(held.cells(), online.cells())
        assert held.names == online.names and list(held.ids) == [lead.id]
    # several at once (the loop's group of events): row by row the same, in lead id order
    some = [leads[7], leads[0], leads[3], leads[1]]
    held = held_rows(session, leads=some, settings=settings, as_of=now)
    assert list(held.ids) == sorted(lead.id for lead in some)
    for row, lead_id in zip(held.cells(), held.ids.tolist(), strict=True):
        online = online_rows(session, team_id=team.id, lead_id=lead_id, as_of=now)
        assert_same_cells(row[None, :], online.cells())


def test_transient_rows_are_the_transient_frame(session: Session, team: Team) -> None:
    add_deck(session, team)
    now = utcnow()
    leads = [
        TransientLead({}),  # nothing known: unknown categories, NaN sizes
        TransientLead(
            {"industry": "never-seen-industry", "country": "KR", "revenue_usd": None,
             "employees": 0, "title": "Head of IT", "product_interests": ["crm"]},
            [
                {"type": "email_opened", "occurred_at": now - timedelta(days=2), "human": None},
                {"type": "page_dwell", "occurred_at": now - timedelta(days=1),
                 "payload": {"document": "deck", "page": 9, "seconds": 30}},
                {"type": "link_clicked", "occurred_at": now + timedelta(days=1)},  # too late
            ],
        ),
        TransientLead({"source": "  ", "revenue_usd": float("nan"), "language": "ko"}),
    ]  # fmt: skip
    for picked in ([leads[1]], leads):
        rows = transient_rows(session, team_id=team.id, leads=picked, as_of=now)
        frame = transient_features(session, team_id=team.id, leads=picked, as_of=now)
        assert_rows_give_their_frame(rows, frame)
    rows = transient_rows(session, team_id=team.id, leads=leads, as_of=now)
    assert rows.records()[1]["dwell_pricing_seconds"] == 30
    assert rows.records()[2]["source"] == "unknown"
