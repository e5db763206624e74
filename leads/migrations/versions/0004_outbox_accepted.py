"""outbox rows `accepted`: SMTP took the email, its event and next step not yet booked

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BEFORE = "'pending', 'sending', 'held', 'sent', 'cancelled', 'failed'"
AFTER = "'pending', 'sending', 'accepted', 'held', 'sent', 'cancelled', 'failed'"


def upgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_outbox_status"), type_="check")
        batch_op.create_check_constraint("status", f"status IN ({AFTER})")


def downgrade() -> None:
    # An accepted row's email went out: it must never be sent again, so it counts as sent
    # (its event and next step, not booked yet, are left out).
    op.execute("UPDATE outbox SET status = 'sent' WHERE status = 'accepted'")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_outbox_status"), type_="check")
        batch_op.create_check_constraint("status", f"status IN ({BEFORE})")
