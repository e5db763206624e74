"""The tables of the email flows: flow definitions, enrollments, the outbox, sent messages and
meetings. They share the record's metadata (`leads.tables.Base`) and its migrations; `flows`
owns the logic that reads and writes them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from leads.tables import Base, JSONType, utcnow

FLOW_KINDS = ("sequence", "campaign", "nurture")
ENROLLMENT_STATUSES = ("active", "paused", "completed", "stopped")
LIVE_ENROLLMENT = ("active", "paused")  # a lead has at most one: its steps may go out
OUTBOX_STATUSES = ("pending", "sending", "accepted", "held", "sent", "cancelled", "failed")


class Flow(Base):
    """A team's sequence, campaign or nurture flow, defined as data (its steps in JSON)."""

    __tablename__ = "flows"
    __table_args__ = (
        UniqueConstraint("team_id", "name"),
        CheckConstraint("kind IN ('sequence', 'campaign', 'nurture')", name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    definition: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Enrollment(Base):
    """A lead in a flow. At most one enrollment per lead is active or paused at a time."""

    __tablename__ = "enrollments"
    __table_args__ = (
        CheckConstraint("status IN ('active', 'paused', 'completed', 'stopped')", name="status"),
        Index(
            "uq_enrollments_one_live_per_lead",
            "lead_id",
            unique=True,
            sqlite_where=text("status IN ('active', 'paused')"),
            postgresql_where=text("status IN ('active', 'paused')"),
        ),
        Index(None, "team_id", "flow_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    lead_id: Mapped[int] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"))
    flow_id: Mapped[int] = mapped_column(ForeignKey("flows.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(16), default="active")
    next_step: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    paused_until: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]
    ended_reason: Mapped[str | None] = mapped_column(String(200))


class OutboxItem(Base):
    """One email due: claimed by a worker, rendered, sent and recorded (`held` while its
    draft waits for review).

    `(enrollment_id, step)` is unique, so a step is scheduled once per enrollment; a worker
    marks the row `sending` (committed) before it talks to SMTP, `accepted` in the transaction
    that sent it, and `sent` once the send's event and next step are booked, so a killed
    worker's row is reclaimed when its lease ends: sent again if it was `sending`, only booked
    if it was `accepted`.
    """

    __tablename__ = "outbox"
    __table_args__ = (
        UniqueConstraint("enrollment_id", "step"),
        CheckConstraint(
            "status IN ('pending', 'sending', 'accepted', 'held', 'sent', 'cancelled', 'failed')",
            name="status",
        ),
        Index(None, "status", "due_at"),
        Index(None, "team_id", "lead_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    lead_id: Mapped[int] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"))
    enrollment_id: Mapped[int | None] = mapped_column(
        ForeignKey("enrollments.id", ondelete="CASCADE")
    )
    step: Mapped[int] = mapped_column(Integer, default=0)
    kind: Mapped[str] = mapped_column(String(32), doc="meeting_proposal, reminder, ...")
    due_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    lease_until: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    message_id: Mapped[str | None] = mapped_column(String(300))
    last_error: Mapped[str | None] = mapped_column(Text)
    payload: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Message(Base):
    """An email that went out: how replies, opens and clicks find their way back to it."""

    __tablename__ = "messages"
    __table_args__ = (UniqueConstraint("message_id"), UniqueConstraint("token"))

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    lead_id: Mapped[int] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"), index=True)
    outbox_id: Mapped[int | None] = mapped_column(ForeignKey("outbox.id", ondelete="SET NULL"))
    message_id: Mapped[str] = mapped_column(String(300))
    token: Mapped[str] = mapped_column(String(64), doc="The reply address's token.")
    subject: Mapped[str] = mapped_column(String(500))
    flow: Mapped[str | None] = mapped_column(String(16))
    campaign: Mapped[str | None] = mapped_column(String(200))
    links: Mapped[list[str]] = mapped_column(JSONType, default=list)
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)


class Meeting(Base):
    """A meeting booked with a lead, on the built-in page or reported by a scheduler."""

    __tablename__ = "meetings"
    __table_args__ = (
        UniqueConstraint("team_id", "source", "external_id"),
        Index(None, "team_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    lead_id: Mapped[int] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    source: Mapped[str] = mapped_column(String(32), default="page")
    external_id: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ContentItem(Base):
    """A piece of the team's content library the agent may attach or mention."""

    __tablename__ = "content_items"
    __table_args__ = (
        UniqueConstraint("team_id", "slug"),
        CheckConstraint(
            "kind IN ('onboarding', 'newsletter', 'case_study', 'document', 'other')", name="kind"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    slug: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(16), default="other")
    title: Mapped[str] = mapped_column(String(300))
    url: Mapped[str] = mapped_column(String(2000))
    summary: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str] = mapped_column(String(8), default="en")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class EmailDraft(Base):
    """An email the agent (or a template) wrote, waiting for review or already decided."""

    __tablename__ = "drafts"
    __table_args__ = (
        CheckConstraint(
            "status IN ('pending', 'approved', 'edited', 'rejected', 'sent')", name="status"
        ),
        Index(None, "team_id", "status", "priority"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    lead_id: Mapped[int] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"), index=True)
    outbox_id: Mapped[int | None] = mapped_column(ForeignKey("outbox.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    action: Mapped[str] = mapped_column(String(32))
    subject: Mapped[str] = mapped_column(String(500))
    body: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(8), default="en")
    priority: Mapped[float] = mapped_column(default=0.0, doc="The lead's score when drafted.")
    provider: Mapped[str] = mapped_column(String(200), default="template")
    facts: Mapped[list[Any]] = mapped_column(JSONType, default=list)
    checks: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    context: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    reviewer: Mapped[str | None] = mapped_column(String(200))
    reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]
