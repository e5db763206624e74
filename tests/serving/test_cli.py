from __future__ import annotations

import json
import re
import uuid
from pathlib import Path

import pytest
from typer.testing import CliRunner

from serving.cli import app
from tests.conftest import ON_POSTGRES

runner = CliRunner()


def run(*args: str) -> str:
    result = runner.invoke(app, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def fails(*args: str) -> str:
    result = runner.invoke(app, list(args), catch_exceptions=False)
    assert result.exit_code != 0, result.output
    return result.output


@pytest.fixture
def team_name(cli_database: str) -> str:
    name = f"cli-{uuid.uuid4().hex[:8]}"
    output = run("team", "create", name)
    assert re.search(r"lp_[A-Za-z0-9_-]{40,}", output)
    return name


def test_every_command_has_help_with_an_example() -> None:
    for command in (
        ["import"],
        ["simulate"],
        ["stats"],
        ["demo"],
        ["serve"],
        ["worker"],
        ["team", "create"],
        ["event", "record"],
        ["form", "submit"],
        ["db", "upgrade"],
    ):
        output = run(*command, "--help")
        assert "Example:" in output, command


def test_import_json_reports_counts_lines_and_mapping(team_name: str, tmp_path: Path) -> None:
    path = tmp_path / "leads.csv"
    path.write_text("이메일,회사명\nkim@a.kr,에이\nbroken\nlee@b.kr,비\n", encoding="utf-8")

    report = json.loads(run("import", str(path), "--team", team_name, "--json"))

    assert report["imported"] == 2
    assert report["updated"] == 0
    assert report["rejected"] == [{"line": 3, "reason": report["rejected"][0]["reason"]}]
    assert report["mapping"]["이메일"]["target"] == "email"
    assert report["mapping"]["회사명"]["target"] == "company"

    stats = json.loads(run("stats", "--team", team_name, "--json"))
    assert stats["leads"] == 2
    assert stats["stages"] == {"new": 2}


def test_import_preview_writes_nothing(team_name: str, tmp_path: Path) -> None:
    path = tmp_path / "leads.csv"
    path.write_text("Contact,Org\nana@x.io,X\n", encoding="utf-8")
    output = run("import", str(path), "--team", team_name, "--preview", "--map", "Org=company")
    assert "email" in output
    assert "company" in output
    assert json.loads(run("stats", "--team", team_name, "--json"))["leads"] == 0


def test_a_bad_override_names_the_column(team_name: str, tmp_path: Path) -> None:
    path = tmp_path / "leads.csv"
    path.write_text("email\na@x.io\n", encoding="utf-8")
    output = fails("import", str(path), "--team", team_name, "--map", "Nope=email")
    assert "Nope" in output
    assert "no such column" in output


def test_event_recording_is_idempotent_from_the_cli(team_name: str, tmp_path: Path) -> None:
    path = tmp_path / "one.csv"
    path.write_text("email\nsignup@x.io\n", encoding="utf-8")
    run("import", str(path), "--team", team_name)
    lead_id = "1"
    from sqlalchemy import select

    from leads.db import get_engine
    from leads.tables import Lead, Team

    with get_engine().connect() as connection:
        lead_id = str(
            connection.scalar(
                select(Lead.id).join(Team, Team.id == Lead.team_id).where(Team.name == team_name)
            )
        )
    args = (
        "event",
        "record",
        lead_id,
        "api_event",
        "--team",
        team_name,
        "--payload",
        '{"action": "signup"}',
        "--key",
        "signup-1",
    )
    assert "recorded as event" in run(*args)
    assert "already recorded" in run(*args)
    assert "payload" in fails(
        "event", "record", lead_id, "api_event", "--team", team_name, "--payload", "[1]"
    )


def test_forms_route_from_the_cli(team_name: str, tmp_path: Path) -> None:
    definition = tmp_path / "form.json"
    definition.write_text(
        json.dumps(
            {
                "fields": [
                    {"name": "email", "type": "email", "required": True},
                    {"name": "interest", "type": "select", "options": ["Product A", "Product B"]},
                ],
                "rules": [
                    {
                        "field": "interest",
                        "equals": "Product A",
                        "add_to_list": "product-a",
                        "add_product_interest": "Product A",
                    }
                ],
            }
        ),
        encoding="utf-8",
    )
    output = run("form", "create", "demo", str(definition), "--team", team_name)
    form_id = re.search(r"id (\d+)", output).group(1)  # type: ignore[union-attr]
    output = run(
        "form",
        "submit",
        form_id,
        "email=Kim@Example.co.kr",
        "interest=Product A",
        "--team",
        team_name,
    )
    assert "product-a" in output
    assert "kim@example.co.kr" in output
    output = fails("form", "submit", form_id, "email=nope", "--team", team_name)
    assert "email" in output
    assert json.loads(run("stats", "--team", team_name, "--json"))["lists"] == {"product-a": 1}


def test_unknown_team_is_a_clear_error(cli_database: str) -> None:
    output = fails("stats", "--team", "no-such-team", "--json")
    assert "team 'no-such-team' not found" in output


def test_model_train_cross_validates_any_csv(tmp_path: Path) -> None:
    import numpy as np

    rng = np.random.default_rng(0)
    rows = ["visits;time_on_site;source;won"]
    for i in range(400):
        visits = int(rng.integers(0, 20))
        won = "Yes" if visits + rng.normal(0, 4) > 10 else "No"
        rows.append(f"{visits};{int(rng.integers(0, 900))};{'ads' if i % 3 else 'seo'};{won}")
    path = tmp_path / "deals.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")

    report = json.loads(
        run("model", "train", "--csv", str(path), "--target", "won", "--cv", "3", "--json")
    )

    assert len(report["roc_auc"]["folds"]) == 3
    assert report["roc_auc"]["mean"] > 0.75
    assert {"pr_auc", "brier"} <= set(report)
    output = fails("model", "train", "--csv", str(path), "--target", "nope")
    assert "nope" in output


@pytest.mark.skipif(ON_POSTGRES, reason="on PostgreSQL the command would serve")
def test_several_server_processes_are_refused_on_sqlite(cli_database: str) -> None:
    assert "need PostgreSQL" in fails("serve", "--workers", "2")
