"""`leadpulse agent draft` and `leadpulse describe`: the agent on one lead, from the shell."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from serving.cli_ingest import TeamOption
from serving.console import console, resolve_team, unit_of_work

agent_app = typer.Typer(help="The email agent: draft a lead's next email.", no_args_is_help=True)


@agent_app.command("draft")
def agent_draft(
    lead_id: Annotated[int, typer.Argument(help="The lead's id.")],
    team: TeamOption,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Pick the lead's next email, draft it with the configured model (LEADPULSE_LLM, default
    the bundled offline one), check it, and queue it for review as the worker would.

    Example: leadpulse agent draft 42 --team demo --json
    """
    from leads.records import get_lead
    from model.champion import Champion
    from serving.agent_drafts import AgentDrafts
    from serving.agent_queue import draft_for_lead

    drafts = AgentDrafts(Champion())
    drafts.champion.refresh()
    with unit_of_work() as session:
        found = resolve_team(session, team)
        lead = get_lead(session, team_id=found.id, lead_id=lead_id)
        result = draft_for_lead(session, team=found, lead=lead, drafts=drafts)
    if as_json:
        print(json.dumps(result, ensure_ascii=False, indent=2, default=str))
        return
    console.print(f"[bold]{result['pick']['action']}[/bold] ({result['pick']['reason']})")
    console.print(f"[bold]Subject:[/bold] {result['subject']}")
    console.print(result["body"])
    checks = result["guardrails"]
    verdict = "[green]passed[/green]" if checks["passed"] else "[red]failed[/red]"
    console.print(f"guardrails {verdict} {'; '.join(checks['failures'])}")
    if result["draft_id"]:
        console.print(f"queued for review as draft {result['draft_id']}")


def describe_command(
    lead_id: Annotated[int, typer.Argument(help="The lead's id.")],
    team: TeamOption,
) -> None:
    """Write a short description of the lead's company from what the record holds (attributes,
    form answers, documents read) and store it; edit it with `PUT /v1/leads/{id}/description`.

    Example: leadpulse describe 42 --team demo
    """
    from agents.providers import capable, chat_model
    from agents.settings import AgentSettings
    from leads.records import get_lead
    from serving.agent_queue import describe_lead

    settings = AgentSettings()
    model = chat_model(settings) if capable(settings) else None
    with unit_of_work() as session:
        found = resolve_team(session, team)
        lead = get_lead(session, team_id=found.id, lead_id=lead_id)
        console.print(describe_lead(session, team=found, lead=lead, model=model))
