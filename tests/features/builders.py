"""Plain builders for feature tests: leads and events by hand, in arrays or in the database."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy.orm import Session

from features import DocumentTable, EventArrays, LeadArrays, event_arrays, lead_arrays
from features.arrays import epoch_seconds
from leads.documents import PageSpec, create_document
from leads.events import NewEvent, record_event
from leads.tables import Lead, Team

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
DECK_TOPICS = (
    "intro",
    "problem",
    *("product",) * 6,
    "pricing",
    "case_study",
    "security",
    "contact",
)


def deck_pages() -> list[PageSpec]:
    """A 12-page deck: pages 3-8 product, page 9 pricing."""
    return [PageSpec(f"page {n}", topic) for n, topic in enumerate(DECK_TOPICS, start=1)]


def deck_table() -> DocumentTable:
    """The same deck as `deck_pages`, as a document table."""
    return DocumentTable.from_pages(
        [("deck", n, topic) for n, topic in enumerate(DECK_TOPICS, start=1)]
    )


@dataclass
class Timeline:
    """Events of hand-built leads, written as arrays (`arrays`) or into the database (`write`)."""

    rows: list[tuple[int, str, float, float | None, dict[str, Any] | None]] = field(
        default_factory=list
    )

    def add(
        self, lead: int, kind: str, days_ago: float, human: float | None = None, **payload: Any
    ) -> Timeline:
        self.rows.append((lead, kind, days_ago, human, payload))
        return self

    def arrays(self, documents: DocumentTable | None = None) -> EventArrays:
        """The events as arrays; `lead` is the row of the lead, times count back from NOW."""
        now = epoch_seconds(NOW)
        return event_arrays(
            lead=np.array([r[0] for r in self.rows], dtype=np.int64),
            types=[r[1] for r in self.rows],
            t=np.array([now - r[2] * 86_400 for r in self.rows], dtype=np.float64),
            human=[r[3] for r in self.rows],
            payloads=[r[4] for r in self.rows],
            documents=documents or deck_table(),
        )

    def write(self, session: Session, team: Team, leads: list[Lead], now: datetime) -> None:
        """Record the events; `lead` is a position in `leads`, times count back from `now`."""
        for lead, kind, days_ago, human, payload in self.rows:
            event = NewEvent(
                lead_id=leads[lead].id, type=kind, occurred_at=now - timedelta(days=days_ago),
                payload=payload or {}, human=human,
            )  # fmt: skip
            record_event(session, team_id=team.id, event=event)


def plain_leads(count: int, **values: Any) -> LeadArrays:
    """`count` leads with ids 1..count and the given attributes (others unknown)."""
    row = {
        "title": None, "industry": None, "country": None, "source": None, "language": None,
        "revenue_usd": None, "employees": None, "product_interests": [],
        "created_at": NOW - timedelta(days=365), "converted": None,
    }  # fmt: skip
    row.update(values)
    return lead_arrays([(i, *row.values()) for i in range(1, count + 1)])


def add_deck(session: Session, team: Team, slug: str = "deck") -> None:
    """The 12-page deck, as a Pulse document of the team."""
    create_document(session, team_id=team.id, slug=slug, title="Deck", pages=deck_pages())
