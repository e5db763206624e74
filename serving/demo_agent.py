"""The agent part of `leadpulse demo`: drafts for a few leads, waiting in the review queue."""

from __future__ import annotations

from rich.table import Table
from sqlalchemy import select

from leads.tables import Lead
from model.champion import Champion
from serving.agent_drafts import AgentDrafts
from serving.agent_queue import draft_for_lead
from serving.console import console, resolve_team, unit_of_work

REVIEW_URL = "http://127.0.0.1:8000/review"


def run_agent_demo(team_name: str, count: int = 3) -> None:
    """Draft the next email of the team's best-scored leads in flows; print the queue."""
    drafts = AgentDrafts(Champion())
    drafts.champion.refresh()
    table = Table("lead", "action", "subject", "checks", "provider", title="drafts for review")
    with unit_of_work() as session:
        team = resolve_team(session, team_name)
        leads = session.scalars(
            select(Lead)
            .where(Lead.team_id == team.id, Lead.flow_state.in_(("sequence", "campaign")))
            .order_by(Lead.score.desc().nulls_last(), Lead.id)
            .limit(count)
        )
        for lead in list(leads):
            result = draft_for_lead(session, team=team, lead=lead, drafts=drafts)
            checks = result["guardrails"]
            table.add_row(
                lead.company or lead.email or str(lead.id), result["pick"]["action"],
                result["subject"] or "-",
                "passed" if checks["passed"] else "; ".join(checks["failures"])[:60],
                result["provider"],
            )  # fmt: skip
    console.print(table)
    console.print(
        f"Review them: [bold]leadpulse serve[/bold], then open {REVIEW_URL} and sign in with "
        f"the team's key ([bold]leadpulse team key {team_name}[/bold])."
    )
