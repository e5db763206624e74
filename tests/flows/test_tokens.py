from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from flows.tokens import TokenData, TokenKind, make_token, new_message_token, read_token, team_of
from leads.tables import Team
from leads.teams import create_team, signing_key

KEY = bytes.fromhex("11" * 32)
OTHER_KEY = bytes.fromhex("22" * 32)
MESSAGE = "abcdefgh234567xy"
KINDS: list[TokenKind] = ["open", "unsubscribe", "reply"]


def click(link: int = 3, *, team_id: int = 12, key: bytes = KEY) -> str:
    return make_token(key, team_id=team_id, kind="click", message=MESSAGE, link=link)


@pytest.mark.parametrize("kind", KINDS)
def test_a_token_reads_back_the_team_kind_and_message_it_names(kind: TokenKind) -> None:
    token = make_token(KEY, team_id=12, kind=kind, message=MESSAGE)
    assert read_token(KEY, token) == TokenData(team_id=12, kind=kind, message=MESSAGE, link=None)


def test_a_click_token_carries_its_link_index() -> None:
    assert read_token(KEY, click(0)) == TokenData(12, "click", MESSAGE, 0)
    assert read_token(KEY, click(41)) == TokenData(12, "click", MESSAGE, 41)


def test_tokens_are_short_and_safe_in_a_url_path_and_an_address() -> None:
    others = [make_token(KEY, team_id=99999, kind=kind, message=MESSAGE) for kind in KINDS]
    for token in [click(999), *others]:
        assert len(token) <= 80
        assert re.fullmatch(r"[a-z0-9_-]+", token)
        assert quote(token, safe="") == token


def test_a_reply_address_fits_the_64_character_local_part_limit() -> None:
    token = make_token(KEY, team_id=10**9, kind="reply", message=new_message_token())
    assert len(f"reply+{token}") <= 64


def test_a_reply_token_reads_the_same_after_a_mail_system_folds_its_case() -> None:
    token = make_token(KEY, team_id=12, kind="reply", message=MESSAGE)
    expected = TokenData(12, "reply", MESSAGE)
    assert read_token(KEY, token.upper()) == expected
    assert read_token(KEY, token.title()) == expected


def test_team_of_reads_the_unsigned_team_id_without_a_key() -> None:
    assert team_of(click(team_id=12)) == 12
    assert team_of(click(team_id=12, key=OTHER_KEY)) == 12
    for malformed in ["", "12", "x-c3-abc-def", "0-o-" + "a" * 24 + "-m", click()[:-20], "12/../x"]:
        assert team_of(malformed) is None


def test_a_token_signed_with_another_teams_key_reads_as_none() -> None:
    assert read_token(OTHER_KEY, click()) is None


def test_a_forged_token_reads_as_none() -> None:
    forged = f"12-c3-{'a' * 24}-{MESSAGE}"
    assert team_of(forged) == 12
    assert read_token(KEY, forged) is None


def test_every_altered_character_makes_the_token_read_as_none() -> None:
    token = click(3)
    for i, char in enumerate(token):
        for other in {"a", "b", "2", "7", "-", "_"} - {char}:
            altered = token[:i] + other + token[i + 1 :]
            assert read_token(KEY, altered) is None, altered


def test_changing_the_team_kind_link_or_message_breaks_the_signature() -> None:
    team, code, signature, message = click(3).split("-", 3)
    for parts in [
        ("13", code, signature, message),
        (team, "c4", signature, message),
        (team, "o", signature, message),
        (team, code, signature, message + "a"),
        (team, code, signature, message[:-1]),
    ]:
        assert read_token(KEY, "-".join(parts)) is None


def test_a_token_of_another_kind_or_team_is_refused_when_one_is_expected() -> None:
    open_token = make_token(KEY, team_id=12, kind="open", message=MESSAGE)
    assert read_token(KEY, open_token, kind="unsubscribe") is None
    assert read_token(KEY, open_token, team_id=13) is None
    assert read_token(KEY, open_token, kind="open", team_id=12) is not None


@pytest.mark.parametrize(
    ("kind", "message", "link", "team_id"),
    [
        ("click", MESSAGE, None, 1),
        ("open", MESSAGE, 0, 1),
        ("click", MESSAGE, -1, 1),
        ("open", "Upper", None, 1),
        ("open", "", None, 1),
        ("open", "x" * 65, None, 1),
        ("open", "a.b", None, 1),
        ("open", MESSAGE, None, 0),
        ("bounce", MESSAGE, None, 1),
    ],
)
def test_make_token_refuses_what_it_cannot_sign_faithfully(
    kind: TokenKind, message: str, link: int | None, team_id: int
) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - each case has its own message
        make_token(KEY, team_id=team_id, kind=kind, message=message, link=link)


def test_new_message_tokens_are_random_lower_case_and_fit_the_column() -> None:
    tokens = {new_message_token() for _ in range(1000)}
    assert len(tokens) == 1000
    assert all(re.fullmatch(r"[a-z2-7]{16}", token) for token in tokens)


@given(
    team_id=st.integers(min_value=1, max_value=10**12),
    message=st.from_regex(r"[a-z0-9_-]{1,64}", fullmatch=True),
    link=st.one_of(st.none(), st.integers(min_value=0, max_value=10_000)),
)
def test_any_valid_token_round_trips(team_id: int, message: str, link: int | None) -> None:
    kind: TokenKind = "click" if link is not None else "unsubscribe"
    token = make_token(KEY, team_id=team_id, kind=kind, message=message, link=link)
    assert team_of(token) == team_id
    assert read_token(KEY, token) == TokenData(team_id, kind, message, link)
    assert read_token(OTHER_KEY, token) is None


def test_tokens_signed_with_a_teams_own_key_read_only_with_that_key(
    session: Session, team: Team
) -> None:
    other, _ = create_team(session, name="Other team")
    key, other_key = signing_key(session, team=team), signing_key(session, team=other)
    token = make_token(key, team_id=team.id, kind="unsubscribe", message=new_message_token())
    assert team_of(token) == team.id
    assert read_token(key, token, team_id=team.id) is not None
    assert read_token(other_key, token) is None
