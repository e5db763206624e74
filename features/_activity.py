"""Email and engagement features: windowed counts, rates, recency, decayed score, bot share."""

from __future__ import annotations

import numpy as np

from features._segments import DAY, Segments, ratio
from features.arrays import TYPES, FloatArray
from features.catalog import WINDOWS, window_suffix

# What one event of each type adds to the engagement score (before human x decay). These are
# also the types that count as activity for `days_since_activity`.
ENGAGEMENT_WEIGHTS: dict[str, float] = {
    "email_opened": 1.0,
    "link_clicked": 3.0,
    "email_replied": 5.0,
    "doc_viewed": 1.0,
    "page_dwell": 0.5,
    "webinar_attended": 4.0,
    "form_submitted": 4.0,
    "api_event": 6.0,
}
WEIGHT_BY_CODE = np.array([ENGAGEMENT_WEIGHTS.get(name, 0.0) for name in TYPES])


def activity_features(segments: Segments, half_life_days: float) -> dict[str, FloatArray]:
    """The email and engagement features of every lead."""
    out = _windows(segments)
    out["open_rate_90d"] = ratio(out["opens_human_90d"], out["sends_90d"])
    out["click_rate_90d"] = ratio(out["clicks_human_90d"], out["sends_90d"])
    out.update(_recency(segments))
    out["engagement_score"] = _engagement(segments, half_life_days)
    bots = segments.of("email_opened") | segments.of("link_clicked")
    out["nonhuman_share"] = ratio(
        segments.total(bots, 1.0 - segments.events.human), segments.total(bots)
    )
    return out


def _windows(segments: Segments) -> dict[str, FloatArray]:
    # Opens and clicks count when a person likely made them (human >= 0.5): a security scanner
    # clicking every link, or an image proxy fetching the pixel, adds nothing, and three real
    # clicks reach a click threshold of 3.
    likely = segments.likely_human()
    opens = segments.of("email_opened") & likely
    clicks = segments.of("link_clicked") & likely
    sends, replies = segments.of("email_sent"), segments.of("email_replied")
    out: dict[str, FloatArray] = {}
    for window in WINDOWS:
        inside = np.ones(len(segments.age), dtype=np.bool_)
        if window is not None:
            inside = segments.age < window * DAY
        suffix = window_suffix(window)
        out[f"opens_human_{suffix}"] = segments.total(opens & inside)
        out[f"clicks_human_{suffix}"] = segments.total(clicks & inside)
        out[f"sends_{suffix}"] = segments.total(sends & inside)
        out[f"replies_{suffix}"] = segments.total(replies & inside)
    return out


def _recency(segments: Segments) -> dict[str, FloatArray]:
    likely = segments.likely_human()
    active = WEIGHT_BY_CODE[np.maximum(segments.events.type, 0)] > 0
    active &= segments.events.type >= 0
    return {
        "days_since_open": segments.days_since_last(segments.of("email_opened") & likely),
        "days_since_click": segments.days_since_last(segments.of("link_clicked") & likely),
        "days_since_reply": segments.days_since_last(segments.of("email_replied")),
        "days_since_activity": segments.days_since_last(active & likely),
        "days_since_first_event": segments.days_since_first(
            np.ones(len(segments.age), dtype=np.bool_)
        ),
    }


def _engagement(segments: Segments, half_life_days: float) -> FloatArray:
    events = segments.events
    weight = np.where(events.type >= 0, WEIGHT_BY_CODE[np.maximum(events.type, 0)], 0.0)
    decay = np.exp2(-segments.age / (half_life_days * DAY))
    contributes = weight > 0
    return segments.total(contributes, weight * events.human * decay)
