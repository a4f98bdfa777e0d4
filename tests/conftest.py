"""Fixtures: every store test runs twice, on SQLite and on a real PostgreSQL on 127.0.0.1.

The PostgreSQL server is started once per session (initdb + pg_ctl in a temp dir). Each test gets a fresh
database: on PostgreSQL a copy of a migrated template database, on SQLite a copy of a migrated file.
Set KUNDEBOT_REQUIRE_POSTGRES=1 (CI does) to fail instead of skipping when PostgreSQL is not installed.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from hypothesis import settings

from store.actor import Actor
from store.db import Store
from store.models import Role
from store.services.users import create_user
from tests.servers.postgres import PostgresServer, find_pg_bin, running_postgres

TEMPLATE_DB = "kundebot_template"

# Property tests check behaviour, not speed: on a loaded 2-core CI machine a slow example is not a failure.
settings.register_profile("kundebot", deadline=None)
settings.load_profile("kundebot")


def _migrate(url: str) -> None:
    async def run() -> None:
        store = Store(url)
        await store.upgrade()
        await store.dispose()

    asyncio.run(run())


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    if find_pg_bin() is None:
        if os.environ.get("KUNDEBOT_REQUIRE_POSTGRES"):
            pytest.fail("PostgreSQL is required (KUNDEBOT_REQUIRE_POSTGRES) but not installed")
        pytest.skip("PostgreSQL not installed (apt-get install postgresql); `make test` installs it")
    with running_postgres() as server:
        server.psql(f"CREATE DATABASE {TEMPLATE_DB}")
        _migrate(server.url(TEMPLATE_DB))
        yield server


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sqlite-template") / "template.db"
    _migrate(f"sqlite+aiosqlite:///{path}")
    return path


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A freshly migrated, empty database of each kind."""
    if request.param == "sqlite":
        template = request.getfixturevalue("sqlite_template")
        path = tmp_path / "kundebot.db"
        shutil.copy(template, path)
        yield f"sqlite+aiosqlite:///{path}"
        return
    server: PostgresServer = request.getfixturevalue("postgres")
    name = f"t_{uuid.uuid4().hex[:12]}"
    server.psql(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE_DB}")
    yield server.url(name)
    server.psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
async def store(database_url: str) -> AsyncIterator[Store]:
    s = Store(database_url)
    yield s
    await s.dispose()


async def make_actor(store: Store, name: str, role: Role = Role.SALES, tz: str = "Europe/Oslo") -> Actor:
    async with store.transaction() as session:
        email = name.lower().replace(" ", ".") + "@firm.example"
        return Actor.of(await create_user(session, name=name, email=email, role=role, time_zone=tz))


@pytest.fixture
async def alice(store: Store) -> Actor:
    return await make_actor(store, "Alice Sales")


@pytest.fixture
async def bob(store: Store) -> Actor:
    return await make_actor(store, "Bob Sales")


@pytest.fixture
async def admin(store: Store) -> Actor:
    return await make_actor(store, "Ada Admin", Role.ADMIN)
