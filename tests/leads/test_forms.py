from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from leads.errors import InvalidInput, NotFound
from leads.forms import create_form, submit_form
from leads.lists import get_list, member_ids
from leads.tables import Event, Form, Team
from leads.teams import create_team

DEMO_FORM: dict[str, Any] = {
    "fields": [
        {"name": "email", "type": "email", "required": True, "maps_to": "email"},
        {"name": "name", "label": "이름", "maps_to": "name"},
        {"name": "company", "label": "회사명", "maps_to": "company"},
        {
            "name": "interest",
            "label": "관심 제품",
            "type": "multiselect",
            "options": ["Product A", "Product B"],
        },
        {
            "name": "size",
            "type": "select",
            "options": ["1-50", "51-500", "500+"],
            "maps_to": "employees",
        },
        {"name": "newsletter", "type": "checkbox"},
        {"name": "message", "type": "textarea"},
    ],
    "rules": [
        {
            "field": "interest",
            "equals": "Product A",
            "add_to_list": "product-a",
            "add_product_interest": "Product A",
        },
        {
            "field": "interest",
            "equals": "Product B",
            "add_to_list": "product-b",
            "add_product_interest": "Product B",
        },
        {"field": "size", "equals": "500+", "set_fields": {"source": "enterprise-form"}},
        {"field": "newsletter", "equals": "True", "add_to_list": "newsletter"},
    ],
    "lists": ["all-form-leads"],
    "source": "website-demo-form",
}


@pytest.fixture
def form(session: Session, team: Team) -> Form:
    return create_form(session, team_id=team.id, name="demo-request", definition=DEMO_FORM)


def test_an_answer_routes_the_lead_to_its_product_list(
    session: Session, team: Team, form: Form
) -> None:
    result = submit_form(
        session,
        team_id=team.id,
        form_id=form.id,
        answers={
            "email": "Kim@Acme.co.kr",
            "name": "김민수",
            "company": "에이크미",
            "interest": ["Product A"],
            "size": "51-500",
        },
    )
    assert result.created
    lead = result.lead
    assert (lead.email, lead.name, lead.company) == ("kim@acme.co.kr", "김민수", "에이크미")
    assert lead.product_interests == ["Product A"]
    assert lead.employees == 276 and lead.source == "website-demo-form"
    product_a = get_list(session, team_id=team.id, name="product-a")
    product_b = get_list(session, team_id=team.id, name="product-b")
    assert member_ids(session, team_id=team.id, list_id=product_a.id) == [lead.id]
    assert member_ids(session, team_id=team.id, list_id=product_b.id) == []
    assert sorted(result.lists) == ["all-form-leads", "product-a"]
    event = session.get(Event, result.event_id)
    assert event is not None and event.type == "form_submitted"
    assert event.payload["answers"]["interest"] == ["Product A"]


def test_rules_set_fields_and_checkboxes_route(session: Session, team: Team, form: Form) -> None:
    result = submit_form(
        session,
        team_id=team.id,
        form_id=form.id,
        answers={
            "email": "cto@big.io",
            "size": "500+",
            "newsletter": "yes",
            "interest": "Product A, Product B",
        },
    )
    assert result.lead.source == "enterprise-form"
    assert result.lead.product_interests == ["Product A", "Product B"]
    assert sorted(result.lists) == ["all-form-leads", "newsletter", "product-a", "product-b"]


def test_a_second_submission_updates_the_same_lead(
    session: Session, team: Team, form: Form
) -> None:
    first = submit_form(
        session,
        team_id=team.id,
        form_id=form.id,
        answers={"email": "a@b.io", "interest": ["Product B"]},
    )
    second = submit_form(
        session,
        team_id=team.id,
        form_id=form.id,
        answers={"email": "A@B.io", "interest": ["Product A"]},
    )
    assert not second.created and second.lead.id == first.lead.id
    assert second.lead.product_interests == ["Product B", "Product A"]


def test_a_replayed_submission_is_recorded_once(session: Session, team: Team, form: Form) -> None:
    answers = {"email": "once@b.io"}
    first = submit_form(
        session, team_id=team.id, form_id=form.id, answers=answers, idempotency_key="sub-1"
    )
    again = submit_form(
        session, team_id=team.id, form_id=form.id, answers=answers, idempotency_key="sub-1"
    )
    assert again.duplicate and again.event_id == first.event_id
    events = session.scalars(select(Event).where(Event.lead_id == first.lead.id)).all()
    assert len(events) == 1


def test_bad_answers_are_all_reported_by_field(session: Session, team: Team, form: Form) -> None:
    with pytest.raises(InvalidInput) as info:
        submit_form(
            session,
            team_id=team.id,
            form_id=form.id,
            answers={"email": "not-an-email", "size": "huge", "favourite_colour": "blue"},
        )
    problems = {e.field: e.problem for e in info.value.errors}
    assert set(problems) == {"email", "size", "favourite_colour"}
    assert "not a field of form 'demo-request'" in problems["favourite_colour"]
    assert "huge" in problems["size"] and "500+" in problems["size"]


def test_a_missing_required_answer_is_named(session: Session, team: Team, form: Form) -> None:
    with pytest.raises(InvalidInput) as info:
        submit_form(session, team_id=team.id, form_id=form.id, answers={"name": "Lee"})
    assert [(e.field, e.problem) for e in info.value.errors] == [("email", "is required")]


def test_a_form_definition_is_checked(session: Session, team: Team) -> None:
    with pytest.raises(InvalidInput) as info:
        create_form(
            session,
            team_id=team.id,
            name="broken",
            definition={
                "fields": [{"name": "company", "maps_to": "company"}],
                "rules": [{"field": "nope", "add_to_list": "x"}],
            },
        )
    assert any("email field" in e.problem for e in info.value.errors)


def test_another_teams_form_is_not_found(session: Session, team: Team, form: Form) -> None:
    other, _ = create_team(session, name="forms-other")
    with pytest.raises(NotFound):
        submit_form(session, team_id=other.id, form_id=form.id, answers={"email": "x@y.io"})
