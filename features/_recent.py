"""Recent-window features: how engaged a lead is lately, the best guess of its intent today.

Interest comes and goes within weeks, so what a lead did in the last days says more about a
meeting next month than its all-time totals: windowed activity, the open and click rates of
the last 30 days, a fast-decaying score, and how long a person reads (seconds per page and
webinar minutes per session measure interest per visit, whatever the number of visits).
"""

from __future__ import annotations

import numpy as np

from features._activity import WEIGHT_BY_CODE
from features._segments import DAY, Segments, ratio
from features.arrays import BoolArray, FloatArray

RECENT_WINDOWS: tuple[int, ...] = (7, 30)
FAST_HALF_LIFE_DAYS = 3.0


def recent_features(segments: Segments) -> dict[str, FloatArray]:
    """The recent-window features of every lead."""
    events = segments.events
    likely = segments.likely_human()
    weight = np.where(events.type >= 0, WEIGHT_BY_CODE[np.maximum(events.type, 0)], 0.0)
    active = (weight > 0) & likely
    sends = segments.of("email_sent")
    opens = segments.of("email_opened") & likely
    clicks = segments.of("link_clicked") & likely
    dwell = segments.of("page_dwell") & likely
    out: dict[str, FloatArray] = {}
    for window in RECENT_WINDOWS:
        inside = segments.age < window * DAY
        out[f"activity_{window}d"] = segments.total(active & inside, weight)
        out[f"active_days_{window}d"] = _active_days(segments, active & inside)
    month = segments.age < 30 * DAY
    out["open_rate_30d"] = ratio(segments.total(opens & month), segments.total(sends & month))
    out["click_rate_30d"] = ratio(segments.total(clicks & month), segments.total(sends & month))
    decay = np.exp2(-segments.age / (FAST_HALF_LIFE_DAYS * DAY))
    out["engagement_fast"] = segments.total(active, weight * decay)
    out["dwell_per_page"] = ratio(segments.total(dwell, events.seconds), segments.total(dwell))
    webinars = segments.of("webinar_attended")
    out["webinar_minutes_per_session"] = (
        ratio(segments.total(webinars, events.seconds), segments.total(webinars)) / 60.0
    )
    return out


def _active_days(segments: Segments, mask: BoolArray) -> FloatArray:
    """Per lead: on how many distinct days (counted back from as_of) an event matches `mask`."""
    lead = segments.events.lead[mask]
    day = np.floor(segments.age[mask] / DAY).astype(np.int64)
    if lead.size == 0:
        return np.zeros(segments.size)
    key = np.unique(lead * 100_000 + day)
    return np.bincount(key // 100_000, minlength=segments.size).astype(np.float64)
