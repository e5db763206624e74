"""Teams, their settings and their API keys (only a key's SHA-256 is stored)."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from leads.errors import Conflict, InvalidInput, NotFound, ValidationFailed
from leads.tables import ApiKey, Team, utcnow
from leads.team_settings import TeamSettings

KEY_PREFIX = "lp_"


def _hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create_team(
    session: Session, *, name: str, settings: dict[str, Any] | None = None
) -> tuple[Team, str]:
    """Create a team and its first API key; the key is returned once and never stored."""
    name = name.strip()
    if not name:
        raise ValidationFailed("name", "a team needs a name")
    if session.scalar(select(Team.id).where(Team.name == name)) is not None:
        raise Conflict(f"a team named {name!r} exists already")
    team = Team(
        name=name,
        settings=validate_settings(settings or {}).model_dump(mode="json"),
        signing_key=secrets.token_hex(32),
    )
    session.add(team)
    session.flush()
    return team, issue_key(session, team=team)


def issue_key(session: Session, *, team: Team, name: str = "default") -> str:
    """A new API key for `team`."""
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    session.add(ApiKey(team_id=team.id, name=name, prefix=key[:10], key_hash=_hash_key(key)))
    session.flush()
    return key


def authenticate(session: Session, key: str) -> Team:
    """The team a live API key belongs to."""
    api_key = session.scalar(select(ApiKey).where(ApiKey.key_hash == _hash_key(key)))
    if api_key is None or api_key.revoked_at is not None:
        raise NotFound("api key", key[:10])
    api_key.last_used_at = utcnow()
    team = session.get(Team, api_key.team_id)
    assert team is not None  # the foreign key guarantees it
    return team


def signing_key(session: Session, *, team: Team) -> bytes:
    """The team's secret for signed links and form keys, created on first use."""
    if team.signing_key is None:
        team.signing_key = secrets.token_hex(32)
        session.flush()
    return bytes.fromhex(team.signing_key)


def get_team(session: Session, name: str) -> Team:
    """The team called `name`."""
    team = session.scalar(select(Team).where(Team.name == name))
    if team is None:
        raise NotFound("team", name)
    return team


def get_or_create_team(session: Session, name: str) -> tuple[Team, bool]:
    """The team called `name`, created (with a key nobody has seen yet) if missing."""
    team = session.scalar(select(Team).where(Team.name == name))
    if team is not None:
        return team, False
    team, _key = create_team(session, name=name)
    return team, True


def validate_settings(data: dict[str, Any]) -> TeamSettings:
    """Team settings from JSON-like data; errors name the setting that is wrong."""
    try:
        return TeamSettings.model_validate(data)
    except ValidationError as exc:
        raise InvalidInput(
            [
                ValidationFailed(".".join(str(p) for p in err["loc"]) or "settings", err["msg"])
                for err in exc.errors()
            ]
        ) from exc


def settings_of(team: Team) -> TeamSettings:
    """The team's settings, with defaults for anything added since they were saved."""
    return TeamSettings.model_validate(team.settings)


def update_settings(session: Session, *, team: Team, changes: dict[str, Any]) -> TeamSettings:
    """Apply a partial change (nested dicts merge) to the team's settings."""
    merged = _deep_merge(settings_of(team).model_dump(mode="json"), changes)
    settings = validate_settings(merged)
    team.settings = settings.model_dump(mode="json")
    session.flush()
    return settings


def _deep_merge(base: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _deep_merge(out[key], value)
        else:
            out[key] = value
    return out
