"""JSON payloads for simulated events, built from their integer columns (see `batch`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from leads.simulation.batch import TYPES
from leads.simulation.catalog import DOCUMENTS, LINKS, Catalog
from leads.simulation.inbound import FORMS, VIA
from leads.simulation.names import REPLIES
from leads.simulation.people import PRODUCTS
from leads.simulation.responses import AGENT_PROXY, AGENT_SCANNER, TONES

Payload = dict[str, Any]
_AGENTS = {AGENT_PROXY: "proxy", AGENT_SCANNER: "scanner"}
_TIMELINES = ("this_quarter", "next_quarter", "exploring")
_TOPICS = ("lead scoring", "email automation", "sales playbooks", "product updates")
_CONTACT = {
    "en": (
        "We'd like to learn more about pricing.",
        "Do you integrate with our CRM?",
        "Can you send more information?",
    ),
    "ko": ("가격 문의드립니다.", "CRM 연동이 가능한가요?", "자세한 자료를 받아보고 싶습니다."),
}


@dataclass(frozen=True, slots=True)
class LeadContext:
    """What form answers and replies quote of each lead of the block."""

    company: list[str]
    team_size: list[str]
    language: list[str]
    interests: list[list[str]]


def team_size(employees: int) -> str:
    """The head-count bracket a person would tick on a form."""
    for limit, label in ((10, "1-10"), (50, "11-50"), (200, "51-200"), (1000, "201-1000")):
        if employees <= limit:
            return label
    return "1000+"


class Payloads:
    """Builds the payload of each event type for one block of leads."""

    def __init__(self, catalog: Catalog, context: LeadContext) -> None:
        self._catalog = catalog
        self._context = context
        by_name: dict[str, Callable[[int, int, int, int], Payload]] = {
            "email_sent": self._sent,
            "email_delivered": self._message,
            "bounced": self._bounced,
            "email_opened": self._opened,
            "link_clicked": self._clicked,
            "email_replied": self._replied,
            "unsubscribed": self._message,
            "doc_viewed": self._viewed,
            "page_dwell": self._dwell,
            "webinar_attended": self._webinar,
            "form_submitted": self._form,
            "api_event": self._api,
            "meeting_booked": self._meeting,
        }
        self._builders = [by_name[name] for name in TYPES]
        self._per_lead = {TYPES.index("email_replied"), TYPES.index("form_submitted")}
        self._made: dict[tuple[int, int, int, int], Payload] = {}

    def build(self, kind: int, lead: int, a: int, b: int, c: int) -> Payload:
        """The payload of an event of type `TYPES[kind]` with columns `a`, `b` and `c`.

        Payloads that do not quote the lead are made once per block and copied.
        """
        if kind in self._per_lead:
            return self._builders[kind](lead, a, b, c)
        key = (kind, a, b, c)
        made = self._made.get(key)
        if made is None:
            made = self._made[key] = self._builders[kind](lead, a, b, c)
        return made.copy()

    def _message(self, lead: int, a: int, b: int, c: int) -> Payload:  # noqa: ARG002
        if a < 0:
            return {}
        message = self._catalog.messages[a]
        return {"campaign": message.campaign, "message": message.message}

    def _sent(self, lead: int, a: int, b: int, c: int) -> Payload:
        payload = self._message(lead, a, b, c)
        payload["subject_kind"] = self._catalog.messages[a].subject_kind
        return payload

    def _bounced(self, lead: int, a: int, b: int, c: int) -> Payload:
        return {**self._message(lead, a, b, c), "reason": "mailbox_unavailable"}

    def _opened(self, lead: int, a: int, b: int, c: int) -> Payload:
        payload = self._message(lead, a, b, c)
        if b in _AGENTS:
            payload["agent"] = _AGENTS[b]
        return payload

    def _clicked(self, lead: int, a: int, b: int, c: int) -> Payload:
        link = LINKS[c]
        return {**self._opened(lead, a, b, c), "link": link.url, "link_kind": link.kind}

    def _replied(self, lead: int, a: int, b: int, c: int) -> Payload:
        texts = REPLIES[(self._context.language[lead], TONES[b])]
        return {**self._message(lead, a, b, c), "text": texts[c % len(texts)]}

    def _viewed(self, lead: int, a: int, b: int, c: int) -> Payload:  # noqa: ARG002
        payload: Payload = {"document": DOCUMENTS[a].slug, "pages": len(DOCUMENTS[a].pages)}
        if b in _AGENTS:
            payload["agent"] = _AGENTS[b]
        return payload

    def _dwell(self, lead: int, a: int, b: int, c: int) -> Payload:  # noqa: ARG002
        return {"document": DOCUMENTS[a].slug, "page": b, "seconds": c}

    def _webinar(self, lead: int, a: int, b: int, c: int) -> Payload:  # noqa: ARG002
        return {"webinar": self._catalog.webinars[a].slug, "minutes": b}

    def _form(self, lead: int, a: int, b: int, c: int) -> Payload:  # noqa: ARG002
        return {"form": FORMS[a], "answers": self._answers(lead, FORMS[a], b)}

    def _answers(self, lead: int, form: str, variant: int) -> Payload:
        context = self._context
        language = context.language[lead]
        if form == "newsletter":
            return {"topics": [_TOPICS[variant % len(_TOPICS)]], "language": language}
        if form == "contact":
            texts = _CONTACT[language]
            return {"company": context.company[lead], "message": texts[variant % len(texts)]}
        interests = context.interests[lead] or [PRODUCTS[variant % len(PRODUCTS)]]
        return {
            "company": context.company[lead],
            "team_size": context.team_size[lead],
            "timeline": _TIMELINES[variant % len(_TIMELINES)],
            "product": interests[0],
        }

    def _api(self, lead: int, a: int, b: int, c: int) -> Payload:  # noqa: ARG002
        return {"action": "signup", "plan": "trial"}

    def _meeting(self, lead: int, a: int, b: int, c: int) -> Payload:  # noqa: ARG002
        return {"via": VIA[a], "kind": "demo"}
