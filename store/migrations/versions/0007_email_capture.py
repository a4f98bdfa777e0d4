"""email capture

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23 22:40:00

The capture mailbox's progress and lease (SPEC §6), and the mail domains of contacts and customers, indexed,
so a captured email finds its customer by domain without reading every address.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import store.types
from store.domains import website_domain

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "mailbox_states",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mailbox", sa.String(length=500), nullable=False),
        sa.Column("uidvalidity", sa.BigInteger(), nullable=True),
        sa.Column("last_uid", sa.BigInteger(), nullable=False),
        sa.Column("last_sync_at", store.types.UTCDateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("last_error_at", store.types.UTCDateTime(), nullable=True),
        sa.Column("lease_owner", sa.String(length=200), nullable=True),
        sa.Column("lease_expires_at", store.types.UTCDateTime(), nullable=True),
        sa.Column("processed", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mailbox_states")),
        sa.UniqueConstraint("mailbox", name=op.f("uq_mailbox_states_mailbox")),
    )
    with op.batch_alter_table("contact_emails") as batch:
        batch.add_column(sa.Column("domain", sa.String(length=255), nullable=True))
        batch.create_index("ix_contact_emails_domain", ["domain"])
    with op.batch_alter_table("customers") as batch:
        batch.add_column(sa.Column("web_domain", sa.String(length=255), nullable=True))
        batch.create_index("ix_customers_web_domain", ["web_domain"])
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        op.execute("UPDATE contact_emails SET domain = lower(substr(email, instr(email, '@') + 1))")
    else:
        op.execute("UPDATE contact_emails SET domain = lower(split_part(email, '@', 2))")
    rows = bind.execute(sa.text("SELECT id, website FROM customers WHERE website IS NOT NULL")).all()
    for customer_id, website in rows:
        bind.execute(
            sa.text("UPDATE customers SET web_domain = :d WHERE id = :i"),
            {"d": website_domain(website), "i": customer_id},
        )


def downgrade() -> None:
    with op.batch_alter_table("customers") as batch:
        batch.drop_index("ix_customers_web_domain")
        batch.drop_column("web_domain")
    with op.batch_alter_table("contact_emails") as batch:
        batch.drop_index("ix_contact_emails_domain")
        batch.drop_column("domain")
    op.drop_table("mailbox_states")
