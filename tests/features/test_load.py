from __future__ import annotations

from datetime import timedelta

import numpy as np
import pandas as pd
import pytest
from sqlalchemy.orm import Session

from features import batch_features, compute, load_team, online_features, training_set
from features.arrays import epoch_seconds
from features.catalog import categorical_names, feature_names, numeric_names
from leads.documents import PageSpec, create_document
from leads.errors import NotFound
from leads.events import NewEvent, record_events
from leads.simulation import simulate
from leads.tables import Team, utcnow
from leads.teams import create_team
from tests.factories import make_lead
from tests.features.builders import Timeline, add_deck


def assert_same_features(left: pd.DataFrame, right: pd.DataFrame) -> None:
    """Exactly the same rows, columns and categories; floats equal to 1e-9."""
    assert list(left.index) == list(right.index)
    assert list(left.columns) == list(right.columns)
    np.testing.assert_allclose(
        left[numeric_names()].to_numpy(), right[numeric_names()].to_numpy(), rtol=0, atol=1e-9
    )
    for name in categorical_names():
        assert left[name].tolist() == right[name].tolist(), name


def test_online_features_of_a_hand_built_lead(session: Session, team: Team) -> None:
    add_deck(session, team)
    lead = make_lead(session, team, title="Director of IT", country="KR")
    timeline = Timeline()
    timeline.add(0, "link_clicked", 3, human=0.05, link_kind="pricing", agent="scanner")
    timeline.add(0, "link_clicked", 3, human=0.05, link_kind="pricing", agent="scanner")
    timeline.add(0, "link_clicked", 2, human=0.95, link_kind="pricing")
    timeline.add(0, "doc_viewed", 2, human=0.95, document="deck", pages=12)
    for page in range(1, 7):
        timeline.add(0, "page_dwell", 2, human=0.95, document="deck", page=page, seconds=5)
    timeline.add(0, "page_dwell", 2, human=0.95, document="deck", page=9, seconds=40)
    now = utcnow()
    timeline.write(session, team, [lead], now)
    row = online_features(session, team_id=team.id, lead_id=lead.id, as_of=now).iloc[0]
    assert row["clicks_human_all"] == 1
    assert row["clicks_pricing"] == 1
    assert row["dwell_pricing_seconds"] == 40
    assert row["pages_read"] == 7
    assert row["read_depth_max"] == pytest.approx(7 / 12)
    assert (row["seniority_level"], row["country"]) == (3, "KR")


def test_online_batch_and_as_of_paths_agree_on_a_simulated_team(
    session: Session, team: Team
) -> None:
    simulate(session, team_id=team.id, leads=200, days=30, seed=11)
    now = utcnow()
    batch = batch_features(session, team_id=team.id, as_of=now)
    online = pd.concat(
        [online_features(session, team_id=team.id, lead_id=int(i), as_of=now) for i in batch.index]
    )
    assert len(batch) == 200
    assert batch["sends_all"].sum() > 0 and batch["dwell_seconds"].sum() > 0
    assert_same_features(online, batch)
    loaded = load_team(session, team_id=team.id, as_of=now)
    per_lead = np.full(len(loaded.leads), epoch_seconds(now))
    assert_same_features(compute(loaded.leads, loaded.events, per_lead, loaded.settings), batch)
    rows = training_set(session, team_id=team.id, snapshots=[now]).frame.set_index("lead_id")
    assert_same_features(rows[batch.columns], batch.loc[rows.index])


def test_paths_agree_as_of_a_past_moment(session: Session, team: Team) -> None:
    simulate(session, team_id=team.id, leads=60, days=30, seed=5)
    past = utcnow() - timedelta(days=12)
    batch = batch_features(session, team_id=team.id, as_of=past)
    later = load_team(session, team_id=team.id).features_as_of(epoch_seconds(past))
    assert_same_features(later, batch)
    picked = [int(i) for i in batch.index[::7]]
    online = pd.concat(
        [online_features(session, team_id=team.id, lead_id=i, as_of=past) for i in picked]
    )
    assert_same_features(online, batch.loc[picked])


def test_another_teams_events_and_documents_never_count(session: Session, team: Team) -> None:
    other, _ = create_team(session, name=f"{team.name}-other")
    add_deck(session, team)
    pages = [PageSpec(f"page {n}", "pricing") for n in range(1, 25)]
    create_document(session, team_id=other.id, slug="deck", title="Their deck", pages=pages)
    mine = make_lead(session, team)
    theirs = make_lead(session, other)
    now = utcnow()
    timeline = Timeline().add(0, "email_opened", 1)
    for page in range(1, 7):
        timeline.add(0, "page_dwell", 1, document="deck", page=page, seconds=10)
    timeline.write(session, team, [mine], now)
    Timeline().add(0, "email_opened", 1).add(0, "email_opened", 2).write(
        session, other, [theirs], now
    )
    # A row filed under the other team but naming my lead (bulk paths do not check leads).
    misfiled = NewEvent(lead_id=mine.id, type="email_opened", occurred_at=now)
    assert record_events(session, team_id=other.id, events=[misfiled]) == 1
    batch = batch_features(session, team_id=team.id, as_of=now)
    online = online_features(session, team_id=team.id, lead_id=mine.id, as_of=now)
    assert list(batch.index) == [mine.id]
    for frame in (batch, online):
        assert frame.loc[mine.id, "opens_human_all"] == 1
        assert frame.loc[mine.id, "read_depth_max"] == 0.5  # 6 of my deck's 12 pages
        assert frame.loc[mine.id, "dwell_pricing_seconds"] == 0  # their pages are pricing
    with pytest.raises(NotFound):
        online_features(session, team_id=team.id, lead_id=theirs.id)


def test_unknown_team_and_lead_are_not_found(session: Session, team: Team) -> None:
    with pytest.raises(NotFound):
        batch_features(session, team_id=10**9)
    with pytest.raises(NotFound):
        online_features(session, team_id=team.id, lead_id=10**9)


def test_a_team_without_leads_gives_an_empty_frame(session: Session, team: Team) -> None:
    frame = batch_features(session, team_id=team.id)
    assert frame.empty
    assert list(frame.columns) == feature_names()
