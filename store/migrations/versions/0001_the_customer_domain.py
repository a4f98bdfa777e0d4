"""the customer domain

Revision ID: 0001
Revises:
Create Date: 2026-11-23 18:55:38.347301
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import store.types

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "counters",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_counters")),
    )
    op.create_table(
        "industries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_industries")),
        sa.UniqueConstraint("code", name=op.f("uq_industries_code")),
        sa.UniqueConstraint("name", name=op.f("uq_industries_name")),
    )
    op.create_table(
        "keywords",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_keywords")),
        sa.UniqueConstraint("name", name=op.f("uq_keywords_name")),
    )
    op.create_table(
        "sales_processes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("is_default", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sales_processes")),
        sa.UniqueConstraint("name", name=op.f("uq_sales_processes_name")),
    )
    op.create_table(
        "users",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("slack_user_id", sa.String(length=32), nullable=True),
        sa.Column("time_zone", sa.String(length=64), nullable=False),
        sa.Column(
            "language",
            sa.Enum("en", "nb", "sv", name="language", native_enum=False, create_constraint=True),
            nullable=False,
        ),
        sa.Column(
            "role",
            sa.Enum(
                "admin",
                "sales",
                "consultant",
                "read-only",
                name="user_role",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("digest_time", sa.Time(), nullable=False),
        sa.Column("digest_channels", sa.JSON(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", store.types.UTCDateTime(), nullable=False),
        sa.Column("updated_at", store.types.UTCDateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_users_created_by_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("email", name=op.f("uq_users_email")),
        sa.UniqueConstraint("slack_user_id", name=op.f("uq_users_slack_user_id")),
    )
    op.create_table(
        "customers",
        sa.Column("customer_number", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("first_name", sa.String(length=100), nullable=True),
        sa.Column("name_key", sa.String(length=200), nullable=False),
        sa.Column("org_number", sa.String(length=20), nullable=True),
        sa.Column(
            "org_country",
            sa.Enum("NO", "SE", "FI", "DK", name="country", native_enum=False, create_constraint=True),
            nullable=True,
        ),
        sa.Column(
            "kind",
            sa.Enum(
                "customer",
                "supplier",
                "private",
                "partner",
                "prospect",
                name="customer_kind",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column(
            "visibility",
            sa.Enum("everyone", "owner", name="visibility", native_enum=False, create_constraint=True),
            nullable=False,
        ),
        sa.Column("industry_id", sa.Integer(), nullable=True),
        sa.Column("employees", sa.Integer(), nullable=True),
        sa.Column("revenue", store.types.Money(), nullable=True),
        sa.Column("website", sa.String(length=300), nullable=True),
        sa.Column("vat_number", sa.String(length=32), nullable=True),
        sa.Column("rating", sa.Integer(), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("payment_terms_days", sa.Integer(), nullable=True),
        sa.Column("invoice_template", sa.String(length=100), nullable=True),
        sa.Column("price_list", sa.String(length=100), nullable=True),
        sa.Column("e_invoice_address", sa.String(length=100), nullable=True),
        sa.Column(
            "relation_level",
            sa.Enum("A", "B", "C", name="relation_level", native_enum=False, create_constraint=True),
            nullable=True,
        ),
        sa.Column(
            "relation_type",
            sa.Enum(
                "customer",
                "partner",
                "potential_customer",
                "supplier",
                name="relation_type",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=True,
        ),
        sa.Column("merged_into_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", store.types.UTCDateTime(), nullable=False),
        sa.Column("updated_at", store.types.UTCDateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("deleted_at", store.types.UTCDateTime(), nullable=True),
        sa.CheckConstraint(
            "(org_number IS NULL) = (org_country IS NULL)", name=op.f("ck_customers_org_number_has_country")
        ),
        sa.CheckConstraint(
            "rating IS NULL OR (rating BETWEEN 1 AND 5)", name=op.f("ck_customers_rating_range")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_customers_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["industry_id"],
            ["industries.id"],
            name=op.f("fk_customers_industry_id_industries"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["merged_into_id"], ["customers.id"], name=op.f("fk_customers_merged_into_id_customers")
        ),
        sa.ForeignKeyConstraint(["owner_id"], ["users.id"], name=op.f("fk_customers_owner_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customers")),
        sa.UniqueConstraint("customer_number", name=op.f("uq_customers_customer_number")),
        sa.UniqueConstraint("org_country", "org_number", name="uq_customers_org"),
    )
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.create_index("ix_customers_created_at", ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_customers_name_key"), ["name_key"], unique=False)
        batch_op.create_index("ix_customers_owner_visibility", ["owner_id", "visibility"], unique=False)

    op.create_table(
        "grouping_categories",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", store.types.UTCDateTime(), nullable=False),
        sa.Column("updated_at", store.types.UTCDateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_grouping_categories_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_grouping_categories")),
        sa.UniqueConstraint("name", name=op.f("uq_grouping_categories_name")),
    )
    op.create_table(
        "merge_records",
        sa.Column(
            "kind",
            sa.Enum("customer", "contact", name="merge_kind", native_enum=False, create_constraint=True),
            nullable=False,
        ),
        sa.Column("survivor_id", sa.Integer(), nullable=False),
        sa.Column("merged_id", sa.Integer(), nullable=False),
        sa.Column("merged_snapshot", sa.JSON(), nullable=False),
        sa.Column("moved", sa.JSON(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", store.types.UTCDateTime(), nullable=False),
        sa.Column("updated_at", store.types.UTCDateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_merge_records_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_merge_records")),
    )
    with op.batch_alter_table("merge_records", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_merge_records_merged_id"), ["merged_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_merge_records_survivor_id"), ["survivor_id"], unique=False)

    op.create_table(
        "sales_stages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("process_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("probability", sa.Integer(), nullable=False),
        sa.Column(
            "outcome",
            sa.Enum("open", "won", "lost", name="case_status", native_enum=False, create_constraint=True),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["process_id"],
            ["sales_processes.id"],
            name=op.f("fk_sales_stages_process_id_sales_processes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sales_stages")),
        sa.UniqueConstraint("process_id", "name", name=op.f("uq_sales_stages_process_id_name")),
        sa.UniqueConstraint("process_id", "position", name=op.f("uq_sales_stages_process_id_position")),
    )
    op.create_table(
        "addresses",
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("line1", sa.String(length=200), nullable=True),
        sa.Column("line2", sa.String(length=200), nullable=True),
        sa.Column("line3", sa.String(length=200), nullable=True),
        sa.Column("postcode", sa.String(length=20), nullable=True),
        sa.Column("city", sa.String(length=100), nullable=True),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("is_head_office", sa.Boolean(), nullable=False),
        sa.Column("is_postal", sa.Boolean(), nullable=False),
        sa.Column("is_visiting", sa.Boolean(), nullable=False),
        sa.Column("is_billing", sa.Boolean(), nullable=False),
        sa.Column("is_delivery", sa.Boolean(), nullable=False),
        sa.Column("is_attestation", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", store.types.UTCDateTime(), nullable=False),
        sa.Column("updated_at", store.types.UTCDateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_addresses_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_addresses_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_addresses")),
    )
    with op.batch_alter_table("addresses", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_addresses_customer_id"), ["customer_id"], unique=False)
        batch_op.create_index(
            "uq_addresses_one_head_office",
            ["customer_id"],
            unique=True,
            sqlite_where=sa.text("is_head_office"),
            postgresql_where=sa.text("is_head_office"),
        )

    op.create_table(
        "customer_keywords",
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("keyword_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_customer_keywords_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["keyword_id"],
            ["keywords.id"],
            name=op.f("fk_customer_keywords_keyword_id_keywords"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("customer_id", "keyword_id", name=op.f("pk_customer_keywords")),
    )
    op.create_table(
        "grouping_choices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["grouping_categories.id"],
            name=op.f("fk_grouping_choices_category_id_grouping_categories"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_grouping_choices")),
        sa.UniqueConstraint("category_id", "name", name=op.f("uq_grouping_choices_category_id_name")),
    )
    op.create_table(
        "projects",
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("manager_id", sa.Integer(), nullable=True),
        sa.Column(
            "status",
            sa.Enum("open", "closed", name="project_status", native_enum=False, create_constraint=True),
            nullable=False,
        ),
        sa.Column("internal", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", store.types.UTCDateTime(), nullable=False),
        sa.Column("updated_at", store.types.UTCDateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_projects_created_by_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_projects_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["manager_id"], ["users.id"], name=op.f("fk_projects_manager_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_projects")),
    )
    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_projects_customer_id"), ["customer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_projects_internal"), ["internal"], unique=False)
        batch_op.create_index("ix_projects_status_customer", ["status", "customer_id"], unique=False)

    op.create_table(
        "sales_cases",
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("seller_id", sa.Integer(), nullable=False),
        sa.Column("value", store.types.Money(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("probability", sa.Integer(), nullable=False),
        sa.Column("stage_id", sa.Integer(), nullable=False),
        sa.Column("expected_order_date", sa.Date(), nullable=True),
        sa.Column("lead_source", sa.String(length=100), nullable=True),
        sa.Column("department", sa.String(length=100), nullable=True),
        sa.Column(
            "status",
            sa.Enum("open", "won", "lost", name="case_status", native_enum=False, create_constraint=True),
            nullable=False,
        ),
        sa.Column("closed_date", sa.Date(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", store.types.UTCDateTime(), nullable=False),
        sa.Column("updated_at", store.types.UTCDateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("deleted_at", store.types.UTCDateTime(), nullable=True),
        sa.CheckConstraint("probability BETWEEN 0 AND 100", name=op.f("ck_sales_cases_probability_range")),
        sa.CheckConstraint("value >= 0", name=op.f("ck_sales_cases_value_not_negative")),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_sales_cases_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_sales_cases_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["seller_id"], ["users.id"], name=op.f("fk_sales_cases_seller_id_users")),
        sa.ForeignKeyConstraint(
            ["stage_id"], ["sales_stages.id"], name=op.f("fk_sales_cases_stage_id_sales_stages")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sales_cases")),
    )
    with op.batch_alter_table("sales_cases", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sales_cases_customer_id"), ["customer_id"], unique=False)
        batch_op.create_index(
            "ix_sales_cases_seller_status_expected",
            ["seller_id", "status", "expected_order_date"],
            unique=False,
        )
        batch_op.create_index("ix_sales_cases_status_closed", ["status", "closed_date"], unique=False)
        batch_op.create_index("ix_sales_cases_status_customer", ["status", "customer_id"], unique=False)

    op.create_table(
        "activities",
        sa.Column(
            "kind",
            sa.Enum(
                "task",
                "meeting",
                "call",
                "email",
                "note",
                name="activity_kind",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column("start_at", store.types.UTCDateTime(), nullable=True),
        sa.Column("end_at", store.types.UTCDateTime(), nullable=True),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("done", sa.Boolean(), nullable=False),
        sa.Column("cancelled", sa.Boolean(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=True),
        sa.Column("sales_case_id", sa.Integer(), nullable=True),
        sa.Column("project_id", sa.Integer(), nullable=True),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("assignee_id", sa.Integer(), nullable=True),
        sa.Column(
            "source",
            sa.Enum(
                "slack",
                "console",
                "email",
                "calendar",
                "import",
                name="activity_source",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("external_id", sa.String(length=500), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", store.types.UTCDateTime(), nullable=False),
        sa.Column("updated_at", store.types.UTCDateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("deleted_at", store.types.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["assignee_id"], ["users.id"], name=op.f("fk_activities_assignee_id_users")),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_activities_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_activities_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["owner_id"], ["users.id"], name=op.f("fk_activities_owner_id_users")),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_activities_project_id_projects"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["sales_case_id"],
            ["sales_cases.id"],
            name=op.f("fk_activities_sales_case_id_sales_cases"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activities")),
        sa.UniqueConstraint("source", "external_id", name="uq_activities_source_external_id"),
    )
    with op.batch_alter_table("activities", schema=None) as batch_op:
        batch_op.create_index(
            "ix_activities_assignee_done_due", ["assignee_id", "done", "due_date"], unique=False
        )
        batch_op.create_index("ix_activities_customer_start", ["customer_id", "start_at"], unique=False)
        batch_op.create_index(
            "ix_activities_owner_kind_start", ["owner_id", "kind", "start_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_activities_sales_case_id"), ["sales_case_id"], unique=False)

    op.create_table(
        "contacts",
        sa.Column("first_name", sa.String(length=100), nullable=False),
        sa.Column("last_name", sa.String(length=100), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=True),
        sa.Column("customer_id", sa.Integer(), nullable=True),
        sa.Column("address_id", sa.Integer(), nullable=True),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column(
            "visibility",
            sa.Enum("everyone", "owner", name="visibility", native_enum=False, create_constraint=True),
            nullable=False,
        ),
        sa.Column("merged_into_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", store.types.UTCDateTime(), nullable=False),
        sa.Column("updated_at", store.types.UTCDateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("deleted_at", store.types.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["address_id"],
            ["addresses.id"],
            name=op.f("fk_contacts_address_id_addresses"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_contacts_created_by_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_contacts_customer_id_customers"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["merged_into_id"], ["contacts.id"], name=op.f("fk_contacts_merged_into_id_contacts")
        ),
        sa.ForeignKeyConstraint(["owner_id"], ["users.id"], name=op.f("fk_contacts_owner_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contacts")),
    )
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_contacts_customer_id"), ["customer_id"], unique=False)

    op.create_table(
        "costs",
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("cost_date", sa.Date(), nullable=False),
        sa.Column("amount", store.types.Money(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("labour", "expense", name="cost_kind", native_enum=False, create_constraint=True),
            nullable=False,
        ),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", store.types.UTCDateTime(), nullable=False),
        sa.Column("updated_at", store.types.UTCDateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_costs_created_by_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name=op.f("fk_costs_project_id_projects"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_costs")),
    )
    with op.batch_alter_table("costs", schema=None) as batch_op:
        batch_op.create_index("ix_costs_date", ["cost_date"], unique=False)
        batch_op.create_index(batch_op.f("ix_costs_project_id"), ["project_id"], unique=False)

    op.create_table(
        "customer_groupings",
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("choice_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["choice_id"],
            ["grouping_choices.id"],
            name=op.f("fk_customer_groupings_choice_id_grouping_choices"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_customer_groupings_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("customer_id", "choice_id", name=op.f("pk_customer_groupings")),
    )
    op.create_table(
        "emails",
        sa.Column("message_id", sa.String(length=998), nullable=False),
        sa.Column("in_reply_to", sa.String(length=998), nullable=True),
        sa.Column("references", sa.JSON(), nullable=False),
        sa.Column("from_address", sa.String(length=320), nullable=True),
        sa.Column("to_addresses", sa.JSON(), nullable=False),
        sa.Column("cc_addresses", sa.JSON(), nullable=False),
        sa.Column("sent_at", store.types.UTCDateTime(), nullable=True),
        sa.Column("subject", sa.String(length=998), nullable=False),
        sa.Column("body_text", sa.Text(), nullable=False),
        sa.Column("raw_compressed", sa.LargeBinary(), nullable=False),
        sa.Column("captured_by_id", sa.Integer(), nullable=True),
        sa.Column("customer_id", sa.Integer(), nullable=True),
        sa.Column("sales_case_id", sa.Integer(), nullable=True),
        sa.Column(
            "link_status",
            sa.Enum(
                "linked",
                "unlinked",
                "ignored",
                name="email_link_status",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("link_rule", sa.String(length=32), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", store.types.UTCDateTime(), nullable=False),
        sa.Column("updated_at", store.types.UTCDateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["captured_by_id"], ["users.id"], name=op.f("fk_emails_captured_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_emails_created_by_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_emails_customer_id_customers"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["sales_case_id"],
            ["sales_cases.id"],
            name=op.f("fk_emails_sales_case_id_sales_cases"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_emails")),
        sa.UniqueConstraint("message_id", name=op.f("uq_emails_message_id")),
    )
    with op.batch_alter_table("emails", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_emails_customer_id"), ["customer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_emails_in_reply_to"), ["in_reply_to"], unique=False)

    op.create_table(
        "invoices",
        sa.Column("project_id", sa.Integer(), nullable=True),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=True),
        sa.Column("invoice_date", sa.Date(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "draft",
                "sent",
                "paid",
                "credited",
                name="invoice_status",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("amount", store.types.Money(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", store.types.UTCDateTime(), nullable=False),
        sa.Column("updated_at", store.types.UTCDateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_invoices_created_by_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_invoices_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name=op.f("fk_invoices_project_id_projects"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invoices")),
        sa.UniqueConstraint("number", name=op.f("uq_invoices_number")),
    )
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.create_index("ix_invoices_customer_status", ["customer_id", "status"], unique=False)
        batch_op.create_index("ix_invoices_date_status", ["invoice_date", "status"], unique=False)
        batch_op.create_index(batch_op.f("ix_invoices_project_id"), ["project_id"], unique=False)

    op.create_table(
        "activity_contacts",
        sa.Column("activity_id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["activity_id"],
            ["activities.id"],
            name=op.f("fk_activity_contacts_activity_id_activities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_activity_contacts_contact_id_contacts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("activity_id", "contact_id", name=op.f("pk_activity_contacts")),
    )
    with op.batch_alter_table("activity_contacts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_activity_contacts_contact_id"), ["contact_id"], unique=False)

    op.create_table(
        "contact_emails",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("is_primary", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_contact_emails_contact_id_contacts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact_emails")),
        sa.UniqueConstraint("contact_id", "email", name=op.f("uq_contact_emails_contact_id_email")),
    )
    with op.batch_alter_table("contact_emails", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_contact_emails_email"), ["email"], unique=False)
        batch_op.create_index(
            "uq_contact_emails_one_primary",
            ["contact_id"],
            unique=True,
            sqlite_where=sa.text("is_primary"),
            postgresql_where=sa.text("is_primary"),
        )

    op.create_table(
        "contact_keywords",
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("keyword_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_contact_keywords_contact_id_contacts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["keyword_id"],
            ["keywords.id"],
            name=op.f("fk_contact_keywords_keyword_id_keywords"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("contact_id", "keyword_id", name=op.f("pk_contact_keywords")),
    )
    op.create_table(
        "contact_phones",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_contact_phones_contact_id_contacts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact_phones")),
        sa.UniqueConstraint("contact_id", "number", name=op.f("uq_contact_phones_contact_id_number")),
    )
    with op.batch_alter_table("contact_phones", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_contact_phones_number"), ["number"], unique=False)

    op.create_table(
        "contact_roles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_contact_roles_contact_id_contacts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact_roles")),
        sa.UniqueConstraint("contact_id", "role", name=op.f("uq_contact_roles_contact_id_role")),
    )
    with op.batch_alter_table("contact_roles", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_contact_roles_role"), ["role"], unique=False)

    op.create_table(
        "email_attachments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=500), nullable=False),
        sa.Column("content_type", sa.String(length=200), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["email_id"], ["emails.id"], name=op.f("fk_email_attachments_email_id_emails"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_email_attachments")),
    )
    with op.batch_alter_table("email_attachments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_email_attachments_email_id"), ["email_id"], unique=False)

    op.create_table(
        "email_contacts",
        sa.Column("email_id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_email_contacts_contact_id_contacts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["email_id"], ["emails.id"], name=op.f("fk_email_contacts_email_id_emails"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("email_id", "contact_id", name=op.f("pk_email_contacts")),
    )
    with op.batch_alter_table("email_contacts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_email_contacts_contact_id"), ["contact_id"], unique=False)

    _seed()


def _seed() -> None:
    """The default sales process (SPEC §2) and the customer-number sequence."""
    counters = sa.table("counters", sa.column("name", sa.String), sa.column("value", sa.Integer))
    op.bulk_insert(counters, [{"name": "customer_number", "value": 10000}])
    processes = sa.table(
        "sales_processes",
        sa.column("id", sa.Integer),
        sa.column("name", sa.String),
        sa.column("is_default", sa.Boolean),
    )
    op.bulk_insert(processes, [{"id": 1, "name": "Default", "is_default": True}])
    stages = sa.table(
        "sales_stages",
        sa.column("process_id", sa.Integer),
        sa.column("name", sa.String),
        sa.column("position", sa.Integer),
        sa.column("probability", sa.Integer),
        sa.column("outcome", sa.String),
    )
    defaults = [
        ("lead", 10, "open"),
        ("qualified", 25, "open"),
        ("proposal", 50, "open"),
        ("negotiation", 75, "open"),
        ("won", 100, "won"),
        ("lost", 0, "lost"),
    ]
    op.bulk_insert(
        stages,
        [
            {"process_id": 1, "name": n, "position": i, "probability": p, "outcome": o}
            for i, (n, p, o) in enumerate(defaults, start=1)
        ],
    )
    if op.get_bind().dialect.name == "postgresql":  # explicit ids do not advance the serial
        op.execute("SELECT setval(pg_get_serial_sequence('sales_processes', 'id'), 1)")


def downgrade() -> None:
    with op.batch_alter_table("email_contacts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_email_contacts_contact_id"))

    op.drop_table("email_contacts")
    with op.batch_alter_table("email_attachments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_email_attachments_email_id"))

    op.drop_table("email_attachments")
    with op.batch_alter_table("contact_roles", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contact_roles_role"))

    op.drop_table("contact_roles")
    with op.batch_alter_table("contact_phones", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contact_phones_number"))

    op.drop_table("contact_phones")
    op.drop_table("contact_keywords")
    with op.batch_alter_table("contact_emails", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_contact_emails_one_primary",
            sqlite_where=sa.text("is_primary"),
            postgresql_where=sa.text("is_primary"),
        )
        batch_op.drop_index(batch_op.f("ix_contact_emails_email"))

    op.drop_table("contact_emails")
    with op.batch_alter_table("activity_contacts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_activity_contacts_contact_id"))

    op.drop_table("activity_contacts")
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_invoices_project_id"))
        batch_op.drop_index("ix_invoices_date_status")
        batch_op.drop_index("ix_invoices_customer_status")

    op.drop_table("invoices")
    with op.batch_alter_table("emails", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_emails_in_reply_to"))
        batch_op.drop_index(batch_op.f("ix_emails_customer_id"))

    op.drop_table("emails")
    op.drop_table("customer_groupings")
    with op.batch_alter_table("costs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_costs_project_id"))
        batch_op.drop_index("ix_costs_date")

    op.drop_table("costs")
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contacts_customer_id"))

    op.drop_table("contacts")
    with op.batch_alter_table("activities", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_activities_sales_case_id"))
        batch_op.drop_index("ix_activities_owner_kind_start")
        batch_op.drop_index("ix_activities_customer_start")
        batch_op.drop_index("ix_activities_assignee_done_due")

    op.drop_table("activities")
    with op.batch_alter_table("sales_cases", schema=None) as batch_op:
        batch_op.drop_index("ix_sales_cases_status_customer")
        batch_op.drop_index("ix_sales_cases_status_closed")
        batch_op.drop_index("ix_sales_cases_seller_status_expected")
        batch_op.drop_index(batch_op.f("ix_sales_cases_customer_id"))

    op.drop_table("sales_cases")
    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.drop_index("ix_projects_status_customer")
        batch_op.drop_index(batch_op.f("ix_projects_internal"))
        batch_op.drop_index(batch_op.f("ix_projects_customer_id"))

    op.drop_table("projects")
    op.drop_table("grouping_choices")
    op.drop_table("customer_keywords")
    with op.batch_alter_table("addresses", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_addresses_one_head_office",
            sqlite_where=sa.text("is_head_office"),
            postgresql_where=sa.text("is_head_office"),
        )
        batch_op.drop_index(batch_op.f("ix_addresses_customer_id"))

    op.drop_table("addresses")
    op.drop_table("sales_stages")
    with op.batch_alter_table("merge_records", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_merge_records_survivor_id"))
        batch_op.drop_index(batch_op.f("ix_merge_records_merged_id"))

    op.drop_table("merge_records")
    op.drop_table("grouping_categories")
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.drop_index("ix_customers_owner_visibility")
        batch_op.drop_index(batch_op.f("ix_customers_name_key"))
        batch_op.drop_index("ix_customers_created_at")

    op.drop_table("customers")
    op.drop_table("users")
    op.drop_table("sales_processes")
    op.drop_table("keywords")
    op.drop_table("industries")
    op.drop_table("counters")
