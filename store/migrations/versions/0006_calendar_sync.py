"""calendar sync

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 22:00:00

Calendar sources per user (credentials encrypted), what each source last held, which activities each source
holds, the internal participants of an activity, each user's private feed token, and the all-day flag of
activities (SPEC §7).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import store.types

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def _record_columns() -> list[sa.Column]:
    return [
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", store.types.UTCDateTime(), nullable=False),
        sa.Column("updated_at", store.types.UTCDateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
    ]


def _created_by(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["created_by_id"], ["users.id"], name=op.f(f"fk_{table}_created_by_id_users"), ondelete="SET NULL"
    )


def upgrade() -> None:
    with op.batch_alter_table("activities") as batch:
        batch.add_column(sa.Column("all_day", sa.Boolean(), nullable=False, server_default=sa.false()))

    op.create_table(
        "activity_participants",
        sa.Column("activity_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["activity_id"],
            ["activities.id"],
            name=op.f("fk_activity_participants_activity_id_activities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_activity_participants_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("activity_id", "user_id", name=op.f("pk_activity_participants")),
    )
    op.create_index(
        op.f("ix_activity_participants_user_id"), "activity_participants", ["user_id"], unique=False
    )

    op.create_table(
        "calendar_sources",
        *_record_columns(),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("caldav", "ics", name="calendar_source_kind", native_enum=False, create_constraint=True),
            nullable=False,
        ),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("url_hash", sa.String(length=64), nullable=False),
        sa.Column("username", sa.String(length=320), nullable=True),
        sa.Column("secret_encrypted", sa.Text(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("sync_token", sa.String(length=1000), nullable=True),
        sa.Column("ctag", sa.String(length=1000), nullable=True),
        sa.Column("etag", sa.String(length=1000), nullable=True),
        sa.Column("last_modified", sa.String(length=100), nullable=True),
        sa.Column("last_sync_at", store.types.UTCDateTime(), nullable=True),
        sa.Column("last_success_at", store.types.UTCDateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("problems", sa.JSON(), nullable=False),
        sa.Column("error_count", sa.Integer(), nullable=False),
        sa.Column("next_sync_at", store.types.UTCDateTime(), nullable=True),
        sa.Column("lease_owner", sa.String(length=200), nullable=True),
        sa.Column("lease_expires_at", store.types.UTCDateTime(), nullable=True),
        _created_by("calendar_sources"),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_calendar_sources_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_sources")),
        sa.UniqueConstraint("user_id", "url_hash", name="uq_calendar_sources_user_url"),
    )
    op.create_index(op.f("ix_calendar_sources_user_id"), "calendar_sources", ["user_id"], unique=False)
    op.create_index("ix_calendar_sources_due", "calendar_sources", ["active", "next_sync_at"], unique=False)

    op.create_table(
        "calendar_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("href", sa.String(length=1000), nullable=False),
        sa.Column("etag", sa.String(length=1000), nullable=True),
        sa.Column("uids", sa.JSON(), nullable=False),
        sa.Column("data", sa.Text(), nullable=True),
        sa.Column("expanded_until", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["calendar_sources.id"],
            name=op.f("fk_calendar_items_source_id_calendar_sources"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_items")),
        sa.UniqueConstraint("source_id", "href", name="uq_calendar_items_source_href"),
    )
    op.create_index(
        "ix_calendar_items_source_expanded", "calendar_items", ["source_id", "expanded_until"], unique=False
    )

    op.create_table(
        "calendar_links",
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("activity_id", sa.Integer(), nullable=False),
        sa.Column("uid", sa.String(length=500), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("stamp", store.types.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["activity_id"],
            ["activities.id"],
            name=op.f("fk_calendar_links_activity_id_activities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["calendar_sources.id"],
            name=op.f("fk_calendar_links_source_id_calendar_sources"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("source_id", "activity_id", name=op.f("pk_calendar_links")),
    )
    op.create_index(op.f("ix_calendar_links_activity_id"), "calendar_links", ["activity_id"], unique=False)
    op.create_index("ix_calendar_links_source_uid", "calendar_links", ["source_id", "uid"], unique=False)

    op.create_table(
        "calendar_feeds",
        *_record_columns(),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("last_fetched_at", store.types.UTCDateTime(), nullable=True),
        _created_by("calendar_feeds"),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_calendar_feeds_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_feeds")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_calendar_feeds_token_hash")),
        sa.UniqueConstraint("user_id", name=op.f("uq_calendar_feeds_user_id")),
    )


def downgrade() -> None:
    op.drop_table("calendar_feeds")
    op.drop_index("ix_calendar_links_source_uid", table_name="calendar_links")
    op.drop_index(op.f("ix_calendar_links_activity_id"), table_name="calendar_links")
    op.drop_table("calendar_links")
    op.drop_index("ix_calendar_items_source_expanded", table_name="calendar_items")
    op.drop_table("calendar_items")
    op.drop_index("ix_calendar_sources_due", table_name="calendar_sources")
    op.drop_index(op.f("ix_calendar_sources_user_id"), table_name="calendar_sources")
    op.drop_table("calendar_sources")
    op.drop_index(op.f("ix_activity_participants_user_id"), table_name="activity_participants")
    op.drop_table("activity_participants")
    with op.batch_alter_table("activities") as batch:
        batch.drop_column("all_day")
