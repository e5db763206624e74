"""Point-in-time training sets: features as of each snapshot, labels from after it.

A row is a (lead, snapshot) pair for every lead that existed at the snapshot (its first event
or its creation at or before it) and had not booked a meeting by then. Its features come from
`compute` with as_of = snapshot, so no later event can reach them; its label looks only at
(snapshot, snapshot + horizon].
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

import numpy as np
import pandas as pd
from sqlalchemy.orm import Session

from features._segments import DAY
from features.arrays import TYPE_CODE, BoolArray, FloatArray, epoch_seconds
from features.catalog import feature_names
from features.load import Loaded, load_team
from leads.errors import ValidationFailed

Target = Literal["meeting", "converted"]


@dataclass(frozen=True, slots=True)
class TrainingSet:
    """Rows of `lead_id`, `snapshot`, the features, `label` and `converted`.

    `label` is 1 when the lead booked a meeting within the horizon after the snapshot;
    `converted` is the lead's imported outcome (1, 0, or NaN when unknown).
    """

    frame: pd.DataFrame
    horizon_days: int

    @property
    def features(self) -> pd.DataFrame:
        """The feature columns, in catalogue order."""
        return self.frame[feature_names()]

    def labels(self, target: Target = "meeting") -> pd.Series:
        """The meeting label, or the imported `converted` outcome."""
        return self.frame["label" if target == "meeting" else "converted"]


def training_set(
    session: Session, *, team_id: int, snapshots: Sequence[datetime], horizon_days: int = 30
) -> TrainingSet:
    """Features of the team's leads as of each snapshot, with what happened next."""
    if not snapshots:
        raise ValidationFailed("snapshots", "give at least one snapshot time")
    if horizon_days < 1:
        raise ValidationFailed("horizon_days", "must be 1 or more")
    until = max(snapshots) + timedelta(days=horizon_days)
    loaded = load_team(session, team_id=team_id, as_of=until)
    parts = [_rows(loaded, snapshot, horizon_days) for snapshot in snapshots]
    frame = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    return TrainingSet(frame, horizon_days)


def _rows(loaded: Loaded, snapshot: datetime, horizon_days: int) -> pd.DataFrame:
    at = epoch_seconds(snapshot)
    eligible = _existed(loaded, at) & ~_booked(loaded, -np.inf, at)
    label = _booked(loaded, at, at + horizon_days * DAY)
    features = loaded.features_as_of(at)
    frame = features[eligible].reset_index()
    frame.insert(1, "snapshot", pd.Timestamp(snapshot).tz_convert("UTC"))
    frame["label"] = label[eligible].astype(np.int64)
    frame["converted"] = loaded.leads.converted[eligible]
    return frame


def _existed(loaded: Loaded, at: float) -> BoolArray:
    events, size = loaded.events, len(loaded.leads)
    first: FloatArray = np.full(size, np.inf)
    np.minimum.at(first, events.lead[events.lead >= 0], events.t[events.lead >= 0])
    return (first <= at) | (loaded.leads.created_at <= at)


def _booked(loaded: Loaded, after: float, until: float) -> BoolArray:
    """Per lead: a meeting was booked in (after, until]."""
    events = loaded.events
    hits = (events.type == TYPE_CODE["meeting_booked"]) & (events.t > after) & (events.t <= until)
    hits &= events.lead >= 0
    return np.bincount(events.lead[hits], minlength=len(loaded.leads)) > 0
