"""indexes for the KPIs

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 19:46:22.903537
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:

    with op.batch_alter_table("activities", schema=None) as batch_op:
        batch_op.create_index(
            "ix_activities_assignee_kind_start", ["assignee_id", "kind", "start_at"], unique=False
        )

    with op.batch_alter_table("costs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_costs_date"))
        batch_op.drop_index(batch_op.f("ix_costs_project_id"))
        batch_op.create_index(
            "ix_costs_date_project_amount", ["cost_date", "project_id", "amount"], unique=False
        )
        batch_op.create_index(
            "ix_costs_project_date_amount", ["project_id", "cost_date", "amount"], unique=False
        )

    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_customers_owner_visibility"))
        batch_op.create_index(
            "ix_customers_deleted",
            ["deleted_at"],
            unique=False,
            sqlite_where=sa.text("deleted_at IS NOT NULL"),
            postgresql_where=sa.text("deleted_at IS NOT NULL"),
        )
        batch_op.create_index("ix_customers_visibility_owner", ["visibility", "owner_id"], unique=False)

    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_invoices_customer_status"))
        batch_op.create_index(
            "ix_invoices_numbered_customer",
            ["customer_id", "status", "project_id", "invoice_date", "amount", "number"],
            unique=False,
            sqlite_where=sa.text("number IS NOT NULL"),
            postgresql_where=sa.text("number IS NOT NULL"),
        )
        batch_op.create_index(
            "ix_invoices_numbered_date",
            ["invoice_date", "status", "amount", "number"],
            unique=False,
            sqlite_where=sa.text("number IS NOT NULL"),
            postgresql_where=sa.text("number IS NOT NULL"),
        )
        batch_op.create_index(
            "ix_invoices_numbered_project",
            ["project_id", "status", "customer_id", "invoice_date", "amount", "number"],
            unique=False,
            sqlite_where=sa.text("number IS NOT NULL"),
            postgresql_where=sa.text("number IS NOT NULL"),
        )

    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.create_index("ix_projects_customer_internal", ["customer_id", "internal"], unique=False)
        batch_op.create_index(
            "ix_projects_status_internal_customer", ["status", "internal", "customer_id"], unique=False
        )

    with op.batch_alter_table("sales_cases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sales_cases_status_customer"))
        batch_op.create_index(
            "ix_sales_cases_status_customer", ["status", "customer_id", "deleted_at"], unique=False
        )


def downgrade() -> None:

    with op.batch_alter_table("sales_cases", schema=None) as batch_op:
        batch_op.drop_index("ix_sales_cases_status_customer")
        batch_op.create_index(
            batch_op.f("ix_sales_cases_status_customer"), ["status", "customer_id"], unique=False
        )

    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.drop_index("ix_projects_status_internal_customer")
        batch_op.drop_index("ix_projects_customer_internal")

    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_invoices_numbered_project",
            sqlite_where=sa.text("number IS NOT NULL"),
            postgresql_where=sa.text("number IS NOT NULL"),
        )
        batch_op.drop_index(
            "ix_invoices_numbered_date",
            sqlite_where=sa.text("number IS NOT NULL"),
            postgresql_where=sa.text("number IS NOT NULL"),
        )
        batch_op.drop_index(
            "ix_invoices_numbered_customer",
            sqlite_where=sa.text("number IS NOT NULL"),
            postgresql_where=sa.text("number IS NOT NULL"),
        )
        batch_op.create_index(
            batch_op.f("ix_invoices_customer_status"), ["customer_id", "status"], unique=False
        )

    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.drop_index("ix_customers_visibility_owner")
        batch_op.drop_index(
            "ix_customers_deleted",
            sqlite_where=sa.text("deleted_at IS NOT NULL"),
            postgresql_where=sa.text("deleted_at IS NOT NULL"),
        )
        batch_op.create_index(
            batch_op.f("ix_customers_owner_visibility"), ["owner_id", "visibility"], unique=False
        )

    with op.batch_alter_table("costs", schema=None) as batch_op:
        batch_op.drop_index("ix_costs_project_date_amount")
        batch_op.drop_index("ix_costs_date_project_amount")
        batch_op.create_index(batch_op.f("ix_costs_project_id"), ["project_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_costs_date"), ["cost_date"], unique=False)

    with op.batch_alter_table("activities", schema=None) as batch_op:
        batch_op.drop_index("ix_activities_assignee_kind_start")
