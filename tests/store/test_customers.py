"""Customers: creation, the duplicate check of SPEC §3, search, optimistic locking, bad input."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select

from registry.orgnr import OrgNumber
from store.actor import Actor
from store.db import Store
from store.errors import (
    Ambiguous,
    ChangedMeanwhile,
    DuplicateCustomer,
    InvalidInput,
    NotFound,
    PermissionDenied,
    SimilarCustomersExist,
)
from store.models import Customer, Role
from store.services import customers
from tests.conftest import make_actor

ACME_ORG = "923609016"


async def count_customers(store: Store) -> int:
    async with store.reading() as s:
        return int((await s.execute(select(func.count(Customer.id)))).scalar_one())


async def test_customer_numbers_are_sequential(store: Store, alice: Actor) -> None:
    async with store.transaction() as s:
        a = await customers.create_customer(s, alice, "Fjordkraft Rådgivning AS")
        b = await customers.create_customer(s, alice, "Kvarnholmen Konsult AB")
    assert (a.customer_number, b.customer_number) == (10001, 10002)
    assert a.owner_id == alice.user_id


async def test_organisation_number_is_stored_compact_with_its_country(store: Store, alice: Actor) -> None:
    async with store.transaction() as s:
        c = await customers.create_customer(s, alice, "Acme AS", org_number="923 609 016")
    assert (c.org_number, c.org_country) == (ACME_ORG, "NO")
    assert customers.display_org(c) == "923 609 016"


async def test_a_second_customer_with_the_same_org_number_is_refused_and_names_the_existing(
    store: Store, alice: Actor
) -> None:
    async with store.transaction() as s:
        first = await customers.create_customer(s, alice, "Acme AS", org_number=ACME_ORG)
    with pytest.raises(DuplicateCustomer) as err:
        async with store.transaction() as s:
            await customers.create_customer(s, alice, "Totally Different Name AS", org_number="923-609-016")
    assert err.value.existing_id == first.id
    assert "Acme AS (#10001)" in str(err.value)
    assert await count_customers(store) == 1


@pytest.mark.parametrize("variant", ["ACME as.", "Acme", "acme AS", "Acme A/S"])
async def test_near_names_are_reported_as_similar_before_creating(
    store: Store, alice: Actor, variant: str
) -> None:
    async with store.transaction() as s:
        await customers.create_customer(s, alice, "Acme AS")
    with pytest.raises(SimilarCustomersExist) as err:
        async with store.transaction() as s:
            await customers.create_customer(s, alice, variant)
    assert [x.name for x in err.value.similar] == ["Acme AS"]
    assert await count_customers(store) == 1


async def test_a_similar_name_can_be_created_when_the_user_confirms(store: Store, alice: Actor) -> None:
    async with store.transaction() as s:
        await customers.create_customer(s, alice, "Acme AS")
        await customers.create_customer(s, alice, "Acme", allow_similar=True)
    assert await count_customers(store) == 2


async def test_unrelated_names_are_not_similar(store: Store, alice: Actor) -> None:
    async with store.transaction() as s:
        await customers.create_customer(s, alice, "Acme AS")
        await customers.create_customer(s, alice, "Bergen Byggteknikk AS")
        await customers.create_customer(s, alice, "Acme Consulting Group AB")
    assert await count_customers(store) == 3


async def test_two_concurrent_creates_of_one_org_number_give_exactly_one_customer(
    store: Store, alice: Actor, bob: Actor
) -> None:
    async def create(actor: Actor, name: str) -> Customer:
        async with store.transaction() as s:
            return await customers.create_customer(s, actor, name, org_number=ACME_ORG)

    results = await asyncio.gather(
        create(alice, "Acme AS"), create(bob, "Acme Norge AS"), return_exceptions=True
    )
    created = [r for r in results if isinstance(r, Customer)]
    refused = [r for r in results if isinstance(r, DuplicateCustomer)]
    assert len(created) == 1 and len(refused) == 1, results
    assert "already has organisation number 923 609 016" in str(refused[0])
    assert await count_customers(store) == 1


async def test_many_concurrent_creates_get_distinct_customer_numbers(store: Store, alice: Actor) -> None:
    async def create(i: int) -> int:
        async with store.transaction() as s:
            c = await customers.create_customer(s, alice, f"Parallell {i} Kunde AS", allow_similar=True)
            return c.customer_number

    numbers = await asyncio.gather(*(create(i) for i in range(8)))
    assert sorted(numbers) == list(range(10001, 10009))


async def test_a_hidden_duplicate_is_refused_without_revealing_its_name(
    store: Store, alice: Actor, bob: Actor
) -> None:
    async with store.transaction() as s:
        await customers.create_customer(
            s, bob, "Bobs Hemmelige Kunde AS", org_number=ACME_ORG, visibility="owner"
        )
    with pytest.raises(DuplicateCustomer) as err:
        async with store.transaction() as s:
            await customers.create_customer(s, alice, "Acme AS", org_number=ACME_ORG)
    assert err.value.existing_id is None
    assert "Hemmelige" not in str(err.value)
    assert "cannot see" in str(err.value)


async def test_only_the_org_numbers_of_customers_the_user_may_see_are_reported_as_taken(
    store: Store, alice: Actor, bob: Actor
) -> None:
    async with store.transaction() as s:
        await customers.create_customer(s, alice, "Acme AS", org_number=ACME_ORG)
        await customers.create_customer(
            s, bob, "Bobs Hemmelige AS", org_number="974760673", visibility="owner"
        )
        gone = await customers.create_customer(s, alice, "Borte AS", org_number="982463718")
    async with store.transaction() as s:
        await customers.delete_customer(s, alice, gone.id)
    asked = [OrgNumber("NO", n) for n in (ACME_ORG, "974760673", "982463718", "915786995")] + [
        OrgNumber("SE", ACME_ORG)
    ]
    async with store.reading() as s:
        assert await customers.orgs_of_visible_customers(s, alice, asked) == {OrgNumber("NO", ACME_ORG)}
        assert await customers.orgs_of_visible_customers(s, bob, asked) == {
            OrgNumber("NO", ACME_ORG),
            OrgNumber("NO", "974760673"),
        }
        assert await customers.orgs_of_visible_customers(s, alice, []) == set()


@pytest.mark.parametrize(
    ("name", "org", "message"),
    [
        ("", None, "The customer name cannot be empty."),
        ("   ", None, "The customer name cannot be empty."),
        ("Acme AS", "923609017", "not a valid organisation number"),
        ("Acme AS", "12345", "not a valid organisation number"),
        ("Acme AS", "hello", "not a valid organisation number"),
    ],
)
async def test_bad_input_gets_a_specific_message_and_writes_nothing(
    store: Store, alice: Actor, name: str, org: str | None, message: str
) -> None:
    with pytest.raises(InvalidInput, match=message):
        async with store.transaction() as s:
            await customers.create_customer(s, alice, name, org_number=org)
    assert await count_customers(store) == 0


async def test_an_org_number_with_the_wrong_country_is_refused(store: Store, alice: Actor) -> None:
    with pytest.raises(InvalidInput, match="not a valid Swedish organisationsnummer"):
        async with store.transaction() as s:
            await customers.create_customer(s, alice, "Acme AS", org_number=ACME_ORG, country="SE")


async def test_a_read_only_user_cannot_create_customers(store: Store) -> None:
    reader = await make_actor(store, "Rita Reader", Role.READ_ONLY)
    with pytest.raises(PermissionDenied):
        async with store.transaction() as s:
            await customers.create_customer(s, reader, "Acme AS")


async def test_find_matches_names_fuzzily_and_by_numbers(store: Store, alice: Actor) -> None:
    async with store.transaction() as s:
        acme = await customers.create_customer(s, alice, "Acme AS", org_number=ACME_ORG)
        await customers.create_customer(s, alice, "Bergen Byggteknikk AS")
    async with store.reading() as s:
        assert [h.customer.id for h in await customers.find_customers(s, alice, "acme")] == [acme.id]
        assert [h.customer.id for h in await customers.find_customers(s, alice, "Acmee")] == [acme.id]
        assert [h.customer.id for h in await customers.find_customers(s, alice, "923 609 016")] == [acme.id]
        assert [h.customer.id for h in await customers.find_customers(s, alice, "#10001")] == [acme.id]
        assert await customers.find_customers(s, alice, "zzzz qqqq") == []


async def test_a_two_letter_search_finds_the_shortest_visible_names_containing_it(
    store: Store, alice: Actor, bob: Actor
) -> None:
    async with store.transaction() as s:
        hm = await customers.create_customer(s, alice, "HM Bygg AS")
        longer = await customers.create_customer(s, alice, "Nordhavn Marine Hmm AS")
        await customers.create_customer(s, bob, "HM Hemmelig AS", visibility="owner")
        await customers.create_customer(s, alice, "Acme AS")
    async with store.reading() as s:
        hits = await customers.find_customers(s, alice, "hm")
    assert [h.customer.id for h in hits] == [hm.id, longer.id]  # not Bob's owner-only one, not Acme


async def test_resolve_asks_which_when_two_customers_match_equally(store: Store, alice: Actor) -> None:
    async with store.transaction() as s:
        await customers.create_customer(s, alice, "Nordic Consulting Oslo AS")
        await customers.create_customer(s, alice, "Nordic Consulting Bergen AS", allow_similar=True)
    async with store.reading() as s:
        with pytest.raises(Ambiguous) as err:
            await customers.resolve_customer(s, alice, "nordic consulting")
        assert len(err.value.choices) == 2
        with pytest.raises(NotFound, match="No customer matches 'Ikea'"):
            await customers.resolve_customer(s, alice, "Ikea")


async def test_an_edit_based_on_an_old_version_is_refused(store: Store, alice: Actor, bob: Actor) -> None:
    async with store.transaction() as s:
        c = await customers.create_customer(s, alice, "Acme AS")
    seen = c.version
    async with store.transaction() as s:
        await customers.update_customer(s, alice, c.id, {"website": "https://acme.no"}, expected_version=seen)
    with pytest.raises(ChangedMeanwhile, match="changed by someone else"):
        async with store.transaction() as s:
            await customers.update_customer(
                s, bob, c.id, {"website": "https://acme.com"}, expected_version=seen
            )
    async with store.reading() as s:
        assert (await customers.get_customer(s, alice, c.id)).website == "https://acme.no"


async def test_two_concurrent_edits_never_silently_overwrite(store: Store, alice: Actor, bob: Actor) -> None:
    async with store.transaction() as s:
        c = await customers.create_customer(s, alice, "Acme AS")
    start = asyncio.Event()

    async def edit(actor: Actor, website: str) -> str:
        async with store.transaction() as s:
            await start.wait()
            await customers.update_customer(s, actor, c.id, {"website": website}, expected_version=c.version)
        return website

    tasks = [asyncio.create_task(edit(alice, "https://a.no")), asyncio.create_task(edit(bob, "https://b.no"))]
    await asyncio.sleep(0.05)
    start.set()
    results = await asyncio.gather(*tasks, return_exceptions=True)
    winners = [r for r in results if isinstance(r, str)]
    losers = [r for r in results if isinstance(r, ChangedMeanwhile)]
    assert len(winners) == 1 and len(losers) == 1, results
    async with store.reading() as s:
        saved = await customers.get_customer(s, alice, c.id)
    assert saved.website == winners[0]
    assert saved.version == c.version + 1


async def test_changing_the_org_number_to_an_existing_one_is_refused(store: Store, alice: Actor) -> None:
    async with store.transaction() as s:
        await customers.create_customer(s, alice, "Acme AS", org_number=ACME_ORG)
        other = await customers.create_customer(s, alice, "Bergen Byggteknikk AS")
    with pytest.raises(DuplicateCustomer):
        async with store.transaction() as s:
            await customers.update_customer(s, alice, other.id, {"org_number": ACME_ORG})


async def test_a_deleted_customer_disappears_and_can_be_restored(store: Store, alice: Actor) -> None:
    async with store.transaction() as s:
        c = await customers.create_customer(s, alice, "Acme AS")
    async with store.transaction() as s:
        await customers.delete_customer(s, alice, c.id)
    async with store.reading() as s:
        assert await customers.find_customers(s, alice, "acme") == []
        with pytest.raises(NotFound):
            await customers.get_customer(s, alice, c.id)
    async with store.transaction() as s:
        await customers.restore_customer(s, alice, c.id)
    async with store.reading() as s:
        assert (await customers.get_customer(s, alice, c.id)).name == "Acme AS"


async def test_a_ten_digit_swedish_number_is_searched_as_an_org_number(store: Store, alice: Actor) -> None:
    async with store.transaction() as s:
        volvo = await customers.create_customer(s, alice, "Volvo AB", org_number="556074-3089", country="SE")
    async with store.reading() as s:
        assert [h.customer.id for h in await customers.find_customers(s, alice, "556074-3089")] == [volvo.id]
