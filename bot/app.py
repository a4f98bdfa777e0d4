"""The Slack app (SPEC §1, §5.1): a slack-bolt AsyncApp whose listeners hand every command, message and
button to the same Conversation the console uses, and render the replies as Block Kit.

Every listener acknowledges first and works after the ack, so no reply misses Slack's 3-second window.
Replies that show customer data go only to the asking user (ephemeral, or a DM), so an owner-only customer
is never shown to a channel.
"""

from __future__ import annotations

import json
import logging
import os
import re
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from bot.conversation import Conversation
from bot.render.blocks import Message, render_all
from registry.lookup import Registers
from store.actor import Actor
from store.db import Store
from store.errors import StoreError
from store.services.customers import get_customer
from store.services.users import user_for_slack

log = logging.getLogger(__name__)

ANSWER_ACTIONS = re.compile(r"^kundebot_(yes|no|choice(_\d+)?)$")


@dataclass(frozen=True)
class SlackSettings:
    bot_token: str
    signing_secret: str
    api_url: str | None = None  # SLACK_API_URL: a proxy, or the tests' stand-in for Slack's Web API
    app_token: str | None = None  # SLACK_APP_TOKEN: Socket Mode instead of HTTP

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> SlackSettings | None:
        env = os.environ if env is None else env
        token, secret = env.get("SLACK_BOT_TOKEN"), env.get("SLACK_SIGNING_SECRET")
        if not token or not secret:
            return None
        return cls(token, secret, env.get("SLACK_API_URL") or None, env.get("SLACK_APP_TOKEN") or None)


class SeenDeliveries:
    """Event ids already handled, so a retried delivery (X-Slack-Retry-Num) is not handled twice.

    In memory and bounded: one replica. Several replicas need the store's activity external ids, which
    every write from Slack also carries.
    """

    def __init__(self, size: int = 10_000) -> None:
        self._seen: OrderedDict[str, None] = OrderedDict()
        self._size = size

    def first_time(self, delivery_id: str | None) -> bool:
        if not delivery_id:
            return True
        if delivery_id in self._seen:
            return False
        self._seen[delivery_id] = None
        if len(self._seen) > self._size:
            self._seen.popitem(last=False)
        return True


class SlackSessions:
    """Maps Slack users to kundebot actors (users.info on first contact) and keeps one conversation per
    user and channel, so a follow-up question is answered where it was asked."""

    def __init__(self, store: Store, registers: Registers) -> None:
        self.store = store
        self.registers = registers
        self._actors: dict[str, Actor] = {}
        self._conversations: dict[tuple[str, str], Conversation] = {}

    async def actor(self, client: AsyncWebClient, slack_user_id: str) -> Actor:
        if slack_user_id not in self._actors:
            info = (await client.users_info(user=slack_user_id, include_locale=True)).get("user") or {}
            profile = info.get("profile") or {}
            async with self.store.transaction() as session:
                user = await user_for_slack(
                    session,
                    slack_user_id=slack_user_id,
                    name=info.get("real_name")
                    or profile.get("real_name")
                    or info.get("name")
                    or slack_user_id,
                    email=profile.get("email"),
                    time_zone=info.get("tz"),
                    locale=info.get("locale"),
                )
                self._actors[slack_user_id] = Actor.of(user)
        return self._actors[slack_user_id]

    async def conversation(self, client: AsyncWebClient, slack_user_id: str, channel: str) -> Conversation:
        key = (slack_user_id, channel)
        if key not in self._conversations:
            actor = await self.actor(client, slack_user_id)
            self._conversations[key] = Conversation(self.store, actor, self.registers)
        return self._conversations[key]


def _payload(message: Message) -> dict[str, Any]:
    return {"text": message.text, "blocks": message.blocks}


def build_app(store: Store, settings: SlackSettings, registers: Registers | None = None) -> AsyncApp:
    client = AsyncWebClient(
        token=settings.bot_token,
        base_url=settings.api_url or AsyncWebClient.BASE_URL,
        retry_handlers=[AsyncRateLimitErrorRetryHandler(max_retry_count=3)],
    )
    app = AsyncApp(signing_secret=settings.signing_secret, client=client)
    sessions = SlackSessions(store, registers or Registers.from_env())
    seen = SeenDeliveries()

    @app.command("/crm")
    async def crm_command(ack: Any, command: dict[str, Any], respond: Any, client: AsyncWebClient) -> None:
        await ack()
        talk = await sessions.conversation(client, command["user_id"], command["channel_id"])
        for message in render_all(await talk.handle(command.get("text") or "help")):
            await respond(response_type="ephemeral", **_payload(message))

    @app.action(ANSWER_ACTIONS)
    async def answer(
        ack: Any, body: dict[str, Any], action: dict[str, Any], respond: Any, client: AsyncWebClient
    ) -> None:
        """A click on Yes/No or a numbered choice is the same answer the console reads as text."""
        await ack()
        value = action.get("value") or (action.get("selected_option") or {}).get("value") or ""
        channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id", "")
        talk = await sessions.conversation(client, body["user"]["id"], channel)
        for message in render_all(await talk.handle(value)):
            await respond(response_type="ephemeral", replace_original=False, **_payload(message))

    @app.action("customer_open")
    async def open_customer(
        ack: Any, body: dict[str, Any], action: dict[str, Any], respond: Any, client: AsyncWebClient
    ) -> None:
        await ack()
        channel = (body.get("channel") or {}).get("id", "")
        talk = await sessions.conversation(client, body["user"]["id"], channel)
        for message in render_all(await talk.show_customer(int(action["value"]))):
            await respond(response_type="ephemeral", replace_original=False, **_payload(message))

    @app.action("customer_find_more")
    async def more_customers(
        ack: Any, body: dict[str, Any], action: dict[str, Any], respond: Any, client: AsyncWebClient
    ) -> None:
        await ack()
        page = json.loads(action["value"])
        channel = (body.get("channel") or {}).get("id", "")
        talk = await sessions.conversation(client, body["user"]["id"], channel)
        for message in render_all(await talk.find_more(str(page["query"]), int(page["offset"]))):
            await respond(response_type="ephemeral", replace_original=False, **_payload(message))

    @app.action(re.compile(r"^customer_(add_contact|log_activity)$"))
    async def card_shortcut(
        ack: Any, body: dict[str, Any], action: dict[str, Any], respond: Any, client: AsyncWebClient
    ) -> None:
        """Until the modals come: say exactly what to type, with the customer filled in."""
        await ack()
        usage = {
            "customer_add_contact": "/crm contact add #{n}, FULL NAME, EMAIL, PHONE, TITLE",
            "customer_log_activity": "/crm log call #{n}, WHAT IT WAS ABOUT",
        }[action["action_id"]]
        actor = await sessions.actor(client, body["user"]["id"])
        try:
            async with store.reading() as session:
                customer = await get_customer(session, actor, int(action["value"]))
        except StoreError as exc:
            await respond(response_type="ephemeral", replace_original=False, text=str(exc))
            return
        text = f"Type `{usage.format(n=customer.customer_number)}`"
        await respond(response_type="ephemeral", replace_original=False, text=text)

    @app.action(re.compile(r"^(register_add|customer_open_register)$"))
    async def add_from_register(
        ack: Any, body: dict[str, Any], action: dict[str, Any], respond: Any, client: AsyncWebClient
    ) -> None:
        await ack()
        channel = (body.get("channel") or {}).get("id", "")
        talk = await sessions.conversation(client, body["user"]["id"], channel)
        for message in render_all(await talk.handle(f"org {action['value']}")):
            await respond(response_type="ephemeral", replace_original=False, **_payload(message))

    @app.event("app_mention")
    async def mention(event: dict[str, Any], body: dict[str, Any], client: AsyncWebClient) -> None:
        if not seen.first_time(body.get("event_id")):
            return
        text = re.sub(r"<@[A-Z0-9]+>", "", event.get("text") or "").strip()
        talk = await sessions.conversation(client, event["user"], event["channel"])
        for message in render_all(await talk.handle(text or "help")):
            # Only the asker sees the answer: it may show customers the rest of the channel may not see.
            await client.chat_postEphemeral(channel=event["channel"], user=event["user"], **_payload(message))

    @app.event("message")
    async def direct_message(event: dict[str, Any], body: dict[str, Any], client: AsyncWebClient) -> None:
        if event.get("channel_type") != "im" or event.get("bot_id") or event.get("subtype"):
            return  # edits, joins and the bot's own messages are not requests
        if not seen.first_time(body.get("event_id")):
            return
        talk = await sessions.conversation(client, event["user"], event["channel"])
        for message in render_all(await talk.handle(event.get("text") or "")):
            await client.chat_postMessage(channel=event["channel"], **_payload(message))

    return app
