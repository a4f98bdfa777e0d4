"""Alembic environment: always handed a live connection by store.migrate (async engines, both dialects)."""

from __future__ import annotations

from alembic import context

from store.migrate import include_name
from store.models import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through `kundebot db upgrade` (store.migrate), not the alembic CLI")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copying them
    compare_type=True,
    include_name=include_name,
)
with context.begin_transaction():
    context.run_migrations()
