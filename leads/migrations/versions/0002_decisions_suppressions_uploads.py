"""each lead's last decision, team signing keys, suppressions, import uploads

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "import_uploads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=300), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("mapping", JSON, nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("report", JSON, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("committed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('previewed', 'committed')", name=op.f("ck_import_uploads_status")
        ),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["teams.id"],
            name=op.f("fk_import_uploads_team_id_teams"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_uploads")),
    )
    with op.batch_alter_table("import_uploads", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_import_uploads_team_id_created_at"),
            ["team_id", "created_at"],
            unique=False,
        )
    op.create_table(
        "suppressions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("email_hash", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.String(length=16), nullable=False),
        sa.Column("detail", sa.String(length=300), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "reason IN ('unsubscribed', 'bounced', 'do_not_contact', 'erased')",
            name=op.f("ck_suppressions_reason"),
        ),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["teams.id"],
            name=op.f("fk_suppressions_team_id_teams"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_suppressions")),
        sa.UniqueConstraint(
            "team_id", "email_hash", name=op.f("uq_suppressions_team_id_email_hash")
        ),
    )
    with op.batch_alter_table("teams", schema=None) as batch_op:
        batch_op.add_column(sa.Column("signing_key", sa.String(length=64), nullable=True))
    with op.batch_alter_table("leads", schema=None) as batch_op:
        batch_op.add_column(sa.Column("score", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("fit_grade", sa.String(length=1), nullable=True))
        batch_op.add_column(sa.Column("engagement", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("scored_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("model_version", sa.String(length=32), nullable=True))
        batch_op.create_index(batch_op.f("ix_leads_team_id_score"), ["team_id", "score"])


def downgrade() -> None:
    with op.batch_alter_table("leads", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_leads_team_id_score"))
        batch_op.drop_column("model_version")
        batch_op.drop_column("scored_at")
        batch_op.drop_column("engagement")
        batch_op.drop_column("fit_grade")
        batch_op.drop_column("score")
    with op.batch_alter_table("teams", schema=None) as batch_op:
        batch_op.drop_column("signing_key")
    op.drop_table("suppressions")
    with op.batch_alter_table("import_uploads", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_import_uploads_team_id_created_at"))
    op.drop_table("import_uploads")
