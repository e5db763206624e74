from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from leads.documents import PageSpec, create_document, get_document
from leads.errors import Conflict, NotFound, ValidationFailed
from leads.tables import Team
from leads.teams import create_team


def test_a_document_keeps_its_pages_in_order(session: Session, team: Team) -> None:
    pages = [PageSpec("소개"), PageSpec("제품", "product"), PageSpec("가격", "pricing")]
    create_document(session, team_id=team.id, slug="product-deck", title="제품 소개서", pages=pages)
    session.expire_all()
    document = get_document(session, team_id=team.id, slug="product-deck")
    assert document.title == "제품 소개서"
    assert [(p.number, p.title, p.topic) for p in document.pages] == [
        (1, "소개", ""),
        (2, "제품", "product"),
        (3, "가격", "pricing"),
    ]


def test_slugs_are_unique_per_team_and_checked(session: Session, team: Team) -> None:
    create_document(session, team_id=team.id, slug="deck", title="Deck", pages=[PageSpec()])
    with pytest.raises(Conflict):
        create_document(session, team_id=team.id, slug="deck", title="Again", pages=[PageSpec()])
    with pytest.raises(ValidationFailed) as info:
        create_document(session, team_id=team.id, slug="Bad Slug", title="x", pages=[PageSpec()])
    assert info.value.field == "slug"
    other, _ = create_team(session, name="docs-other")
    with pytest.raises(NotFound):
        get_document(session, team_id=other.id, slug="deck")
