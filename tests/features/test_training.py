from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import pytest
from sqlalchemy.orm import Session

from features import TrainingSet, feature_names, training_set
from leads.errors import ValidationFailed
from leads.tables import Lead, Team, utcnow
from tests.factories import make_lead
from tests.features.builders import Timeline, add_deck


def rows_of(result: TrainingSet) -> dict[int, dict[str, object]]:
    return {int(r["lead_id"]): r for r in result.frame.to_dict("records")}


@pytest.fixture
def now() -> datetime:
    return utcnow()


@pytest.fixture
def snapshot(now: datetime) -> datetime:
    return now - timedelta(days=20)


def engaged_before(session: Session, team: Team, now: datetime) -> Lead:
    """A lead with opens, a click and a page read 21-25 days ago."""
    add_deck(session, team)
    lead = make_lead(session, team, title="CEO")
    timeline = Timeline().add(0, "email_sent", 25).add(0, "email_opened", 24, human=0.95)
    timeline.add(0, "link_clicked", 23, human=0.95, link_kind="pricing")
    timeline.add(0, "page_dwell", 21, human=0.95, document="deck", page=9, seconds=30)
    timeline.write(session, team, [lead], now)
    return lead


def test_events_after_the_snapshot_change_no_feature(
    session: Session, team: Team, now: datetime, snapshot: datetime
) -> None:
    lead = engaged_before(session, team, now)
    before = training_set(session, team_id=team.id, snapshots=[snapshot]).features
    later = Timeline()
    for days_ago in (19.99, 15, 10, 1):
        later.add(0, "email_sent", days_ago).add(0, "email_opened", days_ago, human=0.95)
        later.add(0, "link_clicked", days_ago, human=0.95, link_kind="booking")
        later.add(0, "page_dwell", days_ago, human=0.95, document="deck", page=2, seconds=99)
    later.add(0, "form_submitted", 5, form="demo-request").add(0, "unsubscribed", 1)
    later.write(session, team, [lead], now)
    after = training_set(session, team_id=team.id, snapshots=[snapshot]).features
    assert before["clicks_human_all"].iloc[0] == 1
    np.testing.assert_array_equal(
        before.select_dtypes("number").to_numpy(), after.select_dtypes("number").to_numpy()
    )
    assert before.equals(after)


def test_the_label_sees_a_meeting_within_the_horizon_only(
    session: Session, team: Team, now: datetime, snapshot: datetime
) -> None:
    lead = engaged_before(session, team, now)
    late = make_lead(session, team)
    Timeline().add(0, "email_sent", 22).write(session, team, [late], now)
    first = rows_of(training_set(session, team_id=team.id, snapshots=[snapshot], horizon_days=10))
    assert (first[lead.id]["label"], first[late.id]["label"]) == (0, 0)
    Timeline().add(0, "meeting_booked", 12).write(session, team, [lead], now)  # 8 days after
    Timeline().add(0, "meeting_booked", 5).write(session, team, [late], now)  # 15 days after
    second = rows_of(training_set(session, team_id=team.id, snapshots=[snapshot], horizon_days=10))
    assert (second[lead.id]["label"], second[late.id]["label"]) == (1, 0)
    longer = rows_of(training_set(session, team_id=team.id, snapshots=[snapshot], horizon_days=30))
    assert longer[late.id]["label"] == 1


def test_rows_are_leads_that_existed_and_had_not_booked_yet(
    session: Session, team: Team, now: datetime, snapshot: datetime
) -> None:
    booked = make_lead(session, team)
    Timeline().add(0, "email_sent", 30).add(0, "meeting_booked", 25).write(
        session, team, [booked], now
    )
    arrived_later = make_lead(session, team)
    Timeline().add(0, "email_sent", 10).write(session, team, [arrived_later], now)
    created_before = make_lead(session, team)
    created_before.created_at = now - timedelta(days=40)
    session.flush()
    early = now - timedelta(days=28)
    result = training_set(session, team_id=team.id, snapshots=[early, snapshot])
    keys = set(zip(result.frame["lead_id"], result.frame["snapshot"], strict=True))
    assert keys == {(booked.id, early), (created_before.id, early), (created_before.id, snapshot)}
    assert list(result.frame.columns[:2]) == ["lead_id", "snapshot"]
    assert list(result.features.columns) == feature_names()


def test_the_imported_outcome_is_a_label_too(
    session: Session, team: Team, now: datetime, snapshot: datetime
) -> None:
    won = make_lead(session, team, converted=True)
    lost = make_lead(session, team, converted=False)
    unknown = make_lead(session, team)
    Timeline().add(0, "imported_activity", 21, activity="Visited booth").write(
        session, team, [won, lost, unknown], now
    )
    Timeline().add(1, "imported_activity", 21).add(2, "imported_activity", 21).write(
        session, team, [won, lost, unknown], now
    )
    result = training_set(session, team_id=team.id, snapshots=[snapshot])
    outcome = dict(zip(result.frame["lead_id"], result.labels("converted"), strict=True))
    assert outcome[won.id] == 1 and outcome[lost.id] == 0 and np.isnan(outcome[unknown.id])
    assert result.labels().tolist() == [0, 0, 0]


def test_snapshots_and_horizon_are_checked(session: Session, team: Team) -> None:
    with pytest.raises(ValidationFailed):
        training_set(session, team_id=team.id, snapshots=[])
    with pytest.raises(ValidationFailed):
        training_set(session, team_id=team.id, snapshots=[utcnow()], horizon_days=0)
