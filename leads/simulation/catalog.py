"""The simulated team's content: links, Pulse documents, webinars and the messages it sends.

Messages are numbered once per run (`Catalog.build(days)`) so events can refer to them by index.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

SITE = "https://vendor.example"
LINK_KINDS = ("pricing", "product", "case_study", "blog", "booking")


@dataclass(frozen=True, slots=True)
class Link:
    """A tracked link; `document` is the Pulse document it opens, if any."""

    url: str
    kind: str
    document: int = -1


@dataclass(frozen=True, slots=True)
class DocumentSpec:
    """A document the team shares through Pulse; `pages` holds (title, topic) per page."""

    slug: str
    title: str
    kind: str
    pages: tuple[tuple[str, str], ...]

    @property
    def pricing_page(self) -> int:
        """The 1-based number of the pricing page, or 0 when there is none."""
        topics = [topic for _, topic in self.pages]
        return topics.index("pricing") + 1 if "pricing" in topics else 0


_DECK = (
    ("Cover", "intro"), ("The problem", "problem"), ("How it works", "product"),
    ("Lead scoring", "product"), ("Email automation", "product"), ("Pulse", "product"),
    ("Integrations", "product"), ("Results", "product"), ("Pricing", "pricing"),
    ("Customer story", "case_study"), ("Security", "security"), ("Next steps", "contact"),
)  # fmt: skip
DOCUMENTS: tuple[DocumentSpec, ...] = (
    DocumentSpec("product-deck", "Product overview", "deck", _DECK),
    DocumentSpec(
        "case-study-fintech", "How a fintech doubled its meetings", "case_study",
        (("Summary", "case_study"), ("Challenge", "case_study"), ("Solution", "product"),
         ("Results", "case_study"), ("Quote", "case_study"), ("Next steps", "contact")),
    ),
    DocumentSpec(
        "security-whitepaper", "Security and data protection", "whitepaper",
        tuple((f"Section {n}", "security") for n in range(1, 9)),
    ),
)  # fmt: skip
DOC_PAGES = np.array([len(d.pages) for d in DOCUMENTS], dtype=np.int64)
DOC_PRICING = np.array([d.pricing_page for d in DOCUMENTS], dtype=np.int64)

LINKS: tuple[Link, ...] = (
    Link(f"{SITE}/pricing", "pricing"),
    Link(f"{SITE}/d/product-deck", "product", 0),
    Link(f"{SITE}/d/case-study-fintech", "case_study", 1),
    Link(f"{SITE}/blog/lead-scoring-101", "blog"),
    Link(f"{SITE}/blog/email-deliverability", "blog"),
    Link(f"{SITE}/book", "booking"),
    Link(f"{SITE}/d/security-whitepaper", "product", 2),
)
PRICING, DECK, CASE, BLOG1, BLOG2, BOOKING, WHITEPAPER = range(len(LINKS))
LINK_KIND = np.array([LINK_KINDS.index(link.kind) for link in LINKS], dtype=np.int64)
LINK_DOC = np.array([link.document for link in LINKS], dtype=np.int64)


@dataclass(frozen=True, slots=True)
class Webinar:
    """A live webinar in one language on one simulated day at a UTC hour."""

    slug: str
    language: str
    day: int
    utc_hour: float


@dataclass(frozen=True, slots=True)
class Message:
    """One email of a campaign or sequence."""

    campaign: str
    message: str
    subject_kind: str
    links: tuple[int, ...]


# Relative open rates by subject kind (a reason to open, not intent).
SUBJECT_APPEAL = {
    "welcome": 1.3, "value": 1.0, "offer": 1.1, "newsletter": 0.8, "announcement": 1.0,
    "invitation": 1.0, "meeting_proposal": 1.1, "reminder": 0.9, "breakup": 1.0,
}  # fmt: skip
MAX_LINKS = 3
NURTURE_EVERY = 14  # days between two product tips


@dataclass(frozen=True, slots=True)
class Catalog:
    """Every message of a run, with the arrays the vectorised simulation looks them up in."""

    messages: tuple[Message, ...]
    webinars: tuple[Webinar, ...]
    links: NDArray[np.int64]  # (messages, MAX_LINKS), -1 where a message has fewer links
    appeal: NDArray[np.float64]
    is_sales: NDArray[np.bool_]
    is_newsletter: NDArray[np.bool_]

    @classmethod
    def build(cls, days: int) -> Catalog:
        """The team's messages and webinars for a run of `days` days."""
        webinars = (
            Webinar("webinar-ko-lead-scoring", "ko", int(days * 0.3), 5.0),
            Webinar("webinar-en-pipeline", "en", int(days * 0.75), 15.0),
        )
        messages = [
            Message("welcome", "welcome-1", "welcome", (BLOG1, DECK)),
            Message("welcome", "welcome-2", "value", (CASE, DECK)),
            Message("welcome", "welcome-3", "offer", (PRICING, BOOKING)),
            Message("sales", "sales-1", "meeting_proposal", (BOOKING, CASE)),
            Message("sales", "sales-2", "reminder", (BOOKING, PRICING)),
            Message("sales", "sales-3", "breakup", (BOOKING,)),
            Message("launch", "launch-1", "announcement", (DECK, PRICING, WHITEPAPER)),
        ]
        messages += [Message(w.slug, f"{w.slug}-invite", "invitation", (BLOG1,)) for w in webinars]
        messages += [
            Message("newsletter", f"newsletter-{n + 1}", "newsletter", (BLOG1, BLOG2, CASE))
            for n in range(days // 7 + 1)
        ]
        messages += [
            Message("nurture", f"tips-{n + 1}", "value", (BLOG2, DECK))
            for n in range(days // NURTURE_EVERY + 1)
        ]
        links = np.full((len(messages), MAX_LINKS), -1, dtype=np.int64)
        for row, message in enumerate(messages):
            links[row, : len(message.links)] = message.links
        return cls(
            messages=tuple(messages),
            webinars=webinars,
            links=links,
            appeal=np.array([SUBJECT_APPEAL[m.subject_kind] for m in messages]),
            is_sales=np.array([m.campaign == "sales" for m in messages]),
            is_newsletter=np.array([m.campaign == "newsletter" for m in messages]),
        )

    def index(self, message: str) -> int:
        """The index of the message called `message`."""
        return next(i for i, m in enumerate(self.messages) if m.message == message)
