"""dialogue state and undo

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 21:30:00

The language engine keeps each conversation's half-filled request in the store, so a restart loses nothing,
and records how to undo each write for ten minutes.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import store.types

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def _record_columns() -> list[sa.Column]:
    return [
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", store.types.UTCDateTime(), nullable=False),
        sa.Column("updated_at", store.types.UTCDateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
    ]


def upgrade() -> None:
    op.create_table(
        "dialogue_states",
        *_record_columns(),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("conversation", sa.String(length=200), nullable=False),
        sa.Column("state", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_dialogue_states_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_dialogue_states_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dialogue_states")),
        sa.UniqueConstraint("user_id", "conversation", name="uq_dialogue_states_user_conversation"),
    )
    op.create_table(
        "undo_actions",
        *_record_columns(),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("conversation", sa.String(length=200), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=False),
        sa.Column("action", sa.JSON(), nullable=False),
        sa.Column("expires_at", store.types.UTCDateTime(), nullable=False),
        sa.Column("undone_at", store.types.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_undo_actions_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_undo_actions_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_undo_actions")),
    )
    op.create_index(
        "ix_undo_actions_user_conversation", "undo_actions", ["user_id", "conversation", "created_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_undo_actions_user_conversation", table_name="undo_actions")
    op.drop_table("undo_actions")
    op.drop_table("dialogue_states")
