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
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.ext.asyncio import AsyncSession

from bot import modals, slack_import
from bot.conversation import Conversation
from bot.i18n import error_text, say, value_name
from bot.render.blocks import Message, home_view, render_all
from bot.replies import DigestReply
from bot.slack_files import chart_to_slack, export_to_slack
from bot.slack_replies import PooledRespond, ReplySession
from registry.lookup import Registers
from store.actor import Actor
from store.db import Store
from store.errors import (
    Ambiguous,
    DuplicateCustomer,
    InvalidInput,
    SimilarCustomersExist,
    StoreError,
)
from store.models import ActivityKind, Source
from store.services import deliveries
from store.services.activities import activity_by_external_id, log_activity
from store.services.contacts import add_contact
from store.services.customers import (
    create_customer,
    find_customers,
    get_customer,
    resolve_customer,
    update_customer,
)
from store.services.dashboard import my_pipeline
from store.services.digest import build_digest
from store.services.users import user_by_id, user_for_slack
from store.types import utcnow

log = logging.getLogger(__name__)

ANSWER_ACTIONS = re.compile(r"^kundebot_(yes|no|choice(_\d+)?)$")
ADD_CUSTOMER_FORM = re.compile(r"^(/?crm\s+)?customer\s+add$", re.IGNORECASE)  # no text: the modal
FILE_COMMAND = re.compile(r"^(/?crm\s+)?(?P<verb>export|chart)\b\s*(?P<rest>.*)$", re.IGNORECASE | re.DOTALL)
EDIT_CUSTOMER = re.compile(r"^(/?crm\s+)?customer\s+edit\b\s*(?P<ref>.*)$", re.IGNORECASE | re.DOTALL)


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


class HandledEvents:
    """Slack event ids recorded in the store before their event is handled, so a retried delivery
    (X-Slack-Retry-Num) is handled once, on whichever replica it lands and across restarts.

    Claimed before handling, not after: Bolt answers Slack at once, so a retry means Slack missed that answer,
    not that the handling failed, and handling again could write again."""

    SOURCE = "slack"
    PRUNE_EVERY = timedelta(hours=1)

    def __init__(self, store: Store) -> None:
        self.store = store
        self._pruned_at: datetime | None = None

    async def once(self, delivery_id: str | None, handle: Callable[[], Awaitable[None]]) -> None:
        if not delivery_id:
            await handle()
            return
        async with self.store.transaction() as session:
            first = await deliveries.claim_delivery(session, self.SOURCE, delivery_id)
            await self._prune(session)
        if not first:
            log.info("event %s was already handled; a retry is ignored", delivery_id)
            return
        await handle()

    async def _prune(self, session: AsyncSession) -> None:
        now = utcnow()
        if self._pruned_at is None or now - self._pruned_at > self.PRUNE_EVERY:
            self._pruned_at = now
            await deliveries.forget_old_deliveries(session, now=now)


ACTOR_FRESH_S = 60.0  # how long a Slack user's settings are used before they are read again


class SlackSessions:
    """Maps Slack users to kundebot actors (users.info on first contact) and keeps one conversation per
    user and channel, so a follow-up question is answered where it was asked."""

    def __init__(self, store: Store, registers: Registers) -> None:
        self.store = store
        self.registers = registers
        self._actors: dict[str, tuple[Actor, float]] = {}  # with when it was read
        self._conversations: dict[tuple[str, str], Conversation] = {}
        self._synced: dict[tuple[str, str], float] = {}  # conversation -> the read of its actor it has

    async def actor(self, client: AsyncWebClient, slack_user_id: str) -> Actor:
        """The user's actor, read again from the store once it is ACTOR_FRESH_S old: a `settings` change
        (language, time zone) made in another channel or on another replica reaches every conversation."""
        if slack_user_id in self._actors:
            actor, read_at = self._actors[slack_user_id]
            if time.monotonic() - read_at < ACTOR_FRESH_S:
                return actor
            async with self.store.reading() as session:
                fresh = Actor.of(await user_by_id(session, actor.user_id))
            self._actors[slack_user_id] = (fresh, time.monotonic())
            return fresh
        # First contact: who this is (users.info), then the store.
        info = (await client.users_info(user=slack_user_id, include_locale=True)).get("user") or {}
        profile = info.get("profile") or {}
        async with self.store.transaction() as session:
            user = await user_for_slack(
                session,
                slack_user_id=slack_user_id,
                name=info.get("real_name") or profile.get("real_name") or info.get("name") or slack_user_id,
                email=profile.get("email"),
                time_zone=info.get("tz"),
                locale=info.get("locale"),
            )
            self._actors[slack_user_id] = (Actor.of(user), time.monotonic())
        return self._actors[slack_user_id][0]

    async def conversation(self, client: AsyncWebClient, slack_user_id: str, channel: str) -> Conversation:
        actor = await self.actor(client, slack_user_id)
        read_at = self._actors[slack_user_id][1]
        key = (slack_user_id, channel)
        if key not in self._conversations:
            # The dialogue's state is kept in the store per user and channel, so another replica (or this one
            # after a restart) continues a half-filled request where it was left.
            self._conversations[key] = Conversation(self.store, actor, self.registers, key=f"slack:{channel}")
            self._synced[key] = read_at
        conversation = self._conversations[key]
        # A newer read of the user reaches the conversation; a `settings` change made in it is already there.
        if self._synced[key] < read_at:
            conversation.context.actor = actor
            self._synced[key] = read_at
        return conversation


def _payload(message: Message) -> dict[str, Any]:
    return {"text": message.text, "blocks": message.blocks}


# How much a name found around the message counts against one found in it: the message itself says most.
CONTEXT_WEIGHTS = {"message": 1.0, "channel name": 0.9, "channel history": 0.8}
CONTEXT_MESSAGES = 15  # earlier messages of the channel read for "Save to CRM"


async def suggest_customers(
    session: AsyncSession,
    actor: Actor,
    texts: Mapping[str, str] | str,
    limit: int = modals.SUGGESTIONS,
) -> list[tuple[int, str]]:
    """The visible customers whose names best match a message, best first, as (id, "Name (#number)").

    `texts` is the message alone or keyed by where it came from (CONTEXT_WEIGHTS): the message, the channel's
    name ("#acme-rollout"), the channel's recent history. A customer's score is its best weighted match."""
    sources = {"message": texts} if isinstance(texts, str) else texts
    best: dict[int, tuple[float, str]] = {}
    for source, text in sources.items():
        weight = CONTEXT_WEIGHTS[source]
        for query in modals.search_queries(text):
            try:
                hits = await find_customers(session, actor, query, limit=limit)
            except InvalidInput:
                continue
            for hit in hits:
                c = hit.customer
                score = hit.score * weight
                if score > best.get(c.id, (-1.0, ""))[0]:
                    best[c.id] = (score, f"{c.name} (#{c.customer_number})")
    ranked = sorted(best.items(), key=lambda item: (-item[1][0], item[1][1]))
    return [(customer_id, label) for customer_id, (_, label) in ranked[:limit]]


async def channel_context(client: AsyncWebClient, channel: str, channel_name: str, ts: str) -> dict[str, str]:
    """The channel's name and the messages just before `ts`, for suggesting a customer. A channel the bot is
    not in (or may not read) just gives no history."""
    context = {"channel name": channel_name.replace("-", " ").replace("_", " ")} if channel_name else {}
    if not channel or not ts:
        return context
    try:
        page = await client.conversations_history(
            channel=channel, latest=ts, inclusive=False, limit=CONTEXT_MESSAGES
        )
    except SlackApiError as exc:
        log.info("conversations.history of %s not readable: %s", channel, exc.response.get("error"))
        return context
    messages: list[dict[str, Any]] = page.get("messages") or []
    earlier = [m.get("text") or "" for m in messages if not m.get("bot_id")]
    if earlier:
        context["channel history"] = "\n".join(earlier)
    return context


async def refuse(ack: Any, exc: StoreError, fields: Mapping[str, str], fallback: str, actor: Actor) -> None:
    """Show a store error in the modal, in the actor's language: under the field it names, else under
    `fallback`."""
    lang = actor.language.value
    if isinstance(exc, InvalidInput):
        errors = modals.errors_for(exc, fields, fallback, lang)
    else:
        errors = {fallback: modals.store_error_text(lang, exc)}
    await ack(response_action="errors", errors=errors)


async def refused_form(ack: Any, form: Any, actor: Actor) -> bool:
    """Answer a submission whose fields fail their own checks with the errors (in the actor's language);
    True when it did."""
    errors = form.errors(actor.language.value)
    if errors:
        await ack(response_action="errors", errors=errors)
    return bool(errors)


def build_app(
    store: Store,
    settings: SlackSettings,
    registers: Registers | None = None,
    replies: ReplySession | None = None,
) -> AsyncApp:
    """The Bolt app; `replies` is the HTTP session its replies to response URLs share (the caller closes
    it; without one, each reply opens its own, as bolt does)."""
    client = AsyncWebClient(
        token=settings.bot_token,
        base_url=settings.api_url or AsyncWebClient.BASE_URL,
        retry_handlers=[AsyncRateLimitErrorRetryHandler(max_retry_count=3)],
    )
    app = AsyncApp(signing_secret=settings.signing_secret, client=client)
    if replies is not None:
        shared = replies

        @app.middleware
        async def replies_on_one_session(context: Any, next: Callable[[], Awaitable[None]]) -> None:
            if context.response_url:
                context["respond"] = PooledRespond(context.response_url, shared)
            await next()

    sessions = SlackSessions(store, registers or Registers.from_env())
    handled = HandledEvents(store)

    async def open_view(
        client: AsyncWebClient, trigger_id: str, view: dict[str, Any], respond: Any, actor: Actor
    ) -> None:
        try:
            await client.views_open(trigger_id=trigger_id, view=view)
        except SlackApiError as exc:
            log.warning("views.open failed: %s", exc.response.get("error"))
            text = say(actor.language.value, "app.form_failed", error=exc.response.get("error"))
            if respond is not None:
                await respond(response_type="ephemeral", replace_original=False, text=text)

    async def dm(
        client: AsyncWebClient, user_id: str, messages: list[Message], text: str | None = None
    ) -> None:
        """Post to the user's DM with the bot: what a closed modal did, only for them."""
        for i, message in enumerate(messages):
            payload = _payload(message)
            if text and i == 0:
                payload["text"] = text
            await client.chat_postMessage(channel=user_id, **payload)

    async def card_for(client: AsyncWebClient, user_id: str, customer_id: int) -> list[Message]:
        talk = await sessions.conversation(client, user_id, user_id)
        return render_all(await talk.show_customer(customer_id), talk.context.lang)

    async def open_edit(
        client: AsyncWebClient, user_id: str, trigger_id: str, customer_id: int, respond: Any
    ) -> None:
        actor = await sessions.actor(client, user_id)
        try:
            async with store.reading() as session:
                customer = await get_customer(session, actor, customer_id)
                view = modals.edit_customer_view(customer, actor.language.value)
        except StoreError as exc:
            await respond(
                response_type="ephemeral", replace_original=False, text=error_text(actor.language.value, exc)
            )
            return
        await open_view(client, trigger_id, view, respond, actor)

    async def edit_command(
        command: dict[str, Any], reference: str, respond: Any, client: AsyncWebClient
    ) -> None:
        """`/crm customer edit NAME`: the edit modal of that customer (a button each when several match)."""
        actor = await sessions.actor(client, command["user_id"])
        if not reference:
            await respond(response_type="ephemeral", text=say(actor.language.value, "app.edit_which"))
            return
        try:
            async with store.reading() as session:
                customer = await resolve_customer(session, actor, reference)
                view = modals.edit_customer_view(customer, actor.language.value)
        except Ambiguous as exc:
            lang = actor.language.value
            message = modals.edit_choices_message(error_text(lang, exc), exc.choices, lang)
            await respond(response_type="ephemeral", **_payload(message))
            return
        except StoreError as exc:
            await respond(response_type="ephemeral", text=error_text(actor.language.value, exc))
            return
        await open_view(client, command["trigger_id"], view, respond, actor)

    @app.command("/crm")
    async def crm_command(ack: Any, command: dict[str, Any], respond: Any, client: AsyncWebClient) -> None:
        await ack()
        text = (command.get("text") or "").strip()
        if ADD_CUSTOMER_FORM.match(text):
            actor = await sessions.actor(client, command["user_id"])
            view = modals.add_customer_view(lang=actor.language.value)
            await open_view(client, command["trigger_id"], view, respond, actor)
            return
        edit = EDIT_CUSTOMER.match(text)
        if edit and "," not in edit.group("ref"):  # with changes ("…, name X") it is a command, not the form
            await edit_command(command, edit.group("ref").strip(), respond, client)
            return
        files = FILE_COMMAND.match(text)
        if files:  # a file goes to the user's DM; the answer here says where
            actor = await sessions.actor(client, command["user_id"])
            send = export_to_slack if files.group("verb").lower() == "export" else chart_to_slack
            said = await send(
                client, store, actor, command["user_id"], command["channel_id"], files.group("rest").strip()
            )
            await respond(response_type="ephemeral", text=said)
            return
        talk = await sessions.conversation(client, command["user_id"], command["channel_id"])
        for message in render_all(await talk.handle(command.get("text") or "help"), talk.context.lang):
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
        for message in render_all(await talk.handle(value), talk.context.lang):
            await respond(response_type="ephemeral", replace_original=False, **_payload(message))

    @app.action(re.compile(r"^email_(link_\d+|contact)$"))
    async def link_captured_email(
        ack: Any, body: dict[str, Any], action: dict[str, Any], respond: Any, client: AsyncWebClient
    ) -> None:
        """A captured email's notice: link it to the customer on the button (or add its sender there)."""
        await ack()
        email_id, _, customer_id = str(action.get("value", "")).partition(":")
        if not (email_id.isdigit() and customer_id.isdigit()):
            return
        talk = await sessions.conversation(client, body["user"]["id"], body["user"]["id"])
        contact = action.get("action_id") == "email_contact"
        for message in render_all(
            await talk.link_email(int(email_id), int(customer_id), contact=contact), talk.context.lang
        ):
            await respond(response_type="ephemeral", replace_original=False, **_payload(message))

    @app.action("email_ignore")
    async def ignore_captured_email(
        ack: Any, body: dict[str, Any], action: dict[str, Any], respond: Any, client: AsyncWebClient
    ) -> None:
        await ack()
        value = str(action.get("value", ""))
        if not value.isdigit():
            return
        talk = await sessions.conversation(client, body["user"]["id"], body["user"]["id"])
        for message in render_all(await talk.ignore_email(int(value)), talk.context.lang):
            await respond(response_type="ephemeral", replace_original=False, **_payload(message))

    @app.action(re.compile(r"^(kundebot_chart|kundebot_export)_\d+$"))
    async def file_button(
        ack: Any, body: dict[str, Any], action: dict[str, Any], respond: Any, client: AsyncWebClient
    ) -> None:
        """The chart and export buttons under a `kpi` or `pipeline` reply."""
        await ack()
        user_id = body["user"]["id"]
        actor = await sessions.actor(client, user_id)
        channel = (body.get("channel") or {}).get("id")
        send = (
            chart_to_slack
            if str(action.get("action_id", "")).startswith("kundebot_chart")
            else export_to_slack
        )
        said = await send(client, store, actor, user_id, channel, str(action.get("value") or ""))
        await respond(response_type="ephemeral", replace_original=False, text=said)

    @app.action(slack_import.IMPORT_ACTIONS)
    async def import_file(
        ack: Any, body: dict[str, Any], action: dict[str, Any], respond: Any, client: AsyncWebClient
    ) -> None:
        """The "Import" button under a dry run: the same file, for real, as the user who clicked."""
        await ack()
        actor = await sessions.actor(client, body["user"]["id"])
        working = slack_import.working_message(action["value"], actor.language.value)
        await respond(replace_original=True, **_payload(working))
        message, _ = await slack_import.import_message(store, client, actor, action["value"])
        await respond(replace_original=True, **_payload(message))

    @app.action(slack_import.IMPORT_CANCEL)
    async def cancel_import(
        ack: Any, body: dict[str, Any], action: dict[str, Any], respond: Any, client: AsyncWebClient
    ) -> None:
        await ack()
        actor = await sessions.actor(client, body["user"]["id"])
        cancelled = slack_import.cancelled_message(action["value"], actor.language.value)
        await respond(replace_original=True, **_payload(cancelled))

    @app.action("customer_open")
    async def open_customer(
        ack: Any, body: dict[str, Any], action: dict[str, Any], respond: Any, client: AsyncWebClient
    ) -> None:
        await ack()
        channel = (body.get("channel") or {}).get("id", "")
        talk = await sessions.conversation(client, body["user"]["id"], channel)
        for message in render_all(await talk.show_customer(int(action["value"])), talk.context.lang):
            await respond(response_type="ephemeral", replace_original=False, **_payload(message))

    @app.action("customer_find_more")
    async def more_customers(
        ack: Any, body: dict[str, Any], action: dict[str, Any], respond: Any, client: AsyncWebClient
    ) -> None:
        await ack()
        page = json.loads(action["value"])
        channel = (body.get("channel") or {}).get("id", "")
        talk = await sessions.conversation(client, body["user"]["id"], channel)
        for message in render_all(
            await talk.find_more(str(page["query"]), int(page["offset"])), talk.context.lang
        ):
            await respond(response_type="ephemeral", replace_original=False, **_payload(message))

    @app.action(re.compile(r"^(register_add|customer_open_register)$"))
    async def add_from_register(
        ack: Any, body: dict[str, Any], action: dict[str, Any], respond: Any, client: AsyncWebClient
    ) -> None:
        await ack()
        channel = (body.get("channel") or {}).get("id", "")
        talk = await sessions.conversation(client, body["user"]["id"], channel)
        for message in render_all(await talk.handle(f"org {action['value']}"), talk.context.lang):
            await respond(response_type="ephemeral", replace_original=False, **_payload(message))

    @app.action(re.compile(r"^customer_(add_contact|log_activity)$"))
    async def card_form(
        ack: Any, body: dict[str, Any], action: dict[str, Any], respond: Any, client: AsyncWebClient
    ) -> None:
        """The card's "Add contact" and "Log activity" buttons open their modal for that customer."""
        await ack()
        actor = await sessions.actor(client, body["user"]["id"])
        try:
            async with store.reading() as session:
                customer = await get_customer(session, actor, int(action["value"]))
                customer_id, name = customer.id, customer.name
        except StoreError as exc:
            await respond(
                response_type="ephemeral", replace_original=False, text=error_text(actor.language.value, exc)
            )
            return
        if action["action_id"] == "customer_add_contact":
            view = modals.add_contact_view(customer_id, name, actor.language.value)
        else:
            view = modals.log_activity_view(customer_id, name, actor.language.value)
        await open_view(client, body["trigger_id"], view, respond, actor)

    @app.action(modals.CUSTOMER_EDIT)
    async def edit_button(
        ack: Any, body: dict[str, Any], action: dict[str, Any], respond: Any, client: AsyncWebClient
    ) -> None:
        await ack()
        await open_edit(client, body["user"]["id"], body["trigger_id"], int(action["value"]), respond)

    @app.action("customer_add_form")
    async def add_button(ack: Any, body: dict[str, Any], respond: Any, client: AsyncWebClient) -> None:
        await ack()
        actor = await sessions.actor(client, body["user"]["id"])
        view = modals.add_customer_view(lang=actor.language.value)
        await open_view(client, body["trigger_id"], view, respond, actor)

    # Submissions answer in the ack: errors under the fields, an updated view, or (empty) close the modal.
    # The work before the ack is one short transaction; what follows a close goes to the user's DM.

    @app.view_submission(modals.CUSTOMER_ADD)
    async def customer_added(
        ack: Any, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient
    ) -> None:
        user_id = body["user"]["id"]
        form = modals.CustomerForm.read(view)
        actor = await sessions.actor(client, user_id)
        if await refused_form(ack, form, actor):
            return
        try:
            async with store.transaction() as session:
                created = await create_customer(
                    session, actor, form.name or "", allow_similar=form.create_anyway, **form.options()
                )
                customer_id, label = created.id, f"{created.name} (#{created.customer_number})"
        except SimilarCustomersExist as exc:
            view = modals.add_customer_view(form, exc.similar, actor.language.value)
            await ack(response_action="update", view=view)
            return
        except DuplicateCustomer as exc:
            await ack(
                response_action="errors",
                errors={"org_number": modals.store_error_text(actor.language.value, exc)},
            )
            if exc.existing_id is not None:
                await dm(
                    client,
                    user_id,
                    [
                        modals.open_existing_message(
                            error_text(actor.language.value, exc), exc.existing_id, actor.language.value
                        )
                    ],
                )
            return
        except StoreError as exc:
            await refuse(ack, exc, modals.CUSTOMER_FIELDS, "name", actor)
            return
        await ack()
        done = say(actor.language.value, "app.created", name=label)
        await dm(client, user_id, await card_for(client, user_id, customer_id), done)

    @app.view_submission(modals.CUSTOMER_EDIT)
    async def customer_edited(
        ack: Any, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient
    ) -> None:
        user_id = body["user"]["id"]
        form = modals.EditForm.read(view)
        actor = await sessions.actor(client, user_id)
        if await refused_form(ack, form, actor):
            return
        try:
            async with store.transaction() as session:
                customer = await update_customer(
                    session, actor, form.customer_id, form.changes(), expected_version=form.version
                )
                name = customer.name
        except StoreError as exc:  # ChangedMeanwhile: "changed by someone else" under the name
            await refuse(ack, exc, modals.CUSTOMER_FIELDS, "name", actor)
            return
        await ack()
        done = say(actor.language.value, "app.saved", name=name)
        await dm(client, user_id, await card_for(client, user_id, form.customer_id), done)

    @app.view_submission(modals.CONTACT_ADD)
    async def contact_added(
        ack: Any, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient
    ) -> None:
        user_id = body["user"]["id"]
        form = modals.ContactForm.read(view)
        actor = await sessions.actor(client, user_id)
        if await refused_form(ack, form, actor):
            return
        try:
            async with store.transaction() as session:
                contact = await add_contact(
                    session,
                    actor,
                    customer_id=form.customer_id,
                    first_name=form.first_name or "",
                    last_name=form.last_name or "",
                    title=form.title,
                    emails=[form.email] if form.email else [],
                    phones=[form.phone] if form.phone else [],
                )
                done = say(actor.language.value, "app.added", name=contact.full_name)
        except StoreError as exc:
            await refuse(ack, exc, modals.CONTACT_FIELDS, "first_name", actor)
            return
        await ack()
        await dm(client, user_id, await card_for(client, user_id, form.customer_id), done)

    @app.view_submission(modals.ACTIVITY_LOG)
    async def activity_logged(
        ack: Any, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient
    ) -> None:
        user_id = body["user"]["id"]
        form = modals.ActivityForm.read(view)
        actor = await sessions.actor(client, user_id)
        if await refused_form(ack, form, actor):
            return
        try:
            async with store.transaction() as session:
                activity = await log_activity(
                    session,
                    actor,
                    kind=form.kind,
                    subject=form.subject or "",
                    body=form.body,
                    customer_id=form.customer_id,
                    start_at=utcnow(),
                    source=Source.SLACK,
                    external_id=f"view/{view['id']}",  # one activity per modal, however often it is sent
                )
                lang = actor.language.value
                kind = value_name(lang, "kind", activity.kind)
                done = say(lang, "app.logged", kind=kind, subject=activity.subject)
        except StoreError as exc:
            await refuse(ack, exc, modals.ACTIVITY_FIELDS, "subject", actor)
            return
        await ack()
        await dm(client, user_id, await card_for(client, user_id, form.customer_id), done)

    @app.shortcut(modals.SAVE_TO_CRM)
    async def save_to_crm(ack: Any, shortcut: dict[str, Any], respond: Any, client: AsyncWebClient) -> None:
        """The "Save to CRM" message shortcut: a modal with the customers the message names, best first,
        then those the channel's name and its recent messages name."""
        await ack()
        user_id = shortcut["user"]["id"]
        message = shortcut.get("message") or {}
        channel = (shortcut.get("channel") or {}).get("id", "")
        ts = shortcut.get("message_ts") or message.get("ts", "")
        text = message.get("text") or ""
        actor = await sessions.actor(client, user_id)
        channel_name = (shortcut.get("channel") or {}).get("name", "")
        context = await channel_context(client, channel, channel_name, ts)
        async with store.reading() as session:
            suggestions = await suggest_customers(session, actor, {"message": text, **context})
        permalink = None
        try:
            permalink = (await client.chat_getPermalink(channel=channel, message_ts=ts)).get("permalink")
        except SlackApiError as exc:
            log.warning("chat.getPermalink failed: %s", exc.response.get("error"))
        saved = modals.SavedMessage(channel, ts, permalink)
        view = modals.save_message_view(saved, text, suggestions, actor.language.value)
        await open_view(client, shortcut["trigger_id"], view, respond, actor)

    @app.view_submission(modals.SAVE_MESSAGE)
    async def message_saved(
        ack: Any, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient
    ) -> None:
        user_id = body["user"]["id"]
        form = modals.SaveForm.read(view)
        customer_block = "customer" if form.customer_id is not None else "customer_ref"
        actor = await sessions.actor(client, user_id)  # known: the shortcut that opened the modal asked
        lang = actor.language.value
        if form.customer_id is None and not form.customer_ref:
            await ack(response_action="errors", errors={"customer_ref": say(lang, "app.save_which")})
            return
        try:
            async with store.transaction() as session:
                if form.customer_ref:  # typed instead of picked
                    customer_block = "customer_ref"
                    customer = await resolve_customer(session, actor, form.customer_ref)
                else:
                    customer = await get_customer(session, actor, form.customer_id or 0)
                name = customer.name
                external_id = form.message.external_id
                existing = await activity_by_external_id(session, Source.SLACK, external_id)
                if existing is None:
                    await log_activity(
                        session,
                        actor,
                        kind=ActivityKind.NOTE,
                        subject=form.subject or say(lang, "modal.slack_message"),
                        body=form.body(lang),
                        customer_id=customer.id,
                        source=Source.SLACK,
                        external_id=external_id,
                    )
        except Ambiguous as exc:
            names = "; ".join(label for _, label in exc.choices[:5])
            await ack(
                response_action="errors",
                errors={
                    "customer_ref": modals.error_text(f"{error_text(actor.language.value, exc)} {names}")
                },
            )
            return
        except StoreError as exc:  # InvalidInput, NotFound, PermissionDenied
            await refuse(ack, exc, {"subject": "subject", "body": "note"}, customer_block, actor)
            return
        await ack()
        if existing is not None:
            note = modals.notice(say(lang, "app.saved_before"), customer.id, lang=lang)
        else:
            note = modals.notice(say(lang, "app.saved_note", name=name), customer.id, success=True, lang=lang)
        await dm(client, user_id, [note])

    @app.event("app_home_opened")
    async def home_opened(event: dict[str, Any], client: AsyncWebClient) -> None:
        """The Home tab: rebuilt each time it is opened, for the user who opened it."""
        if event.get("tab", "home") != "home":
            return
        user_id = event["user"]
        actor = await sessions.actor(client, user_id)
        async with store.reading() as s:
            found = await build_digest(s, actor)
            month, quarter = await my_pipeline(s, actor)
        view = home_view(DigestReply(found, actor.language.value, actor.time_zone), month, quarter)
        await client.views_publish(user_id=user_id, view=view)

    @app.event("app_mention")
    async def mention(event: dict[str, Any], body: dict[str, Any], client: AsyncWebClient) -> None:
        async def answer() -> None:
            text = re.sub(r"<@[A-Z0-9]+>", "", event.get("text") or "").strip()
            talk = await sessions.conversation(client, event["user"], event["channel"])
            for message in render_all(await talk.handle(text or "help"), talk.context.lang):
                # Only the asker sees the answer: it may show customers the rest of the channel may not see.
                await client.chat_postEphemeral(
                    channel=event["channel"], user=event["user"], **_payload(message)
                )

        await handled.once(body.get("event_id"), answer)

    @app.event("message")
    async def direct_message(event: dict[str, Any], body: dict[str, Any], client: AsyncWebClient) -> None:
        if (
            event.get("channel_type") == "im"
            and event.get("subtype") == "file_share"
            and not event.get("bot_id")
        ):
            # A CSV uploaded to the bot's DM: the import's dry run, with an "Import" button (SPEC §9).
            async def dry_run() -> None:
                actor = await sessions.actor(client, event["user"])
                await slack_import.handle_upload(store, client, actor, event)

            await handled.once(body.get("event_id"), dry_run)
            return
        if event.get("channel_type") != "im" or event.get("bot_id") or event.get("subtype"):
            return  # edits, joins and the bot's own messages are not requests

        async def answer() -> None:
            talk = await sessions.conversation(client, event["user"], event["channel"])
            for message in render_all(await talk.handle(event.get("text") or ""), talk.context.lang):
                await client.chat_postMessage(channel=event["channel"], **_payload(message))

        await handled.once(body.get("event_id"), answer)

    return app
