"""Email and engagement features: windowed counts, rates, recency, decayed score, bot share."""

from __future__ import annotations

import numpy as np

from features._segments import DAY, Segments, days, ratio
from features.arrays import TYPE_CODE, TYPES, FloatArray, IntArray
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
# Indexed by type code; the last entry is code -1 (a type not in TYPES), which weighs 0.
WEIGHT_BY_CODE = np.array([ENGAGEMENT_WEIGHTS.get(name, 0.0) for name in (*TYPES, "")])

# Tables below are indexed [likely human (0 or 1), type code]; column -1 is code -1.
_TYPES = len(TYPES) + 1
# The email counts of every window, and the kind of event each counts (-1: none).
_COUNTED = ("opens_human", "clicks_human", "sends", "replies")
_KIND = np.full((2, _TYPES), -1, dtype=np.int64)
_KIND[1, TYPE_CODE["email_opened"]] = 0
_KIND[1, TYPE_CODE["link_clicked"]] = 1
_KIND[:, TYPE_CODE["email_sent"]] = 2
_KIND[:, TYPE_CODE["email_replied"]] = 3
# The bounded windows, narrowest first; an event is in a window when its age is below it.
_BOUNDS = np.array([window * DAY for window in WINDOWS if window is not None])
if WINDOWS[-1] is not None or np.any(np.diff(_BOUNDS) <= 0):
    raise ValueError("WINDOWS must be the bounded windows from the narrowest, then None")
# [likely, type, narrowest window holding the event]: the column its count goes to, or -1.
_WINDOW_COLUMN = np.where(
    _KIND[:, :, None] >= 0, _KIND[:, :, None] * len(WINDOWS) + np.arange(len(WINDOWS)), -1
)
_WINDOW_NAMES = [
    (f"{name}_{window_suffix(window)}", k, w)
    for k, name in enumerate(_COUNTED)
    for w, window in enumerate(WINDOWS)
]
# Recency: a column per (likely human, type), and the columns each feature takes the youngest
# of (likely opens; likely clicks; replies; likely activity).
_COLUMN = np.arange(2 * _TYPES).reshape(2, _TYPES)
_ACTIVE = [code for code, name in enumerate(TYPES) if ENGAGEMENT_WEIGHTS.get(name, 0.0) > 0]
_RECENCY: dict[str, list[int]] = {
    "days_since_open": [_COLUMN[1, TYPE_CODE["email_opened"]]],
    "days_since_click": [_COLUMN[1, TYPE_CODE["link_clicked"]]],
    "days_since_reply": list(_COLUMN[:, TYPE_CODE["email_replied"]]),
    "days_since_activity": list(_COLUMN[1, _ACTIVE]),
}
_RECENCY_COLUMNS = np.concatenate(list(_RECENCY.values()))
_RECENCY_NAMES = (*_RECENCY, "days_since_first_event")
_RECENCY_STARTS = np.cumsum([0] + [len(columns) for columns in _RECENCY.values()])[:-1]


def activity_features(segments: Segments, half_life_days: float) -> dict[str, FloatArray]:
    """The email and engagement features of every lead."""
    out = dict(window_counts(segments))
    out["open_rate_90d"] = ratio(out["opens_human_90d"], out["sends_90d"])
    out["click_rate_90d"] = ratio(out["clicks_human_90d"], out["sends_90d"])
    out.update(_recency(segments))
    out["engagement_score"] = _engagement(segments, half_life_days)
    bots = segments.of("email_opened") | segments.of("link_clicked")
    out["nonhuman_share"] = ratio(
        segments.total(bots, 1.0 - segments.events.human),
        segments.count("email_opened") + segments.count("link_clicked"),
    )
    return out


def engagement_weights(segments: Segments) -> FloatArray:
    """What each event adds to the engagement score (0 for types that are not activity)."""
    weights: FloatArray = WEIGHT_BY_CODE[segments.events.type]
    return weights


def window_counts(segments: Segments) -> dict[str, FloatArray]:
    """The email counts of every window: `opens_human_7d` ... `replies_all`."""
    return segments.shared("window_counts", _count_windows)


def _count_windows(segments: Segments) -> dict[str, FloatArray]:
    # Opens and clicks count when a person likely made them (human >= 0.5): a security scanner
    # clicking every link, or an image proxy fetching the pixel, adds nothing, and three real
    # clicks reach a click threshold of 3.
    # One count per kind and narrowest window holding the event, in one pass; a window's
    # count adds up those of the narrower ones (whole numbers: exact in any order).
    narrowest: IntArray = _BOUNDS.searchsorted(segments.age, side="right")
    columns = _WINDOW_COLUMN[_likely_codes(segments), segments.events.type, narrowest]
    counts = segments.counts(columns, len(_COUNTED) * len(WINDOWS))
    within = counts.reshape(segments.size, len(_COUNTED), len(WINDOWS)).cumsum(axis=2)
    return {name: within[:, k, w] for name, k, w in _WINDOW_NAMES}


def _recency(segments: Segments) -> dict[str, FloatArray]:
    # The youngest event of each type, by whether a person likely made it, in one pass; each
    # feature takes the youngest of its columns (a minimum: exact in any order).
    # The oldest event of all makes a fifth column, so that one call turns all into days.
    youngest = segments.youngest(_COLUMN[_likely_codes(segments), segments.events.type], 2 * _TYPES)
    ages = np.minimum.reduceat(youngest[:, _RECENCY_COLUMNS], _RECENCY_STARTS, axis=1)
    since = days(np.concatenate((ages, segments.oldest()[:, None]), axis=1))
    return {name: since[:, i] for i, name in enumerate(_RECENCY_NAMES)}


def _likely_codes(segments: Segments) -> IntArray:
    """1 for each event a person likely made, else 0: the row in the tables above."""
    return segments.shared("likely_codes", lambda s: s.likely_human().astype(np.intp))


def _engagement(segments: Segments, half_life_days: float) -> FloatArray:
    weight = engagement_weights(segments)
    decay = np.exp2(-segments.age / (half_life_days * DAY))
    return segments.total(weight > 0, weight * segments.events.human * decay)
