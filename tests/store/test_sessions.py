"""The store's sessions: a one-statement read opens no transaction on SQLite and sees committed data."""

from __future__ import annotations

from sqlalchemy import select

from store.actor import Actor
from store.db import Store
from store.models import Customer
from store.services import customers


async def test_a_one_statement_read_sees_what_was_committed(store: Store, alice: Actor) -> None:
    async with store.transaction() as s:
        await customers.create_customer(s, alice, "Acme AS")
    async with store.reading_one() as s:
        assert (await s.execute(select(Customer.name))).scalars().all() == ["Acme AS"]


async def test_a_one_statement_read_on_sqlite_holds_no_transaction(store: Store) -> None:
    async with store.reading_one() as s:
        await s.execute(select(Customer.id))
        if store.is_sqlite:
            raw = (await (await s.connection()).get_raw_connection()).driver_connection
            assert raw is not None and not raw.in_transaction
    async with store.reading() as s:
        await s.execute(select(Customer.id))
        if store.is_sqlite:
            raw = (await (await s.connection()).get_raw_connection()).driver_connection
            assert raw is not None and raw.in_transaction  # the ordinary reading session has its BEGIN
