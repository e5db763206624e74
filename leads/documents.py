"""Shared documents tracked by Pulse, and their pages."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from leads.errors import Conflict, NotFound, ValidationFailed
from leads.tables import Document, DocumentPage

_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,99}$")


@dataclass(frozen=True, slots=True)
class PageSpec:
    """A page to create: its title and topic (e.g. `pricing`, `product`, `case_study`)."""

    title: str = ""
    topic: str = ""


def create_document(
    session: Session,
    *,
    team_id: int,
    slug: str,
    title: str,
    pages: Sequence[PageSpec],
    kind: str = "deck",
    gated: bool = True,
) -> Document:
    """A new document with its pages numbered from 1."""
    if not _SLUG.match(slug):
        raise ValidationFailed("slug", f"{slug!r} must be lower-case letters, digits and '-'")
    if not title.strip():
        raise ValidationFailed("title", "a document needs a title")
    if not pages:
        raise ValidationFailed("pages", "a document needs at least one page")
    exists = select(Document.id).where(Document.team_id == team_id, Document.slug == slug)
    if session.scalar(exists) is not None:
        raise Conflict(f"a document with slug {slug!r} exists already")
    document = Document(
        team_id=team_id,
        slug=slug,
        title=title.strip(),
        kind=kind,
        gated=gated,
        pages=[
            DocumentPage(number=n, title=p.title, topic=p.topic)
            for n, p in enumerate(pages, start=1)
        ],
    )
    session.add(document)
    session.flush()
    return document


def get_document(session: Session, *, team_id: int, slug: str) -> Document:
    """The team's document with this slug."""
    document = session.scalar(
        select(Document).where(Document.team_id == team_id, Document.slug == slug)
    )
    if document is None:
        raise NotFound("document", slug)
    return document
