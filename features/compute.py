"""`feature_rows` / `compute`: the one definition of every feature, for one lead or a team.

The same function serves the online path (one lead, just read) and the batch path (every lead
of a team, or every lead as of a training snapshot): it sees only the events at or before each
lead's `as_of`, and it reduces them with vectorised per-lead segment operations, so there is no
second implementation to drift from it. `feature_rows` gives the columns as computed (the
online paths score them without pandas); `compute` is their frame.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from features._activity import ENGAGEMENT_WEIGHTS, activity_features
from features._content import content_features
from features._profile import profile_features
from features._recent import recent_features
from features._segments import Segments
from features.arrays import EventArrays, FloatArray, LeadArrays
from features.catalog import CATALOG
from features.frames import Column, FeatureRows
from leads.team_settings import TeamSettings

__all__ = ["ENGAGEMENT_WEIGHTS", "compute", "feature_rows"]


def feature_rows(
    leads: LeadArrays, events: EventArrays, as_of: ArrayLike, settings: TeamSettings
) -> FeatureRows:
    """The features of `leads` (row i: lead `leads.id[i]`; columns: `feature_names()`).

    `as_of` gives each lead's point in time in epoch seconds (one number applies to all):
    events after it are ignored. Numeric columns are float64 arrays, categorical ones str.
    """
    size = len(leads)
    moments: FloatArray = np.broadcast_to(np.asarray(as_of, dtype=np.float64), (size,))
    known = (events.lead >= 0) & (events.lead < size)
    known[known] = events.t[known] <= moments[events.lead[known]]
    seen = events.take(known)
    segments = Segments(seen, size, moments[seen.lead] - seen.t)
    columns = {
        **activity_features(segments, settings.engagement_half_life_days),
        **recent_features(segments),
        **content_features(segments),
        **profile_features(leads, settings.icp),
    }
    return FeatureRows(
        leads.id, {spec.name: _column(columns[spec.name], spec.kind) for spec in CATALOG}
    )


def compute(
    leads: LeadArrays, events: EventArrays, as_of: ArrayLike, settings: TeamSettings
) -> pd.DataFrame:
    """The feature frame of `leads` (index: lead id; columns: `feature_names()` in order).

    The frame of `feature_rows`: numeric columns float64, categorical columns str.
    """
    return feature_rows(leads, events, as_of, settings).frame()


def _column(values: FloatArray | list[str], kind: str) -> Column:
    if kind == "categorical":
        texts: list[str | None] = list(values)
        return texts
    return np.asarray(values, dtype=np.float64)
