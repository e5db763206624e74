from __future__ import annotations

from sqlalchemy.orm import Session

from leads.events import NewEvent, record_events
from leads.history import history_of
from leads.tables import Team
from model.bulk_scoring import decisions_for_team, score_team
from tests.factories import make_lead


def test_without_a_model_the_rules_alone_decide_and_say_so(session: Session, team: Team) -> None:
    clicker = make_lead(session, team)
    quiet = make_lead(session, team)
    scanned = make_lead(session, team)
    clicks = [
        NewEvent(
            lead_id=clicker.id,
            type="link_clicked",
            human=0.95,
            payload={"link": f"https://x.io/{i}", "link_kind": "pricing"},
        )
        for i in range(3)
    ]
    scans = [
        NewEvent(
            lead_id=scanned.id,
            type="link_clicked",
            human=0.05,
            payload={"link": f"https://x.io/{i}", "agent": "scanner"},
        )
        for i in range(6)
    ]
    record_events(session, team_id=team.id, events=[*clicks, *scans])
    decisions = decisions_for_team(session, team=team, scorer=None, version=None)
    assert decisions[clicker.id].stage == "sql"
    assert decisions[clicker.id].rules_only
    assert [r.rule for r in decisions[clicker.id].reasons] == ["clicks"]
    assert decisions[quiet.id].stage == "mql"
    assert decisions[scanned.id].stage == "mql"  # a security scanner's clicks are no interest

    stages = score_team(session, team=team, scorer=None, version=None)
    assert stages == {"sql": 1, "mql": 2}
    (change,) = history_of(session, lead=clicker)
    assert (change.kind, change.from_value, change.to_value, change.actor) == (
        "stage",
        "new",
        "sql",
        "rules",
    )
    assert change.reasons[0]["values"]["clicks_human_all"] == 3
