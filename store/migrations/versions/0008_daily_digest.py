"""daily digest

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23 23:10:00

One row per user and local date for the daily digest (SPEC §8): the claim that makes it exactly once.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import store.types

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "digest_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("local_date", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("owner", sa.String(length=200), nullable=False),
        sa.Column("claimed_at", store.types.UTCDateTime(), nullable=False),
        sa.Column("sent_at", store.types.UTCDateTime(), nullable=True),
        sa.Column("channels", sa.JSON(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_digest_deliveries_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_digest_deliveries")),
        sa.UniqueConstraint("user_id", "local_date", name="uq_digest_deliveries_user_date"),
    )


def downgrade() -> None:
    op.drop_table("digest_deliveries")
