"""The world of bench/scoring_api.py: a simulated team with a trained, registered and promoted
champion, the request material drawn from its record, the dynamic lists it creates, and what
`leadpulse serve` needs in its environment to serve it."""

from __future__ import annotations

import argparse
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from _api_events import EVENT_MIX
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from leads import db, migrate
from leads.simulation import simulate
from leads.tables import Event, Lead, Team
from leads.teams import create_team, settings_of
from model import registry
from model.bulk_scoring import score_team
from model.retrain import candidate, training_frame
from model.scorer import LeadScorer
from model.settings import ModelSettings
from model.training import train

INLINE_EVENTS = 10  # the latest events of each inline lead
LEAD_COLUMNS: tuple[str, ...] = ("company", "title", "industry", "employees", "country", "city")
LEAD_COLUMNS += ("language", "source", "product_interests")
ENGAGING = ["email_opened", "link_clicked", "email_replied", "doc_viewed", "page_dwell"]
LISTS: dict[str, dict[str, Any]] = {
    "clicked the last campaign twice": {
        "events": {"type": "link_clicked", "campaign": "@last"},
        "op": ">=",
        "value": 2,
    },
    "replied": {"events": {"type": "email_replied"}, "op": ">=", "value": 1},
    "signed up": {
        "events": {"type": "api_event", "payload": {"action": "signup"}},
        "op": ">=",
        "value": 1,
    },
    "quiet for 30 days": {
        "events": {"types": ENGAGING, "within_days": 30},
        "op": "<=",
        "value": 1,
    },
    "score at least 0.5": {"field": "score", "op": ">=", "value": 0.5},
    "clicked one link 3 times": {
        "events": {"type": "link_clicked", "per": "link"},
        "op": ">=",
        "value": 3,
    },
}


# --- setup ---------------------------------------------------------------------------------


@dataclass
class Setup:
    """The team, its key, the model store and the request material drawn from the record."""

    db_url: str
    team_id: int
    key: str
    settings: ModelSettings
    scorer: LeadScorer
    version: str
    lead_ids: list[int]
    inline: list[dict[str, Any]] = field(default_factory=list)  # {"lead", "events"} per lead
    payloads: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    workers: int = 1


def prepare(arguments: argparse.Namespace, folder: Path) -> Setup:
    db_url = arguments.db_url or f"sqlite:///{folder / 'api.db'}"
    engine = db.make_engine(db_url)
    migrate.upgrade(engine)
    with db.unit_of_work(engine) as session:
        team, key = create_team(session, name=f"bench-api-{uuid.uuid4().hex[:6]}")
        began = time.perf_counter()
        simulate(
            session,
            team_id=team.id,
            leads=arguments.leads,
            days=arguments.days,
            seed=arguments.seed,
        )
        print(
            f"simulated {arguments.leads:,} leads x {arguments.days} days "
            f"in {time.perf_counter() - began:.1f} s"
        )
    if engine.dialect.name == "postgresql":
        # What autovacuum does a while after a bulk load: without statistics the planner walks
        # the team's events by type for one lead's list conditions (90 ms instead of 1 ms).
        with engine.connect() as connection:
            connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE")
    settings = ModelSettings(
        mlflow_tracking_uri=f"sqlite:///{folder / 'mlflow.db'}",
        mlflow_artifacts=folder / "artifacts",
        model_name="bench-api-scorer",
    )
    with db.unit_of_work(engine) as session:
        team = session.get_one(Team, team.id)
        scorer, version = champion(session, team, folder, settings)
        began = time.perf_counter()
        stages = score_team(session, team=team, scorer=scorer, version=version)
        print(f"scored the team in {time.perf_counter() - began:.1f} s: {dict(stages)}")
    setup = Setup(db_url, team.id, key, settings, scorer, version, [], workers=arguments.workers)
    with db.unit_of_work(engine) as session:
        material(session, setup)
    engine.dispose()
    return setup


def champion(
    session: Session, team: Team, folder: Path, settings: ModelSettings
) -> tuple[LeadScorer, str]:
    """Train LightGBM on the team, register it and promote it to champion; load it back."""
    began = time.perf_counter()
    frame = training_frame(session, team_id=team.id)
    result = train(frame, seed=0, kinds=("lightgbm",))
    parts = candidate(
        result,
        folder / "parts",
        team=team.name,
        settings=settings_of(team),
        target="meeting",
        window="bench",
    )
    registry.register(parts, settings=settings)
    promotion = registry.promote(settings=settings)
    loaded = registry.load_scorer(registry.CHAMPION, settings=settings)
    if loaded is None:
        raise RuntimeError("the promoted champion did not load")
    print(
        f"trained on {len(frame):,} rows, registered and promoted in "
        f"{time.perf_counter() - began:.1f} s: {promotion.message}"
    )
    return loaded


def material(session: Session, setup: Setup) -> None:
    """Lead ids, inline leads (fields and latest events) and event payloads by type."""
    leads = session.scalars(select(Lead).where(Lead.team_id == setup.team_id)).all()
    setup.lead_ids = [lead.id for lead in leads]
    rank = func.row_number().over(partition_by=Event.lead_id, order_by=Event.occurred_at.desc())
    latest = (
        select(Event.lead_id, Event.type, Event.occurred_at, Event.payload, Event.human)
        .where(Event.team_id == setup.team_id, ~Event.type.in_(["list_entered", "list_left"]))
        .add_columns(rank.label("rank"))
        .subquery()
    )
    events: dict[int, list[dict[str, Any]]] = {}
    for row in session.execute(select(latest).where(latest.c.rank <= INLINE_EVENTS)):
        events.setdefault(row.lead_id, []).append(
            {
                "type": row.type,
                "occurred_at": row.occurred_at.isoformat(),
                "payload": row.payload,
                "human": row.human,
            }
        )
        if row.type in EVENT_MIX and len(setup.payloads.setdefault(row.type, [])) < 200:
            setup.payloads[row.type].append(row.payload)
    for lead in leads:
        fields = {c: getattr(lead, c) for c in LEAD_COLUMNS if getattr(lead, c) not in (None, [])}
        if lead.revenue_usd is not None:
            fields["revenue"] = f"{lead.revenue_usd:.0f} USD"
        if "employees" in fields:
            fields["employees"] = str(fields["employees"])
        setup.inline.append({"lead": fields, "events": events.get(lead.id, [])[::-1]})


# --- servers -------------------------------------------------------------------------------


def server_variables(setup: Setup) -> dict[str, str]:
    """What `leadpulse serve` needs to serve the bench's database and champion."""
    return {
        "LEADPULSE_DB_URL": setup.db_url,
        "LEADPULSE_MLFLOW_TRACKING_URI": setup.settings.mlflow_tracking_uri,
        "LEADPULSE_MLFLOW_ARTIFACTS": str(setup.settings.mlflow_artifacts),
        "LEADPULSE_MODEL_NAME": setup.settings.model_name,
    }


def create_lists(api: str, headers: dict[str, str]) -> None:
    print("\ndynamic lists (POST /v1/lists, filled at once)")
    for name, definition in LISTS.items():
        began = time.perf_counter()
        response = httpx.post(
            f"{api}/v1/lists",
            json={"name": name, "definition": definition},
            headers=headers,
            timeout=300,
        )
        spent = time.perf_counter() - began
        if response.status_code != 201:
            print(f"  {name:<34} FAILED {response.status_code}: {response.text[:300]}")
            continue
        size = response.json()["list"]["size"]
        print(f"  {name:<34} {size:>6,} members  built in {spent * 1000:7.1f} ms")
