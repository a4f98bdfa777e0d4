"""activity created index

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-23 23:20:00

The digest's "new on your customers since yesterday" reads yesterday's activities by creation time instead of
every activity of every customer the user owns.
"""

from __future__ import annotations

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_activities_created_at", "activities", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_activities_created_at", table_name="activities")
