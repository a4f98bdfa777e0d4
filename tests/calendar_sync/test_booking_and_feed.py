"""Meetings booked from chat go to the user's CalDAV calendar and come back without a duplicate; each user's
private feed shows their own visible meetings and tasks, and a wrong token reveals nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta

import aiohttp
import icalendar
import pytest
from aiohttp import web

from calendar_sync.service import add_feed_routes, book_meeting
from calendar_sync.settings import CalendarSettings
from calendar_sync.sync import sync_source
from store.actor import Actor
from store.db import Store
from store.models import ActivityKind, Visibility, activity_participants
from store.services import activities, customers
from store.services import calendar as calendar_service
from tests.calendar_sync.conftest import NOW, add_caldav, make_crm, meetings
from tests.servers.postgres import free_port
from tests.servers.radicale import RadicaleServer


async def test_a_meeting_booked_from_chat_is_written_with_attendees_and_round_trips_without_a_duplicate(
    store: Store,
    alice: Actor,
    radicale: RadicaleServer,
    settings: CalendarSettings,
    http: aiohttp.ClientSession,
) -> None:
    crm = await make_crm(store, alice)
    url = radicale.make_calendar("alice")
    source = await add_caldav(store, alice, settings, radicale, "alice", url)
    assert (await sync_source(store, source, settings=settings, http=http, now=NOW)).ok
    start = datetime(2026, 11, 18, 10, 0, tzinfo=alice.tz)

    booked = await book_meeting(
        store,
        alice,
        subject="Contract review",
        start=start,
        end=start + timedelta(hours=1),
        customer_id=crm.acme,
        contact_ids=[crm.kari],
        body="Agenda: prices",
        settings=settings,
        http=http,
        now=NOW,
    )

    assert booked.written, booked.error
    [filename] = radicale.filenames(url, "alice")
    event = icalendar.Calendar.from_ical(radicale.get(url, "alice", filename)).walk("VEVENT")[0]
    assert str(event["UID"]) == booked.uid
    assert event.start == start and event.start.tzinfo is not None
    assert str(event["ORGANIZER"]) == "mailto:alice.sales@firm.example"
    attendees = {str(a): a.params for a in event["ATTENDEE"]}
    assert attendees["mailto:kari@acme.no"]["CN"] == "Kari Nordmann"
    assert attendees["mailto:kari@acme.no"]["PARTSTAT"] == "NEEDS-ACTION"

    result = await sync_source(store, source, settings=settings, http=http, now=NOW)
    assert result.ok and result.fetched == 0  # the server's ETag is the one we stored at PUT
    [meeting] = await meetings(store)
    assert meeting.id == booked.activity_id and meeting.external_id == booked.uid
    assert meeting.start_at == start.astimezone(UTC) and meeting.contacts == [crm.kari]
    assert meeting.participants == [alice.user_id] and meeting.body == "Agenda: prices"

    # Moved in the calendar app: the same activity moves.
    moved = radicale.get(url, "alice", filename).replace(
        "DTSTART;TZID=Europe/Oslo:20261118T100000", "DTSTART;TZID=Europe/Oslo:20261119T100000"
    )
    moved = moved.replace("DTEND;TZID=Europe/Oslo:20261118T110000", "DTEND;TZID=Europe/Oslo:20261119T110000")
    radicale.put(url, "alice", filename, moved.replace("SEQUENCE:0", "SEQUENCE:1"))
    assert (await sync_source(store, source, settings=settings, http=http, now=NOW)).ok
    [meeting] = await meetings(store)
    assert meeting.id == booked.activity_id and meeting.start_at == datetime(2026, 11, 19, 9, 0, tzinfo=UTC)


async def test_booking_without_a_caldav_calendar_keeps_the_meeting_in_the_crm(
    store: Store, alice: Actor, settings: CalendarSettings
) -> None:
    crm = await make_crm(store, alice)
    start = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)
    booked = await book_meeting(
        store,
        alice,
        subject="Call",
        start=start,
        end=start + timedelta(minutes=30),
        contact_ids=[crm.ola],
        settings=settings,
    )
    assert not booked.written and booked.error is not None and "no CalDAV calendar" in booked.error
    [meeting] = await meetings(store)
    assert meeting.customer_id == crm.nordlys and meeting.participants == [alice.user_id]


@pytest.fixture
async def feed_app(store: Store) -> AsyncIterator[str]:
    app = web.Application()
    add_feed_routes(app, store, clock=lambda: NOW)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


async def test_the_private_feed_validates_and_shows_only_the_users_visible_activities(
    store: Store, alice: Actor, bob: Actor, feed_app: str, http: aiohttp.ClientSession
) -> None:
    crm = await make_crm(store, alice)
    at = datetime(2026, 11, 5, 9, 0, tzinfo=UTC)
    async with store.transaction() as s:
        secret = await customers.create_customer(s, bob, "Bobs Hemmelige AS", visibility=Visibility.OWNER)
        mine = await activities.log_activity(
            s,
            alice,
            kind=ActivityKind.MEETING,
            subject="Alice and Kari",
            customer_id=crm.acme,
            start_at=at,
            end_at=at + timedelta(hours=1),
        )
        task = await activities.log_activity(
            s,
            alice,
            kind=ActivityKind.TASK,
            subject="Send offer",
            customer_id=crm.acme,
            due_date=date(2026, 11, 6),
        )
        await activities.log_activity(
            s,
            bob,
            kind=ActivityKind.MEETING,
            subject="Bob alone",
            customer_id=crm.nordlys,
            start_at=at,
            end_at=at + timedelta(hours=1),
        )
        hidden = await activities.log_activity(
            s,
            bob,
            kind=ActivityKind.MEETING,
            subject="Bob's secret deal",
            customer_id=secret.id,
            start_at=at,
            end_at=at + timedelta(hours=1),
        )
        shared = await activities.log_activity(
            s,
            bob,
            kind=ActivityKind.MEETING,
            subject="Bob invited Alice",
            customer_id=crm.nordlys,
            start_at=at,
            end_at=at + timedelta(hours=1),
        )
        await activities.log_activity(
            s, alice, kind=ActivityKind.CALL, subject="A call, not in the feed", start_at=at
        )
        # Alice takes part in Bob's two meetings; she may see only the one on a visible customer.
        for activity_id in (hidden.id, shared.id):
            await s.execute(
                activity_participants.insert().values(activity_id=activity_id, user_id=alice.user_id)
            )
        token = await calendar_service.issue_feed_token(s, alice.user_id)

    async with http.get(f"{feed_app}/calendar/{token}.ics") as response:
        assert response.status == 200
        assert response.content_type == "text/calendar"
        body = await response.read()
        etag = response.headers["ETag"]

    calendar = icalendar.Calendar.from_ical(body)  # validates
    assert calendar.errors == [] and all(e.errors == [] for e in calendar.walk("VEVENT"))
    summaries = sorted(str(e["SUMMARY"]) for e in calendar.walk("VEVENT"))
    assert summaries == [
        "Alice and Kari (Acme AS)",
        "Bob invited Alice (Nordlys Energi AS)",
        "Task: Send offer (Acme AS)",
    ]
    by_uid = {str(e["UID"]): e for e in calendar.walk("VEVENT")}
    assert by_uid[f"kundebot-activity-{mine.id}@kundebot"].start == at
    assert by_uid[f"kundebot-activity-{task.id}@kundebot"].start == date(2026, 11, 6)
    assert b"secret" not in body.lower()

    async with http.get(f"{feed_app}/calendar/{token}.ics", headers={"If-None-Match": etag}) as response:
        assert response.status == 304


async def test_a_wrong_token_gets_a_bare_404_and_a_new_token_replaces_the_old(
    store: Store, alice: Actor, feed_app: str, http: aiohttp.ClientSession
) -> None:
    async with store.transaction() as s:
        old = await calendar_service.issue_feed_token(s, alice.user_id)
        new = await calendar_service.issue_feed_token(s, alice.user_id)
    answers = []
    for path in (
        f"/calendar/{old}.ics",
        "/calendar/nope.ics",
        f"/calendar/{new}",
        "/calendar/" + "x" * 300 + ".ics",
    ):
        async with http.get(feed_app + path) as response:
            answers.append((response.status, await response.text(), response.headers.get("Content-Type")))
    assert answers == [(404, "Not found", "text/plain; charset=utf-8")] * 4
    async with http.get(f"{feed_app}/calendar/{new}.ics") as response:
        assert response.status == 200


async def test_kundebot_serve_serves_the_feed_and_keeps_tokens_out_of_the_access_log(
    store: Store, alice: Actor, http: aiohttp.ClientSession, caplog: pytest.LogCaptureFixture
) -> None:
    from bot.app import SlackSettings
    from bot.server import web_app
    from calendar_sync.service import RedactingAccessLogger
    from tests.servers.slack import running_slack_api

    async with store.transaction() as s:
        token = await calendar_service.issue_feed_token(s, alice.user_id)
    async with running_slack_api() as api:
        app = web_app(store, SlackSettings("xoxb-test", "signing-secret", api_url=api.api_url))
        runner = web.AppRunner(app, access_log_class=RedactingAccessLogger)
        await runner.setup()
        port = free_port()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        try:
            with caplog.at_level("INFO", logger="aiohttp.access"):
                async with http.get(f"http://127.0.0.1:{port}/calendar/{token}.ics") as response:
                    assert response.status == 200
                    assert b"BEGIN:VCALENDAR" in await response.read()
        finally:
            await runner.cleanup()
    lines = [r.getMessage() for r in caplog.records if r.name == "aiohttp.access"]
    assert lines and all(token not in line for line in lines)
    assert any('"GET /calendar/<token>" 200' in line for line in lines)
