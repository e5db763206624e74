from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from leads.errors import Conflict, InvalidInput, NotFound
from leads.tables import ApiKey, Team
from leads.teams import authenticate, create_team, settings_of, update_settings


def test_a_key_is_shown_once_and_stored_only_as_a_hash(session: Session) -> None:
    team, key = create_team(session, name="Spread 스프레드")
    stored = session.scalars(select(ApiKey).where(ApiKey.team_id == team.id)).one()
    assert key.startswith("lp_") and len(key) > 40
    assert key not in (stored.key_hash, stored.prefix) and stored.prefix == key[:10]
    assert authenticate(session, key) is team
    with pytest.raises(NotFound):
        authenticate(session, key + "x")


def test_team_names_are_unique(session: Session, team: Team) -> None:
    with pytest.raises(Conflict):
        create_team(session, name=team.name)


def test_new_teams_get_the_default_settings(team: Team) -> None:
    settings = settings_of(team)
    assert settings.click_threshold == 3
    assert settings.send_window.days == ["mon", "tue", "wed", "thu", "fri"]


def test_settings_change_partially_and_bad_ones_name_the_field(
    session: Session, team: Team
) -> None:
    updated = update_settings(
        session, team=team, changes={"icp": {"industries": ["software"]}, "click_threshold": 5}
    )
    assert updated.icp.industries == ["software"] and updated.click_threshold == 5
    assert settings_of(team).icp.industries == ["software"]
    with pytest.raises(InvalidInput) as info:
        update_settings(
            session, team=team, changes={"click_threshold": 0, "send_window": {"start": "18:00"}}
        )
    fields = {e.field for e in info.value.errors}
    assert fields == {"click_threshold", "send_window"}
    assert settings_of(team).click_threshold == 5
