"""handled deliveries

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-23 23:50:00

Slack event ids already handled, in the store instead of one process's memory, so a retried delivery is
handled once even when it reaches another replica or arrives after a restart.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import store.types

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "handled_deliveries",
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("delivery_id", sa.String(length=200), nullable=False),
        sa.Column("received_at", store.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("source", "delivery_id", name=op.f("pk_handled_deliveries")),
    )
    op.create_index("ix_handled_deliveries_received_at", "handled_deliveries", ["received_at"])


def downgrade() -> None:
    op.drop_index("ix_handled_deliveries_received_at", table_name="handled_deliveries")
    op.drop_table("handled_deliveries")
