"""The conversation engine: follow-up questions, confirmations and clear errors (SPEC §5.1)."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.conversation import Conversation
from bot.replies import Choice, Confirm, CustomerCardReply, CustomerList, Help, Text, Tone
from registry.model import RegisterUnit
from store.actor import Actor
from store.db import Store
from store.models import Contact, Customer
from store.services import customers, register


async def count(store: Store, model: type) -> int:
    async with store.reading() as s:
        return int((await s.execute(select(func.count(model.id)))).scalar_one())  # type: ignore[attr-defined]


async def test_find_lists_register_units_that_are_not_customers_the_user_can_see(
    store: Store, alice: Actor, bob: Actor
) -> None:
    async with store.transaction() as s:
        await register.upsert_units(
            s,
            [
                RegisterUnit("NO", "923609016", "Fjellrev Bygg AS"),
                RegisterUnit("NO", "974760673", "Fjellrev Drift AS"),
                RegisterUnit("NO", "982463718", "Fjellrev Eiendom AS"),
            ],
            source="api",
        )
        await customers.create_customer(s, alice, "Fjellrev Bygg Holding AS", org_number="923609016")
        await customers.create_customer(s, bob, "Skjult AS", org_number="974760673", visibility="owner")
    [listing] = await Conversation(store, alice).handle("customer find fjellrev")
    assert isinstance(listing, CustomerList)
    assert [h.customer.name for h in listing.hits] == ["Fjellrev Bygg Holding AS"]
    # Bob's owner-only customer has the second number: Alice sees the unit, not that it is taken.
    assert sorted(u.number for u in listing.register_hits) == ["974760673", "982463718"]


async def test_a_similar_name_is_created_only_after_yes(store: Store, alice: Actor) -> None:
    talk = Conversation(store, alice)
    await talk.handle("customer add Acme AS")
    replies = await talk.handle("customer add ACME as.")
    assert isinstance(replies[-1], Confirm)
    assert await count(store, Customer) == 1
    done = await talk.handle("ja")
    assert isinstance(done[0], Text) and done[0].tone is Tone.SUCCESS
    assert await count(store, Customer) == 2


async def test_no_to_a_similar_name_writes_nothing(store: Store, alice: Actor) -> None:
    talk = Conversation(store, alice)
    await talk.handle("customer add Acme AS")
    await talk.handle("customer add Acme")
    assert [r.message for r in await talk.handle("nei") if isinstance(r, Text)] == [
        "Cancelled; nothing was changed."
    ]
    assert await count(store, Customer) == 1


async def test_a_duplicate_org_number_offers_the_existing_customer(store: Store, alice: Actor) -> None:
    talk = Conversation(store, alice)
    await talk.handle("customer add Acme AS, 923609016")
    replies = await talk.handle("customer add Something Else AS, 923 609 016")
    assert isinstance(replies[0], Text) and replies[0].tone is Tone.ERROR
    assert "Acme AS (#10001) already has organisation number 923 609 016" in replies[0].message
    opened = await talk.handle("yes")
    assert isinstance(opened[0], CustomerCardReply) and opened[0].card.customer.name == "Acme AS"


async def test_an_ambiguous_customer_is_asked_for_and_the_answer_is_used(store: Store, alice: Actor) -> None:
    async with store.transaction() as s:
        await customers.create_customer(s, alice, "Nordic Consulting Oslo AS")
        await customers.create_customer(s, alice, "Nordic Consulting Bergen AS", allow_similar=True)
    talk = Conversation(store, alice)
    question = (await talk.handle("contact add nordic consulting, Kari Nordmann"))[0]
    assert isinstance(question, Choice) and len(question.options) == 2
    assert await count(store, Contact) == 0
    picked = question.options.index("Nordic Consulting Bergen AS (#10002)") + 1
    done = await talk.handle(str(picked))
    assert isinstance(done[0], Text)
    assert done[0].message == "Added Kari Nordmann to Nordic Consulting Bergen AS."


async def test_a_new_command_instead_of_an_answer_is_simply_run(store: Store, alice: Actor) -> None:
    talk = Conversation(store, alice)
    await talk.handle("customer add Acme AS")
    await talk.handle("customer add Acme")
    replies = await talk.handle("help kpi")
    assert isinstance(replies[0], Help)
    assert await count(store, Customer) == 1


async def test_malformed_input_gets_a_specific_message_and_writes_nothing(store: Store, alice: Actor) -> None:
    talk = Conversation(store, alice)
    cases = {
        "customer add": "Give the customer a name",
        "customer add Acme AS, 923609017": "'923609017' is not a valid organisation number",
        "customer add Acme AS, blue": "I don't understand 'blue' in `customer add`",
        "contact add Acme AS": "Say the customer and the name",
        "contact add Ukjent AS, Kari Nordmann": "I can't find a customer matching 'Ukjent AS' among the customers you can see.",
        "log lunch Acme AS, x": "Say what to log first",
        "customer show": "Say which customer",
    }
    for text, expected in cases.items():
        replies = await talk.handle(text)
        assert isinstance(replies[0], Text) and replies[0].tone is Tone.ERROR, (text, replies)
        assert expected in replies[0].message, (text, replies[0].message)
    assert await count(store, Customer) == 0
    assert await count(store, Contact) == 0


async def test_export_saves_a_spreadsheet_and_says_where(
    store: Store, alice: Actor, tmp_path: object, monkeypatch: object
) -> None:
    import openpyxl

    monkeypatch.chdir(tmp_path)  # type: ignore[attr-defined]
    async with store.transaction() as s:
        await customers.create_customer(s, alice, "Acme AS")
    [saved] = await Conversation(store, alice).handle("export customers xlsx")
    assert isinstance(saved, Text) and saved.tone is Tone.SUCCESS
    path = saved.message.rsplit(" to ", 1)[1]
    sheet = openpyxl.load_workbook(path).active
    assert sheet is not None and any("Acme AS" in str(c.value) for row in sheet.iter_rows() for c in row)


async def test_customer_edit_renames_and_reclassifies_a_customer(store: Store, alice: Actor) -> None:
    talk = Conversation(store, alice)
    await talk.handle("customer add Acme AS")
    (done,) = await talk.handle("customer edit acme, name Acme Group AS, partner, owner-only, acme.no")
    assert isinstance(done, Text) and done.tone is Tone.SUCCESS
    assert done.message == "Updated Acme Group AS (#10001) (was Acme AS): name, kind, visibility, website."
    async with store.reading() as s:
        (customer,) = (await s.execute(select(Customer))).scalars().all()
    assert (customer.name, customer.kind.value, customer.visibility.value, customer.website) == (
        "Acme Group AS",
        "partner",
        "owner",
        "https://acme.no",
    )


async def test_customer_edit_refuses_an_org_number_another_customer_has(store: Store, alice: Actor) -> None:
    talk = Conversation(store, alice)
    await talk.handle("customer add Acme AS, 923609016")
    await talk.handle("customer add Fjordlys AS")
    (refused,) = await talk.handle("customer edit Fjordlys AS, 923 609 016")
    assert isinstance(refused, Text) and refused.tone is Tone.ERROR
    assert "already has organisation number 923 609 016" in refused.message
    async with store.reading() as s:
        fjordlys = (await s.execute(select(Customer).where(Customer.name == "Fjordlys AS"))).scalar_one()
    assert fjordlys.org_number is None


async def test_customer_edit_without_changes_says_what_can_be_changed(store: Store, alice: Actor) -> None:
    talk = Conversation(store, alice)
    await talk.handle("customer add Acme AS")
    (answer,) = await talk.handle("customer edit Acme AS")
    assert isinstance(answer, Text) and "Say what to change" in answer.message
    (unclear,) = await talk.handle("customer edit Acme AS, purple")
    assert isinstance(unclear, Text) and "I don't understand 'purple' in `customer edit`" in unclear.message


async def test_customer_edit_cannot_reach_another_users_owner_only_customer(
    store: Store, alice: Actor, bob: Actor
) -> None:
    async with store.transaction() as s:
        await customers.create_customer(s, bob, "Hemmelig AS", visibility="owner")
    (answer,) = await Conversation(store, alice).handle("customer edit Hemmelig AS, name Open AS")
    assert isinstance(answer, Text) and answer.message == (
        "I can't find a customer matching 'Hemmelig AS' among the customers you can see."  # as if absent
    )
    async with store.reading() as s:
        assert (await s.execute(select(Customer.name))).scalar_one() == "Hemmelig AS"
