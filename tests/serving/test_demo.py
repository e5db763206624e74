"""The README's first command, end to end, on a small team."""

from __future__ import annotations

from pathlib import Path

import pytest

from model.settings import get_settings
from tests.serving.test_cli import run


@pytest.mark.slow
def test_the_demo_scores_sends_tracks_and_answers(
    cli_database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LEADPULSE_MLFLOW_TRACKING_URI", f"sqlite:///{tmp_path / 'mlflow.db'}")
    monkeypatch.setenv("LEADPULSE_MLFLOW_ARTIFACTS", str(tmp_path / "artifacts"))
    get_settings.cache_clear()
    try:
        output = run("demo", "--leads", "400", "--days", "45", "--drafts", "1")
    finally:
        get_settings.cache_clear()
    assert "promoted v1 to champion" in output
    assert "placed" in output
    lines = {line.split("│")[1].strip(): line.split("│")[2].strip()
             for line in output.splitlines() if line.count("│") == 3}  # fmt: skip
    assert int(lines["emails sent"]) > 0
    assert lines["messages the catcher received"] == lines["emails sent"]
    assert int(lines["link_clicked recorded as human"]) > 0
    assert lines["replies matched to their email"] == "2"
    assert "drafts for review" in output
    assert "/review" in output
    assert "imported Leads.csv" in output
