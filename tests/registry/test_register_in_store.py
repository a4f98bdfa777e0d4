"""The register against the store: look-up order and cache, prefill of a customer, the change feed, and the
`org` command in the conversation. Real HTTP to the fake registers, real SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from datetime import date

import pytest
from sqlalchemy import select

from bot.conversation import Conversation
from bot.replies import Confirm, CustomerCardReply, CustomerList, RegisterCard, Text, Tone
from registry.brreg import BrregProvider, unit_from_brreg
from registry.feed import apply_changes
from registry.lookup import Registers, lookup
from registry.model import LookupStatus
from registry.orgnr import validate
from store.actor import Actor
from store.db import Store
from store.models import Address, Industry
from store.services import customers, register
from tests.registry.conftest import BACKOFF, RETRIES, TIMEOUT
from tests.servers.registers import FakeRegisters

FJORDLYS = "912345688"  # an AS with business and postal addresses in the fixtures
NORDAVIND = "923456783"  # bankrupt
LYSAKER = "945678909"  # deleted
REMOVED = "978901239"  # 410 Gone


@pytest.fixture
async def registers(fake_registers: FakeRegisters) -> AsyncIterator[Registers]:
    regs = Registers(
        {"NO": BrregProvider(fake_registers.base_url, timeout=TIMEOUT, retries=RETRIES, backoff=BACKOFF)}
    )
    yield regs
    await regs.close()


async def test_an_online_answer_is_cached_so_a_second_look_up_stays_local(
    store: Store, registers: Registers, fake_registers: FakeRegisters
) -> None:
    org = validate(FJORDLYS, "NO")
    first = await lookup(store, registers, org)
    second = await lookup(store, registers, org)
    assert first.result.status is LookupStatus.FOUND and first.result.unit is not None
    assert first.result.unit.name == "FJORDLYS RÅDGIVNING AS"
    assert second.source == "cache"
    assert len(fake_registers.requests_to(f"/enhetsregisteret/api/enheter/{FJORDLYS}")) == 1


async def test_a_removed_unit_is_a_clear_answer_and_is_cached_too(
    store: Store, registers: Registers, fake_registers: FakeRegisters
) -> None:
    org = validate(REMOVED, "NO")
    assert (await lookup(store, registers, org)).result.status is LookupStatus.REMOVED
    assert (await lookup(store, registers, org)).source == "cache"


async def test_swedish_numbers_are_answered_from_the_local_register_only(
    store: Store, registers: Registers
) -> None:
    found = await lookup(store, registers, validate("556036-0793", "SE"))
    assert (found.result.status, found.source) == (LookupStatus.UNKNOWN, "none")


async def test_a_register_entry_becomes_a_customer_with_head_office_and_postal_address(
    store: Store, registers: Registers, alice: Actor
) -> None:
    talk = Conversation(store, alice, registers)
    replies = await talk.handle(f"org {FJORDLYS}")
    assert isinstance(replies[0], RegisterCard) and replies[0].unit.status == "active"
    assert isinstance(replies[1], Confirm)
    done = await talk.handle("yes")
    assert isinstance(done[0], Text) and done[0].tone is Tone.SUCCESS
    assert isinstance(done[1], CustomerCardReply)
    customer = done[1].card.customer
    assert (customer.name, customer.org_number) == ("FJORDLYS RÅDGIVNING AS", FJORDLYS)
    async with store.reading() as s:
        rows = (
            (await s.execute(select(Address).where(Address.customer_id == customer.id).order_by(Address.id)))
            .scalars()
            .all()
        )
        industry = await s.get(Industry, customer.industry_id) if customer.industry_id else None
    assert [(a.is_head_office, a.is_visiting, a.is_postal) for a in rows] == [
        (True, True, False),
        (False, False, True),
    ]
    assert industry is not None and industry.code


async def test_a_number_that_is_already_a_customer_offers_to_open_it(
    store: Store, registers: Registers, alice: Actor, fake_registers: FakeRegisters
) -> None:
    async with store.transaction() as s:
        await customers.create_customer(s, alice, "Fjordlys Rådgivning AS", org_number=FJORDLYS)
    talk = Conversation(store, alice, registers)
    replies = await talk.handle(f"org {FJORDLYS}")
    assert isinstance(replies[0], Text) and "already has 912 345 688" in replies[0].message
    opened = await talk.handle("ja")
    assert isinstance(opened[0], CustomerCardReply)
    assert fake_registers.requests_to(f"/enhetsregisteret/api/enheter/{FJORDLYS}") == []


async def test_a_bankrupt_unit_is_shown_as_bankrupt(store: Store, registers: Registers, alice: Actor) -> None:
    replies = await Conversation(store, alice, registers).handle(f"org {NORDAVIND}")
    assert isinstance(replies[0], RegisterCard) and replies[0].unit.status == "bankrupt"


async def test_a_deleted_unit_is_shown_and_not_offered_as_a_new_customer(
    store: Store, registers: Registers, alice: Actor
) -> None:
    replies = await Conversation(store, alice, registers).handle(f"org {LYSAKER}")
    assert isinstance(replies[0], RegisterCard) and replies[0].unit.status == "deleted"
    assert len(replies) == 1


async def test_a_register_that_does_not_answer_gets_a_short_message_and_writes_nothing(
    store: Store, registers: Registers, alice: Actor, fake_registers: FakeRegisters
) -> None:
    fake_registers.answer(f"/enhetsregisteret/api/enheter/{FJORDLYS}", 500)
    replies = await Conversation(store, alice, registers).handle(f"org {FJORDLYS}")
    assert isinstance(replies[0], Text) and replies[0].tone is Tone.ERROR
    assert "HTTP 500" in replies[0].message and "customer add NAME, 912 345 688" in replies[0].message
    async with store.reading() as s:
        assert await register.cached_lookup(s, "NO", FJORDLYS) is None


async def test_an_invalid_number_is_refused_before_asking_any_register(
    store: Store, registers: Registers, alice: Actor, fake_registers: FakeRegisters
) -> None:
    replies = await Conversation(store, alice, registers).handle("org 912345687")
    assert isinstance(replies[0], Text) and "not a valid organisation number" in replies[0].message
    assert fake_registers.requests == []


async def test_customer_search_offers_register_units_that_are_not_customers_yet(
    store: Store, registers: Registers, alice: Actor
) -> None:
    async with store.transaction() as s:
        await register.upsert_units(
            s, [(await registers.providers["NO"].lookup(FJORDLYS)).unit], source="bulk"
        )  # type: ignore[list-item]
    replies = await Conversation(store, alice, registers).handle("customer find fjordlys")
    assert isinstance(replies[0], CustomerList)
    assert [u.number for u in replies[0].register_hits] == [FJORDLYS]


async def test_the_change_feed_updates_changed_units_and_remembers_its_position(
    store: Store, registers: Registers, fake_registers: FakeRegisters
) -> None:
    brreg = registers.providers["NO"]
    assert isinstance(brreg, BrregProvider)
    first = await apply_changes(store, brreg)
    assert first.changes > 0 and first.updated > 0
    async with store.reading() as s:
        updated = await register.local_unit(s, "NO", FJORDLYS)
        deleted = await register.local_unit(s, "NO", LYSAKER)
    assert updated is not None and updated.source == "local"
    assert deleted is not None and deleted.deleted_on == date(2023, 11, 30)
    again = await apply_changes(store, brreg)
    assert again.changes == 0


async def run_cli(database_url: str, fake: FakeRegisters, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": database_url, "BRREG_BASE_URL": fake.base_url}
    return await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "bot", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


async def test_org_lookup_prints_the_mapped_register_record_as_json(
    store: Store, database_url: str, fake_registers: FakeRegisters
) -> None:
    result = await run_cli(database_url, fake_registers, "org", "lookup", "912 345 688", "--json")
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert (answer["status"], answer["number"], answer["formatted"]) == ("found", FJORDLYS, "912 345 688")
    assert answer["unit"]["name"] == "FJORDLYS RÅDGIVNING AS" and answer["unit"]["status"] == "active"


async def test_org_lookup_of_an_invalid_number_exits_1_with_the_reason(
    store: Store, database_url: str, fake_registers: FakeRegisters
) -> None:
    result = await run_cli(database_url, fake_registers, "org", "lookup", "912345687", "--json")
    assert result.returncode == 1
    assert json.loads(result.stdout)["valid"] is False


async def test_the_fast_look_up_gives_the_same_unit_as_a_session(store: Store) -> None:
    unit = unit_from_brreg(
        {
            "organisasjonsnummer": "923609016",
            "navn": "FJORDLYS RÅDGIVNING AS",
            "organisasjonsform": {"kode": "AS", "beskrivelse": "Aksjeselskap"},
            "forretningsadresse": {"adresse": ["Storgata 1"], "postnummer": "0155", "poststed": "OSLO",
                                   "land": "Norge", "landkode": "NO"},
            "naeringskode1": {"kode": "70.220", "beskrivelse": "Bedriftsrådgivning"},
            "antallAnsatte": 12,
            "konkurs": True,
            "slettedato": "2024-05-06",
        }
    )  # fmt: skip
    async with store.transaction() as session:
        await register.upsert_units(session, [unit], source="bulk")
    async with store.reading() as session:
        through_session = await register.local_unit(session, "NO", "923609016")
    fast = await register.find_local_unit(store, "NO", "923609016")
    assert fast == through_session and fast is not None
    assert (fast.bankrupt, fast.deleted_on.isoformat() if fast.deleted_on else None) == (True, "2024-05-06")
    assert fast.business_address is not None and fast.business_address.postcode == "0155"
    assert await register.find_local_unit(store, "NO", "986228608") is None
