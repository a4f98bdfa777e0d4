"""Modals end to end: `/crm customer add`, the card's buttons and the "Save to CRM" message shortcut open
views with `views.open`; submissions come back as signed `view_submission` requests and are answered in the
ack (errors under fields, an updated view, or a close), with what was done sent to the user's DM. Real HTTP
to the app, the local Web API stand-in, and the real store on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import aiohttp
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from bot.app import SlackSettings
from bot.server import web_app
from store.actor import Actor
from store.db import Store
from store.models import Activity, Contact, Customer, Source
from store.services import customers
from store.services.users import user_for_slack
from tests.bot.slack_requests import (
    CHANNEL_ID,
    USER_ID,
    SlackPayload,
    block_actions,
    message_shortcut,
    slash_command,
    view_submission,
)
from tests.servers.slack import FakeSlackApi, SlackCall, running_slack_api, running_web_app

SECRET = "kundebot-test-signing-secret"
TOKEN = "xoxb-kundebot-test"
OTHER_USER = "U0OLA00002"


@dataclass
class Slack:
    api: FakeSlackApi
    url: str
    http: aiohttp.ClientSession
    store: Store

    async def send(self, payload: SlackPayload) -> dict[str, Any]:
        """Post a signed request; the ack's JSON body ({} for a plain ack)."""
        reply = await payload.signed(SECRET).post(self.http, self.url)
        assert reply.status == 200, reply.body
        return reply.json() if reply.body.strip() else {}

    async def command(self, text: str, *, key: str = "r1") -> None:
        await self.send(slash_command("/crm", text, response_url=self.api.response_url(key)))

    async def opened_view(self, count: int = 1) -> dict[str, Any]:
        """The view of the `count`-th views.open call, checked to carry a trigger id."""
        call = (await self.api.wait_for("views.open", count=count))[count - 1]
        assert call.params.get("trigger_id")
        view: dict[str, Any] = call.json_param("view")
        return view

    async def dms(self, count: int = 1) -> list[SlackCall]:
        calls = await self.api.wait_for("chat.postMessage", count=count)
        assert all(c.params["channel"] == USER_ID for c in calls)
        return calls


@pytest.fixture
async def slack(store: Store) -> AsyncIterator[Slack]:
    async with running_slack_api() as api:
        api.add_user(USER_ID, "Kari Selger", "kari@firm.no", tz="Europe/Oslo", locale="nb-NO")
        api.add_user(OTHER_USER, "Ola Kollega", "ola@firm.no", tz="Europe/Stockholm", locale="sv-SE")
        settings = SlackSettings(TOKEN, SECRET, api_url=api.api_url)
        async with running_web_app(web_app(store, settings)) as base, aiohttp.ClientSession() as http:
            yield Slack(api, f"{base}/slack/events", http, store)


async def slack_actor(store: Store, slack_user_id: str = USER_ID, name: str = "Kari Selger") -> Actor:
    """The kundebot user the app maps `slack_user_id` to (the same row it finds on first contact)."""
    async with store.transaction() as s:
        email = "kari@firm.no" if slack_user_id == USER_ID else "ola@firm.no"
        user = await user_for_slack(
            s, slack_user_id=slack_user_id, name=name, email=email, time_zone=None, locale=None
        )
        return Actor.of(user)


async def add_customer(store: Store, actor: Actor, name: str, **fields: Any) -> int:
    async with store.transaction() as s:
        return (await customers.create_customer(s, actor, name, allow_similar=True, **fields)).id


async def count(store: Store, model: type) -> int:
    async with store.reading() as s:
        return int((await s.execute(select(func.count(model.id)))).scalar_one())  # type: ignore[attr-defined]


def block_ids(view: dict[str, Any]) -> list[str]:
    return [b["block_id"] for b in view["blocks"] if "block_id" in b]


def text_of(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


def picked(value: str) -> dict[str, Any]:
    """A static_select's submitted state."""
    return {
        "type": "static_select",
        "selected_option": {"text": {"type": "plain_text", "text": value}, "value": value},
    }


def ticked(value: str) -> dict[str, Any]:
    return {
        "type": "checkboxes",
        "selected_options": [{"text": {"type": "plain_text", "text": value}, "value": value}],
    }


def customer_form(name: str | None, org_number: str | None = None, **more: Any) -> dict[str, Any]:
    values: dict[str, Any] = {"name": {"value": name}, "org_number": {"value": org_number}}
    values.update({block: {"value": v} for block, v in more.items()})
    return values


# --- add customer ----------------------------------------------------------------------------------------


async def test_customer_add_without_text_opens_the_add_customer_modal(slack: Slack) -> None:
    await slack.command("customer add")
    view = await slack.opened_view()
    assert view["callback_id"] == "customer_add"
    assert block_ids(view) == ["name", "org_number", "country", "kind", "owner_only", "website"]
    countries = next(b for b in view["blocks"] if b["block_id"] == "country")["element"]["options"]
    assert [o["value"] for o in countries] == ["NO", "SE", "FI", "DK"]
    assert slack.api.responses("r1") == []  # the modal is the answer; nothing posted to the channel


async def test_an_empty_name_and_a_bad_org_number_are_shown_under_their_fields_and_nothing_is_written(
    slack: Slack,
) -> None:
    answer = await slack.send(view_submission("customer_add", customer_form("   ", "123 456 789")))
    assert answer["response_action"] == "errors"
    assert answer["errors"] == {  # Kari's Slack is nb-NO: the store's errors come in Norwegian
        "name": "Skriv inn kundenavn.",
        "org_number": "«123 456 789» er ikke et gyldig organisasjonsnummer i NO, SE, FI eller DK.",
    }
    assert await count(slack.store, Customer) == 0


async def test_a_duplicate_org_number_is_refused_in_the_modal_and_the_user_gets_an_open_existing_button(
    slack: Slack,
) -> None:
    acme = await add_customer(slack.store, await slack_actor(slack.store), "Acme AS", org_number="923609016")
    answer = await slack.send(view_submission("customer_add", customer_form("Acme Norge", "923 609 016")))
    assert answer["response_action"] == "errors"
    assert list(answer["errors"]) == ["org_number"] and "already has" in answer["errors"]["org_number"]
    (dm,) = await slack.dms()
    buttons = [e for b in dm.json_param("blocks") if b["type"] == "actions" for e in b["elements"]]
    assert [(b["action_id"], b["value"], b["text"]["text"]) for b in buttons] == [
        ("customer_open", str(acme), "Open existing")
    ]
    assert await count(slack.store, Customer) == 1


async def test_a_similar_name_updates_the_modal_with_a_create_anyway_box_and_ticking_it_creates(
    slack: Slack,
) -> None:
    await add_customer(slack.store, await slack_actor(slack.store), "Acme AS")
    answer = await slack.send(view_submission("customer_add", customer_form("ACME as.")))
    assert answer["response_action"] == "update"
    view = answer["view"]
    assert view["callback_id"] == "customer_add" and "create_anyway" in block_ids(view)
    assert "Acme AS (#10001)" in text_of(view["blocks"])
    name = next(b for b in view["blocks"] if b.get("block_id") == "name")
    assert name["element"]["initial_value"] == "ACME as."  # what was typed stays
    assert await count(slack.store, Customer) == 1

    values: dict[str, Any] = {**customer_form("ACME as."), "create_anyway": {"value": ticked("yes")}}
    assert await slack.send(view_submission("customer_add", values)) == {}  # closes the modal
    assert await count(slack.store, Customer) == 2
    (dm,) = await slack.dms()
    assert dm.params["text"] == "Created ACME as. (#10002)."
    assert "ACME as." in text_of(dm.json_param("blocks"))


async def test_a_new_customer_gets_its_fields_from_the_modal(slack: Slack) -> None:
    values = customer_form(
        "Volvo Cars AB",
        "556074-3089",
        country=picked("SE"),
        kind=picked("prospect"),
        owner_only=ticked("owner"),
        website="volvocars.se",
    )
    assert await slack.send(view_submission("customer_add", values)) == {}
    async with slack.store.reading() as s:
        volvo = (await s.execute(select(Customer))).scalar_one()
    assert (volvo.org_country, volvo.org_number, volvo.kind.value, volvo.visibility.value) == (
        "SE",
        "5560743089",
        "prospect",
        "owner",
    )
    assert volvo.website == "https://volvocars.se"


# --- edit customer ---------------------------------------------------------------------------------------


async def test_an_edit_after_someone_else_saved_the_customer_says_it_was_changed_by_someone_else(
    slack: Slack,
) -> None:
    kari = await slack_actor(slack.store)
    acme = await add_customer(slack.store, kari, "Acme AS")
    await slack.command("customer edit Acme AS")
    view = await slack.opened_view()
    assert view["callback_id"] == "customer_edit"
    assert json.loads(view["private_metadata"]) == {"customer_id": acme, "version": 1}
    async with slack.store.transaction() as s:  # a colleague saves first
        await customers.update_customer(s, kari, acme, {"website": "https://acme.no"})

    values: dict[str, Any] = {"name": {"value": "Acme Norge AS"}, "kind": {"value": picked("customer")}}
    answer = await slack.send(
        view_submission("customer_edit", values, private_metadata=view["private_metadata"])
    )
    assert answer["response_action"] == "errors"
    assert "changed by someone else" in answer["errors"]["name"]
    async with slack.store.reading() as s:
        assert (await customers.get_customer(s, kari, acme)).name == "Acme AS"


async def test_an_edit_with_the_current_version_is_saved(slack: Slack) -> None:
    kari = await slack_actor(slack.store)
    acme = await add_customer(slack.store, kari, "Acme AS")
    values: dict[str, Any] = {
        "name": {"value": "Acme Norge AS"},
        "website": {"value": "acme.no"},
        "kind": {"value": picked("partner")},
        "relation_level": {"value": picked("A")},
    }
    metadata = json.dumps({"customer_id": acme, "version": 1})
    assert await slack.send(view_submission("customer_edit", values, private_metadata=metadata)) == {}
    async with slack.store.reading() as s:
        saved = await customers.get_customer(s, kari, acme)
        assert (saved.name, saved.website, saved.kind.value, saved.relation_level) == (
            "Acme Norge AS",
            "https://acme.no",
            "partner",
            "A",
        )
    (dm,) = await slack.dms()
    assert dm.params["text"] == "Saved Acme Norge AS."


# --- add contact -----------------------------------------------------------------------------------------


async def test_the_cards_add_contact_button_opens_a_modal_for_that_customer_and_adds_the_contact(
    slack: Slack,
) -> None:
    acme = await add_customer(slack.store, await slack_actor(slack.store), "Acme AS")
    click = block_actions("customer_add_contact", str(acme), response_url=slack.api.response_url("b1"))
    assert await slack.send(click) == {}
    view = await slack.opened_view()
    assert (view["callback_id"], view["private_metadata"]) == ("contact_add", str(acme))
    assert block_ids(view) == ["first_name", "last_name", "title", "email", "phone"]
    assert "Acme AS" in text_of(view["blocks"])

    values: dict[str, Any] = {
        "first_name": {"value": "Kari"},
        "last_name": {"value": "Nordmann"},
        "title": {"value": "CTO"},
        "email": {"value": "Kari@Acme.no"},
        "phone": {"value": "912 34 567"},
    }
    assert await slack.send(view_submission("contact_add", values, private_metadata=str(acme))) == {}
    async with slack.store.reading() as s:
        kari = (
            await s.execute(
                select(Contact).options(selectinload(Contact.emails), selectinload(Contact.phones))
            )
        ).scalar_one()
        assert (kari.customer_id, kari.full_name, kari.title, kari.primary_email, kari.phones[0].number) == (
            acme,
            "Kari Nordmann",
            "CTO",
            "kari@acme.no",
            "+4791234567",
        )
    (dm,) = await slack.dms()
    assert dm.params["text"] == "Added Kari Nordmann."


async def test_a_bad_email_in_the_contact_modal_is_shown_under_the_email_field(slack: Slack) -> None:
    acme = await add_customer(slack.store, await slack_actor(slack.store), "Acme AS")
    values: dict[str, Any] = {"first_name": {"value": "Kari"}, "email": {"value": "kari at acme"}}
    answer = await slack.send(view_submission("contact_add", values, private_metadata=str(acme)))
    assert answer["response_action"] == "errors" and list(answer["errors"]) == ["email"]
    assert await count(slack.store, Contact) == 0


async def test_a_norwegian_user_reads_the_email_error_in_the_contact_modal_in_norwegian(slack: Slack) -> None:
    acme = await add_customer(
        slack.store, await slack_actor(slack.store, OTHER_USER, "Ola Kollega"), "Acme AS"
    )
    values: dict[str, Any] = {"first_name": {"value": "Kari"}, "email": {"value": "kari at acme"}}
    answer = await slack.send(view_submission("contact_add", values, private_metadata=str(acme)))
    assert answer["errors"] == {"email": "«kari at acme» er ikke en gyldig e-postadresse."}


async def test_a_swedish_user_reads_the_field_errors_of_the_contact_modal_in_swedish(slack: Slack) -> None:
    acme = await add_customer(slack.store, await slack_actor(slack.store), "Acme AS")
    values: dict[str, Any] = {"first_name": {"value": " "}, "email": {"value": "ola@"}}
    answer = await slack.send(
        view_submission("contact_add", values, private_metadata=str(acme), user_id=OTHER_USER)
    )
    assert answer["errors"] == {
        "first_name": "Ange förnamn.",
        "email": "”ola@” är inte en giltig e-postadress.",
    }


async def test_a_taken_org_number_is_refused_in_the_modal_in_the_users_language(slack: Slack) -> None:
    await add_customer(
        slack.store,
        await slack_actor(slack.store, OTHER_USER, "Ola Kollega"),
        "Acme AS",
        org_number="923609016",
    )
    answer = await slack.send(view_submission("customer_add", customer_form("Acme Norge", "923 609 016")))
    assert answer["errors"] == {
        "org_number": "Acme AS (#10001) har allerede organisasjonsnummeret 923 609 016. "
        "Åpne den kunden i stedet for å lage et duplikat."
    }


async def test_editing_an_unknown_customer_is_answered_in_the_users_language(slack: Slack) -> None:
    await slack.command("customer edit Fjordlys")
    (reply,) = await slack.api.wait_for("response_url")
    assert reply.params["text"] == "Ingen kunde passer til «Fjordlys»."


# --- log activity ----------------------------------------------------------------------------------------


async def test_the_cards_log_activity_button_opens_a_modal_and_logs_one_activity_from_slack(
    slack: Slack,
) -> None:
    acme = await add_customer(slack.store, await slack_actor(slack.store), "Acme AS")
    click = block_actions("customer_log_activity", str(acme), response_url=slack.api.response_url("b1"))
    await slack.send(click)
    view = await slack.opened_view()
    assert view["callback_id"] == "activity_log" and block_ids(view) == ["kind", "subject", "body"]
    values: dict[str, Any] = {
        "kind": {"value": picked("meeting")},
        "subject": {"value": "Renewal"},
        "body": {"value": None},
    }
    submission = view_submission("activity_log", values, private_metadata=str(acme), view_id="V0KLOG0001")
    assert await slack.send(submission) == {}
    assert await slack.send(submission) == {}  # sent twice: stored once
    async with slack.store.reading() as s:
        (logged,) = (await s.execute(select(Activity))).scalars().all()
    assert (logged.kind.value, logged.subject, logged.customer_id, logged.source) == (
        "meeting",
        "Renewal",
        acme,
        Source.SLACK,
    )


async def test_a_norwegian_user_gets_the_add_customer_modal_in_norwegian(slack: Slack) -> None:
    await slack.command("customer add")  # Kari's Slack locale is nb-NO
    view = await slack.opened_view()
    assert (view["title"]["text"], view["submit"]["text"], view["close"]["text"]) == (
        "Ny kunde",
        "Opprett",
        "Avbryt",
    )
    labels = [b["label"]["text"] for b in view["blocks"] if b["type"] == "input"]
    assert labels == ["Navn", "Organisasjonsnummer", "Land", "Kundetype", "Synlighet", "Nettsted"]


async def test_a_swedish_user_logs_an_activity_in_a_swedish_modal_and_is_told_so_in_swedish(
    slack: Slack,
) -> None:
    acme = await add_customer(slack.store, await slack_actor(slack.store), "Acme AB")
    click = block_actions(
        "customer_log_activity", str(acme), response_url=slack.api.response_url("b1"), user_id=OTHER_USER
    )
    await slack.send(click)  # Ola's Slack locale is sv-SE
    view = await slack.opened_view()
    assert (view["title"]["text"], view["submit"]["text"]) == ("Logga aktivitet", "Logga")
    kinds = next(b for b in view["blocks"] if b.get("block_id") == "kind")["element"]["options"]
    assert [o["text"]["text"] for o in kinds] == ["Samtal", "Möte", "Anteckning", "Mejl"]
    values: dict[str, Any] = {"kind": {"value": picked("call")}, "subject": {"value": "Förnyelsen"}}
    submission = view_submission(
        "activity_log", values, private_metadata=str(acme), view_id="V0KLOG0002", user_id=OTHER_USER
    )
    assert await slack.send(submission) == {}
    dm = (await slack.api.wait_for("chat.postMessage"))[0]
    assert dm.params["channel"] == OTHER_USER and dm.params["text"] == "Loggade samtal: Förnyelsen"
    assert "Lägg till kontaktperson" in text_of(dm.json_param("blocks"))  # the card, in Swedish too


# --- Save to CRM -----------------------------------------------------------------------------------------


async def test_save_to_crm_suggests_the_best_matching_visible_customer_first_and_stores_the_note_once(
    slack: Slack,
) -> None:
    kari = await slack_actor(slack.store)
    await add_customer(slack.store, kari, "Acme AS")
    await add_customer(slack.store, kari, "Fjordkraft AS")
    fjordlys = await add_customer(slack.store, kari, "Fjordlys Rådgivning AS")
    ola = await slack_actor(slack.store, OTHER_USER, "Ola Kollega")
    await add_customer(slack.store, ola, "Fjordlys Hemmelig AS", visibility="owner")

    text = "Ring Fjordlys Rådgivning om fornyelsen av avtalen før fredag"
    shortcut = message_shortcut(
        "save_to_crm",
        message_text=text,
        response_url=slack.api.response_url("s1"),
        message_ts="1700000000.000100",
    )
    assert await slack.send(shortcut) == {}
    view = await slack.opened_view()
    assert view["callback_id"] == "save_message"
    picker = next(b for b in view["blocks"] if b.get("block_id") == "customer")["element"]
    labels = [o["text"]["text"] for o in picker["options"]]
    assert labels[0] == "Fjordlys Rådgivning AS (#10003)"
    assert picker["initial_option"]["value"] == str(fjordlys)
    assert not any("Hemmelig" in label for label in labels)  # another user's owner-only customer
    (permalink_call,) = slack.api.calls("chat.getPermalink")
    assert (permalink_call.params["channel"], permalink_call.params["message_ts"]) == (
        CHANNEL_ID,
        "1700000000.000100",
    )

    values: dict[str, Any] = {
        "customer": {"value": picked(str(fjordlys))},
        "customer_ref": {"value": None},
        "subject": {"value": "Ring om fornyelsen"},
        "note": {"value": text},
    }
    submission = view_submission("save_message", values, private_metadata=view["private_metadata"])
    assert await slack.send(submission) == {}
    (saved,) = await slack.dms()
    assert "Saved the message as a note on Fjordlys Rådgivning AS." in text_of(saved.params)

    again = view_submission("save_message", values, private_metadata=view["private_metadata"], view_id="V0K2")
    assert await slack.send(again) == {}
    _, second = await slack.dms(count=2)
    assert "saved to the CRM before" in text_of(second.params)

    async with slack.store.reading() as s:
        (note,) = (await s.execute(select(Activity))).scalars().all()
    link = f"https://fjordlys.slack.com/archives/{CHANNEL_ID}/p1700000000000100"
    assert (note.kind.value, note.customer_id, note.source, note.external_id) == (
        "note",
        fjordlys,
        Source.SLACK,
        f"{CHANNEL_ID}/1700000000.000100",
    )
    assert text in (note.body or "") and link in (note.body or "")


async def test_save_to_crm_suggests_the_customer_the_channel_was_talking_about(slack: Slack) -> None:
    kari = await slack_actor(slack.store)
    await add_customer(slack.store, kari, "Acme AS")
    nordlys = await add_customer(slack.store, kari, "Nordlys Energi AS")
    slack.api.add_message(
        CHANNEL_ID, "Nordlys Energi vil ha nytt tilbud", user=USER_ID, ts="1700000000.000050"
    )
    later = slack.api.add_message(CHANNEL_ID, "Acme har ferie", user=USER_ID, ts="1700000000.000200")
    shortcut = message_shortcut(
        "save_to_crm",
        message_text="de går for den store pakken",
        response_url=slack.api.response_url("s1"),
        message_ts="1700000000.000100",
    )
    await slack.send(shortcut)
    view = await slack.opened_view()
    picker = next(b for b in view["blocks"] if b.get("block_id") == "customer")["element"]
    assert picker["initial_option"]["value"] == str(nordlys)
    (history,) = slack.api.calls("conversations.history")
    assert history.params["latest"] == "1700000000.000100" and later > "1700000000.000100"
    labels = [o["text"]["text"] for o in picker["options"]]
    assert not any(label.startswith("Acme") for label in labels)  # said after the message, not before


async def test_save_to_crm_suggests_the_customer_the_channel_is_named_after(slack: Slack) -> None:
    kari = await slack_actor(slack.store)
    await add_customer(slack.store, kari, "Acme AS")
    havbris = await add_customer(slack.store, kari, "Havbris Sjømat AS")
    shortcut = message_shortcut(
        "save_to_crm",
        message_text="ok, avtalt",
        response_url=slack.api.response_url("s1"),
        channel_name="havbris-sjomat",
    )
    await slack.send(shortcut)
    view = await slack.opened_view()
    picker = next(b for b in view["blocks"] if b.get("block_id") == "customer")["element"]
    assert picker["initial_option"]["value"] == str(havbris)


async def test_save_to_crm_opens_its_form_in_a_channel_the_bot_cannot_read(slack: Slack) -> None:
    kari = await slack_actor(slack.store)
    acme = await add_customer(slack.store, kari, "Acme AS")
    slack.api.fail("conversations.history", "not_in_channel")
    shortcut = message_shortcut(
        "save_to_crm", message_text="Acme ringte", response_url=slack.api.response_url("s1")
    )
    await slack.send(shortcut)
    view = await slack.opened_view()
    picker = next(b for b in view["blocks"] if b.get("block_id") == "customer")["element"]
    assert picker["initial_option"]["value"] == str(acme)


async def test_save_to_crm_takes_a_typed_customer_instead_of_the_suggestion(slack: Slack) -> None:
    kari = await slack_actor(slack.store)
    acme = await add_customer(slack.store, kari, "Acme AS")
    shortcut = message_shortcut(
        "save_to_crm", message_text="lunsj?", response_url=slack.api.response_url("s1")
    )
    await slack.send(shortcut)
    view = await slack.opened_view()
    assert "customer" not in block_ids(view)  # nothing matched: only the typed name

    empty: dict[str, Any] = {
        "customer_ref": {"value": None},
        "subject": {"value": "Lunsj"},
        "note": {"value": "lunsj?"},
    }
    answer = await slack.send(
        view_submission("save_message", empty, private_metadata=view["private_metadata"])
    )
    assert answer["response_action"] == "errors" and list(answer["errors"]) == ["customer_ref"]

    typed: dict[str, Any] = {**empty, "customer_ref": {"value": "acme"}}
    assert (
        await slack.send(view_submission("save_message", typed, private_metadata=view["private_metadata"]))
        == {}
    )
    async with slack.store.reading() as s:
        (note,) = (await s.execute(select(Activity))).scalars().all()
    assert note.customer_id == acme
