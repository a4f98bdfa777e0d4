"""The worker inside `kundebot serve`: schedule with jitter, backoff on errors, and leases so that replicas on
one database never sync the same source at once."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable
from datetime import timedelta

import aiohttp
from sqlalchemy import update

from calendar_sync.service import run_calendar_worker, sync_due
from calendar_sync.settings import CalendarSettings
from calendar_sync.sync import next_run
from store.actor import Actor
from store.db import Store
from store.models import CalendarSource
from store.services import calendar as calendar_service
from tests.calendar_sync.conftest import NOW, FeedServer, add_feed, make_crm, meetings, vcalendar, vevent


def test_the_next_run_is_the_interval_with_jitter_and_doubles_per_error_up_to_the_cap() -> None:
    settings = CalendarSettings(interval=300, jitter=0.1, max_backoff=3600)
    rng = random.Random(7)
    waits = [(next_run(settings, NOW, rng=rng) - NOW).total_seconds() for _ in range(200)]
    assert 270 <= min(waits) < 285 and 315 < max(waits) <= 330  # spread over ±10%
    exact = CalendarSettings(interval=300, jitter=0.0, max_backoff=3600)
    backoff = [(next_run(exact, NOW, errors=n) - NOW).total_seconds() for n in range(1, 6)]
    assert backoff == [600, 1200, 2400, 3600, 3600]


async def test_two_replicas_sync_each_due_source_exactly_once(
    store: Store,
    database_url: str,
    alice: Actor,
    feed_server: FeedServer,
    settings: CalendarSettings,
    http: aiohttp.ClientSession,
) -> None:
    await make_crm(store, alice)
    names = [f"f{n}.ics" for n in range(8)]
    for n, name in enumerate(names):
        url = feed_server.publish(
            name, vcalendar(vevent(f"e{n}@x", "20261105T090000", attendees=("kari@acme.no",)))
        )
        await add_feed(store, alice, settings, url)
    other = Store(database_url)  # a second replica: its own engine and connections
    try:
        first, second = await asyncio.gather(
            sync_due(store, settings, http=http, owner="replica-a", now=NOW),
            sync_due(other, settings, http=http, owner="replica-b", now=NOW),
        )
    finally:
        await other.dispose()

    synced = [r.source_id for r in first + second if not r.skipped]
    assert sorted(synced) == sorted(set(synced)) and len(synced) == 8
    assert all(feed_server.statuses(name) == [200] for name in names)  # each feed fetched once
    assert len(await meetings(store)) == 8
    # Nothing is due again until the interval has passed.
    assert (
        await sync_due(store, settings, http=http, owner="replica-a", now=NOW + timedelta(seconds=200)) == []
    )


async def test_a_lease_held_by_a_replica_that_died_is_taken_over_when_it_expires(
    store: Store,
    alice: Actor,
    feed_server: FeedServer,
    settings: CalendarSettings,
    http: aiohttp.ClientSession,
) -> None:
    source = await add_feed(store, alice, settings, feed_server.publish("x.ics", vcalendar()))
    async with store.transaction() as s:
        assert await calendar_service.claim_source(
            s, source, owner="dead-replica", now=NOW, lease=timedelta(seconds=settings.lease)
        )
    assert await sync_due(store, settings, http=http, owner="alive", now=NOW + timedelta(seconds=60)) == []
    later = NOW + timedelta(seconds=settings.lease + 1)
    [result] = await sync_due(store, settings, http=http, owner="alive", now=later)
    assert result.ok
    async with store.reading() as s:
        [status] = await calendar_service.source_statuses(s, now=later)
    assert status.leased_by is None and status.last_sync_at == later


async def test_the_worker_loop_syncs_on_schedule_backs_off_on_errors_and_stops(
    store: Store, alice: Actor, feed_server: FeedServer, settings: CalendarSettings
) -> None:
    await make_crm(store, alice)
    good = await add_feed(
        store,
        alice,
        settings,
        feed_server.publish(
            "good.ics", vcalendar(vevent("g@x", "20261105T090000", attendees=("kari@acme.no",)))
        ),
    )
    await add_feed(store, alice, settings, f"{feed_server.base_url}/feeds/missing.ics")
    clock = {"now": NOW}
    fast = CalendarSettings(interval=300, jitter=0.0, poll=0.02, max_backoff=3600, cipher=settings.cipher)
    stop = asyncio.Event()
    worker = asyncio.create_task(
        run_calendar_worker(store, fast, stop, clock=lambda: clock["now"], owner="w1")
    )

    async def wait_for(predicate: Callable[[], bool]) -> None:
        async with asyncio.timeout(10):
            while not predicate():  # noqa: ASYNC110 - polling the feed server's request log
                await asyncio.sleep(0.02)

    await wait_for(
        lambda: feed_server.statuses("good.ics") == [200] and len(feed_server.statuses("missing.ics")) == 1
    )
    await asyncio.sleep(0.1)  # several polls: nothing is due yet
    assert feed_server.statuses("good.ics") == [200] and feed_server.statuses("missing.ics") == [404]

    clock["now"] = NOW + timedelta(seconds=301)  # the good one is due; the failing one waits 600 s
    await wait_for(lambda: feed_server.statuses("good.ics") == [200, 304])
    await asyncio.sleep(0.1)
    assert feed_server.statuses("missing.ics") == [404]
    clock["now"] = NOW + timedelta(seconds=601)
    await wait_for(lambda: feed_server.statuses("missing.ics") == [404, 404])

    stop.set()
    await asyncio.wait_for(worker, timeout=5)
    async with store.reading() as s:
        statuses = {st.id: st for st in await calendar_service.source_statuses(s)}
    assert statuses[good].last_error is None and statuses[good].meetings == 1
    failing = next(st for st in statuses.values() if st.id != good)
    assert failing.error_count == 2 and failing.next_sync_at == NOW + timedelta(seconds=601 + 1200)


async def test_an_inactive_source_is_not_synced(
    store: Store,
    alice: Actor,
    feed_server: FeedServer,
    settings: CalendarSettings,
    http: aiohttp.ClientSession,
) -> None:
    source = await add_feed(store, alice, settings, feed_server.publish("p.ics", vcalendar()))
    async with store.transaction() as s:
        await s.execute(update(CalendarSource).where(CalendarSource.id == source).values(active=False))
    assert await sync_due(store, settings, http=http, owner="w", now=NOW) == []


async def test_serve_starts_the_worker_and_stops_it_gracefully(
    store: Store, alice: Actor, feed_server: FeedServer, settings: CalendarSettings
) -> None:
    from calendar_sync.service import start_calendar_worker, stop_calendar_worker

    await add_feed(store, alice, settings, feed_server.publish("s.ics", vcalendar()))
    stop = asyncio.Event()
    quick = CalendarSettings(interval=300, poll=0.02, cipher=settings.cipher)
    task = await start_calendar_worker(store, stop, quick)
    async with asyncio.timeout(10):
        while not feed_server.statuses("s.ics"):  # noqa: ASYNC110 - polling the feed server's request log
            await asyncio.sleep(0.02)
    await stop_calendar_worker(task, stop, grace=5)
    assert task.done() and task.exception() is None
