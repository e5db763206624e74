from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import orjson
import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from leads.db import make_engine, session_factory
from leads.errors import NotFound
from leads.events import EVENT_TYPES
from leads.migrate import upgrade
from leads.simulation import SimulationReport, rank_auc, simulate
from leads.tables import Document, Event, Lead, SimulatedTruth, Team
from leads.teams import create_team

LEADS, DAYS = 400, 30
START = datetime(2025, 3, 3, 7, 30, tzinfo=UTC)
HANGUL_NAME = re.compile(r"^[가-힣]{3}$")


@dataclass
class Run:
    """A finished simulation read back: its report, leads by id, events and truth."""

    report: SimulationReport
    leads: dict[int, Lead]
    events: list[Any]
    truth: dict[int, SimulatedTruth]

    def per_lead(self, kind: str, human: bool | None = None) -> Counter[int]:
        return Counter(
            e.lead_id
            for e in self.events
            if e.type == kind and (human is None or (e.human is not None and e.human > 0.9))
        )


def fresh_engine(path: Path) -> Engine:
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    return engine


def run_into(engine: Engine, *, seed: int, start: datetime | None = START) -> Run:
    with session_factory(engine)() as session, session.begin():
        team, _key = create_team(session, name=f"sim-{seed}-{start}")
        report = simulate(session, team_id=team.id, leads=LEADS, days=DAYS, seed=seed, start=start)
        return read_back(session, team, report)


def read_back(session: Session, team: Team, report: SimulationReport) -> Run:
    leads = {lead.id: lead for lead in session.scalars(select(Lead).where(Lead.team_id == team.id))}
    events = session.execute(
        select(
            Event.lead_id,
            Event.type,
            Event.occurred_at,
            Event.payload,
            Event.human,
            Event.idempotency_key,
        ).where(Event.team_id == team.id)
    ).all()
    truth = {
        row.lead_id: row
        for row in session.scalars(select(SimulatedTruth).where(SimulatedTruth.team_id == team.id))
    }
    return Run(report, leads, list(events), truth)


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Run]:
    engine = fresh_engine(tmp_path_factory.mktemp("simulation") / "run.db")
    yield run_into(engine, seed=11)
    engine.dispose()


def lead_rows(run: Run) -> list[tuple[Any, ...]]:
    return sorted(
        (
            lead.email,
            lead.name,
            lead.first_name,
            lead.company,
            lead.domain,
            lead.title,
            lead.industry,
            lead.revenue_usd,
            lead.revenue_amount,
            lead.revenue_currency,
            lead.employees,
            lead.country,
            lead.city,
            lead.timezone,
            lead.language,
            lead.source,
            tuple(lead.product_interests),
            orjson.dumps(lead.attributes, option=orjson.OPT_SORT_KEYS),
        )
        for lead in run.leads.values()
    )


def event_rows(run: Run) -> Counter[tuple[Any, ...]]:
    return Counter(
        (
            e.type,
            run.leads[e.lead_id].email,
            e.occurred_at,
            orjson.dumps(e.payload, option=orjson.OPT_SORT_KEYS),
            e.human,
            e.idempotency_key,
        )
        for e in run.events
    )


def test_the_same_seed_gives_the_same_leads_and_events_and_another_seed_does_not(
    tmp_path: Path,
) -> None:
    first = run_into(fresh_engine(tmp_path / "a.db"), seed=5)
    again = run_into(fresh_engine(tmp_path / "b.db"), seed=5)
    other = run_into(fresh_engine(tmp_path / "c.db"), seed=6)

    assert len(first.leads) == LEADS
    assert lead_rows(first) == lead_rows(again)
    assert event_rows(first) == event_rows(again)
    assert first.report.events == len(first.events) > 0
    assert lead_rows(first) != lead_rows(other)
    assert event_rows(first) != event_rows(other)


def test_running_the_same_simulation_again_adds_nothing(session: Session, team: Team) -> None:
    first = simulate(session, team_id=team.id, leads=150, days=20, seed=3, start=START)
    second = simulate(session, team_id=team.id, leads=150, days=20, seed=3, start=START)
    events = session.scalar(select(func.count()).where(Event.team_id == team.id))
    truths = session.scalar(select(func.count()).where(SimulatedTruth.team_id == team.id))
    documents = session.scalar(select(func.count()).where(Document.team_id == team.id))

    assert first.new_events == first.events == events
    assert second.new_events == 0
    assert second.events == first.events
    assert truths == 150
    assert (first.documents_created, second.documents_created, documents) == (3, 0, 3)


def test_security_scanners_click_every_link_within_seconds_and_look_machine_made(
    run: Run,
) -> None:
    delivered = {
        (e.lead_id, e.payload["message"]): e.occurred_at
        for e in run.events
        if e.type == "email_delivered"
    }
    scanner_clicks = [
        e for e in run.events if e.type == "link_clicked" and e.payload.get("agent") == "scanner"
    ]
    assert scanner_clicks
    for click in scanner_clicks:
        after = click.occurred_at - delivered[(click.lead_id, click.payload["message"])]
        assert timedelta(0) < after <= timedelta(seconds=15)
        assert click.human < 0.5
        assert click.payload["link_kind"] in {"pricing", "product", "case_study", "blog", "booking"}
    proxies = [e for e in run.events if e.payload.get("agent") == "proxy"]
    assert proxies
    assert all(e.type == "email_opened" and e.human == pytest.approx(0.3) for e in proxies)


def deciles(run: Run) -> tuple[list[int], list[int]]:
    """Lead ids of the lowest and the highest p_convert decile."""
    ranked = sorted(run.truth, key=lambda lead_id: run.truth[lead_id].p_convert)
    size = len(ranked) // 10
    return ranked[:size], ranked[-size:]


def test_engagement_and_meetings_rise_with_the_true_conversion_chance(run: Run) -> None:
    bottom, top = deciles(run)
    meetings = run.per_lead("meeting_booked")
    opens = run.per_lead("email_opened", human=True)
    clicks = run.per_lead("link_clicked", human=True)

    def rate(counts: Counter[int], leads: list[int]) -> float:
        return sum(counts[lead] for lead in leads) / len(leads)

    assert rate(meetings, top) > 3 * rate(meetings, bottom)
    assert rate(meetings, top) > 0.1
    assert rate(opens, top) > 1.5 * rate(opens, bottom)
    assert rate(clicks, top) > 1.5 * rate(clicks, bottom)


def test_p_convert_ranks_meetings_well_but_not_perfectly(run: Run) -> None:
    meetings = run.per_lead("meeting_booked")
    p = [t.p_convert for t in run.truth.values()]
    converted = [t.converted for t in run.truth.values()]

    assert all(meetings[lead_id] == int(t.converted) for lead_id, t in run.truth.items())
    assert run.report.meetings == run.report.conversions == sum(converted)
    assert 0.7 < rank_auc(p, converted) < 0.99


def test_rank_auc_agrees_with_counting_pairs() -> None:
    rng = np.random.default_rng(0)
    scores = rng.integers(0, 5, 60).astype(float)  # many ties
    labels = rng.random(60) < 0.3
    pairs = [
        1.0 if s > t else 0.5 if s == t else 0.0
        for s, positive in zip(scores, labels, strict=True)
        if positive
        for t, negative in zip(scores, labels, strict=True)
        if not negative
    ]
    assert rank_auc(scores, labels) == pytest.approx(sum(pairs) / len(pairs))


def test_no_event_lies_in_the_future(session: Session, team: Team) -> None:
    now = datetime.now(UTC)
    simulate(session, team_id=team.id, leads=100, days=30, seed=2, start=now - timedelta(days=10))
    simulate(session, team_id=team.id, leads=100, days=7, seed=2)
    latest = session.scalar(select(func.max(Event.occurred_at)).where(Event.team_id == team.id))
    assert latest is not None
    assert now - timedelta(days=2) < latest <= datetime.now(UTC)


def test_korean_leads_have_korean_names_titles_and_language(run: Run) -> None:
    korean = [lead for lead in run.leads.values() if lead.country == "KR"]
    others = [lead for lead in run.leads.values() if lead.country != "KR"]
    assert korean
    assert others
    for lead in korean:
        assert lead.language == "ko"
        assert lead.timezone == "Asia/Seoul"
        assert HANGUL_NAME.match(lead.name or ""), lead.name
        assert lead.name is not None
        assert lead.first_name == lead.name[1:]
        assert lead.email is not None
        assert lead.email.isascii()
    assert any(re.search(r"[가-힣]", lead.title or "") for lead in korean)
    assert all(lead.language == "en" and (lead.name or "").isascii() for lead in others)
    assert len({lead.email for lead in run.leads.values()}) == len(run.leads)


def test_every_event_type_is_a_known_one_and_every_key_is_the_simulators(run: Run) -> None:
    assert {e.type for e in run.events} <= set(EVENT_TYPES)
    assert {e.type for e in run.events} >= {
        "email_sent",
        "email_delivered",
        "email_opened",
        "link_clicked",
        "doc_viewed",
        "page_dwell",
        "form_submitted",
        "meeting_booked",
    }
    assert all(e.idempotency_key.startswith("sim:11:") for e in run.events)


def test_nothing_is_sent_after_an_unsubscribe_a_bounce_or_a_meeting(run: Run) -> None:
    stops: dict[int, datetime] = {}
    sends: defaultdict[int, list[datetime]] = defaultdict(list)
    for e in run.events:
        if e.type in {"unsubscribed", "bounced", "meeting_booked"}:
            stops[e.lead_id] = min(e.occurred_at, stops.get(e.lead_id, e.occurred_at))
        elif e.type == "email_sent":
            sends[e.lead_id].append(e.occurred_at)
    assert stops
    for lead_id, stop in stops.items():
        assert all(sent <= stop for sent in sends[lead_id])


def test_documents_have_a_pricing_page_and_reading_goes_page_by_page(run: Run) -> None:
    dwell = [e for e in run.events if e.type == "page_dwell"]
    views = [e for e in run.events if e.type == "doc_viewed"]
    assert dwell
    assert views
    assert {e.payload["document"] for e in dwell} <= {e.payload["document"] for e in views}
    assert any(e.payload["document"] == "product-deck" and e.payload["page"] == 9 for e in dwell)
    assert all(e.payload["seconds"] >= 1 and e.payload["page"] >= 1 for e in dwell)


def test_progress_is_reported_per_block_and_an_unknown_team_is_refused(
    session: Session, team: Team
) -> None:
    calls: list[tuple[str, int, int]] = []
    simulate(
        session,
        team_id=team.id,
        leads=30,
        days=5,
        seed=1,
        progress=lambda stage, done, total: calls.append((stage, done, total)),
    )
    assert calls == [("leads", 30, 30), ("events", 30, 30)]
    with pytest.raises(NotFound):
        simulate(session, team_id=team.id + 10_000, leads=1, days=1, seed=1)
