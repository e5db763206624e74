"""The review queue over HTTP: the JSON API with the team's key, and the pages with a session."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from leads import db
from leads.flow_tables import EmailDraft, OutboxItem
from leads.records import LeadChange, upsert_lead
from leads.tables import LeadHistory, utcnow
from tests.factories import unique_email
from tests.serving.conftest import Tenant

FAILED = {"passed": False, "failures": ["'40% off' is not in the agent's input"]}
WHY = {"reason": "clicked the pricing link twice", "score": 0.91}


def held_draft(engine: Engine, team_id: int, *, priority: float = 0.5, **values: Any) -> int:
    """A pending draft of a new lead, its outbox row held, as the worker leaves them."""
    with db.unit_of_work(engine) as session:
        change = LeadChange({"email": unique_email(), "company": values.pop("company", "Acme")})
        lead = upsert_lead(session, team_id=team_id, change=change).lead
        lead.score = priority
        item = OutboxItem(
            team_id=team_id, lead_id=lead.id, kind="meeting_proposal", due_at=utcnow(),
            status="held", payload={"flow": "sequence"},
        )  # fmt: skip
        session.add(item)
        session.flush()
        values.setdefault("subject", "Acme and Lumen")
        values.setdefault("body", "Could we talk this week?")
        draft = EmailDraft(
            team_id=team_id, lead_id=lead.id, outbox_id=item.id, status="pending",
            action="meeting_proposal", priority=priority, provider="scripted", **values,
        )  # fmt: skip
        session.add(draft)
        session.flush()
        return draft.id


def stored(engine: Engine, draft_id: int) -> tuple[EmailDraft, OutboxItem]:
    with db.unit_of_work(engine) as session:
        draft = session.get_one(EmailDraft, draft_id)
        return draft, session.get_one(OutboxItem, draft.outbox_id)


def test_the_queue_lists_pending_drafts_by_score_then_oldest_in_pages(
    client: TestClient, tenant: Tenant, engine: Engine
) -> None:
    low, high, later_low = (held_draft(engine, tenant.team_id, priority=p) for p in (0.4, 0.9, 0.4))
    first = client.get("/v1/drafts?limit=2", headers=tenant.headers).json()
    assert [d["id"] for d in first["drafts"]] == [high, low]
    assert first["drafts"][0]["lead"]["score"] == 0.9
    rest = client.get(f"/v1/drafts?limit=2&cursor={first['next_cursor']}", headers=tenant.headers)
    assert [d["id"] for d in rest.json()["drafts"]] == [later_low]
    assert rest.json()["next_cursor"] is None
    wrong = client.get("/v1/drafts?status=maybe", headers=tenant.headers)
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["field"] == "status"


def test_a_draft_shows_its_lead_why_facts_and_checks(
    client: TestClient, tenant: Tenant, engine: Engine
) -> None:
    facts = ["opened 3 of the last 4 emails"]
    draft_id = held_draft(
        engine, tenant.team_id, priority=0.91, company="서울상사", subject="서울상사 미팅 제안",
        facts=facts, checks=FAILED, context=WHY, language="ko",
    )  # fmt: skip
    shown = client.get(f"/v1/drafts/{draft_id}", headers=tenant.headers).json()
    assert shown["subject"] == "서울상사 미팅 제안"
    assert shown["lead"]["company"] == "서울상사" and shown["lead"]["stage"] == "new"
    assert (shown["why"], shown["facts"], shown["checks"]) == (WHY, facts, FAILED)
    assert shown["outbox"]["status"] == "held"


def test_an_edited_approval_puts_the_email_back_in_the_outbox_once(
    client: TestClient, tenant: Tenant, engine: Engine
) -> None:
    draft_id = held_draft(engine, tenant.team_id)
    headers = {**tenant.headers, "X-Reviewer": "minji@lumen.example"}
    url = f"/v1/drafts/{draft_id}:approve"
    approved = client.post(url, json={"body": "Could we talk on Thursday?"}, headers=headers)
    assert approved.status_code == 200
    assert approved.json()["status"] == "edited"
    assert approved.json()["outbox"]["status"] == "pending"
    draft, item = stored(engine, draft_id)
    assert (draft.body, draft.reviewer) == ("Could we talk on Thursday?", "minji@lumen.example")
    assert item.status == "pending" and item.payload["draft_id"] == draft_id
    with db.unit_of_work(engine) as session:
        history = session.scalars(select(LeadHistory).where(LeadHistory.lead_id == draft.lead_id))
        assert [(h.kind, h.to_value) for h in history] == [("draft", "edited")]
    assert client.post(url, headers=headers).status_code == 409


def test_an_approval_as_written_is_by_the_api_unless_a_reviewer_is_named(
    client: TestClient, tenant: Tenant, engine: Engine
) -> None:
    draft_id = held_draft(engine, tenant.team_id)
    approved = client.post(f"/v1/drafts/{draft_id}:approve", headers=tenant.headers)
    assert (approved.json()["status"], approved.json()["reviewer"]) == ("approved", "api")


def test_a_rejection_needs_a_reason_and_cancels_the_email(
    client: TestClient, tenant: Tenant, engine: Engine
) -> None:
    draft_id = held_draft(engine, tenant.team_id)
    url = f"/v1/drafts/{draft_id}:reject"
    empty = client.post(url, json={"reason": "  "}, headers=tenant.headers)
    assert empty.status_code == 422 and empty.json()["errors"][0]["field"] == "reason"
    assert (
        client.post(url, json={}, headers=tenant.headers).json()["errors"][0]["field"] == "reason"
    )
    rejected = client.post(url, json={"reason": "too pushy"}, headers=tenant.headers)
    assert (rejected.json()["status"], rejected.json()["reason"]) == ("rejected", "too pushy")
    assert stored(engine, draft_id)[1].status == "cancelled"
    assert client.post(url, json={"reason": "again"}, headers=tenant.headers).status_code == 409


def test_bulk_approval_is_all_or_nothing(
    client: TestClient, tenant: Tenant, engine: Engine
) -> None:
    first, second, decided = (held_draft(engine, tenant.team_id) for _ in range(3))
    client.post(f"/v1/drafts/{decided}:approve", headers=tenant.headers)
    refused = client.post(
        "/v1/drafts:approve", json={"ids": [first, decided]}, headers=tenant.headers
    )
    assert refused.status_code == 409
    assert stored(engine, first)[0].status == "pending"
    done = client.post("/v1/drafts:approve", json={"ids": [first, second]}, headers=tenant.headers)
    assert done.json() == {"approved": [first, second]}
    assert [stored(engine, i)[1].status for i in (first, second)] == ["pending", "pending"]
    assert (
        client.post("/v1/drafts:approve", json={"ids": []}, headers=tenant.headers).status_code
        == 422
    )


def test_another_teams_drafts_do_not_exist(
    client: TestClient, tenant: Tenant, other: Tenant, engine: Engine
) -> None:
    draft_id = held_draft(engine, tenant.team_id)
    assert client.get(f"/v1/drafts/{draft_id}", headers=other.headers).status_code == 404
    for action, body in ((":approve", None), (":reject", {"reason": "no"})):
        response = client.post(f"/v1/drafts/{draft_id}{action}", json=body, headers=other.headers)
        assert response.status_code == 404
    bulk = client.post("/v1/drafts:approve", json={"ids": [draft_id]}, headers=other.headers)
    assert bulk.status_code == 404
    assert client.get("/v1/drafts", headers=other.headers).json()["drafts"] == []
    assert stored(engine, draft_id)[0].status == "pending"
    assert client.get("/v1/drafts").status_code == 401


# The pages: a session cookie instead of the key, and a CSRF token in every form.


def log_in(client: TestClient, tenant: Tenant, reviewer: str = "민지 <minji@lumen.example>") -> str:
    """Log in; the CSRF token the queue page carries."""
    queue = client.post("/review", data={"api_key": tenant.key, "reviewer": reviewer})
    assert queue.status_code == 200 and queue.url.path == "/review/queue"
    return csrf_of(queue.text)


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found is not None
    return found.group(1)


def test_the_pages_need_a_session_that_never_holds_the_key(
    client: TestClient, tenant: Tenant
) -> None:
    for path in ("/review/queue", "/review/drafts/1"):
        response = client.get(path, follow_redirects=False)
        assert (response.status_code, response.headers["location"]) == (303, "/review")
    wrong = client.post("/review", data={"api_key": "lp_wrong", "reviewer": "minji"})
    assert wrong.status_code == 401 and "unknown or revoked" in wrong.text
    response = client.post(
        "/review", data={"api_key": tenant.key, "reviewer": "minji"}, follow_redirects=False
    )
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/review" in cookie
    assert tenant.key not in cookie
    token = client.cookies["leadpulse_review"]
    client.cookies.clear()
    client.cookies.set("leadpulse_review", token[:-2] + "xx")
    assert client.get("/review/queue", follow_redirects=False).status_code == 303


def test_the_queue_page_shows_korean_drafts_with_failures_and_approves_in_bulk(
    client: TestClient, tenant: Tenant, engine: Engine
) -> None:
    korean = held_draft(
        engine, tenant.team_id, priority=0.8, company="서울상사", subject="서울상사 미팅 제안",
        checks=FAILED, context=WHY, facts=["가격 페이지 2회 클릭"], language="ko",
    )  # fmt: skip
    plain = held_draft(engine, tenant.team_id, priority=0.3)
    csrf = log_in(client, tenant)
    page = client.get("/review/queue").text
    assert page.index(f'id="draft-{korean}"') < page.index(f'id="draft-{plain}"')
    assert "서울상사 미팅 제안" in page and "가격 페이지 2회 클릭" in page
    assert "Guardrails failed" in page and "clicked the pricing link twice" in page
    forged = client.post("/review/queue", data={"ids": [korean, plain], "csrf": "forged"})
    assert forged.status_code == 403
    done = client.post("/review/queue", data={"ids": [korean, plain], "csrf": csrf})
    assert done.status_code == 200 and "2 draft(s) approved" in done.text
    assert [stored(engine, i)[1].status for i in (korean, plain)] == ["pending", "pending"]
    assert stored(engine, korean)[0].reviewer == "민지 <minji@lumen.example>"


def test_the_draft_page_edits_approves_and_rejects_only_with_a_reason(
    client: TestClient, tenant: Tenant, other: Tenant, engine: Engine
) -> None:
    first, second = (held_draft(engine, tenant.team_id) for _ in range(2))
    csrf = log_in(client, tenant)
    empty = client.post(f"/review/drafts/{first}/reject", data={"reason": " ", "csrf": csrf})
    assert empty.status_code == 422 and "reason: say why" in empty.text
    edits = {"subject": "Acme and Lumen", "body": "목요일에 통화 가능하실까요?", "csrf": csrf}
    approved = client.post(f"/review/drafts/{first}/approve", data=edits)
    assert approved.status_code == 200 and "queued for sending at" in approved.text
    assert stored(engine, first)[0].status == "edited"
    assert "목요일에 통화 가능하실까요?" in approved.text
    again = client.post(f"/review/drafts/{first}/approve", data=edits)
    assert again.status_code == 409
    rejected = client.post(
        f"/review/drafts/{second}/reject", data={"reason": "too early", "csrf": csrf}
    )
    assert rejected.url.path == "/review/queue" and stored(engine, second)[0].status == "rejected"

    theirs = held_draft(engine, other.team_id)
    assert client.get(f"/review/drafts/{theirs}").status_code == 404
    posted = client.post(f"/review/drafts/{theirs}/approve", data={"csrf": csrf})
    assert posted.status_code == 404 and stored(engine, theirs)[0].status == "pending"
    client.post("/review/logout", data={"csrf": csrf})
    assert client.get("/review/queue", follow_redirects=False).status_code == 303
