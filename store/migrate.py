"""Alembic, driven from code: migrations run on start and by `kundebot db upgrade`."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, text
from sqlalchemy.ext.asyncio import AsyncEngine

MIGRATIONS = Path(__file__).parent / "migrations"
# Replicas starting together on one PostgreSQL take turns (SPEC §10).
PG_MIGRATION_LOCK = 0x6B756E6465  # "kunde"


# Objects the migrations create by hand for one dialect (full-text and trigram indexes), which the models do
# not describe: autogenerate and the schema check leave them alone.
HAND_MADE = (
    "register_names",
    "ix_register_units_name_trgm",
    "register_name_words",
    "ix_register_name_words_trgm",
    "customer_names",
    "ix_customers_name_trgm",
)


def include_name(name: str | None, type_: str, parent_names: object) -> bool:
    return not (name or "").startswith(HAND_MADE)


def alembic_config(connection: Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = connection
    return cfg


def _upgrade(connection: Connection, revision: str) -> None:
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": PG_MIGRATION_LOCK})
    command.upgrade(alembic_config(connection), revision)


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    async with engine.begin() as conn:
        await conn.run_sync(_upgrade, revision)


def _current(connection: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()


async def current_revision(engine: AsyncEngine) -> str | None:
    async with engine.connect() as conn:
        return await conn.run_sync(_current)
