"""The record's tables (SQLAlchemy 2 typed ORM). Alembic migrations mirror this file."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

STAGES = ("new", "mql", "sql")
FLOW_STATES = ("sequence", "campaign", "nurture", "meeting", "suppressed")
CONSENT = ("unknown", "granted", "denied")


def utcnow() -> datetime:
    """The current time, aware, in UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and always read back time-zone aware (SQLite drops zones)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: give a time zone")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(
        self,
        value: datetime | None,
        dialect: Dialect,  # noqa: ARG002
    ) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


JSONType = JSON().with_variant(JSONB(), "postgresql")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime,
        dict[str, Any]: JSONType,
    }


class Team(Base):
    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)
    signing_key: Mapped[str | None] = mapped_column(
        String(64), doc="Secret for the team's signed links and form keys (set on first use)."
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ApiKey(Base):
    """An API key: only its SHA-256 is stored; the prefix lets a person tell keys apart."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200), default="default")
    prefix: Mapped[str] = mapped_column(String(16))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class Lead(Base):
    """One person. Identified by email, or by an external id within its id source."""

    __tablename__ = "leads"
    __table_args__ = (
        UniqueConstraint("team_id", "email"),
        UniqueConstraint("team_id", "external_id_source", "external_id"),
        CheckConstraint("email IS NOT NULL OR external_id IS NOT NULL", name="identified"),
        CheckConstraint("stage IN ('new', 'mql', 'sql')", name="stage"),
        CheckConstraint(
            "flow_state IS NULL OR flow_state IN "
            "('sequence', 'campaign', 'nurture', 'meeting', 'suppressed')",
            name="flow_state",
        ),
        CheckConstraint("consent IN ('unknown', 'granted', 'denied')", name="consent"),
        Index(None, "team_id", "stage"),
        Index(None, "team_id", "score"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    email: Mapped[str | None] = mapped_column(String(320))
    external_id: Mapped[str | None] = mapped_column(String(200))
    external_id_source: Mapped[str | None] = mapped_column(String(100))
    name: Mapped[str | None] = mapped_column(String(200))
    first_name: Mapped[str | None] = mapped_column(String(100))
    company: Mapped[str | None] = mapped_column(String(200))
    domain: Mapped[str | None] = mapped_column(String(255))
    title: Mapped[str | None] = mapped_column(String(200))
    industry: Mapped[str | None] = mapped_column(String(64))
    revenue_usd: Mapped[float | None] = mapped_column(Float)
    revenue_amount: Mapped[float | None] = mapped_column(Float)
    revenue_currency: Mapped[str | None] = mapped_column(String(3))
    employees: Mapped[int | None] = mapped_column(Integer)
    country: Mapped[str | None] = mapped_column(String(2))
    city: Mapped[str | None] = mapped_column(String(100))
    timezone: Mapped[str | None] = mapped_column(String(64))
    language: Mapped[str | None] = mapped_column(String(8))
    phone: Mapped[str | None] = mapped_column(String(32))
    source: Mapped[str | None] = mapped_column(String(100))
    product_interests: Mapped[list[str]] = mapped_column(JSONType, default=list)
    consent: Mapped[str] = mapped_column(String(16), default="unknown")
    stage: Mapped[str] = mapped_column(String(8), default="new")
    flow_state: Mapped[str | None] = mapped_column(String(16))
    converted: Mapped[bool | None] = mapped_column(Boolean, doc="Known outcome (imported label).")
    attributes: Mapped[dict[str, Any]] = mapped_column(default=dict)
    score: Mapped[float | None] = mapped_column(Float, doc="The last calibrated probability.")
    fit_grade: Mapped[str | None] = mapped_column(String(1))
    engagement: Mapped[float | None] = mapped_column(Float)
    scored_at: Mapped[datetime | None]
    model_version: Mapped[str | None] = mapped_column(String(32), doc="None: rules decided.")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class LeadList(Base):
    """A target list: `static` (members added by hand or by form routing) or `dynamic`."""

    __tablename__ = "lists"
    __table_args__ = (
        UniqueConstraint("team_id", "name"),
        CheckConstraint("kind IN ('static', 'dynamic')", name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(8), default="static")
    description: Mapped[str] = mapped_column(Text, default="")
    definition: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ListMembership(Base):
    __tablename__ = "list_memberships"
    __table_args__ = (Index(None, "lead_id"),)

    list_id: Mapped[int] = mapped_column(
        ForeignKey("lists.id", ondelete="CASCADE"), primary_key=True
    )
    lead_id: Mapped[int] = mapped_column(
        ForeignKey("leads.id", ondelete="CASCADE"), primary_key=True
    )
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    added_at: Mapped[datetime] = mapped_column(default=utcnow)
    reason: Mapped[str] = mapped_column(String(200), default="")


class Event(Base):
    """Something a lead did or that happened to it. Append-only; stored once per key."""

    __tablename__ = "events"
    __table_args__ = (
        UniqueConstraint("team_id", "idempotency_key"),
        Index(None, "team_id", "lead_id", "occurred_at"),
        Index(None, "team_id", "type", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True
    )
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    lead_id: Mapped[int] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"))
    type: Mapped[str] = mapped_column(String(64))
    occurred_at: Mapped[datetime]
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    source: Mapped[str] = mapped_column(String(64), default="api")
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    human: Mapped[float | None] = mapped_column(Float, doc="Likelihood a person did it (0..1).")
    idempotency_key: Mapped[str | None] = mapped_column(String(200))


class Document(Base):
    """A shared document tracked by Pulse."""

    __tablename__ = "documents"
    __table_args__ = (UniqueConstraint("team_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    slug: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(32), default="deck")
    gated: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    pages: Mapped[list[DocumentPage]] = relationship(
        back_populates="document", order_by="DocumentPage.number", cascade="all, delete-orphan"
    )


class DocumentPage(Base):
    __tablename__ = "document_pages"
    __table_args__ = (UniqueConstraint("document_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    number: Mapped[int]
    title: Mapped[str] = mapped_column(String(300), default="")
    topic: Mapped[str] = mapped_column(String(32), default="", doc="e.g. pricing, product")
    document: Mapped[Document] = relationship(back_populates="pages")


class Form(Base):
    """A web form: its fields and routing rules (see `leads.forms.FormDefinition`)."""

    __tablename__ = "forms"
    __table_args__ = (UniqueConstraint("team_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    definition: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class LeadHistory(Base):
    """A change of a lead's stage or flow state, a merge, or a review of a draft, with the
    reasons for it and who made it."""

    __tablename__ = "lead_history"
    __table_args__ = (
        Index(None, "lead_id", "at"),
        CheckConstraint("kind IN ('stage', 'flow', 'merge', 'draft')", name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    lead_id: Mapped[int] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    kind: Mapped[str] = mapped_column(String(8))
    from_value: Mapped[str | None] = mapped_column(String(32))
    to_value: Mapped[str | None] = mapped_column(String(32))
    reasons: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    actor: Mapped[str] = mapped_column(String(64), default="system")


class SimulatedTruth(Base):
    """What the simulator knows and a model must not: each lead's true conversion chance."""

    __tablename__ = "simulated_truth"

    lead_id: Mapped[int] = mapped_column(
        ForeignKey("leads.id", ondelete="CASCADE"), primary_key=True
    )
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    p_convert: Mapped[float] = mapped_column(Float)
    intent: Mapped[float] = mapped_column(Float, doc="Hidden intent at the end of the run.")
    converted: Mapped[bool] = mapped_column(Boolean)


class Suppression(Base):
    """An address nothing may be sent to. Kept as a SHA-256 of the normalised address, so the
    suppression outlives the lead's erasure without keeping the address itself."""

    __tablename__ = "suppressions"
    __table_args__ = (
        UniqueConstraint("team_id", "email_hash"),
        CheckConstraint(
            "reason IN ('unsubscribed', 'bounced', 'do_not_contact', 'erased')", name="reason"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    email_hash: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(String(16))
    detail: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ImportUpload(Base):
    """A file uploaded for import: previewed first, committed later, with its per-row report."""

    __tablename__ = "import_uploads"
    __table_args__ = (
        CheckConstraint("status IN ('previewed', 'committed')", name="status"),
        Index(None, "team_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    filename: Mapped[str] = mapped_column(String(300))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    mapping: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(16), default="previewed")
    report: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    committed_at: Mapped[datetime | None]
