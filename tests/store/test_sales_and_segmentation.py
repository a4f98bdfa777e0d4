"""Sales cases along the sales process; groupings, keywords and mass update (SPEC §2.1, §3)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from store.actor import Actor
from store.db import Store
from store.errors import ChangedMeanwhile, InvalidInput, NotFound, PermissionDenied
from store.models import CaseStatus, Customer, RelationLevel, customer_groupings
from store.services import customers, sales, segmentation


async def acme(store: Store, actor: Actor) -> int:
    async with store.transaction() as s:
        return (await customers.create_customer(s, actor, "Acme AS")).id


async def test_a_new_sales_case_starts_at_the_first_stage_with_its_probability(
    store: Store, alice: Actor
) -> None:
    cid = await acme(store, alice)
    async with store.transaction() as s:
        case = await sales.create_sales_case(s, alice, customer_id=cid, name="Rammeavtale", value="250 000")
    assert (case.stage.name, case.probability, case.status, case.value) == (
        "lead",
        10,
        CaseStatus.OPEN,
        250000,
    )


async def test_moving_to_won_closes_the_case_and_back_reopens_it(store: Store, alice: Actor) -> None:
    cid = await acme(store, alice)
    async with store.transaction() as s:
        case = await sales.create_sales_case(s, alice, customer_id=cid, name="Rammeavtale", value=1000)
    async with store.transaction() as s:
        won = await sales.move_sales_case(s, alice, case.id, stage="Won", on=date(2026, 11, 20))
    assert (won.status, won.closed_date, won.probability) == (CaseStatus.WON, date(2026, 11, 20), 100)
    async with store.transaction() as s:
        reopened = await sales.move_sales_case(s, alice, case.id, stage="negotiation")
    assert (reopened.status, reopened.closed_date, reopened.probability) == (CaseStatus.OPEN, None, 75)


async def test_a_stale_stage_change_is_refused(store: Store, alice: Actor, bob: Actor) -> None:
    cid = await acme(store, alice)
    async with store.transaction() as s:
        case = await sales.create_sales_case(s, alice, customer_id=cid, name="Rammeavtale")
    async with store.transaction() as s:
        await sales.move_sales_case(s, alice, case.id, stage="proposal", expected_version=case.version)
    with pytest.raises(ChangedMeanwhile):
        async with store.transaction() as s:
            await sales.move_sales_case(s, bob, case.id, stage="lost", expected_version=case.version)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"stage": "dreaming"}, "'dreaming' is not a stage of the sales process"),
        ({"probability": 120}, "between 0 and 100"),
        ({"value": "lots"}, "'lots' is not an amount"),
        ({"value": -5}, "cannot be negative"),
        ({"name": ""}, "The sales case name cannot be empty."),
    ],
)
async def test_bad_sales_cases_are_refused(
    store: Store, alice: Actor, kwargs: dict[str, object], message: str
) -> None:
    cid = await acme(store, alice)
    args: dict[str, object] = {"customer_id": cid, "name": "Avtale", **kwargs}
    with pytest.raises(InvalidInput, match=message):
        async with store.transaction() as s:
            await sales.create_sales_case(s, alice, **args)  # type: ignore[arg-type]


async def test_only_admins_define_groupings(store: Store, alice: Actor, admin: Actor) -> None:
    with pytest.raises(PermissionDenied):
        async with store.transaction() as s:
            await segmentation.create_grouping(s, alice, "Rammeavtale", ["Ja", "Nei"])
    async with store.transaction() as s:
        category = await segmentation.create_grouping(s, admin, "Rammeavtale", ["Ja", "Nei", "Ja"])
        assert [c.name for c in category.choices] == ["Ja", "Nei"]


async def test_mass_update_sets_level_owner_and_grouping_on_every_selected_customer(
    store: Store, alice: Actor, bob: Actor, admin: Actor
) -> None:
    async with store.transaction() as s:
        ids = [(await customers.create_customer(s, alice, n)).id for n in ("Alfa AS", "Beta AB", "Gamma Oy")]
        category = await segmentation.create_grouping(s, admin, "Region", ["Vest", "Øst"])
        vest = category.choices[1] if category.choices[1].name == "Vest" else category.choices[0]
    async with store.transaction() as s:
        changed = await segmentation.mass_update(
            s, alice, ids[:2], relation_level="a", owner_id=bob.user_id, grouping_choice_id=vest.id
        )
    assert changed == 2
    async with store.reading() as s:
        rows = (
            (await s.execute(select(Customer).where(Customer.id.in_(ids)).order_by(Customer.id)))
            .scalars()
            .all()
        )
        grouped = set((await s.execute(select(customer_groupings.c.customer_id))).scalars())
    assert [(c.relation_level, c.owner_id) for c in rows] == [
        (RelationLevel.A, bob.user_id),
        (RelationLevel.A, bob.user_id),
        (None, alice.user_id),
    ]
    assert grouped == set(ids[:2])


async def test_mass_update_with_a_customer_the_user_cannot_see_changes_nothing(
    store: Store, alice: Actor, bob: Actor
) -> None:
    async with store.transaction() as s:
        mine = (await customers.create_customer(s, alice, "Alfa AS")).id
        hidden = (await customers.create_customer(s, bob, "Skjult AS", visibility="owner")).id
    with pytest.raises(NotFound, match=f"No customer with id {hidden}"):
        async with store.transaction() as s:
            await segmentation.mass_update(s, alice, [mine, hidden], relation_level="B")
    async with store.reading() as s:
        assert (await customers.get_customer(s, alice, mine)).relation_level is None


async def test_keywords_are_shared_and_case_insensitive(store: Store, alice: Actor) -> None:
    cid = await acme(store, alice)
    async with store.transaction() as s:
        await segmentation.tag_customer(s, alice, cid, "Offentlig")
        await segmentation.tag_customer(s, alice, cid, "offentlig")
    async with store.reading() as s:
        assert [k.name for k in (await customers.get_customer(s, alice, cid)).keywords] == ["offentlig"]
