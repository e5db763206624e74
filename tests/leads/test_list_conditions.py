from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from leads.documents import PageSpec, create_document
from leads.errors import ValidationFailed
from leads.events import NewEvent, record_event
from leads.list_conditions import compile_condition, dependencies, parse_condition
from leads.lists import add_member, create_list
from leads.tables import Lead, Team, utcnow
from tests.factories import make_lead


def matching(
    session: Session, team: Team, definition: Any, now: datetime | None = None
) -> set[int]:
    """Ids of the team's leads the definition selects."""
    condition = parse_condition(definition)
    expression = compile_condition(condition, team_id=team.id, now=now or utcnow())
    return set(session.scalars(select(Lead.id).where(Lead.team_id == team.id, expression)))


def happened(session: Session, team: Team, lead: Lead, kind: str, **values: Any) -> None:
    record_event(session, team_id=team.id, event=NewEvent(lead_id=lead.id, type=kind, **values))


def sent(session: Session, team: Team, lead: Lead, campaign: str, days_ago: float) -> None:
    when = utcnow() - timedelta(days=days_ago)
    happened(session, team, lead, "email_sent", occurred_at=when, payload={"campaign": campaign})


def clicked(session: Session, team: Team, lead: Lead, human: float = 0.9, **payload: Any) -> None:
    happened(session, team, lead, "link_clicked", human=human, payload=payload)


def test_clicked_in_the_last_campaign_at_least_twice(session: Session, team: Team) -> None:
    fan, old_fan, once = (make_lead(session, team) for _ in range(3))
    for lead in (fan, old_fan, once):
        sent(session, team, lead, "spring", days_ago=20)
        sent(session, team, lead, "summer", days_ago=2)
    clicked(session, team, fan, campaign="summer")
    clicked(session, team, fan, campaign="summer")
    for _ in range(3):
        clicked(session, team, old_fan, campaign="spring")
    clicked(session, team, old_fan, campaign="summer")
    clicked(session, team, once, campaign="summer")
    definition = {"events": {"type": "link_clicked", "campaign": "@last"}, "op": ">=", "value": 2}
    assert matching(session, team, definition) == {fan.id}


def test_scanner_clicks_do_not_count_unless_asked_for(session: Session, team: Team) -> None:
    scanned = make_lead(session, team)
    sent(session, team, scanned, "summer", days_ago=1)
    clicked(session, team, scanned, human=0.1, campaign="summer")
    clicked(session, team, scanned, human=0.1, campaign="summer")
    twice = {"events": {"type": "link_clicked", "campaign": "@last"}, "op": ">=", "value": 2}
    assert matching(session, team, twice) == set()
    twice["events"] = {**twice["events"], "human_only": False}  # type: ignore[dict-item]
    assert matching(session, team, twice) == {scanned.id}


def test_replied_to_a_sequence_email(session: Session, team: Team) -> None:
    replier, campaign_replier = make_lead(session, team), make_lead(session, team)
    payload = {"campaign": "outbound", "message": "m1", "flow": "sequence", "step": 2}
    happened(session, team, replier, "email_replied", payload=payload)
    happened(session, team, campaign_replier, "email_replied", payload={"flow": "campaign"})
    replied = {"events": {"type": "email_replied", "payload": {"flow": "sequence"}}}
    assert matching(session, team, {**replied, "op": ">=", "value": 1}) == {replier.id}
    by_step = {"events": {"type": "email_replied", "payload": {"step": 2}}, "op": ">", "value": 0}
    assert matching(session, team, by_step) == {replier.id}


def test_clicked_one_content_link_at_least_three_times(session: Session, team: Team) -> None:
    devoted, browsing, pricing = (make_lead(session, team) for _ in range(3))
    for _ in range(3):
        clicked(session, team, devoted, link="https://x.io/guide", link_kind="content")
        clicked(session, team, pricing, link="https://x.io/pricing", link_kind="pricing")
    for page in ("a", "b", "c"):
        clicked(session, team, browsing, link=f"https://x.io/{page}", link_kind="content")
    definition = {
        "events": {"type": "link_clicked", "payload": {"link_kind": "content"}, "per": "link"},
        "op": ">=",
        "value": 3,
    }
    assert matching(session, team, definition) == {devoted.id}


def test_meeting_booked_and_api_sign_up(session: Session, team: Team) -> None:
    booked, signed_up, logged_in = (make_lead(session, team) for _ in range(3))
    happened(session, team, booked, "meeting_booked")
    happened(session, team, signed_up, "api_event", payload={"action": "signup"})
    happened(session, team, logged_in, "api_event", payload={"action": "login"})
    meeting = {"events": {"type": "meeting_booked"}, "op": ">=", "value": 1}
    signup = {
        "events": {"type": "api_event", "payload": {"action": "signup"}},
        "op": ">=",
        "value": 1,
    }
    assert matching(session, team, meeting) == {booked.id}
    assert matching(session, team, signup) == {signed_up.id}
    assert matching(session, team, {"not": signup}) == {booked.id, logged_in.id}


def test_near_zero_engagement_in_30_days(session: Session, team: Team) -> None:
    cooled, busy, silent = (make_lead(session, team) for _ in range(3))
    long_ago = utcnow() - timedelta(days=45)
    for _ in range(5):
        happened(session, team, cooled, "email_opened", occurred_at=long_ago, human=0.9)
        happened(session, team, busy, "email_opened", human=0.9)
    happened(session, team, cooled, "email_opened", human=0.9)
    cold = {
        "events": {"types": ["email_opened", "link_clicked", "email_replied"], "within_days": 30},
        "op": "<=",
        "value": 1,
    }
    assert matching(session, team, cold) == {cooled.id, silent.id}
    assert dependencies(parse_condition(cold)).time_based
    # Seen from 20 days ago, the old opens were recent too.
    assert matching(session, team, cold, now=utcnow() - timedelta(days=20)) == {silent.id}


def test_read_more_than_80_percent_of_a_document(session: Session, team: Team) -> None:
    pages = [PageSpec(f"page {n}") for n in range(1, 6)]
    create_document(session, team_id=team.id, slug="pricing-deck", title="Pricing", pages=pages)
    whole, most, one_page, other_doc = (make_lead(session, team) for _ in range(4))

    def dwell(lead: Lead, page: int, document: str = "pricing-deck") -> None:
        payload = {"document": document, "page": page, "seconds": 12.5}
        happened(session, team, lead, "page_dwell", payload=payload)

    for page in (1, 2, 3, 4, 5, 5):
        dwell(whole, page)
    for page in (1, 2, 3, 4, 9):  # page 9 does not exist
        dwell(most, page)
    for _ in range(5):
        dwell(one_page, 1)
        dwell(other_doc, _ + 1, document="other-deck")
    deep = {"read_depth": {"document": "pricing-deck"}, "op": ">", "value": 0.8}
    assert matching(session, team, deep) == {whole.id}
    assert matching(session, team, {**deep, "op": ">=", "value": 0.8}) == {whole.id, most.id}
    unknown = {"read_depth": {"document": "no-such-deck"}, "op": "<", "value": 0.5}
    assert matching(session, team, unknown) == set()


def test_field_tests_treat_unknown_values_as_not_matching(session: Session, team: Team) -> None:
    software = make_lead(session, team, industry="software", employees=250, country="DE")
    unknown = make_lead(session, team)
    retail = make_lead(session, team, industry="retail", employees=12)
    is_software = {"field": "industry", "op": "==", "value": "software"}
    assert matching(session, team, is_software) == {software.id}
    assert matching(session, team, {"not": is_software}) == {unknown.id, retail.id}
    assert matching(session, team, {**is_software, "op": "!="}) == {unknown.id, retail.id}
    big = {"field": "employees", "op": ">=", "value": 100}
    assert matching(session, team, big) == {software.id}
    assert matching(session, team, {"not": big}) == {unknown.id, retail.id}
    assert matching(session, team, {"field": "industry", "op": "exists"}) == {
        software.id,
        retail.id,
    }
    either = {"any": [{"field": "country", "op": "in", "value": ["DE", "AT"]}, big]}
    assert matching(session, team, either) == {software.id}
    assert matching(session, team, {"field": "industry", "op": "contains", "value": "SOFT"}) == {
        software.id
    }


def test_attributes_interests_and_score_can_be_tested(session: Session, team: Team) -> None:
    fit = make_lead(
        session,
        team,
        attributes={"plan": "pro", "seats": 40, "beta": True},
        product_interests=["analytics", "crm"],
    )
    other = make_lead(session, team, attributes={"plan": "free", "seats": "many"})
    fit.score, other.score = 0.72, None
    assert matching(session, team, {"field": "attributes.plan", "op": "==", "value": "pro"}) == {
        fit.id
    }
    seats = {"field": "attributes.seats", "op": ">", "value": 10}
    assert matching(session, team, seats) == {fit.id}
    assert matching(session, team, {"field": "attributes.beta", "op": "==", "value": True}) == {
        fit.id
    }
    crm = {"field": "product_interests", "op": "contains", "value": "crm"}
    assert matching(session, team, crm) == {fit.id}
    assert matching(session, team, {"field": "product_interests", "op": "exists"}) == {fit.id}
    assert matching(session, team, {"field": "score", "op": ">", "value": 0.5}) == {fit.id}
    recent = {"field": "created_at", "op": ">", "value": "2020-01-01T00:00:00+00:00"}
    assert matching(session, team, recent) == {fit.id, other.id}


def test_in_list_reads_the_other_lists_members(session: Session, team: Team) -> None:
    vip, regular = make_lead(session, team), make_lead(session, team)
    vips = create_list(session, team_id=team.id, name="VIPs")
    add_member(session, team_id=team.id, list_id=vips.id, lead_id=vip.id)
    assert matching(session, team, {"in_list": "VIPs"}) == {vip.id}
    assert matching(session, team, {"not": {"in_list": " VIPs "}}) == {regular.id}


@pytest.mark.parametrize(
    ("definition", "path", "problem"),
    [
        (
            {"all": [{"in_list": "x"}, {"field": "industry", "op": "in", "value": "software"}]},
            "definition.all[1].value",
            "in takes a list",
        ),
        (
            {"any": [{"not": {"field": "colour", "op": "==", "value": 1}}]},
            "definition.any[0].not.field",
            "not a lead field",
        ),
        (
            {"events": {"type": "link_click"}, "op": ">=", "value": 1},
            "definition.events.type",
            "not an event type",
        ),
        (
            {"events": {"type": "list_entered"}, "op": ">=", "value": 1},
            "definition.events.type",
            "use in_list",
        ),
        ({"events": {"type": "link_clicked"}, "op": "~", "value": 1}, "definition.op", ""),
        ({"events": {"type": "link_clicked"}, "op": ">=", "value": -1}, "definition.value", ""),
        (
            {"events": {"type": "api_event", "payload": {"action": ["a"]}}, "op": ">=", "value": 1},
            "definition.events.payload",
            "strings or integers",
        ),
        (
            {"events": {"type": "api_event", "colour": 1}, "op": ">=", "value": 1},
            "definition.events.colour",
            "Extra inputs",
        ),
        (
            {"field": "stage", "op": "==", "value": "hot"},
            "definition.value",
            "'hot' is not a stage",
        ),
        ({"field": "stage", "op": ">", "value": "mql"}, "definition.op", "does not apply to stage"),
        ({"field": "employees", "op": ">", "value": "many"}, "definition.value", "takes a number"),
        (
            {"field": "created_at", "op": ">", "value": "2026-01-01"},
            "definition.value",
            "with a zone",
        ),
        (
            {"read_depth": {"document": "deck"}, "op": ">", "value": 80},
            "definition.value",
            "less than or equal to 1",
        ),
        (
            {"read_depth": {"document": "Deck!"}, "op": ">", "value": 0.5},
            "definition.read_depth.document",
            "slug",
        ),
        ({"all": []}, "definition.all", "at least 1 item"),
        ({"every": []}, "definition", "one of the keys"),
        ([1, 2], "definition", "one of the keys"),
    ],
)
def test_a_bad_definition_names_the_path_of_the_mistake(
    definition: Any, path: str, problem: str
) -> None:
    with pytest.raises(ValidationFailed) as info:
        parse_condition(definition)
    assert info.value.field == path
    assert problem in info.value.problem


def test_a_definition_too_deep_is_refused() -> None:
    deep: dict[str, Any] = {"field": "industry", "op": "exists"}
    for _ in range(15):
        deep = {"not": deep}
    with pytest.raises(ValidationFailed) as info:
        parse_condition(deep)
    assert info.value.field.startswith("definition.not.not")


def test_dependencies_say_what_a_condition_reads() -> None:
    condition = parse_condition(
        {
            "all": [
                {"events": {"type": "link_clicked", "campaign": "@last"}, "op": ">=", "value": 2},
                {"not": {"in_list": "Customers"}},
                {"read_depth": {"document": "deck"}, "op": ">", "value": 0.5},
            ]
        }
    )
    reads = dependencies(condition)
    assert reads.event_types == {"link_clicked", "email_sent", "page_dwell"}
    assert not reads.any_event and not reads.fields and not reads.time_based
    assert reads.lists == {"Customers"}
    anything = dependencies(parse_condition({"events": {}, "op": ">", "value": 100}))
    assert anything.any_event and anything.reads_events(frozenset({"doc_viewed"}))
