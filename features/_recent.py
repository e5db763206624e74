"""Recent-window features: how engaged a lead is lately, the best guess of its intent today.

Interest comes and goes within weeks, so what a lead did in the last days says more about a
meeting next month than its all-time totals: windowed activity, the open and click rates of
the last 30 days, a fast-decaying score, and how long a person reads (seconds per page and
webinar minutes per session measure interest per visit, whatever the number of visits).
"""

from __future__ import annotations

import numpy as np

from features._activity import engagement_weights, window_counts
from features._content import dwell_seconds, webinar_seconds
from features._segments import DAY, Segments, ratio
from features.arrays import FloatArray

RECENT_WINDOWS: tuple[int, ...] = (7, 30)
FAST_HALF_LIFE_DAYS = 3.0


def recent_features(segments: Segments) -> dict[str, FloatArray]:
    """The recent-window features of every lead."""
    likely = segments.likely_human()
    weight = engagement_weights(segments)
    active = (weight > 0) & likely
    # Whole days back from as_of: the active days are the distinct ones among active events.
    day = np.floor(segments.age / DAY).astype(np.int64)
    out: dict[str, FloatArray] = {}
    for window in RECENT_WINDOWS:
        recent = active & (segments.age < window * DAY)
        out[f"activity_{window}d"] = segments.total(recent, weight)
        out[f"active_days_{window}d"] = segments.distinct_count(recent, day)
    month = window_counts(segments)  # the last 30 days' counts are among them
    out["open_rate_30d"] = ratio(month["opens_human_30d"], month["sends_30d"])
    out["click_rate_30d"] = ratio(month["clicks_human_30d"], month["sends_30d"])
    decay = np.exp2(-segments.age / (FAST_HALF_LIFE_DAYS * DAY))
    out["engagement_fast"] = segments.total(active, weight * decay)
    pages = segments.total(segments.of("page_dwell") & likely)
    out["dwell_per_page"] = ratio(dwell_seconds(segments), pages)
    sessions = segments.count("webinar_attended")
    out["webinar_minutes_per_session"] = ratio(webinar_seconds(segments), sessions) / 60.0
    return out
