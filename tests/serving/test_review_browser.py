"""The review page driven in headless Chromium (Debian's, never a downloaded browser) against a
real uvicorn server: log in, open the queue, edit a held draft, approve it, see it queued."""

from __future__ import annotations

import asyncio
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import uvicorn
from sqlalchemy import Engine, select

from flows.clock import ManualClock
from flows.definitions import create_flow
from flows.loop import process_event
from flows.sender import Sender
from flows.settings import FlowSettings
from flows.smtp import SmtpMailer
from leads import db
from leads.events import NewEvent
from leads.flow_tables import EmailDraft, OutboxItem
from leads.records import LeadChange, upsert_lead
from leads.tables import Team, utcnow
from model.champion import Champion
from tests.factories import free_port, unique_email
from tests.flows.conftest import SEQUENCE
from tests.flows.test_review import ReviewedDrafts
from tests.serving.conftest import Tenant, make_app, new_tenant

CHROMIUM = Path("/usr/bin/chromium")
SENDER = {
    "from_name": "Lumen Sales", "from_email": "sales@lumen.example",
    "reply_domain": "reply.lumen.example", "postal_address": "1 Main St, Seoul",
}  # fmt: skip

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin"),
]


@pytest.fixture
def served(engine: Engine) -> Iterator[str]:
    """The app on a free loopback port, served by uvicorn in a thread (Playwright's sync API
    runs in the test's thread, outside any event loop)."""
    port = free_port()
    config = uvicorn.Config(make_app(engine), host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="review-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            pytest.fail("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


def held_by_the_worker(engine: Engine, tenant: Tenant) -> int:
    """A Korean lead made SQL enters the sequence; the worker drafts its first email and holds
    it for review. The draft's id."""
    with db.unit_of_work(engine) as session:
        create_flow(
            session, team_id=tenant.team_id, name="Sales", kind="sequence", definition=SEQUENCE
        )
        change = LeadChange({"email": unique_email(), "company": "서울상사", "language": "ko"})
        lead_id = upsert_lead(session, team_id=tenant.team_id, change=change).lead.id
    champion, now = Champion.fixed(None, None), utcnow()
    for n in range(3):
        with db.unit_of_work(engine) as session:
            event = NewEvent(
                lead_id=lead_id, type="link_clicked", occurred_at=now, idempotency_key=f"c{n}",
                payload={"link": f"https://example.com/{n}"},
            )  # fmt: skip
            team = session.get_one(Team, tenant.team_id)
            process_event(session, team=team, event=event, champion=champion, now=now)
    settings = FlowSettings(public_url="https://track.lumen.example")
    sender = Sender(
        sessions=db.session_factory(engine), mailer=SmtpMailer(settings), champion=champion,
        drafts=ReviewedDrafts(), clock=ManualClock(now + timedelta(days=7)), settings=settings,
        worker=f"review-{uuid.uuid4().hex[:6]}", team_id=tenant.team_id,
    )  # fmt: skip
    assert asyncio.run(sender.run_once())["held"] == 1
    with db.unit_of_work(engine) as session:
        return session.scalars(select(EmailDraft.id).where(EmailDraft.lead_id == lead_id)).one()


def test_a_reviewer_edits_and_approves_a_held_draft_in_the_browser(
    served: str, engine: Engine
) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    tenant = new_tenant(engine, {"timezone": "Asia/Seoul", "sender": SENDER})
    draft_id = held_by_the_worker(engine, tenant)
    edited = "다음 주 목요일에 30분 통화 가능하실까요?"

    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox"]
        )
        try:
            page = browser.new_page()
            page.goto(f"{served}/review/queue")
            sync_api.expect(page).to_have_url(f"{served}/review")  # no session: the log-in
            page.get_by_label("Team API key").fill(tenant.key)
            page.get_by_label("Your name or email").fill("minji@lumen.example")
            page.get_by_role("button", name="Log in").click()
            sync_api.expect(page).to_have_url(f"{served}/review/queue")
            row = page.locator(f"#draft-{draft_id}")
            sync_api.expect(row).to_contain_text("서울상사")
            row.get_by_role("link").click()
            sync_api.expect(page).to_have_url(f"{served}/review/drafts/{draft_id}")
            page.get_by_label("Body").fill(edited)
            page.get_by_role("button", name="Approve").click()
            sync_api.expect(page.locator("#status")).to_have_text("edited")
            sync_api.expect(page.locator("#outbox")).to_contain_text("queued for sending at")
            sync_api.expect(page.locator("pre")).to_have_text(edited)
        finally:
            browser.close()

    with db.unit_of_work(engine) as session:
        draft = session.get_one(EmailDraft, draft_id)
        item = session.get_one(OutboxItem, draft.outbox_id)
        assert (draft.status, draft.body, draft.reviewer) == (
            "edited",
            edited,
            "minji@lumen.example",
        )
        assert item.status == "pending" and item.payload["draft_id"] == draft_id
