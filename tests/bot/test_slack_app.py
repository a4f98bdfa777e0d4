"""The Slack app end to end: signed requests over real HTTP to `kundebot serve`'s aiohttp app, a local
stand-in for Slack's Web API recording every call, and the real store (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass

import aiohttp
import pytest
from sqlalchemy import func, select

from bot import app as app_module
from bot.app import SlackSettings
from bot.server import web_app
from store.db import Store
from store.models import Customer, User
from store.services import customers
from store.services.users import user_for_slack
from tests.bot.slack_requests import (
    CHANNEL_ID,
    DM_CHANNEL_ID,
    USER_ID,
    SlackPayload,
    app_mention,
    block_actions,
    bot_message,
    direct_message,
    event_callback,
    slash_command,
)
from tests.servers.slack import BOT_USER_ID, FakeSlackApi, running_slack_api, running_web_app

SECRET = "kundebot-test-signing-secret"
TOKEN = "xoxb-kundebot-test"
OTHER_USER = "U0OLA00002"


@dataclass
class Slack:
    api: FakeSlackApi
    url: str  # the app's /slack/events
    http: aiohttp.ClientSession
    store: Store

    async def send(self, payload: SlackPayload, **signing: object) -> int:
        reply = await payload.signed(SECRET, **signing).post(self.http, self.url)  # type: ignore[arg-type]
        return reply.status

    async def command(self, text: str, *, user: str = USER_ID, key: str = "r1") -> int:
        return await self.send(
            slash_command("/crm", text, response_url=self.api.response_url(key), user_id=user)
        )

    async def replies(self, key: str = "r1", count: int = 1) -> list[dict[str, object]]:
        """The posts to one response URL, once `count` of them arrived (replies come after the ack)."""
        for _ in range(500):
            if len(self.api.responses(key)) >= count:
                break
            await asyncio.sleep(0.01)
        return [c.params for c in self.api.responses(key)]


@pytest.fixture
async def slack(store: Store) -> AsyncIterator[Slack]:
    async with running_slack_api() as api:
        api.add_user(USER_ID, "Kari Selger", "kari@firm.no", tz="Europe/Oslo", locale="nb-NO")
        api.add_user(OTHER_USER, "Ola Kollega", "ola@firm.no", tz="Europe/Stockholm", locale="sv-SE")
        settings = SlackSettings(TOKEN, SECRET, api_url=api.api_url)
        async with running_web_app(web_app(store, settings)) as base, aiohttp.ClientSession() as http:
            yield Slack(api, f"{base}/slack/events", http, store)


def text_of(reply: dict[str, object]) -> str:
    return json.dumps(reply, ensure_ascii=False)


async def count(store: Store, model: type) -> int:
    async with store.reading() as s:
        return int((await s.execute(select(func.count(model.id)))).scalar_one())  # type: ignore[attr-defined]


async def test_a_slash_command_is_acked_and_answered_through_the_response_url(slack: Slack) -> None:
    assert await slack.command("customer add Acme AS, 923 609 016") == 200
    (reply,) = await slack.replies()
    assert reply["response_type"] == "ephemeral"
    assert "Opprettet Acme AS (#10001, org.nr. 923 609 016)." in text_of(reply)  # Kari's Slack is nb-NO


async def test_replies_to_response_urls_share_one_connection(slack: Slack) -> None:
    for n, text in enumerate(("customer add Acme AS", "customer find acme", "customer show acme"), start=1):
        await slack.command(text)
        await slack.replies(count=n)  # one at a time, so no reply waits for another's connection

    ports = [c.client_port for c in slack.api.responses("r1")]
    assert len(ports) == 3
    assert len(set(ports)) == 1 and None not in ports  # bolt alone opens a connection per reply


async def test_the_first_command_maps_the_slack_user_to_a_kundebot_user_who_owns_what_they_create(
    slack: Slack,
) -> None:
    await slack.command("customer add Acme AS")
    await slack.replies()
    async with slack.store.reading() as s:
        user = (await s.execute(select(User).where(User.slack_user_id == USER_ID))).scalar_one()
        acme = (await s.execute(select(Customer))).scalar_one()
    assert (user.email, user.language.value, acme.owner_id) == ("kari@firm.no", "nb", user.id)


@pytest.mark.parametrize(
    "signing",
    [
        {"bad_signature": True},
        {"age": 360},
        {"without": ("X-Slack-Signature",)},
        {"without": ("X-Slack-Request-Timestamp",)},
    ],
)
async def test_a_request_that_is_not_signed_right_is_refused_and_writes_nothing(
    slack: Slack, signing: dict[str, object]
) -> None:
    payload = slash_command("/crm", "customer add Acme AS", response_url=slack.api.response_url("r1"))
    assert await slack.send(payload, **signing) == 401
    assert slack.api.calls() == []
    assert await count(slack.store, Customer) == 0 and await count(slack.store, User) == 0


async def test_unknown_input_gets_an_ephemeral_pointer_to_the_nearest_subcommand(slack: Slack) -> None:
    await slack.command("custmer fnd acme")
    reply, help_for_it = await slack.replies(count=2)
    assert reply["response_type"] == "ephemeral"
    assert "Mente du `customer find`?" in text_of(reply)  # the Slack user writes Norwegian (nb-NO)
    assert "customer find TEXT" in text_of(help_for_it)


async def test_a_yes_button_confirms_a_similar_customer(slack: Slack) -> None:
    await slack.command("customer add Acme AS")
    await slack.replies()
    await slack.command("customer add ACME as.", key="r2")
    question = await slack.replies("r2", count=2)
    assert "kundebot_yes" in text_of(question[-1])
    assert "Opprette «ACME as.» likevel?" in text_of(question[-1])
    assert await count(slack.store, Customer) == 1
    click = block_actions("kundebot_yes", "yes", response_url=slack.api.response_url("r3"))
    assert await slack.send(click) == 200
    (done,) = await slack.replies("r3")
    assert "Opprettet ACME as. (#10002)" in text_of(done)
    assert await count(slack.store, Customer) == 2


async def test_a_direct_message_is_answered_in_the_dm(slack: Slack) -> None:
    assert await slack.send(direct_message("customer add Fjordlys AS")) == 200
    (posted,) = await slack.api.wait_for("chat.postMessage")
    assert posted.params["channel"] == DM_CHANNEL_ID
    assert "Opprettet Fjordlys AS" in text_of(posted.params)


async def test_a_language_changed_in_one_channel_reaches_the_users_other_conversations(
    slack: Slack, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert await slack.send(direct_message("customer add Fjordlys AS")) == 200  # the DM's conversation
    await slack.api.wait_for("chat.postMessage")
    assert await slack.command("settings language en") == 200  # in a channel
    (saved,) = await slack.replies()
    assert "Saved." in text_of(saved)
    monkeypatch.setattr(app_module, "ACTOR_FRESH_S", 0.0)  # the user's settings are read again now
    assert await slack.send(direct_message("customer add Havblikk AS", ts="1700000001.000200")) == 200
    posted = (await slack.api.wait_for("chat.postMessage", count=2))[-1]
    assert "Created Havblikk AS" in text_of(posted.params)


async def test_a_natural_language_dm_is_confirmed_with_a_button_before_it_writes(slack: Slack) -> None:
    assert await slack.send(direct_message("ny kunde Fjordlys AS, org 923 609 016")) == 200
    (question,) = await slack.api.wait_for("chat.postMessage")
    assert "Opprette kunden Fjordlys AS (org 923609016)?" in text_of(question.params)
    assert "kundebot_yes" in text_of(question.params)
    assert await count(slack.store, Customer) == 0
    click = block_actions(
        "kundebot_yes", "yes", response_url=slack.api.response_url("yes"), channel_id=DM_CHANNEL_ID
    )
    assert await slack.send(click) == 200
    (done,) = await slack.replies("yes")
    assert "Opprettet Fjordlys AS" in text_of(done)
    assert await count(slack.store, Customer) == 1


async def test_crm_chart_uploads_the_picture_to_the_users_dm(slack: Slack) -> None:
    assert await slack.command("chart pipeline") == 200
    (completed,) = await slack.api.wait_for("files.completeUploadExternal", timeout=30)
    assert completed.params["channel_id"] == slack.api.dm_channel(USER_ID)  # the DM, never the channel
    (said,) = await slack.replies()
    assert "Sendte diagrammet" in text_of(said)  # in the user's language (nb)


async def test_opening_the_home_tab_publishes_the_users_day_and_pipeline(slack: Slack) -> None:
    home = event_callback(
        {"type": "app_home_opened", "user": USER_ID, "channel": DM_CHANNEL_ID, "tab": "home"}
    )
    assert await slack.send(home) == 200
    (published,) = await slack.api.wait_for("views.publish")
    assert published.params["user_id"] == USER_ID
    view = published.json_param("view")
    assert view["type"] == "home"
    # the user's Slack locale is nb-NO: their day and their pipeline are in Norwegian
    assert "Min pipeline denne måneden" in text_of(view) and "Ingenting å melde i dag." in text_of(view)


async def test_a_retried_event_delivery_writes_once(slack: Slack) -> None:
    message = direct_message("customer add Fjordlys AS", event_id="Ev0RETRY01")
    assert await slack.send(message) == 200
    assert await slack.send(message, retry_num=1) == 200
    await slack.api.wait_for("chat.postMessage")
    assert await count(slack.store, Customer) == 1
    assert len(slack.api.calls("chat.postMessage")) == 1


async def test_a_retry_that_reaches_another_replica_writes_once(slack: Slack) -> None:
    message = direct_message("customer add Havbris AS", event_id="Ev0RETRY02")
    assert await slack.send(message) == 200
    await slack.api.wait_for("chat.postMessage")
    settings = SlackSettings(TOKEN, SECRET, api_url=slack.api.api_url)
    async with running_web_app(web_app(slack.store, settings)) as second:
        reply = await message.signed(SECRET, retry_num=1).post(slack.http, f"{second}/slack/events")  # type: ignore[arg-type]
        assert reply.status == 200
        await asyncio.sleep(0.3)  # what a second handling would need to write and post
    assert await count(slack.store, Customer) == 1
    assert len(slack.api.calls("chat.postMessage")) == 1


async def test_crm_customer_edit_with_changes_edits_without_the_form(slack: Slack) -> None:
    assert await slack.command("customer add Havbris AS", key="add") == 200
    await slack.replies("add")
    assert await slack.command("customer edit Havbris AS, name Havbris Sjømat AS, partner", key="edit") == 200
    (reply,) = await slack.replies("edit")
    assert "Oppdaterte Havbris Sjømat AS (#10001) (tidligere Havbris AS): navn, kundetype." in text_of(reply)
    assert slack.api.calls("views.open") == []


async def test_the_bots_own_messages_are_ignored(slack: Slack) -> None:
    assert await slack.send(bot_message("customer add Loop AS", user=BOT_USER_ID)) == 200
    assert await slack.send(direct_message("help")) == 200
    await slack.api.wait_for("chat.postMessage")
    assert await count(slack.store, Customer) == 0


async def test_a_mention_in_a_channel_is_answered_only_to_the_asker(slack: Slack) -> None:
    async with slack.store.transaction() as s:
        kari = await user_for_slack(
            s, slack_user_id=USER_ID, name="Kari", email="kari@firm.no", time_zone=None, locale=None
        )
        from store.actor import Actor

        await customers.create_customer(s, Actor.of(kari), "Hemmelig Kunde AS", visibility="owner")
    assert (
        await slack.send(app_mention(f"<@{BOT_USER_ID}> customer find hemmelig", channel=CHANNEL_ID)) == 200
    )
    (answer,) = await slack.api.wait_for("chat.postEphemeral")
    assert answer.params["user"] == USER_ID and "Hemmelig Kunde AS" in text_of(answer.params)
    assert slack.api.calls("chat.postMessage") == []


async def test_owner_only_customers_never_reach_another_user(slack: Slack) -> None:
    await slack.command("customer add Hemmelig Kunde AS, owner-only")
    await slack.replies()
    await slack.command("customer find hemmelig", user=OTHER_USER, key="r2")
    (reply,) = await slack.replies("r2")
    assert "Hemmelig" not in text_of(reply).replace("hemmelig", "")


async def test_a_rate_limited_web_api_call_is_retried_after_retry_after(slack: Slack) -> None:
    slack.api.rate_limit("chat.postMessage", retry_after=1, times=1)
    assert await slack.send(direct_message("help")) == 200
    calls = await slack.api.wait_for("chat.postMessage", count=2, timeout=10)
    assert len(calls) == 2
