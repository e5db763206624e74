"""The reads behind `features.load`: one statement per table, shared by the online and batch
paths so both see exactly the same values, then turned into `features.arrays`.

Payload fields: on a simulated team of 2.8M events (SQLite, 2 cores; bench/features_speed.py),
fetching the payload JSON of only the types whose fields are read and parsing it with orjson
took 4.1 s, against 7.3 s for the seven fields extracted in SQL with JSON accessors
(`Event.payload["link_kind"].as_string()`, ...) for the same types and 7.6 s for every row.
Timestamps are read as text in one fixed format and parsed by numpy's `datetime64` in one call
rather than through the ORM's per-row datetime processing: 4 us for the 50 events of a lead
(Arrow, used before, took 24 us of call overhead) and 10 ms for 170k (Arrow: 12 ms).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from functools import cache, lru_cache
from typing import Any

import numpy as np
import orjson
from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    Select,
    String,
    Text,
    bindparam,
    case,
    cast,
    func,
    literal,
    select,
    type_coerce,
)
from sqlalchemy.orm import Session

from features.arrays import (
    EMPTY_DOCUMENTS,
    PAYLOAD_TYPES,
    DocumentTable,
    EventArrays,
    FloatArray,
    LeadArrays,
    event_arrays,
    lead_arrays,
    lead_rows,
    micros_to_seconds,
)
from leads.bulk import gc_paused
from leads.errors import NotFound
from leads.tables import Document, DocumentPage, Event, Lead, Team
from leads.team_settings import TeamSettings

Bind = Session | Engine | Connection


@contextmanager
def connected(bind: Bind) -> Iterator[Connection]:
    """A connection of `bind`; a session's own (after a flush), so reads see its changes."""
    if isinstance(bind, Session):
        bind.flush()
        yield bind.connection()
    elif isinstance(bind, Engine):
        with bind.connect() as connection:
            yield connection
    else:
        yield bind


def read_settings(connection: Connection, *, team_id: int) -> TeamSettings:
    """The team's settings (raises `NotFound` for a team that does not exist)."""
    stored = connection.execute(_settings_statement(), {"team_id": team_id}).scalar()
    if stored is None:
        raise NotFound("team", team_id)
    return _settings(stored)


def read_leads(connection: Connection, *, team_id: int) -> LeadArrays:
    """The team's leads, ordered by id."""
    rows = connection.execute(_leads_statement(False), {"team_id": team_id}).all()
    return lead_arrays([_with_interests(row) for row in rows])


def read_lead(
    connection: Connection, *, team_id: int, lead_id: int
) -> tuple[LeadArrays, TeamSettings]:
    """One lead of the team and the team's settings, in one round trip."""
    rows = connection.execute(
        _leads_statement(True), {"team_id": team_id, "lead_id": lead_id}
    ).all()
    if not rows:
        raise NotFound("lead", lead_id)
    lead = _with_interests(rows[0][1:])
    return lead_arrays([lead]), _settings(rows[0][0])


@lru_cache(maxsize=64)
def _settings(stored: str) -> TeamSettings:
    # Validated once per stored text (the same text is the same settings, so nothing can go
    # stale): validating them cost a twentieth of a lead's online features. The instance is
    # shared between reads, as `Loaded.settings` says. Read as JSON text, orjson parses it 3x
    # faster than the JSON type's json.loads, to the same values; text orjson refuses (NaN,
    # very large integers) goes through json.loads.
    try:
        value = orjson.loads(stored)
    except orjson.JSONDecodeError:
        value = json.loads(stored)
    return TeamSettings.model_validate(value)


def _mapping(payload: Any) -> dict[str, Any] | None:
    return payload if isinstance(payload, dict) else None


def lead_row(lead: Lead) -> tuple[Any, ...]:
    """A stored lead as the row `_leads_statement` reads for it (`lead_arrays`' input)."""
    return (
        lead.id, lead.title, lead.industry, lead.country, lead.source, lead.language,
        lead.revenue_usd, lead.employees, lead.product_interests or [], lead.created_at,
        lead.converted,
    )  # fmt: skip


def _with_interests(row: Sequence[Any]) -> tuple[Any, ...]:
    # product_interests comes as JSON text: orjson reads it 4x faster than the JSON type.
    interests = orjson.loads(row[8]) if row[8] is not None else []
    return (*row[:8], interests if isinstance(interests, list) else [], *row[9:])


def read_documents(connection: Connection, *, team_id: int) -> DocumentTable:
    """The team's Pulse documents and the topic of each page."""
    rows = connection.execute(_documents_statement(), {"team_id": team_id}).all()
    return DocumentTable.from_pages([(slug, number, topic) for slug, number, topic in rows])


def read_events(
    connection: Connection,
    *,
    team_id: int,
    leads: LeadArrays,
    until: datetime,
    lead_id: int | None = None,
    lead_ids: Sequence[int] | None = None,
) -> EventArrays:
    """The events of the team (or of one lead, or of `lead_ids`) at or before `until`, ordered
    by lead row, time and id, so that sums run in the same order online and in batch (bit for
    bit)."""
    if lead_ids is not None and len(lead_ids) == 1:  # one lead: its own statement
        lead_id, lead_ids = lead_ids[0], None
    some = "one" if lead_id is not None else "some" if lead_ids is not None else "all"
    statement = _events_statement(connection.dialect.name, some)
    values = {"team_id": team_id, "lead_id": lead_id, "lead_ids": lead_ids, "until": until}
    with gc_paused():
        rows = connection.execute(statement, values).all()
        ids, types, times, human, texts, *of_lead = (
            zip(*rows, strict=True) if rows else [()] * len(statement.selected_columns)
        )
        payloads = [None if text is None else _mapping(orjson.loads(text)) for text in texts]
        # Most leads never open a document: skip the read of the document table for them.
        documents = EMPTY_DOCUMENTS
        if any(p is not None and "document" in p for p in payloads):
            documents = read_documents(connection, team_id=team_id)
        if lead_id is None:
            lead = lead_rows(of_lead[0], leads)
        else:  # the statement read only this lead's events: its row is looked up once
            known = leads.id.tolist()
            lead = np.full(len(rows), known.index(lead_id) if lead_id in known else -1)
        events = event_arrays(
            lead=lead, types=types, t=parse_times(times), human=human, payloads=payloads,
            documents=documents,
        )  # fmt: skip
    order = np.lexsort((np.array(ids, dtype=np.int64), events.t, events.lead))
    return events.take(order)


# Statements are built once (per dialect) with bound parameters: building a select costs more
# than running it for one lead.


@cache
def _settings_statement() -> Select[*tuple[Any, ...]]:
    return select(cast(Team.settings, Text)).where(Team.id == bindparam("team_id"))


@cache
def _leads_statement(one_lead: bool) -> Select[*tuple[Any, ...]]:
    columns = (
        Lead.id, Lead.title, Lead.industry, Lead.country, Lead.source, Lead.language,
        Lead.revenue_usd, Lead.employees, cast(Lead.product_interests, Text), Lead.created_at,
        Lead.converted,
    )  # fmt: skip
    if one_lead:
        return (
            select(cast(Team.settings, Text), *columns)
            .join(Team, Team.id == Lead.team_id)
            .where(Lead.team_id == bindparam("team_id"), Lead.id == bindparam("lead_id"))
        )
    return select(*columns).where(Lead.team_id == bindparam("team_id")).order_by(Lead.id)


@cache
def _documents_statement() -> Select[*tuple[Any, ...]]:
    return (
        select(Document.slug, DocumentPage.number, DocumentPage.topic)
        .join(DocumentPage, DocumentPage.document_id == Document.id)
        .where(Document.team_id == bindparam("team_id"))
    )


@cache
def _events_statement(dialect: str, leads: str) -> Select[*tuple[Any, ...]]:
    """The events of `leads`: "one" (parameter `lead_id`), "some" (`lead_ids`) or "all"."""
    # The types as bound values, not one expanding IN parameter: that one is rendered into the
    # SQL on every execution, a quarter of the statement's cost for one lead.
    read = Event.type.in_([literal(name) for name in PAYLOAD_TYPES])
    payload = case((read, cast(Event.payload, Text)), else_=None)
    statement = select(Event.id, Event.type, _time_text(dialect), Event.human, payload).where(
        Event.occurred_at <= bindparam("until")
    )
    if leads == "one":  # every row is the lead's: its id is not read again for each
        return statement.where(
            Event.team_id == bindparam("team_id"), Event.lead_id == bindparam("lead_id")
        )
    statement = statement.add_columns(Event.lead_id)
    if leads == "some":  # a few leads: through the (team, lead, time) index
        return statement.where(
            Event.team_id == bindparam("team_id"),
            Event.lead_id.in_(bindparam("lead_ids", expanding=True)),
        )
    if dialect == "sqlite":
        # Walking the (team, lead, time) index costs a table look-up per row: for a whole
        # team, a scan of the table is 3x faster (2.1M events: 2.5 s against 7.6 s). `+ 0`
        # keeps SQLite off the index.
        return statement.where(Event.team_id + 0 == bindparam("team_id"))
    return statement.where(Event.team_id == bindparam("team_id"))


def _time_text(dialect: str) -> ColumnElement[str]:
    """The event time as UTC text `YYYY-MM-DD HH:MM:SS.ffffff`, as SQLite stores it."""
    if dialect == "sqlite":
        return type_coerce(Event.occurred_at, String)
    utc = func.timezone("UTC", Event.occurred_at)
    return func.to_char(utc, "YYYY-MM-DD HH24:MI:SS.US", type_=String)


def parse_times(texts: Sequence[str]) -> FloatArray:
    """Epoch seconds of UTC timestamps written `YYYY-MM-DD HH:MM:SS[.ffffff]`."""
    micros = np.array(texts, dtype="datetime64[us]").view(np.int64)
    return micros_to_seconds(micros)
