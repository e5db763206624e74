"""`leadpulse agent draft` and `leadpulse describe` with the real offline model."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from flows.definitions import import_flows
from flows.engine import place
from leads import db
from leads.flow_tables import EmailDraft, OutboxItem
from leads.records import LeadChange, upsert_lead
from leads.tables import Team
from leads.teams import create_team
from model.settings import get_settings
from serving.demo_flows import FLOWS
from tests.serving.test_cli import run


@pytest.mark.llm
def test_agent_draft_prints_its_work_and_queues_it(
    cli_database: str, engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LEADPULSE_MLFLOW_TRACKING_URI", f"sqlite:///{tmp_path / 'mlflow.db'}")
    monkeypatch.setenv("LEADPULSE_MLFLOW_ARTIFACTS", str(tmp_path / "artifacts"))
    get_settings.cache_clear()
    name = f"agent-{uuid.uuid4().hex[:8]}"
    with db.unit_of_work(engine) as session:
        team, _key = create_team(session, name=name)
        import_flows(session, team_id=team.id, text=FLOWS.read_text(encoding="utf-8"))
        lead = upsert_lead(
            session, team_id=team.id,
            change=LeadChange({"email": f"{name}@example.com", "name": "Jane Park",
                               "company": "Acme Corp", "industry": "software"}),
        ).lead  # fmt: skip
        lead.stage = "sql"
        assert place(session, team=session.get_one(Team, team.id), lead=lead, now=lead.created_at)
        lead_id = lead.id
    output = run("agent", "draft", str(lead_id), "--team", name, "--json")
    result = json.loads(output[output.index("{") :])
    assert result["provider"].startswith("offline:")
    assert result["pick"]["action"] in (
        "meeting_proposal",
        "reminder",
        "onboarding_content",
        "wait",
    )
    assert set(result["guardrails"]) >= {"passed", "failures"}
    assert result["needs_review"] or result["guardrails"]["passed"]
    if result["pick"]["action"] != "wait":
        with db.unit_of_work(engine) as session:
            draft = session.get_one(EmailDraft, result["draft_id"])
            assert draft.status == "pending"
            held = session.scalar(select(OutboxItem).where(OutboxItem.id == draft.outbox_id))
            assert held is not None and held.status == "held"
    described = run("describe", str(lead_id), "--team", name)
    get_settings.cache_clear()
    assert '"Acme Corp"' in described
