from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from features import compute, feature_names
from features.arrays import epoch_seconds
from features.catalog import CATALOG, NEVER_DAYS, UNKNOWN
from leads.team_settings import IcpCriteria, TeamSettings
from tests.features.builders import NOW, Timeline, plain_leads

AS_OF = epoch_seconds(NOW)


def features_of(timeline: Timeline, leads: int = 1, settings: TeamSettings | None = None,
                **values: object) -> pd.DataFrame:  # fmt: skip
    return compute(plain_leads(leads, **values), timeline.arrays(), AS_OF,
                   settings or TeamSettings())  # fmt: skip


def test_the_frame_has_the_catalogue_columns_in_order_and_types() -> None:
    frame = features_of(Timeline().add(0, "email_opened", 1, human=0.95), leads=3)
    assert list(frame.columns) == feature_names()
    assert list(frame.index) == [1, 2, 3]
    assert frame.index.name == "lead_id"
    for spec in CATALOG:
        if spec.kind == "numeric":
            assert frame[spec.name].dtype == np.float64, spec.name
        else:
            assert pd.api.types.is_string_dtype(frame[spec.name].dtype), spec.name


def test_scanner_clicks_count_nothing_and_a_persons_click_one() -> None:
    timeline = Timeline()
    timeline.add(0, "link_clicked", 2, human=0.05, link_kind="pricing")
    timeline.add(0, "link_clicked", 2, human=0.05, link_kind="pricing")
    timeline.add(0, "link_clicked", 1, human=0.95, link_kind="booking")
    row = features_of(timeline).iloc[0]
    assert row["clicks_human_all"] == 1
    assert row["clicks_pricing"] == 0
    assert row["clicks_booking"] == 1
    assert row["nonhuman_share"] == pytest.approx((0.95 + 0.95 + 0.05) / 3)
    assert row["days_since_click"] == pytest.approx(1.0)  # the scanners' clicks do not count


def test_windows_hold_events_younger_than_their_length() -> None:
    timeline = Timeline()
    for days_ago in (0.5, 6.9, 7.0, 29, 89, 200):
        timeline.add(0, "email_sent", days_ago)
        timeline.add(0, "email_opened", days_ago)  # no human likelihood: a person
    row = features_of(timeline).iloc[0]
    assert [row[f"sends_{w}"] for w in ("7d", "30d", "90d", "all")] == [2, 4, 5, 6]
    assert [row[f"opens_human_{w}"] for w in ("7d", "30d", "90d", "all")] == [2, 4, 5, 6]
    assert row["open_rate_90d"] == 1.0
    assert row["days_since_first_event"] == pytest.approx(200)


def test_a_lead_without_events_has_zeros_and_never_recency() -> None:
    row = features_of(Timeline(), leads=1).iloc[0]
    for name in ("days_since_open", "days_since_click", "days_since_reply",
                 "days_since_activity", "days_since_first_event"):  # fmt: skip
        assert row[name] == NEVER_DAYS
    assert row["open_rate_90d"] == 0.0
    assert row["engagement_score"] == 0.0
    assert row["nonhuman_share"] == 0.0


def test_pulse_reading_dwell_depth_and_topics() -> None:
    timeline = Timeline().add(0, "doc_viewed", 1, human=0.95, document="deck", pages=12)
    for page in range(1, 7):
        timeline.add(0, "page_dwell", 1, human=0.95, document="deck", page=page, seconds=10)
    timeline.add(0, "page_dwell", 1, human=0.95, document="deck", page=3, seconds=15)
    row = features_of(timeline).iloc[0]
    assert row["docs_viewed"] == 1
    assert row["pages_read"] == 6
    assert row["read_depth_max"] == 0.5  # 6 of 12 pages
    assert row["dwell_seconds"] == 75
    assert row["page_dwell_max"] == 25  # page 3, read twice
    assert row["dwell_product_seconds"] == 10 * 4 + 15  # pages 3-6 are product pages
    assert row["dwell_pricing_seconds"] == 0


def test_a_pricing_page_dwell_and_a_scanners_view() -> None:
    timeline = Timeline()
    timeline.add(0, "page_dwell", 1, human=0.95, document="deck", page=9, seconds=40)
    timeline.add(1, "doc_viewed", 1, human=0.05, document="deck", pages=12, agent="scanner")
    frame = features_of(timeline, leads=2)
    assert frame.loc[1, "dwell_pricing_seconds"] == 40
    assert frame.loc[1, "read_depth_max"] == pytest.approx(1 / 12)
    assert frame.loc[2, "docs_viewed"] == 0  # a scanner opened it


def test_a_document_the_team_does_not_know_counts_pages_but_no_depth() -> None:
    timeline = Timeline().add(0, "page_dwell", 1, document="old-deck", page=2, seconds=5)
    row = features_of(timeline).iloc[0]
    assert (row["docs_viewed"], row["pages_read"], row["read_depth_max"]) == (1, 1, 0)


def test_webinars_forms_signups_and_flags() -> None:
    timeline = Timeline()
    timeline.add(0, "webinar_attended", 3, webinar="w1", minutes=45)
    timeline.add(0, "form_submitted", 2, form="newsletter", answers={})
    timeline.add(0, "form_submitted", 1, form="demo-request", answers={"company": "Acme"})
    timeline.add(0, "api_event", 1, action="signup")
    timeline.add(0, "api_event", 1, action="login")
    timeline.add(0, "unsubscribed", 1)
    timeline.add(0, "bounced", 1)
    timeline.add(0, "imported_activity", 0, column="activity", activity="Visited booth")
    row = features_of(timeline).iloc[0]
    assert (row["webinars_attended"], row["webinar_minutes"]) == (1, 45)
    assert (row["forms_submitted"], row["demo_requested"], row["signups"]) == (2, 1, 1)
    assert (row["unsubscribed"], row["bounced"], row["imported_activities"]) == (1, 1, 1)


def test_payload_values_of_the_wrong_kind_count_as_missing() -> None:
    timeline = Timeline()
    timeline.add(0, "page_dwell", 1, document=["deck"], page="x", seconds={"s": 1})
    timeline.add(0, "link_clicked", 1, link_kind=7)
    timeline.add(0, "webinar_attended", 1, minutes="30")  # text that reads as a number counts
    row = features_of(timeline).iloc[0]
    assert (row["pages_read"], row["dwell_seconds"], row["clicks_pricing"]) == (0, 0, 0)
    assert row["webinar_minutes"] == 30


def test_engagement_halves_every_half_life() -> None:
    settings = TeamSettings(engagement_half_life_days=10)
    fresh = features_of(Timeline().add(0, "link_clicked", 0), settings=settings).iloc[0]
    old = features_of(Timeline().add(0, "link_clicked", 10), settings=settings).iloc[0]
    older = features_of(Timeline().add(0, "email_replied", 20), settings=settings).iloc[0]
    assert fresh["engagement_score"] == pytest.approx(3.0)
    assert old["engagement_score"] == pytest.approx(1.5)
    assert older["engagement_score"] == pytest.approx(5.0 / 4)


def test_events_after_as_of_are_ignored_per_lead() -> None:
    timeline = Timeline().add(0, "email_opened", 5).add(1, "email_opened", 5)
    timeline.add(0, "email_opened", 1).add(1, "email_opened", 1)
    as_of = np.array([AS_OF - 3 * 86_400, AS_OF])  # lead 1 three days ago, lead 2 now
    frame = compute(plain_leads(2), timeline.arrays(), as_of, TeamSettings())
    assert list(frame["opens_human_all"]) == [1, 2]
    assert frame.loc[1, "days_since_open"] == pytest.approx(2)
    assert frame.loc[2, "days_since_open"] == pytest.approx(1)


def test_profile_attributes() -> None:
    frame = features_of(Timeline(), leads=1, title="VP of Sales", industry="software",
                        country="KR", revenue_usd=1e6, employees=99,
                        product_interests=["A", "B"])  # fmt: skip
    row = frame.iloc[0]
    assert (row["industry"], row["country"], row["source"]) == ("software", "KR", UNKNOWN)
    assert row["log_revenue_usd"] == pytest.approx(np.log1p(1e6))
    assert row["log_employees"] == pytest.approx(np.log1p(99))
    assert (row["seniority_level"], row["product_interests"]) == (4, 2)
    assert np.isnan(features_of(Timeline()).iloc[0]["log_revenue_usd"])


@pytest.mark.parametrize(
    ("title", "level"),
    [
        ("CEO", 5), ("Chief Revenue Officer", 5), ("대표이사", 5), ("CTO", 5),
        ("Vice President, Sales", 4), ("SVP Marketing", 4), ("부사장", 4), ("상무", 4),
        ("Director of IT", 3), ("Head of Growth", 3), ("마케팅팀 본부장", 3), ("영업 실장", 3),
        ("Marketing Manager", 2), ("개발팀 팀장", 2), ("영업팀 매니저", 2),
        ("Data Analyst", 1), ("운영팀 사원", 1), ("", 0), (None, 0),
    ],
)  # fmt: skip
def test_seniority_from_english_and_korean_titles(title: str | None, level: int) -> None:
    assert features_of(Timeline(), title=title).iloc[0]["seniority_level"] == level


def test_icp_fit_is_the_share_of_the_criteria_set_that_the_lead_meets() -> None:
    icp = IcpCriteria(industries=["software"], countries=["kr"], employees_min=50,
                      employees_max=500)  # fmt: skip
    settings = TeamSettings(icp=icp)
    fits = features_of(Timeline(), settings=settings, industry="software", country="KR",
                       employees=100).iloc[0]  # fmt: skip
    half = features_of(Timeline(), settings=settings, industry="software", country="US",
                       employees=None).iloc[0]  # fmt: skip
    assert fits["icp_fit"] == 1.0
    assert half["icp_fit"] == pytest.approx(1 / 3)  # industry only; unknown size fails
    assert features_of(Timeline(), industry="software").iloc[0]["icp_fit"] == 0.5
    revenue = TeamSettings(icp=IcpCriteria(revenue_min_usd=1e6))
    assert features_of(Timeline(), settings=revenue, revenue_usd=2e6).iloc[0]["icp_fit"] == 1.0


def test_recent_activity_counts_weights_and_days_within_its_window() -> None:
    timeline = Timeline()
    timeline.add(0, "link_clicked", 0.5, human=0.95)  # weight 3, today
    timeline.add(0, "email_opened", 0.6, human=0.95)  # weight 1, today
    timeline.add(0, "email_opened", 3.2, human=0.05)  # an image proxy: not counted
    timeline.add(0, "email_replied", 10)  # weight 5, ten days ago
    timeline.add(0, "email_sent", 10)
    timeline.add(0, "email_sent", 40)
    row = features_of(timeline).iloc[0]
    assert (row["activity_7d"], row["activity_30d"]) == (4, 9)
    assert (row["active_days_7d"], row["active_days_30d"]) == (1, 2)
    assert row["open_rate_30d"] == 1.0  # one likely-human open, one send in 30 days
    assert row["engagement_fast"] == pytest.approx(
        3 * 0.5 ** (0.5 / 3) + 0.5 ** (0.6 / 3) + 5 * 0.5 ** (10 / 3)
    )


def test_reading_and_webinar_intensity_per_visit() -> None:
    timeline = Timeline()
    timeline.add(0, "page_dwell", 1, document="deck", page=1, seconds=30)
    timeline.add(0, "page_dwell", 1, document="deck", page=2, seconds=90)
    timeline.add(0, "webinar_attended", 3, webinar="w1", minutes=45)
    timeline.add(0, "webinar_attended", 9, webinar="w2", minutes=15)
    row = features_of(timeline).iloc[0]
    assert row["dwell_per_page"] == 60
    assert row["webinar_minutes_per_session"] == 30
