"""Meetings: the booking link in sequence emails, free slots, and booking."""

from __future__ import annotations

from leads.signing import sign, verify

_PURPOSE = "meeting"


def booking_token(key: bytes, *, team_id: int, lead_id: int) -> str:
    """The signed token of one lead's booking page."""
    return f"{team_id}-{lead_id}-{sign(key, _PURPOSE, f'{team_id}:{lead_id}')}"


def booking_url(key: bytes, *, team_id: int, lead_id: int, base_url: str) -> str:
    """The lead's booking page."""
    return f"{base_url.rstrip('/')}/meet/{booking_token(key, team_id=team_id, lead_id=lead_id)}"


def read_booking_token(token: str) -> tuple[int, int, str] | None:
    """(team id, lead id, signature) of a well-formed token; check it with `booking_valid`."""
    parts = token.split("-", 2)
    if len(parts) != 3 or not parts[0].isdigit() or not parts[1].isdigit():
        return None
    return int(parts[0]), int(parts[1]), parts[2]


def booking_valid(key: bytes, token: str) -> bool:
    """Whether the token was signed with the team's key."""
    parsed = read_booking_token(token)
    if parsed is None:
        return False
    team_id, lead_id, signature = parsed
    return verify(key, _PURPOSE, f"{team_id}:{lead_id}", signature)
