"""Addresses with the head-office rule; contacts: add, unlink, delete, several emails and phones."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from store.actor import Actor
from store.db import Store
from store.errors import InvalidInput, NotFound
from store.models import Address, Contact
from store.services import addresses, contacts, customers


async def new_customer(store: Store, actor: Actor, name: str = "Acme AS") -> int:
    async with store.transaction() as s:
        return (await customers.create_customer(s, actor, name)).id


async def head_offices(store: Store, customer_id: int) -> list[int]:
    async with store.reading() as s:
        rows = await s.execute(
            select(Address.id).where(Address.customer_id == customer_id, Address.is_head_office.is_(True))
        )
        return list(rows.scalars())


async def test_the_first_address_becomes_the_head_office(store: Store, alice: Actor) -> None:
    cid = await new_customer(store, alice)
    async with store.transaction() as s:
        a = await addresses.add_address(
            s, alice, cid, lines=["Karl Johans gate 1"], postcode="0154", city="Oslo"
        )
        await addresses.add_address(s, alice, cid, lines=["Postboks 12"], postcode="0101", city="Oslo")
    assert await head_offices(store, cid) == [a.id]


async def test_moving_the_head_office_leaves_exactly_one(store: Store, alice: Actor) -> None:
    cid = await new_customer(store, alice)
    async with store.transaction() as s:
        await addresses.add_address(s, alice, cid, lines=["Karl Johans gate 1"], city="Oslo")
        b = await addresses.add_address(s, alice, cid, lines=["Bryggen 3"], city="Bergen", head_office=True)
    assert await head_offices(store, cid) == [b.id]
    async with store.transaction() as s:
        c = await addresses.add_address(s, alice, cid, lines=["Torget 1"], city="Trondheim")
        await addresses.set_head_office(s, alice, c.id)
    assert await head_offices(store, cid) == [c.id]


async def test_removing_the_head_office_promotes_another_address(store: Store, alice: Actor) -> None:
    cid = await new_customer(store, alice)
    async with store.transaction() as s:
        a = await addresses.add_address(s, alice, cid, lines=["Karl Johans gate 1"], city="Oslo")
        b = await addresses.add_address(s, alice, cid, lines=["Bryggen 3"], city="Bergen")
    async with store.transaction() as s:
        await addresses.remove_address(s, alice, a.id)
    assert await head_offices(store, cid) == [b.id]


async def test_the_database_refuses_a_second_head_office(store: Store, alice: Actor) -> None:
    cid = await new_customer(store, alice)
    async with store.transaction() as s:
        await addresses.add_address(s, alice, cid, lines=["Karl Johans gate 1"], city="Oslo")
    with pytest.raises(IntegrityError):
        async with store.transaction() as s:
            s.add(Address(customer_id=cid, line1="Sneaky 2", city="Oslo", is_head_office=True))
            await s.flush()
    assert len(await head_offices(store, cid)) == 1


async def test_an_address_without_street_or_city_is_refused(store: Store, alice: Actor) -> None:
    cid = await new_customer(store, alice)
    with pytest.raises(InvalidInput, match="at least a street line or a city"):
        async with store.transaction() as s:
            await addresses.add_address(s, alice, cid, lines=["  "])


async def test_a_new_contact_gets_the_head_office_and_a_primary_email(store: Store, alice: Actor) -> None:
    cid = await new_customer(store, alice)
    async with store.transaction() as s:
        office = await addresses.add_address(s, alice, cid, lines=["Karl Johans gate 1"], city="Oslo")
        kari = await contacts.add_contact(
            s,
            alice,
            customer_id=cid,
            first_name="Kari",
            last_name="Nordmann",
            title="CTO",
            emails=["Kari@Acme.no", "kari.nordmann@gmail.com"],
            phones=["912 34 567"],
            roles=["Decision maker"],
        )
    async with store.reading() as s:
        kari = await contacts.get_contact(s, alice, kari.id)
    assert kari.address_id == office.id
    assert kari.primary_email == "kari@acme.no"
    assert [e.email for e in kari.emails] == ["kari@acme.no", "kari.nordmann@gmail.com"]
    assert [p.number for p in kari.phones] == ["+4791234567"]
    assert [r.role for r in kari.roles] == ["decision maker"]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("emails", ["kari(at)acme.no"], "is not a valid email address"),
        ("phones", ["12"], "is not a valid phone number"),
        ("phones", ["call me"], "is not a phone number"),
        ("first_name", "", "The first name cannot be empty."),
    ],
)
async def test_a_contact_with_bad_details_is_refused_and_nothing_is_written(
    store: Store, alice: Actor, field: str, value: object, message: str
) -> None:
    cid = await new_customer(store, alice)
    kwargs: dict[str, object] = {"customer_id": cid, "first_name": "Kari", field: value}
    with pytest.raises(InvalidInput, match=message):
        async with store.transaction() as s:
            await contacts.add_contact(s, alice, **kwargs)  # type: ignore[arg-type]
    async with store.reading() as s:
        assert (await s.execute(select(Contact.id))).first() is None


async def test_a_contact_on_an_unknown_customer_is_refused(store: Store, alice: Actor) -> None:
    with pytest.raises(NotFound, match="No customer with id 999"):
        async with store.transaction() as s:
            await contacts.add_contact(s, alice, customer_id=999, first_name="Kari")


async def test_unlinking_keeps_the_contact_and_deleting_is_separate(store: Store, alice: Actor) -> None:
    cid = await new_customer(store, alice)
    async with store.transaction() as s:
        kari = await contacts.add_contact(
            s, alice, customer_id=cid, first_name="Kari", emails=["kari@acme.no"]
        )
    async with store.transaction() as s:
        await contacts.unlink_contact(s, alice, kari.id)
    async with store.reading() as s:
        found = await contacts.find_contacts(s, alice, "kari@acme.no")
        assert [(c.id, c.customer_id) for c in found] == [(kari.id, None)]
    async with store.transaction() as s:
        await contacts.delete_contact(s, alice, kari.id)
    async with store.reading() as s:
        assert await contacts.find_contacts(s, alice, "kari@acme.no") == []


async def test_contacts_are_grouped_across_customers_by_role(store: Store, alice: Actor) -> None:
    a = await new_customer(store, alice, "Acme AS")
    b = await new_customer(store, alice, "Bergen Byggteknikk AS")
    async with store.transaction() as s:
        await contacts.add_contact(
            s, alice, customer_id=a, first_name="Kari", last_name="Nordmann", roles=["decision maker"]
        )
        await contacts.add_contact(
            s, alice, customer_id=b, first_name="Ola", last_name="Hansen", roles=["Decision Maker"]
        )
        await contacts.add_contact(
            s, alice, customer_id=b, first_name="Per", last_name="Berg", roles=["user"]
        )
    async with store.reading() as s:
        found = await contacts.contacts_with_role(s, alice, "decision maker")
    assert [c.full_name for c in found] == ["Ola Hansen", "Kari Nordmann"]
