"""SQLite's one-hop cursor (store.sqlite_driver): each statement is one call on the connection's thread, and
what SQLAlchemy reads from a cursor (rows, row counts, row ids, errors) is what the driver gave."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from store.actor import Actor
from store.db import Store
from store.models import Customer
from store.services import customers


@pytest.fixture
async def sqlite_store(tmp_path: Path) -> Any:
    store = Store(f"sqlite+aiosqlite:///{tmp_path / 'hops.db'}")
    async with store.autocommit() as connection:
        await connection.execute(
            text("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL UNIQUE)")
        )
    yield store
    await store.dispose()


async def test_a_statement_is_one_call_on_the_connections_thread(sqlite_store: Store) -> None:
    async with sqlite_store.reading() as s:
        await s.execute(text("SELECT 1"))  # the transaction's BEGIN is behind us
        driver = (await (await s.connection()).get_raw_connection()).driver_connection
        calls = 0
        run = driver._execute

        async def counted(*args: Any, **kwargs: Any) -> Any:
            nonlocal calls
            calls += 1
            return await run(*args, **kwargs)

        driver._execute = counted
        try:
            rows = (await s.execute(text("SELECT 1 UNION ALL SELECT 2"))).scalars().all()
        finally:
            del driver._execute
    assert rows == [1, 2]
    assert calls == 1  # SQLAlchemy's aiosqlite cursor made four: open, execute, fetch, close


async def test_an_insert_reports_its_row_id_and_an_update_the_rows_it_changed(sqlite_store: Store) -> None:
    async with sqlite_store.transaction() as s:
        first = await s.execute(text("INSERT INTO notes (body) VALUES ('a')"))
        second = await s.execute(text("INSERT INTO notes (body) VALUES ('b')"))
        changed = await s.execute(text("UPDATE notes SET body = body || '!'"))
    assert (first.lastrowid, second.lastrowid) == (1, 2)  # type: ignore[attr-defined]
    assert changed.rowcount == 2  # type: ignore[attr-defined]


async def test_executemany_writes_every_row(sqlite_store: Store) -> None:
    async with sqlite_store.transaction() as s:
        await s.execute(text("INSERT INTO notes (body) VALUES (:body)"), [{"body": b} for b in "xyz"])
    async with sqlite_store.reading() as s:
        bodies = (await s.execute(text("SELECT body FROM notes ORDER BY id"))).scalars().all()
    assert bodies == ["x", "y", "z"]


async def test_a_constraint_error_is_sqlalchemys_and_the_rest_of_the_transaction_is_rolled_back(
    sqlite_store: Store,
) -> None:
    with pytest.raises(IntegrityError):
        async with sqlite_store.transaction() as s:
            await s.execute(text("INSERT INTO notes (body) VALUES ('same')"))
            await s.execute(text("INSERT INTO notes (body) VALUES ('same')"))
    async with sqlite_store.reading() as s:
        assert (await s.execute(text("SELECT count(*) FROM notes"))).scalar_one() == 0


async def test_orm_objects_and_version_checks_work_on_the_one_hop_cursor(store: Store, alice: Actor) -> None:
    # The store's own engine on both databases: on SQLite this is the one-hop cursor; an update's row
    # count is what the optimistic version check (StaleDataError) relies on.
    async with store.transaction() as s:
        made = await customers.create_customer(s, alice, "Hop Hop AS")
    async with store.transaction() as s:
        await customers.update_customer(
            s, alice, made.id, {"name": "Hop Hop Consulting AS"}, expected_version=made.version
        )
    async with store.reading() as s:
        names = (await s.execute(select(Customer.name))).scalars().all()
    assert names == ["Hop Hop Consulting AS"]
