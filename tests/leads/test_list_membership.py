from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from leads.documents import PageSpec, create_document
from leads.errors import NotFound, ValidationFailed
from leads.events import NewEvent, record_event
from leads.list_membership import (
    MembershipChange,
    rebuild_list,
    refresh_lead,
    refresh_time_based,
)
from leads.lists import add_member, create_list, get_list, member_ids, update_list_definition
from leads.tables import Event, Lead, ListMembership, Team, utcnow
from leads.team_lists import team_lists
from tests.factories import make_lead

SIGNED_UP = {
    "events": {"type": "api_event", "payload": {"action": "signup"}},
    "op": ">=",
    "value": 1,
}
SOFTWARE = {"field": "industry", "op": "in", "value": ["software", "fintech"]}


def dynamic(session: Session, team: Team, name: str, definition: dict[str, Any]) -> int:
    return create_list(
        session, team_id=team.id, name=name, kind="dynamic", definition=definition
    ).id


def event(session: Session, team: Team, lead: Lead, kind: str, **values: Any) -> None:
    record_event(session, team_id=team.id, event=NewEvent(lead_id=lead.id, type=kind, **values))


def list_events(session: Session, lead: Lead) -> list[tuple[str, Any]]:
    rows = session.execute(
        select(Event.type, Event.payload, Event.source)
        .where(Event.lead_id == lead.id, Event.type.in_(["list_entered", "list_left"]))
        .order_by(Event.id)
    )
    return [(kind, payload["list"]) for kind, payload, source in rows if source == "lists"]


def test_a_sign_up_puts_the_lead_on_the_list_and_records_it(session: Session, team: Team) -> None:
    lead = make_lead(session, team)
    list_id = dynamic(session, team, "Signed up", SIGNED_UP)
    event(session, team, lead, "api_event", payload={"action": "signup"})
    changes = refresh_lead(session, team_id=team.id, lead_id=lead.id, event_types=["api_event"])
    assert changes == [MembershipChange(list_id, "Signed up", lead.id, entered=True)]
    assert member_ids(session, team_id=team.id, list_id=list_id) == [lead.id]
    assert list_events(session, lead) == [("list_entered", "Signed up")]
    payload = session.scalar(
        select(Event.payload).where(Event.type == "list_entered", Event.lead_id == lead.id)
    )
    assert payload == {"list": "Signed up", "list_id": list_id}
    again = refresh_lead(session, team_id=team.id, lead_id=lead.id, event_types=["api_event"])
    assert again == []


def test_a_field_change_takes_the_lead_off_the_list(session: Session, team: Team) -> None:
    lead = make_lead(session, team, industry="software")
    list_id = dynamic(session, team, "Software", SOFTWARE)
    assert member_ids(session, team_id=team.id, list_id=list_id) == [lead.id]
    lead.industry = "retail"
    changes = refresh_lead(session, team_id=team.id, lead_id=lead.id, fields_changed=True)
    assert [(c.list_name, c.entered) for c in changes] == [("Software", False)]
    assert member_ids(session, team_id=team.id, list_id=list_id) == []
    assert list_events(session, lead) == [("list_entered", "Software"), ("list_left", "Software")]


def test_a_refresh_leaves_lists_that_read_other_things_alone(session: Session, team: Team) -> None:
    lead = make_lead(session, team, industry="software")
    signed_up = dynamic(session, team, "Signed up", SIGNED_UP)
    event(session, team, lead, "api_event", payload={"action": "signup"})
    # Told only of a click, the refresh does not look at the sign-up list.
    assert (
        refresh_lead(session, team_id=team.id, lead_id=lead.id, event_types=["link_clicked"]) == []
    )
    assert refresh_lead(session, team_id=team.id, lead_id=lead.id, fields_changed=True) == []
    assert member_ids(session, team_id=team.id, list_id=signed_up) == []


def test_lists_reading_a_changed_list_follow_in_the_same_refresh(
    session: Session, team: Team
) -> None:
    lead = make_lead(session, team, industry="software")
    dynamic(session, team, "Signed up", SIGNED_UP)
    dynamic(session, team, "Software sign-ups", {"all": [{"in_list": "Signed up"}, SOFTWARE]})
    dynamic(session, team, "Others", {"not": {"in_list": "Software sign-ups"}})
    assert [n for n, *_ in memberships(session, lead)] == ["Others"]
    event(session, team, lead, "api_event", payload={"action": "signup"})
    changes = refresh_lead(session, team_id=team.id, lead_id=lead.id, event_types=["api_event"])
    assert [(c.list_name, c.entered) for c in changes] == [
        ("Signed up", True),
        ("Software sign-ups", True),
        ("Others", False),
    ]


def memberships(session: Session, lead: Lead) -> list[tuple[str, ...]]:
    from leads.tables import LeadList

    rows = session.execute(
        select(LeadList.name)
        .join(ListMembership, ListMembership.list_id == LeadList.id)
        .where(ListMembership.lead_id == lead.id)
        .order_by(LeadList.name)
    )
    return [tuple(row) for row in rows]


def test_a_lead_put_on_a_static_list_updates_the_lists_reading_it(
    session: Session, team: Team
) -> None:
    lead = make_lead(session, team)
    vip = create_list(session, team_id=team.id, name="VIP").id
    readers = dynamic(session, team, "VIP sign-ups", {"all": [{"in_list": "VIP"}, SIGNED_UP]})
    event(session, team, lead, "api_event", payload={"action": "signup"})
    refresh_lead(session, team_id=team.id, lead_id=lead.id, event_types=["api_event"])
    assert member_ids(session, team_id=team.id, list_id=readers) == []
    add_member(session, team_id=team.id, list_id=vip, lead_id=lead.id)
    changes = refresh_lead(session, team_id=team.id, lead_id=lead.id, lists_changed=["VIP"])
    assert [(c.list_name, c.entered) for c in changes] == [("VIP sign-ups", True)]


def test_creating_or_editing_a_list_fills_it_and_its_readers(session: Session, team: Team) -> None:
    software = make_lead(session, team, industry="software")
    retail = make_lead(session, team, industry="retail")
    industry = dynamic(session, team, "Industry", SOFTWARE)
    reader = dynamic(session, team, "Reader", {"in_list": "Industry"})
    assert member_ids(session, team_id=team.id, list_id=reader) == [software.id]
    retail_only = {"field": "industry", "op": "==", "value": "retail"}
    changes = update_list_definition(
        session, team_id=team.id, list_id=industry, definition=retail_only
    )
    assert {(c.list_name, c.lead_id, c.entered) for c in changes} == {
        ("Industry", software.id, False),
        ("Industry", retail.id, True),
        ("Reader", software.id, False),
        ("Reader", retail.id, True),
    }
    assert get_list(session, team_id=team.id, name="Industry").definition == retail_only


def test_a_list_cannot_read_itself_through_other_lists(session: Session, team: Team) -> None:
    a = dynamic(session, team, "A", SOFTWARE)
    dynamic(session, team, "B", {"in_list": "A"})
    dynamic(session, team, "C", {"any": [SOFTWARE, {"in_list": "B"}]})
    with pytest.raises(ValidationFailed) as info:
        update_list_definition(
            session, team_id=team.id, list_id=a, definition={"all": [SOFTWARE, {"in_list": "C"}]}
        )
    assert info.value.field == "definition.all[1].in_list"
    assert "A -> C -> B -> A" in info.value.problem
    with pytest.raises(ValidationFailed) as info:
        update_list_definition(session, team_id=team.id, list_id=a, definition={"in_list": "A"})
    assert info.value.field == "definition.in_list"
    with pytest.raises(ValidationFailed) as info:
        dynamic(session, team, "D", {"not": {"in_list": "Nowhere"}})
    assert (info.value.field, info.value.problem) == (
        "definition.not.in_list",
        "there is no list named 'Nowhere'",
    )


def test_a_bad_definition_is_refused_on_create_with_its_path(session: Session, team: Team) -> None:
    with pytest.raises(ValidationFailed) as info:
        dynamic(session, team, "Bad", {"all": [SOFTWARE, {"field": "industry", "op": ">"}]})
    assert info.value.field == "definition.all[1].op"
    static = create_list(session, team_id=team.id, name="Static").id
    with pytest.raises(ValidationFailed):
        update_list_definition(session, team_id=team.id, list_id=static, definition=SOFTWARE)
    with pytest.raises(NotFound):
        rebuild_list(session, team_id=team.id, list_id=static)


def test_time_passing_takes_a_lead_off_a_windowed_list(session: Session, team: Team) -> None:
    now = utcnow()
    lead = make_lead(session, team)
    recent = {"events": {"type": "link_clicked", "within_days": 30}, "op": ">=", "value": 1}
    list_id = dynamic(session, team, "Clicked lately", recent)
    dynamic(session, team, "Not lately", {"not": {"in_list": "Clicked lately"}})
    event(session, team, lead, "link_clicked", occurred_at=now - timedelta(days=31))
    earlier = now - timedelta(days=2)
    refresh_lead(
        session, team_id=team.id, lead_id=lead.id, event_types=["link_clicked"], now=earlier
    )
    assert member_ids(session, team_id=team.id, list_id=list_id) == [lead.id]
    changes = refresh_time_based(session, team_id=team.id, now=now)
    assert [(c.list_name, c.entered) for c in changes] == [
        ("Clicked lately", False),
        ("Not lately", True),
    ]


# The random stream: incremental refreshes must end where a full rebuild does.

STREAM_LISTS: dict[str, dict[str, Any]] = {
    "Last campaign clickers": {
        "events": {"type": "link_clicked", "campaign": "@last"},
        "op": ">=",
        "value": 2,
    },
    "Sequence repliers": {
        "events": {"type": "email_replied", "payload": {"flow": "sequence"}},
        "op": ">=",
        "value": 1,
    },
    "Content fans": {
        "events": {"type": "link_clicked", "payload": {"link_kind": "content"}, "per": "link"},
        "op": ">=",
        "value": 3,
    },
    "Signed up": SIGNED_UP,
    "Cold": {
        "events": {"types": ["email_opened", "link_clicked", "email_replied"], "within_days": 20},
        "op": "<=",
        "value": 1,
    },
    "Deck readers": {"read_depth": {"document": "deck"}, "op": ">", "value": 0.8},
    "Software SQLs": {"all": [SOFTWARE, {"field": "stage", "op": "==", "value": "sql"}]},
    "Hot": {
        "any": [
            {"in_list": "Software SQLs"},
            {"all": [{"in_list": "Signed up"}, {"not": {"in_list": "Cold"}}]},
            {"in_list": "Deck readers"},
        ]
    },
    "Hot without meeting": {
        "all": [
            {"in_list": "Hot"},
            {"not": {"events": {"type": "meeting_booked"}, "op": ">=", "value": 1}},
        ]
    },
}


def random_event(rng: random.Random, lead_id: int, now: Any) -> NewEvent:
    kind = rng.choice(
        [
            *("email_sent", "email_opened", "link_clicked", "link_clicked", "email_replied"),
            *("api_event", "page_dwell", "page_dwell", "meeting_booked", "doc_viewed"),
        ]
    )
    payload: dict[str, Any] = {
        "campaign": rng.choice(["c1", "c2", "c3"]),
        "flow": rng.choice(["sequence", "campaign", "nurture"]),
    }
    if kind == "link_clicked":
        payload |= {"link": rng.choice("abcd"), "link_kind": rng.choice(["content", "pricing"])}
    elif kind == "api_event":
        payload = {"action": rng.choice(["signup", "login", "login"])}
    elif kind in ("page_dwell", "doc_viewed"):
        payload = {"document": rng.choice(["deck", "deck", "other"]), "page": rng.randint(1, 6)}
    human = rng.choice([None, 0.1, 0.9]) if kind in ("email_opened", "link_clicked") else None
    when = now - timedelta(days=rng.uniform(0, 40))
    return NewEvent(lead_id=lead_id, type=kind, occurred_at=when, payload=payload, human=human)


@pytest.mark.slow
def test_incremental_membership_equals_a_full_rebuild_after_a_random_stream(
    session: Session, team: Team
) -> None:
    rng = random.Random(7)
    now = utcnow()
    create_document(session, team_id=team.id, slug="deck", title="Deck", pages=[PageSpec()] * 5)
    leads = [
        make_lead(session, team, industry=rng.choice(["software", "retail"]), stage="mql")
        for _ in range(40)
    ]
    for name, definition in STREAM_LISTS.items():
        create_list(session, team_id=team.id, name=name, kind="dynamic", definition=definition)
    for _ in range(10_000):
        lead = rng.choice(leads)
        if rng.random() < 0.03:
            lead.industry = rng.choice(["software", "fintech", "retail", None])
            lead.stage = rng.choice(["new", "mql", "sql"])
            refresh_lead(session, team_id=team.id, lead_id=lead.id, fields_changed=True, now=now)
            continue
        new = random_event(rng, lead.id, now)
        record_event(session, team_id=team.id, event=new)
        refresh_lead(session, team_id=team.id, lead_id=lead.id, event_types=[new.type], now=now)
    stored = set(
        session.execute(
            select(ListMembership.list_id, ListMembership.lead_id).where(
                ListMembership.team_id == team.id
            )
        ).all()
    )
    assert len(stored) > 40  # the lists are neither empty nor trivially full
    for list_id in team_lists(session, team_id=team.id).lists:
        assert rebuild_list(session, team_id=team.id, list_id=list_id, now=now) == []
    # Replaying the list events gives the stored memberships: every change was recorded once.
    replayed: set[tuple[int, int]] = set()
    rows = session.execute(
        select(Event.type, Event.payload, Event.lead_id)
        .where(Event.team_id == team.id, Event.source == "lists")
        .order_by(Event.id)
    )
    for kind, payload, lead_id in rows:
        key = (payload["list_id"], lead_id)
        assert (key in replayed) == (kind == "list_left")
        (replayed.add if kind == "list_entered" else replayed.discard)(key)
    assert replayed == stored
