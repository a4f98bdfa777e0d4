"""Owner-only customers and contacts are invisible to everyone but their owner and admins (SPEC §3)."""

from __future__ import annotations

import pytest

from store.actor import Actor
from store.db import Store
from store.errors import NotFound
from store.services import contacts, customers, dashboard, kpi


@pytest.fixture
async def secret(store: Store, bob: Actor) -> int:
    async with store.transaction() as s:
        c = await customers.create_customer(s, bob, "Hemmelig Kunde AS", visibility="owner")
        await contacts.add_contact(
            s, bob, customer_id=c.id, first_name="Siri", last_name="Skjult", emails=["siri@hemmelig.no"]
        )
        return c.id


async def test_an_owner_only_customer_is_absent_from_another_users_find_and_show(
    store: Store, alice: Actor, secret: int
) -> None:
    async with store.reading() as s:
        assert await customers.find_customers(s, alice, "hemmelig") == []
        with pytest.raises(NotFound):
            await customers.get_customer(s, alice, secret)
        assert await contacts.find_contacts(s, alice, "siri@hemmelig.no") == []
        assert await contacts.find_contacts(s, alice, "Siri Skjult") == []


async def test_the_owner_and_admins_see_an_owner_only_customer(
    store: Store, bob: Actor, admin: Actor, secret: int
) -> None:
    async with store.reading() as s:
        for actor in (bob, admin):
            assert [h.customer.id for h in await customers.find_customers(s, actor, "hemmelig")] == [secret]
            card = await customers.customer_card(s, actor, secret)
            assert [c.full_name for c in card.contacts] == ["Siri Skjult"]


async def test_owner_only_customers_are_not_counted_or_listed_for_others(
    store: Store, alice: Actor, bob: Actor, secret: int
) -> None:
    from store.services.sales import create_sales_case

    async with store.transaction() as s:
        await create_sales_case(s, bob, customer_id=secret, name="Hemmelig avtale", value=100_000)
    async with store.reading() as s:
        assert await kpi.active_customers_count(s, alice) == 0
        assert await kpi.active_customers(s, alice) == []
        assert await kpi.prospects_in_progress(s, alice) == []
        assert [c.name for c in await dashboard.latest_customers(s, alice)] == []
        assert await kpi.active_customers_count(s, bob) == 1
        assert [c.name for c in await dashboard.latest_customers(s, bob)] == ["Hemmelig Kunde AS"]


async def test_an_owner_only_contact_on_a_shared_customer_is_hidden_from_others(
    store: Store, alice: Actor, bob: Actor
) -> None:
    async with store.transaction() as s:
        shared = await customers.create_customer(s, alice, "Delt Kunde AS")
        await contacts.add_contact(
            s, bob, customer_id=shared.id, first_name="Privat", last_name="Person", visibility="owner"
        )
        await contacts.add_contact(s, bob, customer_id=shared.id, first_name="Åpen", last_name="Person")
    async with store.reading() as s:
        alice_card = await customers.customer_card(s, alice, shared.id)
        bob_card = await customers.customer_card(s, bob, shared.id)
    assert [c.first_name for c in alice_card.contacts] == ["Åpen"]
    assert sorted(c.first_name for c in bob_card.contacts) == ["Privat", "Åpen"]
