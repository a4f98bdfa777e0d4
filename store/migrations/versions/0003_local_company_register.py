"""local company register

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 19:47:35.209069
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import store.types

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "register_feed_state",
        sa.Column("register", sa.String(length=20), nullable=False),
        sa.Column("last_update_id", sa.Integer(), nullable=True),
        sa.Column("last_change_at", store.types.UTCDateTime(), nullable=True),
        sa.Column("imported_at", store.types.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("register", name=op.f("pk_register_feed_state")),
    )
    op.create_table(
        "register_lookups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("removed_on", sa.Date(), nullable=True),
        sa.Column("fetched_at", store.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_register_lookups")),
    )
    with op.batch_alter_table("register_lookups", schema=None) as batch_op:
        batch_op.create_index("ix_register_lookups_country_number", ["country", "number"], unique=True)

    op.create_table(
        "register_units",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=500), nullable=False),
        sa.Column("name_key", sa.String(length=500), nullable=False),
        sa.Column("org_form", sa.String(length=20), nullable=True),
        sa.Column("org_form_name", sa.String(length=200), nullable=True),
        sa.Column("business_address", sa.JSON(), nullable=True),
        sa.Column("postal_address", sa.JSON(), nullable=True),
        sa.Column("industry_code", sa.String(length=20), nullable=True),
        sa.Column("industry_name", sa.String(length=300), nullable=True),
        sa.Column("employees", sa.Integer(), nullable=True),
        sa.Column("website", sa.String(length=300), nullable=True),
        sa.Column("bankrupt", sa.Boolean(), nullable=False),
        sa.Column("under_liquidation", sa.Boolean(), nullable=False),
        sa.Column("deleted_on", sa.Date(), nullable=True),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("refreshed_at", store.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_register_units")),
        sa.UniqueConstraint("country", "number", name="uq_register_units_country_number"),
    )
    _name_index()


def _name_index() -> None:
    """Fuzzy name search without a scan: FTS5 with trigrams on SQLite, pg_trgm on PostgreSQL."""
    if op.get_bind().dialect.name == "sqlite":
        # Its own content (not external), so the store can delete and re-insert a unit's name by rowid.
        op.execute("CREATE VIRTUAL TABLE register_names USING fts5(name_key, tokenize='trigram')")
    else:
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute(
            "CREATE INDEX ix_register_units_name_trgm ON register_units USING gin (name_key gin_trgm_ops)"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE register_names")
    op.drop_table("register_units")
    with op.batch_alter_table("register_lookups", schema=None) as batch_op:
        batch_op.drop_index("ix_register_lookups_country_number")

    op.drop_table("register_lookups")
    op.drop_table("register_feed_state")
