"""Reading what `compute` needs from the database: one lead (online) or a whole team (batch).

Both paths read through the same statements (`features._sql`) and feed the same `compute`, so a
lead's features are the same whichever path computed them. The one-lead paths also give the
features as `FeatureRows` (`online_rows`, `transient_rows`), which score without pandas.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy.orm import Session

from features._sql import (
    Bind,
    connected,
    lead_row,
    read_documents,
    read_events,
    read_lead,
    read_leads,
    read_settings,
)
from features.arrays import EventArrays, LeadArrays, epoch_seconds, event_arrays, lead_arrays
from features.compute import compute, feature_rows
from features.frames import FeatureRows
from leads.tables import Lead, utcnow
from leads.team_settings import TeamSettings


@dataclass(frozen=True, slots=True)
class Loaded:
    """Leads, their events up to `as_of` (epoch seconds) and the team's settings.

    `settings` is shared by every load of the same stored settings: read it, never change it.
    """

    leads: LeadArrays
    events: EventArrays
    settings: TeamSettings
    as_of: float

    def features(self) -> pd.DataFrame:
        """The feature frame of these leads as of `as_of`."""
        return self.rows().frame()

    def rows(self) -> FeatureRows:
        """The features of these leads as of `as_of`, as computed (no frame built)."""
        return feature_rows(self.leads, self.events, self.as_of, self.settings)

    def features_as_of(self, at: float) -> pd.DataFrame:
        """The feature frame of these leads as of an earlier moment (epoch seconds)."""
        if at > self.as_of:
            raise ValueError("events after as_of were not read: load again with a later as_of")
        return compute(self.leads, self.events, at, self.settings)


def load_lead(
    session: Session, *, team_id: int, lead_id: int, as_of: datetime | None = None
) -> Loaded:
    """One lead of the team and its events up to `as_of` (default: now)."""
    moment = as_of or utcnow()
    with connected(session) as connection:
        leads, settings = read_lead(connection, team_id=team_id, lead_id=lead_id)
        events = read_events(
            connection, team_id=team_id, leads=leads, until=moment, lead_id=lead_id
        )
    return Loaded(leads, events, settings, epoch_seconds(moment))


def load_team(bind: Bind, *, team_id: int, as_of: datetime | None = None) -> Loaded:
    """Every lead of the team and all their events up to `as_of` (default: now).

    `bind` is a session (its transaction is used), an engine or a connection.
    """
    moment = as_of or utcnow()
    with connected(bind) as connection:
        settings = read_settings(connection, team_id=team_id)
        leads = read_leads(connection, team_id=team_id)
        events = read_events(connection, team_id=team_id, leads=leads, until=moment)
    return Loaded(leads, events, settings, epoch_seconds(moment))


def online_features(
    session: Session, *, team_id: int, lead_id: int, as_of: datetime | None = None
) -> pd.DataFrame:
    """The one-row feature frame of a lead, read now (or as of `as_of`)."""
    return online_rows(session, team_id=team_id, lead_id=lead_id, as_of=as_of).frame()


def online_rows(
    session: Session, *, team_id: int, lead_id: int, as_of: datetime | None = None
) -> FeatureRows:
    """A lead's features read now (or as of `as_of`): `online_features` without the frame."""
    return load_lead(session, team_id=team_id, lead_id=lead_id, as_of=as_of).rows()


def held_rows(
    session: Session,
    *,
    leads: Sequence[Lead],
    settings: TeamSettings,
    as_of: datetime | None = None,
) -> FeatureRows:
    """`online_rows` of leads of one team the caller already holds, with the team's settings:
    only their events are read (the per-event loop has the rest in hand; reading it again cost
    a tenth of its features). The leads' attributes are taken as the session holds them,
    changes not yet flushed included. Rows are in lead id order."""
    moment = as_of or utcnow()
    with connected(session) as connection:  # flushed first: a new lead gets its id and defaults
        held = sorted(leads, key=lambda lead: lead.id)
        arrays = lead_arrays([lead_row(lead) for lead in held])
        team_id = held[0].team_id if held else 0
        ids = [lead.id for lead in held]
        events = read_events(connection, team_id=team_id, leads=arrays, until=moment, lead_ids=ids)
    return Loaded(arrays, events, settings, epoch_seconds(moment)).rows()


def batch_features(bind: Bind, *, team_id: int, as_of: datetime | None = None) -> pd.DataFrame:
    """The feature frame of every lead of the team, as of now (or `as_of`)."""
    return load_team(bind, team_id=team_id, as_of=as_of).features()


@dataclass(frozen=True, slots=True)
class TransientLead:
    """A lead that is not stored: its normalised column values and its events (as dicts with
    `type`, `occurred_at` (aware datetime), optional `payload` and `human`)."""

    values: Mapping[str, Any]
    events: Sequence[Mapping[str, Any]] = ()


def transient_features(
    session: Session,
    *,
    team_id: int,
    leads: Sequence[TransientLead],
    as_of: datetime | None = None,
) -> pd.DataFrame:
    """The feature frame of leads given in the request, not read from the record.

    The frame of `transient_rows`: its index is the position in `leads` (0, 1, ...).
    """
    return transient_rows(session, team_id=team_id, leads=leads, as_of=as_of).frame()


def transient_rows(
    session: Session,
    *,
    team_id: int,
    leads: Sequence[TransientLead],
    as_of: datetime | None = None,
) -> FeatureRows:
    """The features of leads given in the request, not read from the record.

    The rows go through the same `lead_arrays` / `event_arrays` / `compute` as stored leads,
    with the team's settings and documents, so a lead scored this way and the same lead stored
    get the same features. Their ids are the positions in `leads` (0, 1, ...).
    """
    moment = as_of or utcnow()
    with connected(session) as connection:
        settings = read_settings(connection, team_id=team_id)
        wants_documents = any(
            isinstance(e.get("payload"), Mapping) and "document" in e["payload"]
            for lead in leads
            for e in lead.events
        )
        documents = read_documents(connection, team_id=team_id) if wants_documents else None
    rows = [
        (
            i, v.get("title"), v.get("industry"), v.get("country"), v.get("source"),
            v.get("language"), v.get("revenue_usd"), v.get("employees"),
            list(v.get("product_interests") or ()), v.get("created_at") or moment,
            v.get("converted"),
        )
        for i, v in enumerate(lead.values for lead in leads)
    ]  # fmt: skip
    flat = [(i, e) for i, lead in enumerate(leads) for e in lead.events]
    events = event_arrays(
        lead=np.array([i for i, _ in flat], dtype=np.int64),
        types=[str(e["type"]) for _, e in flat],
        t=np.array([epoch_seconds(e["occurred_at"]) for _, e in flat], dtype=np.float64),
        human=[e.get("human") for _, e in flat],
        payloads=[dict(e.get("payload") or {}) for _, e in flat],
        **({"documents": documents} if documents is not None else {}),
    )
    order = np.lexsort((events.t, events.lead))
    return feature_rows(lead_arrays(rows), events.take(order), epoch_seconds(moment), settings)
