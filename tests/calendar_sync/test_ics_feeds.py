"""Read-only iCalendar feeds from a local aiohttp server: conditional GET, per-UID changes, broken data."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import aiohttp

from calendar_sync.settings import CalendarSettings
from calendar_sync.sync import sync_source
from store.actor import Actor
from store.db import Store
from store.services import calendar as calendar_service
from tests.calendar_sync.conftest import NOW, FeedServer, add_feed, make_crm, meetings, vcalendar, vevent

DATA = Path(__file__).parents[1] / "data" / "calendar"


async def test_a_feed_is_fetched_conditionally_and_changes_are_applied_per_uid(
    store: Store,
    alice: Actor,
    feed_server: FeedServer,
    settings: CalendarSettings,
    http: aiohttp.ClientSession,
) -> None:
    await make_crm(store, alice)
    kari = ("kari@acme.no",)
    one = vevent("one@feed", "20261105T090000", "20261105T100000", attendees=kari)
    two = vevent("two@feed", "20261106T090000", "20261106T100000", attendees=kari)
    url = feed_server.publish("alice.ics", vcalendar(one, two))
    source = await add_feed(store, alice, settings, url + "?token=s3cret")

    first = await sync_source(store, source, settings=settings, http=http, now=NOW)
    assert first.ok, first.error
    assert first.report.created == 2

    second = await sync_source(store, source, settings=settings, http=http, now=NOW)
    assert second.ok and second.mode == "not modified"
    assert feed_server.statuses("alice.ics") == [200, 304]

    moved = vevent("one@feed", "20261112T090000", "20261112T100000", attendees=kari, extra="SEQUENCE:1\r\n")
    feed_server.publish("alice.ics", vcalendar(moved, two.replace("Meeting", "Meeting")))
    third = await sync_source(store, source, settings=settings, http=http, now=NOW)
    assert third.ok and third.fetched == 1  # "two" is unchanged: not parsed again
    assert third.report.updated == 1

    feed_server.publish("alice.ics", vcalendar(moved))  # "two" disappears from the feed
    fourth = await sync_source(store, source, settings=settings, http=http, now=NOW)
    assert fourth.ok and fourth.report.cancelled == 1
    found = {m.external_id: m for m in await meetings(store)}
    assert found["one@feed"].start_at == datetime(2026, 11, 12, 8, 0, tzinfo=UTC)
    assert found["two@feed"].cancelled


async def test_a_feed_with_broken_lines_and_an_unknown_tzid_still_syncs_the_rest_and_reports_the_errors(
    store: Store,
    alice: Actor,
    feed_server: FeedServer,
    settings: CalendarSettings,
    http: aiohttp.ClientSession,
) -> None:
    crm = await make_crm(store, alice)
    url = feed_server.publish("broken.ics", (DATA / "broken_feed.ics").read_bytes())
    source = await add_feed(store, alice, settings, url)

    result = await sync_source(store, source, settings=settings, http=http, now=NOW)

    assert result.ok, result.error  # the sync itself succeeded
    found = {m.external_id: m for m in await meetings(store)}
    assert sorted(found) == [
        "after-cut@feed",
        "broken-line@feed",
        "cut-off@feed",
        "good-windows-tz@feed",
        "unknown-tz@feed",
    ]
    assert found["good-windows-tz@feed"].start_at == datetime(2026, 11, 4, 8, 0, tzinfo=UTC)  # its VTIMEZONE
    assert found["unknown-tz@feed"].start_at == datetime(2026, 11, 5, 8, 0, tzinfo=UTC)  # read in Oslo
    assert found["unknown-tz@feed"].customer_id == crm.nordlys
    async with store.reading() as s:
        [status] = await calendar_service.source_statuses(s)
    assert status.last_error is None and status.last_success_at == NOW
    problems = "\n".join(status.problems)
    assert "unknown time zone 'Mars/Olympus_Mons', read as Europe/Oslo" in problems
    assert "'broken-start@feed' (Broken start time): no usable start time; skipped" in problems
    assert "garbage inside an event" in problems
    assert "'cut-off@feed': END:VEVENT is missing" in problems
    assert "An event without a UID (No UID at all) was skipped" in problems
    assert "1 line(s) outside any event" in problems


async def test_a_feed_that_is_gone_is_an_error_with_backoff_and_the_url_is_not_shown(
    store: Store,
    alice: Actor,
    feed_server: FeedServer,
    settings: CalendarSettings,
    http: aiohttp.ClientSession,
) -> None:
    url = f"{feed_server.base_url}/feeds/missing.ics?key=very-secret-key"
    source = await add_feed(store, alice, settings, url)

    result = await sync_source(store, source, settings=settings, http=http, now=NOW)

    assert result.error == "127.0.0.1 has no such feed any more (404)."
    async with store.reading() as s:
        [status] = await calendar_service.source_statuses(s)
    assert status.error_count == 1 and status.last_error == result.error
    assert status.next_sync_at is not None and (status.next_sync_at - NOW).total_seconds() >= 600 * 0.9
    assert "very-secret-key" not in status.url and status.url.endswith("/…/missing.ics")
