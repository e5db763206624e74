"""Apps on the test database, and tenants (teams with API keys) committed for real."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from leads import db
from leads.teams import create_team
from model.champion import Champion
from serving.app import create_app
from serving.settings import ServingSettings


@dataclass(frozen=True, slots=True)
class Tenant:
    """A committed team and its key."""

    team_id: int
    key: str
    name: str
    headers: dict[str, str] = field(default_factory=dict)


def new_tenant(engine: Engine, settings: dict[str, Any] | None = None) -> Tenant:
    name = f"api-{uuid.uuid4().hex[:8]}"
    with db.unit_of_work(engine) as session:
        team, key = create_team(session, name=name, settings=settings)
        team_id = team.id
    return Tenant(team_id, key, name, {"Authorization": f"Bearer {key}"})


def make_app(engine: Engine, champion: Champion | None = None, **settings: Any) -> FastAPI:
    return create_app(
        engine=engine,
        champion=champion or Champion.fixed(None, None),
        settings=ServingSettings(**settings),
        watch_model=False,
        refresh_lists=False,
    )


@pytest.fixture
def client(engine: Engine) -> Iterator[TestClient]:
    """An httpx-based client on an app whose rules decide alone (no model registered)."""
    with TestClient(make_app(engine, form_rate_per_minute=5)) as test_client:
        yield test_client


@pytest.fixture
def tenant(engine: Engine) -> Tenant:
    return new_tenant(engine)


@pytest.fixture
def other(engine: Engine) -> Tenant:
    """A second team: its key must never see or change the first team's data."""
    return new_tenant(engine)
