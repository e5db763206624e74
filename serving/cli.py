"""The `leadpulse` command."""

from __future__ import annotations

import typer

from serving.cli_admin import db_app, team_app
from serving.cli_agent import agent_app, describe_command
from serving.cli_demo import demo_command, simulate_command, stats_command
from serving.cli_ingest import event_app, form_app, import_command
from serving.cli_model import model_app
from serving.cli_serve import serve_command
from serving.cli_worker import worker_command

app = typer.Typer(
    name="leadpulse",
    help="Lead scoring and email automation for B2B teams.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(db_app, name="db")
app.add_typer(team_app, name="team")
app.add_typer(event_app, name="event")
app.add_typer(form_app, name="form")
app.add_typer(model_app, name="model")
app.add_typer(agent_app, name="agent")
app.command("describe")(describe_command)
app.command("import")(import_command)
app.command("simulate")(simulate_command)
app.command("stats")(stats_command)
app.command("demo")(demo_command)
app.command("serve")(serve_command)
app.command("worker")(worker_command)


if __name__ == "__main__":
    app()
