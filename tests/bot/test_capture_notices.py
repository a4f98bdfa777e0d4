"""Captured email in chat: the capturing user's Slack DM with buttons, the buttons themselves, and `link`."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import aiohttp
import pytest
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import select

from bot.app import SlackSettings
from bot.capture_notices import SlackCaptureNotifier
from bot.conversation import Conversation
from bot.replies import Text, Tone, WaitingEmails
from bot.server import web_app
from store.actor import Actor
from store.db import Store
from store.models import Email, EmailLinkStatus, User
from store.services import customers
from store.services import email_capture as capture
from tests.bot.slack_requests import USER_ID, block_actions
from tests.servers.slack import FakeSlackApi, running_slack_api, running_web_app

SECRET = "kundebot-test-signing-secret"
TOKEN = "xoxb-kundebot-test"


async def kari_on_slack(store: Store) -> Actor:
    async with store.transaction() as s:
        from store.services.users import user_for_slack

        user = await user_for_slack(
            s,
            slack_user_id=USER_ID,
            name="Kari Hansen",
            email="kari.hansen@firma.no",
            time_zone="Europe/Oslo",
            locale="en-GB",
        )
        return Actor.of(user)


def bcc(
    to: str, subject: str = "Framework agreement", message_id: str = "<one@firma.no>"
) -> capture.IncomingEmail:
    return capture.IncomingEmail(
        message_id=message_id, raw=b"raw", sender="kari.hansen@firma.no", subject=subject,
        original_from="kari.hansen@firma.no", to=[to], participants=["kari.hansen@firma.no", to],
    )  # fmt: skip


@pytest.fixture
async def api() -> AsyncIterator[FakeSlackApi]:
    async with running_slack_api() as fake:
        fake.add_user(USER_ID, "Kari Hansen", "kari.hansen@firma.no", tz="Europe/Oslo", locale="nb-NO")
        yield fake


async def test_a_waiting_email_is_announced_by_dm_with_its_choices(store: Store, api: FakeSlackApi) -> None:
    kari = await kari_on_slack(store)
    async with store.transaction() as s:
        await customers.create_customer(s, kari, "Acme AS", website="acme.no")
        await customers.create_customer(s, kari, "Acme Holding AS", website="acme.no", allow_similar=True)
        [result] = await capture.capture_emails(s, [bcc("new.person@acme.no")], capture.LinkPolicy())
    notifier = SlackCaptureNotifier(store, AsyncWebClient(token=TOKEN, base_url=api.api_url))
    await notifier.notify(result)
    [post] = api.calls("chat.postMessage")
    assert post.params["channel"] == USER_ID  # a DM, never a channel
    blocks = json.dumps(post.json_param("blocks"), ensure_ascii=False)
    assert "needs a decision" in blocks
    assert "Link to Acme AS" in blocks and "Link to Acme Holding AS" in blocks and "email_ignore" in blocks


async def test_clicking_link_puts_the_email_on_the_card(store: Store, api: FakeSlackApi) -> None:
    kari = await kari_on_slack(store)
    async with store.transaction() as s:
        acme = await customers.create_customer(s, kari, "Acme AS", website="acme.no")
        await customers.create_customer(s, kari, "Acme Holding AS", website="acme.no", allow_similar=True)
        [result] = await capture.capture_emails(s, [bcc("new.person@acme.no")], capture.LinkPolicy())
    settings = SlackSettings(TOKEN, SECRET, api_url=api.api_url)
    async with running_web_app(web_app(store, settings)) as base, aiohttp.ClientSession() as http:
        click = block_actions(
            "email_link_1", f"{result.email_id}:{acme.id}", response_url=api.response_url("r1")
        )
        reply = await click.signed(SECRET).post(http, f"{base}/slack/events")
        assert reply.status == 200
        for _ in range(500):
            if api.responses("r1"):
                break
            await asyncio.sleep(0.01)
    assert "is on Acme AS's card" in json.dumps(api.responses("r1")[0].params, ensure_ascii=False)
    async with store.reading() as s:
        email = (await s.scalars(select(Email))).one()
    assert (email.link_status, email.customer_id, email.link_rule) == (
        EmailLinkStatus.LINKED,
        acme.id,
        "manual",
    )


async def test_a_linked_email_is_announced_with_the_card_button(store: Store, api: FakeSlackApi) -> None:
    kari = await kari_on_slack(store)
    async with store.transaction() as s:
        acme = await customers.create_customer(s, kari, "Acme AS", website="acme.no")
        [result] = await capture.capture_emails(s, [bcc("per@acme.no")], capture.LinkPolicy())
    await SlackCaptureNotifier(store, AsyncWebClient(token=TOKEN, base_url=api.api_url)).notify(result)
    [post] = api.calls("chat.postMessage")
    blocks = json.dumps(post.json_param("blocks"), ensure_ascii=False)
    assert "Acme AS" in blocks and '"customer_open"' in blocks and f'"{acme.id}"' in blocks


async def test_link_lists_waiting_emails_and_links_one_by_name(store: Store) -> None:
    kari = await kari_on_slack(store)
    async with store.transaction() as s:
        acme = await customers.create_customer(s, kari, "Acme AS")
        [result] = await capture.capture_emails(s, [bcc("someone@gmail.com")], capture.LinkPolicy())
    talk = Conversation(store, kari)
    [waiting] = await talk.handle("link")
    assert isinstance(waiting, WaitingEmails) and [e.email_id for e in waiting.emails] == [result.email_id]
    [done] = await talk.handle(f"link {result.email_id} acme")
    assert isinstance(done, Text) and done.tone is Tone.SUCCESS
    async with store.reading() as s:
        email = await s.get(Email, result.email_id)
        assert email is not None and email.customer_id == acme.id


async def test_link_contact_makes_the_sender_a_contact(store: Store) -> None:
    kari = await kari_on_slack(store)
    async with store.transaction() as s:
        acme = await customers.create_customer(s, kari, "Acme AS")
        incoming = capture.IncomingEmail(
            message_id="<fwd@firma.no>", raw=b"raw", sender="kari.hansen@firma.no", subject="Pricing",
            original_from="ola.nordmann@gmail.com", to=["kari.hansen@firma.no"],
            participants=["ola.nordmann@gmail.com", "kari.hansen@firma.no"],
        )  # fmt: skip
        [result] = await capture.capture_emails(s, [incoming], capture.LinkPolicy())
    talk = Conversation(store, kari)
    [done] = await talk.handle(f"link {result.email_id} contact acme")
    assert isinstance(done, Text) and "Ola Nordmann is a new contact there" in done.message
    async with store.reading() as s:
        found = await capture._contacts_by_email(s, kari, ["ola.nordmann@gmail.com"], acme.id)
    assert len(found) == 1


async def test_another_users_email_cannot_be_linked_or_listed(store: Store, bob: Actor) -> None:
    kari = await kari_on_slack(store)
    async with store.transaction() as s:
        await customers.create_customer(s, kari, "Acme AS")
        [result] = await capture.capture_emails(s, [bcc("someone@gmail.com")], capture.LinkPolicy())
    talk = Conversation(store, bob)
    [waiting] = await talk.handle("link")
    assert isinstance(waiting, WaitingEmails) and waiting.emails == []
    [refused] = await talk.handle(f"link {result.email_id} ignore")
    assert isinstance(refused, Text) and refused.tone is Tone.ERROR
    async with store.reading() as s:
        user = await s.get(User, kari.user_id)
        email = await s.get(Email, result.email_id)
    assert user is not None and email is not None and email.link_status == EmailLinkStatus.UNLINKED


async def test_two_workers_capturing_the_same_email_at_once_store_it_once(
    store: Store, database_url: str
) -> None:
    """On PostgreSQL the second insert waits for the first and fails on the Message-ID: the batch then goes
    one email at a time and reports the email as seen before. (SQLite queues the writers instead.)"""
    kari = await kari_on_slack(store)
    async with store.transaction() as s:
        await customers.create_customer(s, kari, "Acme AS", website="acme.no")
    other = Store(database_url)
    try:

        async def capture_in(where: Store) -> list[capture.CaptureResult]:
            async with where.transaction() as s:
                found = await capture.capture_emails(
                    s,
                    [bcc("per@acme.no"), bcc("per@acme.no", message_id="<two@firma.no>")],
                    capture.LinkPolicy(),
                )
                await asyncio.sleep(0.2)  # hold the transaction so the other one runs into it
                return found

        first, second = await asyncio.gather(capture_in(store), capture_in(other))
    finally:
        await other.dispose()
    assert sorted(r.new for r in first + second) == [False, False, True, True]
    async with store.reading() as s:
        assert len((await s.scalars(select(Email))).all()) == 2
