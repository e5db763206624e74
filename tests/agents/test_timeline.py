"""The timeline in words, English and Korean."""

from __future__ import annotations

from agents.timeline import PulseRead, timeline_summary

FEATURES = {"sends_90d": 4, "opens_human_90d": 3, "clicks_pricing": 2, "days_since_activity": 0}
READS = (PulseRead("Product deck", 0.8, 4, 130),)


def test_english_timeline_reads_like_a_person_wrote_it() -> None:
    assert timeline_summary(FEATURES, READS) == (
        "opened 3 of the last 4 emails, clicked the pricing link twice, "
        'read 80% of "Product deck", dwelt 2 min on page 4 of "Product deck", last active today'
    )


def test_korean_timeline() -> None:
    assert timeline_summary(FEATURES, READS, language="ko") == (
        '최근 이메일 4통 중 3통을 열어 봄, 가격 링크를 2회 클릭함, "Product deck"의 80%를 읽음, '
        '"Product deck" 4쪽에서 2분 머묾, 오늘 활동함'
    )


def test_more_opens_than_sends_are_counted_as_times() -> None:
    assert timeline_summary({"sends_90d": 2, "opens_human_90d": 5}) == (
        "opened the last 2 emails 5 times"
    )


def test_missing_and_nan_features_mean_nothing_happened() -> None:
    assert timeline_summary({"sends_90d": float("nan"), "days_since_activity": 9999.0}) == (
        "no activity yet"
    )
    assert timeline_summary({}, language="ko") == "아직 활동 없음"


def test_other_signals_are_mentioned() -> None:
    features = {"replies_all": 1, "days_since_reply": 1, "webinars_attended": 1,
                "webinar_minutes": 42, "demo_requested": 1, "signups": 1}  # fmt: skip

    assert timeline_summary(features) == (
        "replied yesterday, attended 1 webinar (42 min), requested a demo, signed up"
    )
