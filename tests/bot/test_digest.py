"""The daily digest: due at the user's digest time in their time zone (DST included), exactly once per local
date across replicas, nothing when there is nothing to say; Slack DM and email (a real aiosmtpd)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, date, datetime, time, timedelta

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from bot.conversation import Conversation
from bot.digest_scheduler import DigestScheduler
from bot.replies import DigestReply, Text, Tone
from mail_sync.config import SmtpSettings
from store.actor import Actor
from store.db import Store
from store.models import ActivityKind, User
from store.services import activities, customers
from store.services import digest as digests
from tests.conftest import make_actor
from tests.servers.slack import FakeSlackApi, running_slack_api
from tests.servers.smtp import SmtpServer, running_smtp

UTC = UTC


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


async def setup_user(
    store: Store,
    name: str,
    tz: str,
    *,
    at: time = time(7, 30),
    slack_id: str | None = None,
    channels: list[str] | None = None,
) -> Actor:
    actor = await make_actor(store, name, tz=tz)
    async with store.transaction() as s:
        user = await s.get(User, actor.user_id)
        assert user is not None
        user.digest_time = at
        user.slack_user_id = slack_id
        user.digest_channels = channels or ["slack"]
    return actor


async def give_task(store: Store, actor: Actor, due: date, subject: str = "Send the proposal") -> None:
    async with store.transaction() as s:
        acme = await customers.create_customer(s, actor, f"Acme for {actor.name}", allow_similar=True)
        await activities.log_activity(
            s, actor, kind=ActivityKind.TASK, subject=subject, customer_id=acme.id, due_date=due, done=False
        )


@pytest.fixture
async def api() -> AsyncIterator[FakeSlackApi]:
    async with running_slack_api() as fake:
        yield fake


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    with running_smtp() as server:
        yield server


def scheduler(
    store: Store, api: FakeSlackApi, clock: Clock, owner: str = "replica-1", smtp: SmtpServer | None = None
) -> DigestScheduler:
    settings = (
        SmtpSettings(host=smtp.host, port=smtp.port, security="plain", sender="kundebot@firma.no")
        if smtp
        else None
    )
    return DigestScheduler(
        store, AsyncWebClient(token="xoxb-test", base_url=api.api_url), settings, owner=owner, clock=clock
    )


async def test_each_digest_goes_out_at_the_users_own_time_in_their_zone(
    store: Store, api: FakeSlackApi
) -> None:
    oslo = await setup_user(store, "Kari Oslo", "Europe/Oslo", slack_id="UOSLO")
    york = await setup_user(store, "Nina York", "America/New_York", slack_id="UYORK")
    for actor in (oslo, york):
        await give_task(store, actor, date(2026, 11, 23))
    clock = Clock(datetime(2026, 11, 23, 6, 0, tzinfo=UTC))  # 07:00 in Oslo, 01:00 in New York
    digest_run = scheduler(store, api, clock)
    assert await digest_run.tick() == []
    clock.now = datetime(2026, 11, 23, 6, 30, tzinfo=UTC)  # 07:30 in Oslo
    assert [(s.user_id, s.status) for s in await digest_run.tick()] == [(oslo.user_id, "sent")]
    clock.now = datetime(2026, 11, 23, 12, 30, tzinfo=UTC)  # 07:30 in New York
    assert [(s.user_id, s.status) for s in await digest_run.tick()] == [(york.user_id, "sent")]
    assert [c.params["channel"] for c in api.calls("chat.postMessage")] == ["UOSLO", "UYORK"]


async def test_a_digest_is_sent_once_a_day_and_again_the_next_morning(
    store: Store, api: FakeSlackApi
) -> None:
    kari = await setup_user(store, "Kari Oslo", "Europe/Oslo", slack_id="UOSLO")
    await give_task(store, kari, date(2026, 11, 23))
    clock = Clock(datetime(2026, 11, 23, 6, 31, tzinfo=UTC))
    digest_run = scheduler(store, api, clock)
    assert len(await digest_run.tick()) == 1
    clock.now += timedelta(hours=3)
    assert await digest_run.tick() == []
    restarted = scheduler(store, api, clock, owner="replica-1-after-restart")
    assert await restarted.tick() == []
    clock.now = datetime(2026, 11, 23, 23, 30, tzinfo=UTC)  # 00:30 on the 24th in Oslo: too early
    assert await restarted.tick() == []
    clock.now = datetime(2026, 11, 24, 6, 31, tzinfo=UTC)  # the overdue task is still there
    assert len(await restarted.tick()) == 1
    assert len(api.calls("chat.postMessage")) == 2


async def test_two_replicas_send_one_digest(store: Store, api: FakeSlackApi) -> None:
    kari = await setup_user(store, "Kari Oslo", "Europe/Oslo", slack_id="UOSLO")
    await give_task(store, kari, date(2026, 11, 23))
    clock = Clock(datetime(2026, 11, 23, 6, 31, tzinfo=UTC))
    first, second = scheduler(store, api, clock, "replica-1"), scheduler(store, api, clock, "replica-2")
    results = await asyncio.gather(first.tick(), second.tick())
    assert sum(len(r) for r in results) == 1
    assert len(api.calls("chat.postMessage")) == 1


async def test_nothing_to_say_sends_nothing(store: Store, api: FakeSlackApi) -> None:
    kari = await setup_user(store, "Kari Oslo", "Europe/Oslo", slack_id="UOSLO")
    clock = Clock(datetime(2026, 11, 23, 6, 31, tzinfo=UTC))
    assert [s.status for s in await scheduler(store, api, clock).tick()] == ["empty"]
    assert api.calls("chat.postMessage") == []
    async with store.reading() as s:
        assert [d.status for d in await digests.deliveries(s, kari.user_id)] == ["empty"]


async def test_the_spring_forward_gap_still_gets_its_digest_once(store: Store, api: FakeSlackApi) -> None:
    # 2027-03-28 in Oslo: 02:00 jumps to 03:00, so 02:30 never happens that night.
    kari = await setup_user(store, "Kari Oslo", "Europe/Oslo", at=time(2, 30), slack_id="UOSLO")
    await give_task(store, kari, date(2027, 3, 28))
    clock = Clock(datetime(2027, 3, 28, 0, 59, tzinfo=UTC))  # 01:59 CET
    digest_run = scheduler(store, api, clock)
    assert await digest_run.tick() == []
    clock.now = datetime(2027, 3, 28, 1, 0, tzinfo=UTC)  # 03:00 CEST
    assert len(await digest_run.tick()) == 1
    clock.now = datetime(2027, 3, 28, 1, 45, tzinfo=UTC)
    assert await digest_run.tick() == []


async def test_the_repeated_autumn_hour_does_not_send_twice(store: Store, api: FakeSlackApi) -> None:
    # 2026-10-25 in Oslo: 02:00-03:00 happens twice (CEST, then CET).
    kari = await setup_user(store, "Kari Oslo", "Europe/Oslo", at=time(2, 30), slack_id="UOSLO")
    await give_task(store, kari, date(2026, 10, 25))
    clock = Clock(datetime(2026, 10, 25, 0, 30, tzinfo=UTC))  # 02:30 CEST
    digest_run = scheduler(store, api, clock)
    assert len(await digest_run.tick()) == 1
    clock.now = datetime(2026, 10, 25, 1, 30, tzinfo=UTC)  # 02:30 CET, the second time
    assert await digest_run.tick() == []
    assert len(api.calls("chat.postMessage")) == 1


async def test_the_email_digest_arrives_with_text_and_html(
    store: Store, api: FakeSlackApi, smtp: SmtpServer
) -> None:
    kari = await setup_user(store, "Kari Oslo", "Europe/Oslo", channels=["email"])
    await give_task(store, kari, date(2026, 11, 20), subject="Follow up the framework agreement")
    clock = Clock(datetime(2026, 11, 23, 6, 31, tzinfo=UTC))
    assert [(s.status, s.channels) for s in await scheduler(store, api, clock, smtp=smtp).tick()] == [
        ("sent", ["email"])
    ]
    [mail] = smtp.messages
    message = mail.message()
    assert mail.rcpt_tos == ("kari.oslo@firm.example",)
    assert message["Subject"] == "Your day, 2026-11-23"
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert text is not None and "Follow up the framework agreement" in text.get_content()
    assert html is not None and "<li>2026-11-20 Follow up the framework agreement" in html.get_content()
    assert api.calls("chat.postMessage") == []  # email only, as chosen


async def test_the_slack_digest_is_block_kit_in_the_users_language(store: Store, api: FakeSlackApi) -> None:
    kari = await setup_user(store, "Kari Oslo", "Europe/Oslo", slack_id="UOSLO")
    async with store.transaction() as s:
        user = await s.get(User, kari.user_id)
        assert user is not None
        user.language = "nb"  # type: ignore[assignment]
    await give_task(store, kari, date(2026, 11, 23))
    await scheduler(store, api, Clock(datetime(2026, 11, 23, 6, 31, tzinfo=UTC))).tick()
    [post] = api.calls("chat.postMessage")
    blocks = json.dumps(post.json_param("blocks"), ensure_ascii=False)
    assert "Dagen din, 2026-11-23" in blocks and "Oppgaver som forfaller eller er forfalt" in blocks


async def test_digest_previews_now_and_settings_change_the_time(store: Store) -> None:
    kari = await setup_user(store, "Kari Oslo", "Europe/Oslo")
    talk = Conversation(store, kari)
    [preview] = await talk.handle("digest")
    assert isinstance(preview, DigestReply) and preview.digest.empty
    [saved] = await talk.handle("settings digest 06:45")
    assert isinstance(saved, Text) and saved.tone is Tone.SUCCESS and "06:45" in saved.message
    [refused] = await talk.handle("settings timezone Mars/Olympus")
    assert isinstance(refused, Text) and refused.tone is Tone.ERROR
    async with store.reading() as s:
        user = await s.get(User, kari.user_id)
        assert user is not None and user.digest_time == time(6, 45) and user.time_zone == "Europe/Oslo"


async def test_what_colleagues_did_on_my_customers_is_in_my_digest_but_not_theirs(
    store: Store, bob: Actor
) -> None:
    kari = await setup_user(store, "Kari Oslo", "Europe/Oslo")
    async with store.transaction() as s:
        acme = await customers.create_customer(s, kari, "Acme AS")
        await activities.log_activity(
            s, bob, kind=ActivityKind.CALL, subject="Pricing questions", customer_id=acme.id
        )
        await activities.log_activity(
            s, kari, kind=ActivityKind.NOTE, subject="My own note", customer_id=acme.id
        )
    async with store.reading() as s:
        mine = await digests.build_digest(s, kari)
        theirs = await digests.build_digest(s, bob)
    assert [a.subject for a in mine.activity_on_my_customers] == ["Pricing questions"]
    assert theirs.activity_on_my_customers == []
