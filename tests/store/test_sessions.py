"""The store's single-statement reads: they see what was committed and hold no transaction open."""

from __future__ import annotations

from sqlalchemy import select

from store.actor import Actor
from store.db import POOL_SIZE, Store
from store.models import Customer
from store.services import customers


async def test_an_autocommit_read_sees_what_was_committed(store: Store, alice: Actor) -> None:
    async with store.transaction() as s:
        await customers.create_customer(s, alice, "Acme AS")
    async with store.autocommit() as connection:
        assert (await connection.execute(select(Customer.name))).scalars().all() == ["Acme AS"]
        raw = (await connection.get_raw_connection()).driver_connection
        if store.is_sqlite:
            assert raw is not None and not raw.in_transaction  # no BEGIN was sent
        else:
            assert raw is not None and not raw.is_in_transaction()


async def test_a_sqlite_driver_read_sees_what_was_committed(store: Store, alice: Actor) -> None:
    if not store.is_sqlite:
        return  # the driver path is SQLite's
    async with store.transaction() as s:
        await customers.create_customer(s, alice, "Acme AS")
    assert await store.sqlite_rows("SELECT name FROM customers WHERE name = ?", ("Acme AS",)) == [
        ("Acme AS",)
    ]


async def test_an_ordinary_reading_session_on_sqlite_is_a_transaction(store: Store) -> None:
    async with store.reading() as s:
        await s.execute(select(Customer.id))
        if store.is_sqlite:
            raw = (await (await s.connection()).get_raw_connection()).driver_connection
            assert raw is not None and raw.in_transaction


async def test_opening_the_pool_leaves_its_connections_open_idle_and_outside_any_transaction(
    store: Store, alice: Actor
) -> None:
    pool = store.engine.pool
    await store.open_pool()
    assert pool.checkedin() == pool.size() == POOL_SIZE  # type: ignore[attr-defined]
    async with store.transaction() as s:  # a writer is not kept waiting by the opened connections
        await customers.create_customer(s, alice, "Acme AS")
    async with store.reading() as s:
        assert (await s.execute(select(Customer.name))).scalars().all() == ["Acme AS"]
