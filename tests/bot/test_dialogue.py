"""The dialogue manager: one question at a time, confirmation before every write, undo, state in the store."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot.conversation import Conversation
from bot.replies import Choice, Confirm, CustomerCardReply, Text, Tone
from store.actor import Actor
from store.db import Store
from store.errors import NotFound
from store.models import Activity, Contact, Customer, DialogueState, Language, SalesCase
from store.services import customers, sales
from store.services import dialogue as states
from store.types import utcnow


async def count(store: Store, model: type, *where: object) -> int:
    async with store.reading() as s:
        stmt = select(func.count()).select_from(model).where(*where)  # type: ignore[arg-type]
        return int((await s.execute(stmt)).scalar_one())


def texts(replies: list[object]) -> list[str]:
    return [
        r.message if isinstance(r, Text) else r.question
        for r in replies
        if isinstance(r, Text | Confirm | Choice)
    ]


@pytest.fixture
async def acme(store: Store, alice: Actor) -> Customer:
    async with store.transaction() as s:
        return await customers.create_customer(s, alice, "Acme AS", org_number="923609016")


async def test_a_natural_language_contact_is_written_after_yes(
    store: Store, alice: Actor, acme: Customer
) -> None:
    talk = Conversation(store, alice)
    replies = await talk.handle("la til Kari Nordmann som kontakt hos Acme, kari@acme.no")
    assert isinstance(replies[0], Confirm)
    assert "Kari Nordmann" in replies[0].question and "Acme AS" in replies[0].question
    assert await count(store, Contact) == 0
    done = await talk.handle("ja")
    assert isinstance(done[0], Text) and done[0].tone is Tone.SUCCESS
    assert await count(store, Contact) == 1


async def test_replies_are_in_the_language_of_the_message(store: Store, alice: Actor, acme: Customer) -> None:
    talk = Conversation(store, alice)
    replies = await talk.handle("logg samtale med acme om fornyelsen")
    assert isinstance(replies[0], Confirm)
    assert replies[0].question.startswith("Logge samtale med Acme AS: fornyelsen")


async def test_a_booked_meeting_without_a_calendar_says_so_in_the_users_language(
    store: Store, alice: Actor, acme: Customer
) -> None:
    talk = Conversation(store, alice)
    assert isinstance((await talk.handle("book møte med acme i morgen kl 10"))[0], Confirm)
    done = await talk.handle("ja")
    assert isinstance(done[0], Text) and done[0].tone is Tone.SUCCESS
    assert texts(done)[1:] == ["Du har ingen CalDAV-kalender i kundebot, så møtet ligger bare i CRM-et."]
    assert await count(store, Activity) == 1


async def test_missing_slots_are_asked_for_one_at_a_time(store: Store, alice: Actor, acme: Customer) -> None:
    talk = Conversation(store, alice)
    assert texts(await talk.handle("add a contact")) == ["Which customer?"]
    assert texts(await talk.handle("acme")) == ["What is the contact's name?"]
    confirm = await talk.handle("Per Hansen")
    assert isinstance(confirm[0], Confirm) and "Per Hansen" in confirm[0].question
    await talk.handle("yes")
    async with store.reading() as s:
        contact = (await s.execute(select(Contact))).scalar_one()
    assert (contact.first_name, contact.last_name, contact.customer_id) == ("Per", "Hansen", acme.id)


async def test_a_half_filled_request_survives_a_restart(store: Store, alice: Actor, acme: Customer) -> None:
    await Conversation(store, alice).handle("schedule a meeting with acme")
    assert await count(store, DialogueState) == 1
    restarted = Conversation(store, alice)  # a new process: nothing in memory
    confirm = await restarted.handle("tomorrow at 10")
    assert isinstance(confirm[0], Confirm) and "10:00" in confirm[0].question
    await restarted.handle("yes")
    async with store.reading() as s:
        meeting = (await s.execute(select(Activity))).scalar_one()
    assert meeting.kind == "meeting" and meeting.start_at is not None and meeting.done is False
    assert await count(store, DialogueState) == 0


async def test_each_conversation_has_its_own_state(store: Store, alice: Actor, acme: Customer) -> None:
    in_dm = Conversation(store, alice, key="slack:D1")
    in_channel = Conversation(store, alice, key="slack:C1")
    await in_dm.handle("schedule a meeting with acme")
    assert [type(r) for r in await in_channel.handle("tomorrow at 10")] != [Confirm]
    assert isinstance((await in_dm.handle("tomorrow at 10"))[0], Confirm)


@pytest.mark.parametrize("step", [0, 1, 2])
async def test_cancel_at_any_step_writes_nothing(
    store: Store, alice: Actor, acme: Customer, step: int
) -> None:
    talk = Conversation(store, alice)
    messages = ["add a contact", "acme", "Per Hansen"][: step + 1]
    for message in messages:
        await talk.handle(message)
    assert texts(await talk.handle("avbryt")) == ["Cancelled; nothing was changed."]
    assert await count(store, Contact) == 0
    assert await count(store, DialogueState) == 0


async def test_no_at_the_confirmation_writes_nothing(store: Store, alice: Actor, acme: Customer) -> None:
    talk = Conversation(store, alice)
    await talk.handle("ny oppgave for acme: send tilbud innen fredag")
    assert texts(await talk.handle("nei")) == ["Avbrutt; ingenting ble endret."]
    assert await count(store, Activity) == 0


async def test_an_ambiguous_customer_is_offered_as_a_choice(store: Store, alice: Actor) -> None:
    async with store.transaction() as s:
        await customers.create_customer(s, alice, "Nordic Consulting Oslo AS")
        bergen = await customers.create_customer(s, alice, "Nordic Consulting Bergen AS", allow_similar=True)
    talk = Conversation(store, alice)
    question = (await talk.handle("log a call with nordic consulting about the renewal"))[0]
    assert isinstance(question, Choice) and len(question.options) == 2
    picked = question.options.index("Nordic Consulting Bergen AS (#10002)") + 1
    confirm = await talk.handle(str(picked))
    assert isinstance(confirm[0], Confirm) and "Nordic Consulting Bergen AS" in confirm[0].question
    await talk.handle("yes")
    async with store.reading() as s:
        call = (await s.execute(select(Activity))).scalar_one()
    assert (call.customer_id, call.kind, call.subject) == (bergen.id, "call", "the renewal")


async def test_an_unknown_customer_is_asked_for_again(store: Store, alice: Actor, acme: Customer) -> None:
    talk = Conversation(store, alice)
    replies = await talk.handle("log a call with Globex about pricing")
    assert texts(replies) == [
        "I can't find a customer matching 'Globex' among the customers you can see.",
        "Which customer?",
    ]
    assert isinstance((await talk.handle("acme"))[0], Confirm)


async def test_no_to_a_question_for_a_missing_customer_cancels(
    store: Store, alice: Actor, acme: Customer
) -> None:
    talk = Conversation(store, alice)
    await talk.handle("log a call with Globex about pricing")
    assert texts(await talk.handle("nei")) == ["Cancelled; nothing was changed."]
    assert await count(store, DialogueState) == 0


async def test_a_whole_new_request_instead_of_the_missing_customer_is_handled_as_one(
    store: Store, alice: Actor, acme: Customer
) -> None:
    talk = Conversation(store, alice)
    await talk.handle("log a call with Globex about pricing")
    replies = await talk.handle("add Kari Nordmann as a contact at Acme, kari@acme.no")
    assert texts(replies) == ["Add Kari Nordmann as a contact at Acme AS (kari@acme.no)?"]


async def test_another_users_owner_only_customer_is_never_resolved(
    store: Store, alice: Actor, bob: Actor
) -> None:
    async with store.transaction() as s:
        await customers.create_customer(s, bob, "Hemmelig Rådgivning AS", visibility="owner")
    talk = Conversation(store, alice)
    replies = await talk.handle("logg samtale med Hemmelig Rådgivning om tilbudet")
    assert "Hemmelig" not in " ".join(texts(replies[1:]))
    assert await count(store, Activity) == 0


async def test_undo_takes_back_the_last_write(store: Store, alice: Actor, acme: Customer) -> None:
    talk = Conversation(store, alice)
    await talk.handle("ny kunde Bergen Bygg AS")
    await talk.handle("ja")
    assert await count(store, Customer, Customer.deleted_at.is_(None)) == 2
    undone = await talk.handle("angre")
    assert isinstance(undone[0], Text) and undone[0].tone is Tone.SUCCESS
    assert await count(store, Customer, Customer.deleted_at.is_(None)) == 1
    again = await talk.handle("angre")
    assert isinstance(again[0], Text) and again[0].tone is Tone.ERROR


async def test_undo_is_refused_after_ten_minutes(store: Store, alice: Actor, acme: Customer) -> None:
    talk = Conversation(store, alice)
    await talk.handle("log a note on acme: they want a discount")
    await talk.handle("yes")
    async with store.transaction() as s:
        with pytest.raises(NotFound):
            await states.undo_last(s, alice, "console", now=utcnow() + timedelta(minutes=11))
    assert await count(store, Activity, Activity.deleted_at.is_(None)) == 1


async def test_a_sales_case_stage_change_is_confirmed_and_undone(
    store: Store, alice: Actor, acme: Customer
) -> None:
    async with store.transaction() as s:
        case = await sales.create_sales_case(
            s, alice, customer_id=acme.id, name="Acme renewal", value=100_000
        )
    talk = Conversation(store, alice)
    confirm = await talk.handle("sett acme-avtalen til forhandling 70%")
    assert isinstance(confirm[0], Confirm)
    await talk.handle("ja")
    async with store.reading() as s:
        moved = await sales.get_sales_case(s, alice, case.id)
        assert (moved.stage.name, moved.probability) == ("negotiation", 70)
    await talk.handle("angre")
    async with store.reading() as s:
        back = await sales.get_sales_case(s, alice, case.id)
        assert (back.stage.name, back.probability) == (case.stage.name, case.probability)


async def test_a_new_deal_is_created_with_amount_and_stage(
    store: Store, alice: Actor, acme: Customer
) -> None:
    talk = Conversation(store, alice)
    confirm = await talk.handle("ny salgsmulighet hos acme på 1,5 mill kr, tilbud, 60%")
    assert isinstance(confirm[0], Confirm)
    await talk.handle("ja")
    async with store.reading() as s:
        case = (await s.execute(select(SalesCase))).scalar_one()
        await s.refresh(case, ["stage"])
    assert (int(case.value), case.stage.name, case.probability) == (1_500_000, "proposal", 60)


async def test_a_duplicate_org_number_opens_the_existing_customer(
    store: Store, alice: Actor, acme: Customer
) -> None:
    talk = Conversation(store, alice)
    await talk.handle("new customer Something Else AS 923 609 016")
    replies = await talk.handle("yes")
    assert isinstance(replies[0], Text) and replies[0].tone is Tone.ERROR
    assert isinstance(replies[1], CustomerCardReply) and replies[1].card.customer.id == acme.id
    assert await count(store, Customer) == 1


async def test_reads_need_no_confirmation(store: Store, alice: Actor, acme: Customer) -> None:
    talk = Conversation(store, alice)
    card = await talk.handle("vis kundekortet til acme")
    assert isinstance(card[0], CustomerCardReply)


async def test_a_new_request_replaces_an_unanswered_confirmation(
    store: Store, alice: Actor, acme: Customer
) -> None:
    talk = Conversation(store, alice)
    await talk.handle("ny kunde Bergen Bygg AS")
    card = await talk.handle("show acme")
    assert isinstance(card[0], CustomerCardReply)
    assert await count(store, DialogueState) == 0


async def test_small_talk_and_nonsense_get_a_pointer_to_help(store: Store, alice: Actor) -> None:
    talk = Conversation(store, alice)
    assert "help" in texts(await talk.handle("hello!"))[0]
    assert texts(await talk.handle("book a flight to bergen")) == [
        'Sorry, I didn\'t understand that. Say "help" to see what I can do.'
    ]


async def test_the_users_language_setting_is_the_prior(store: Store, alice: Actor, acme: Customer) -> None:
    swede = Actor(alice.user_id, alice.role, alice.time_zone, Language.SV, alice.name)
    talk = Conversation(store, swede)
    replies = await talk.handle("lagg till en kontakt")  # no å/ä/ö: the setting decides
    assert texts(replies) == ["Vilken kund?"]
