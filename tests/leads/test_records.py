from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from leads.errors import ValidationFailed
from leads.events import NewEvent, record_event
from leads.history import history_of
from leads.lead_input import parse_lead_fields
from leads.lists import add_member, create_list, member_ids
from leads.records import LeadChange, find_lead, upsert_lead, upsert_leads
from leads.tables import Event, Lead, Team


def change(**raw: object) -> LeadChange:
    parsed = parse_lead_fields(raw)
    assert parsed.errors == []
    return LeadChange.from_parsed(parsed)


def test_same_email_in_any_case_is_one_lead(session: Session, team: Team) -> None:
    first = upsert_lead(session, team_id=team.id, change=change(email="Kim@Example.COM"))
    second = upsert_lead(
        session, team_id=team.id, change=change(email=" kim@example.com ", company="Acme")
    )
    assert first.created and not second.created
    assert second.lead.id == first.lead.id
    assert second.lead.email == "kim@example.com"
    assert second.lead.company == "Acme"


def test_blank_values_never_erase_what_the_record_has(session: Session, team: Team) -> None:
    upsert_lead(
        session, team_id=team.id, change=change(email="a@x.io", company="Acme", title="CTO")
    )
    lead = upsert_lead(
        session, team_id=team.id, change=change(email="a@x.io", company="", title="Select")
    ).lead
    assert (lead.company, lead.title) == ("Acme", "CTO")


def test_product_interests_accumulate(session: Session, team: Team) -> None:
    upsert_lead(session, team_id=team.id, change=change(email="p@x.io", product_interests="A, B"))
    lead = upsert_lead(
        session, team_id=team.id, change=change(email="p@x.io", product_interests=["B", "C"])
    ).lead
    assert lead.product_interests == ["A", "B", "C"]


def test_external_id_identifies_a_lead_without_email(session: Session, team: Team) -> None:
    first = upsert_lead(
        session,
        team_id=team.id,
        change=change(external_id="P-1", company="Acme"),
        id_source="crm",
    )
    again = upsert_lead(
        session, team_id=team.id, change=change(external_id="P-1", title="CEO"), id_source="crm"
    )
    other_source = upsert_lead(
        session, team_id=team.id, change=change(external_id="P-1"), id_source="other"
    )
    assert again.lead.id == first.lead.id and again.lead.title == "CEO"
    assert other_source.created and other_source.lead.id != first.lead.id


def test_email_arriving_later_attaches_to_the_external_id_lead(
    session: Session, team: Team
) -> None:
    by_id = upsert_lead(session, team_id=team.id, change=change(external_id="P-2"), id_source="crm")
    both = upsert_lead(
        session,
        team_id=team.id,
        change=change(external_id="P-2", email="lee@x.io"),
        id_source="crm",
    )
    assert both.lead.id == by_id.lead.id and both.lead.email == "lee@x.io"


def test_two_records_of_one_person_merge_keeping_events_and_lists(
    session: Session, team: Team
) -> None:
    by_email = upsert_lead(session, team_id=team.id, change=change(email="park@x.io")).lead
    by_id = upsert_lead(
        session,
        team_id=team.id,
        change=change(external_id="P-3", company="Acme"),
        id_source="crm",
    ).lead
    record_event(session, team_id=team.id, event=NewEvent(lead_id=by_id.id, type="email_opened"))
    record_event(session, team_id=team.id, event=NewEvent(lead_id=by_email.id, type="link_clicked"))
    vip = create_list(session, team_id=team.id, name="vip")
    add_member(session, team_id=team.id, list_id=vip.id, lead_id=by_id.id)
    dropped_id = by_id.id

    outcome = upsert_lead(
        session,
        team_id=team.id,
        change=change(email="park@x.io", external_id="P-3"),
        id_source="crm",
    )

    assert outcome.lead.id == by_email.id and outcome.merged_ids == [dropped_id]
    assert session.get(Lead, dropped_id) is None
    assert outcome.lead.company == "Acme" and outcome.lead.external_id == "P-3"
    events = session.scalars(select(Event.type).where(Event.lead_id == by_email.id)).all()
    assert sorted(events) == ["email_opened", "link_clicked"]
    assert member_ids(session, team_id=team.id, list_id=vip.id) == [by_email.id]
    merges = [h for h in history_of(session, lead=outcome.lead) if h.kind == "merge"]
    assert merges[0].from_value == str(dropped_id)


def test_a_batch_with_the_same_person_twice_makes_one_lead(session: Session, team: Team) -> None:
    outcomes = upsert_leads(
        session,
        team_id=team.id,
        changes=[change(email="dup@x.io", company="A"), change(email="DUP@x.io", title="CFO")],
    )
    assert [o.created for o in outcomes] == [True, False]
    count = session.scalar(select(func.count()).where(Lead.team_id == team.id))
    assert count == 1 and outcomes[1].lead.title == "CFO" and outcomes[1].lead.company == "A"


def test_do_not_email_suppresses_with_a_reason(session: Session, team: Team) -> None:
    lead = upsert_lead(
        session, team_id=team.id, change=change(email="no@x.io", do_not_email="Yes")
    ).lead
    assert lead.flow_state == "suppressed" and lead.consent == "denied"
    (row,) = history_of(session, lead=lead)
    assert (row.kind, row.to_value, row.reasons[0]["rule"]) == (
        "flow",
        "suppressed",
        "do_not_email",
    )


def test_a_lead_needs_an_email_or_external_id(session: Session, team: Team) -> None:
    with pytest.raises(ValidationFailed, match="email") as info:
        upsert_lead(session, team_id=team.id, change=change(company="Nobody"))
    assert info.value.field == "email"


def test_teams_do_not_see_each_others_leads(session: Session, team: Team) -> None:
    from leads.teams import create_team

    other, _ = create_team(session, name="other-team")
    mine = upsert_lead(session, team_id=team.id, change=change(email="same@x.io")).lead
    theirs = upsert_lead(session, team_id=other.id, change=change(email="same@x.io")).lead
    assert mine.id != theirs.id
    assert find_lead(session, team_id=other.id, email="same@x.io") is theirs
