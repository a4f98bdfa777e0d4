"""Merging customers and contacts keeps every contact, activity and email, and records the merge."""

from __future__ import annotations

import zlib

import pytest
from sqlalchemy import select

from store.actor import Actor
from store.db import Store
from store.errors import InvalidInput, NotFound
from store.models import Activity, Address, Contact, Email, MergeRecord
from store.services import activities, addresses, contacts, customers, merge


async def add_email(store: Store, customer_id: int, contact_ids: list[int], message_id: str) -> int:
    async with store.transaction() as s:
        email = Email(
            message_id=message_id,
            subject="Tilbud",
            raw_compressed=zlib.compress(b"Subject: Tilbud\r\n\r\nhei"),
            customer_id=customer_id,
        )
        email.contacts = [await s.get(Contact, cid) for cid in contact_ids]  # type: ignore[misc]
        s.add(email)
        await s.flush()
        return email.id


async def test_merging_customers_moves_every_contact_activity_and_email(store: Store, alice: Actor) -> None:
    async with store.transaction() as s:
        keep = await customers.create_customer(s, alice, "Acme AS", org_number="923609016")
        dup = await customers.create_customer(
            s, alice, "ACME Norge", allow_similar=True, website="https://acme.no"
        )
        await addresses.add_address(s, alice, keep.id, lines=["Karl Johans gate 1"], city="Oslo")
        await addresses.add_address(s, alice, dup.id, lines=["Bryggen 3"], city="Bergen")
        kari = await contacts.add_contact(s, alice, customer_id=dup.id, first_name="Kari")
        ola = await contacts.add_contact(s, alice, customer_id=keep.id, first_name="Ola")
        call = await activities.log_activity(s, alice, kind="call", subject="Intro", customer_id=dup.id)
    email_id = await add_email(store, dup.id, [kari.id], "<1@acme.no>")

    async with store.transaction() as s:
        record = await merge.merge_customers(s, alice, keep.id, dup.id)

    async with store.reading() as s:
        card = await customers.customer_card(s, alice, keep.id)
        assert sorted(c.first_name for c in card.contacts) == ["Kari", "Ola"]
        assert [a.id for a in card.latest_activities] == [call.id]
        assert (await s.get(Email, email_id)).customer_id == keep.id  # type: ignore[union-attr]
        offices = (await s.execute(select(Address).where(Address.customer_id == keep.id))).scalars().all()
        assert sorted(a.city for a in offices) == ["Bergen", "Oslo"]
        assert [a.city for a in offices if a.is_head_office] == ["Oslo"]
        assert card.customer.website == "https://acme.no"  # filled from the merged card
        with pytest.raises(NotFound):
            await customers.get_customer(s, alice, dup.id)
        saved = await s.get(MergeRecord, record.id)
    assert saved is not None
    assert saved.merged_snapshot["name"] == "ACME Norge"
    assert saved.moved["contacts"] == [kari.id]
    assert saved.moved["activities"] == [call.id]
    assert saved.moved["emails"] == [email_id]
    _ = ola


async def test_the_survivor_takes_the_org_number_when_it_had_none(store: Store, alice: Actor) -> None:
    async with store.transaction() as s:
        keep = await customers.create_customer(s, alice, "Acme AS")
        dup = await customers.create_customer(s, alice, "Acme", org_number="923609016", allow_similar=True)
    async with store.transaction() as s:
        await merge.merge_customers(s, alice, keep.id, dup.id)
    async with store.reading() as s:
        assert (await customers.get_customer(s, alice, keep.id)).org_number == "923609016"


async def test_a_customer_cannot_be_merged_into_itself(store: Store, alice: Actor) -> None:
    async with store.transaction() as s:
        c = await customers.create_customer(s, alice, "Acme AS")
    with pytest.raises(InvalidInput, match="into itself"):
        async with store.transaction() as s:
            await merge.merge_customers(s, alice, c.id, c.id)


async def test_merging_contacts_keeps_emails_phones_activities_and_captured_emails(
    store: Store, alice: Actor
) -> None:
    async with store.transaction() as s:
        acme = await customers.create_customer(s, alice, "Acme AS")
        kari = await contacts.add_contact(
            s, alice, customer_id=acme.id, first_name="Kari", emails=["kari@acme.no"]
        )
        dup = await contacts.add_contact(
            s,
            alice,
            customer_id=acme.id,
            first_name="Kari",
            last_name="Nordmann",
            emails=["kari@acme.no", "kari@gmail.com"],
            phones=["+4791234567"],
            title="CTO",
        )
        both = await activities.log_activity(
            s, alice, kind="meeting", subject="Workshop", contact_ids=[kari.id, dup.id]
        )
        only_dup = await activities.log_activity(
            s, alice, kind="call", subject="Oppfølging", contact_ids=[dup.id]
        )
    email_id = await add_email(store, acme.id, [dup.id], "<2@acme.no>")

    async with store.transaction() as s:
        record = await merge.merge_contacts(s, alice, kari.id, dup.id)

    async with store.reading() as s:
        survivor = await contacts.get_contact(s, alice, kari.id)
        assert [e.email for e in survivor.emails] == ["kari@acme.no", "kari@gmail.com"]
        assert survivor.primary_email == "kari@acme.no"
        assert [p.number for p in survivor.phones] == ["+4791234567"]
        assert survivor.title == "CTO"
        linked = (
            (
                await s.execute(
                    select(Activity).where(Activity.contacts.any(Contact.id == kari.id)).order_by(Activity.id)
                )
            )
            .scalars()
            .all()
        )
        assert [a.id for a in linked] == [both.id, only_dup.id]
        email = (await s.execute(select(Email).where(Email.id == email_id))).scalar_one()
        await s.refresh(email, ["contacts"])
        assert [c.id for c in email.contacts] == [kari.id]
        with pytest.raises(NotFound):
            await contacts.get_contact(s, alice, dup.id)
    assert sorted(record.moved["activities"]) == sorted([both.id, only_dup.id])
    assert record.merged_snapshot["emails"] == ["kari@acme.no", "kari@gmail.com"]
