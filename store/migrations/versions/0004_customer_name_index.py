"""customer name index

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 20:40:00

A trigram index on customers' name keys, so finding a customer by name and the duplicate check no longer
read every visible customer. On SQLite an FTS5 index over the customers table kept current by triggers
(every insert path, the services' and bulk inserts alike, goes through them); on PostgreSQL pg_trgm.
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute("CREATE INDEX ix_customers_name_trgm ON customers USING gin (name_key gin_trgm_ops)")
        return
    op.execute(
        "CREATE VIRTUAL TABLE customer_names USING fts5("
        "name_key, content='customers', content_rowid='id', tokenize='trigram')"
    )
    op.execute(
        "CREATE TRIGGER customer_names_insert AFTER INSERT ON customers BEGIN "
        "INSERT INTO customer_names (rowid, name_key) VALUES (new.id, new.name_key); END"
    )
    op.execute(
        "CREATE TRIGGER customer_names_delete AFTER DELETE ON customers BEGIN "
        "INSERT INTO customer_names (customer_names, rowid, name_key) VALUES ('delete', old.id, old.name_key); "
        "END"
    )
    op.execute(
        "CREATE TRIGGER customer_names_update AFTER UPDATE OF name_key ON customers BEGIN "
        "INSERT INTO customer_names (customer_names, rowid, name_key) VALUES ('delete', old.id, old.name_key); "
        "INSERT INTO customer_names (rowid, name_key) VALUES (new.id, new.name_key); END"
    )
    op.execute("INSERT INTO customer_names (customer_names) VALUES ('rebuild')")


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        op.execute("DROP INDEX ix_customers_name_trgm")
        return
    for trigger in ("customer_names_insert", "customer_names_delete", "customer_names_update"):
        op.execute(f"DROP TRIGGER {trigger}")
    op.execute("DROP TABLE customer_names")
