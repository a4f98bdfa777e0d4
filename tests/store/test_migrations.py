"""Migrations: the same Alembic revisions build the same schema as the models, on both databases."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, text

from store.config import async_url, database_url
from store.db import Store
from store.migrate import current_revision, include_name
from store.models import Base


def _diff(connection: Connection) -> list[object]:
    context = MigrationContext.configure(
        connection, opts={"compare_type": True, "include_name": include_name}
    )
    return list(compare_metadata(context, Base.metadata))


async def test_the_migrated_schema_matches_the_models(store: Store) -> None:
    async with store.engine.connect() as conn:
        assert await conn.run_sync(_diff) == []


async def test_upgrading_twice_is_harmless(store: Store) -> None:
    await store.upgrade()
    await store.upgrade()
    assert await current_revision(store.engine) is not None


async def test_the_default_sales_process_is_seeded_in_order(store: Store) -> None:
    async with store.reading() as s:
        rows = (await s.execute(text("SELECT name FROM sales_stages ORDER BY position"))).scalars().all()
    assert rows == ["lead", "qualified", "proposal", "negotiation", "won", "lost"]


async def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path: Path) -> None:
    async with Store(f"sqlite+aiosqlite:///{tmp_path / 'k.db'}") as store:
        await store.upgrade()
        async with store.reading() as s:
            assert (await s.execute(text("PRAGMA journal_mode"))).scalar_one() == "wal"
            assert (await s.execute(text("PRAGMA foreign_keys"))).scalar_one() == 1


def test_db_upgrade_creates_a_fresh_database_from_the_command_line(tmp_path: Path) -> None:
    path = tmp_path / "fresh.db"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{path}"}
    result = subprocess.run(
        [sys.executable, "-m", "bot", "db", "upgrade"], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert "Database is up to date (sqlite)." in result.stderr
    assert path.exists()


def test_database_urls_are_normalised_to_async_drivers() -> None:
    assert async_url("postgresql://u@h/db") == "postgresql+asyncpg://u@h/db"
    assert async_url("postgres://u@h/db") == "postgresql+asyncpg://u@h/db"
    assert async_url("sqlite:////tmp/x.db") == "sqlite+aiosqlite:////tmp/x.db"
    assert database_url({"DATABASE_URL": "postgresql+asyncpg://u@h/db"}) == "postgresql+asyncpg://u@h/db"


def test_without_database_url_the_default_is_an_sqlite_file_in_the_data_directory(
    monkeypatch: object, tmp_path: Path
) -> None:
    import store.config as config

    monkeypatch.setattr(config, "user_data_dir", lambda *a, **k: str(tmp_path / "data"))  # type: ignore[attr-defined]
    url = config.database_url({})
    assert url == f"sqlite+aiosqlite:///{tmp_path / 'data' / 'kundebot.db'}"
