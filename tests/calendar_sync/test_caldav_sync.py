"""CalDAV calendars on a real Radicale: events with contacts become meetings on the customer card, changes
move them, cancellations and removals cancel them, and nothing is ever duplicated."""

from __future__ import annotations

from datetime import UTC, datetime

import aiohttp
from sqlalchemy import update

from calendar_sync.settings import CalendarSettings
from calendar_sync.sync import sync_source
from store.actor import Actor
from store.db import Store
from store.models import Activity, Visibility
from store.services import contacts
from tests.calendar_sync.conftest import NOW, add_caldav, make_crm, meetings, vcalendar, vevent
from tests.servers.radicale import RadicaleServer


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


async def test_a_new_event_with_a_contact_becomes_a_meeting_on_the_customer(
    store: Store,
    alice: Actor,
    radicale: RadicaleServer,
    settings: CalendarSettings,
    http: aiohttp.ClientSession,
) -> None:
    crm = await make_crm(store, alice)
    url = radicale.make_calendar("alice")
    event = vevent(
        "m1@example",
        "20261105T090000",
        "20261105T100000",
        summary="Renewal",
        organizer="alice.sales@firm.example",
        attendees=("kari@acme.no",),
        extra="LOCATION:Acme HQ\r\nDESCRIPTION:Bring the proposal\r\n",
    )
    radicale.put(url, "alice", "m1.ics", vcalendar(event))
    radicale.put(
        url,
        "alice",
        "private.ics",
        vcalendar(vevent("dentist@example", "20261106T090000", "20261106T100000")),
    )
    source = await add_caldav(store, alice, settings, radicale, "alice", url)

    result = await sync_source(store, source, settings=settings, http=http, now=NOW)

    assert result.ok, result.error
    assert result.mode == "sync-collection (initial)"
    [meeting] = await meetings(store)  # the dentist has no contact: not a CRM meeting
    assert meeting.subject == "Renewal"
    assert meeting.external_id == "m1@example"
    assert meeting.customer_id == crm.acme
    assert meeting.contacts == [crm.kari]
    assert meeting.participants == [alice.user_id]
    assert meeting.owner_id == alice.user_id
    assert meeting.start_at == utc(2026, 11, 5, 8, 0)  # 09:00 in Oslo, CET
    assert meeting.end_at == utc(2026, 11, 5, 9, 0)
    assert meeting.body == "Location: Acme HQ\n\nBring the proposal"
    assert not meeting.cancelled and not meeting.all_day

    again = await sync_source(store, source, settings=settings, http=http, now=NOW)
    assert again.ok and again.mode == "unchanged" and again.fetched == 0
    assert len(await meetings(store)) == 1


async def test_moved_and_cancelled_events_move_and_cancel_the_meeting_but_keep_the_users_notes(
    store: Store,
    alice: Actor,
    radicale: RadicaleServer,
    settings: CalendarSettings,
    http: aiohttp.ClientSession,
) -> None:
    await make_crm(store, alice)
    url = radicale.make_calendar("alice")
    kari = ("kari@acme.no",)
    radicale.put(
        url, "alice", "a.ics", vcalendar(vevent("a@x", "20261105T090000", "20261105T100000", attendees=kari))
    )
    radicale.put(
        url, "alice", "b.ics", vcalendar(vevent("b@x", "20261106T090000", "20261106T100000", attendees=kari))
    )
    radicale.put(
        url, "alice", "c.ics", vcalendar(vevent("c@x", "20261107T090000", "20261107T100000", attendees=kari))
    )
    source = await add_caldav(store, alice, settings, radicale, "alice", url)
    assert (await sync_source(store, source, settings=settings, http=http, now=NOW)).ok
    async with store.transaction() as s:  # the user writes notes on the meetings
        await s.execute(update(Activity).values(body="Notes from the user"))

    radicale.put(
        url,
        "alice",
        "a.ics",
        vcalendar(
            vevent(
                "a@x",
                "20261112T130000",
                "20261112T143000",
                summary="Moved",
                attendees=kari,
                extra="SEQUENCE:1\r\n",
            )
        ),
    )
    radicale.put(
        url,
        "alice",
        "b.ics",
        vcalendar(
            vevent(
                "b@x",
                "20261106T090000",
                "20261106T100000",
                attendees=kari,
                extra="STATUS:CANCELLED\r\nSEQUENCE:1\r\n",
            )
        ),
    )
    radicale.delete(url, "alice", "c.ics")
    result = await sync_source(store, source, settings=settings, http=http, now=NOW)

    assert result.ok, result.error
    assert result.mode == "sync-collection"
    assert (result.report.updated, result.report.cancelled, result.report.unlinked) == (2, 2, 1)
    by_id = {m.external_id: m for m in await meetings(store)}
    assert len(by_id) == 3  # nothing deleted, nothing duplicated
    assert (by_id["a@x"].start_at, by_id["a@x"].end_at) == (
        utc(2026, 11, 12, 12, 0),
        utc(2026, 11, 12, 13, 30),
    )
    assert by_id["a@x"].subject == "Moved" and not by_id["a@x"].cancelled
    assert by_id["b@x"].cancelled
    assert by_id["c@x"].cancelled  # removed from the calendar
    assert {m.body for m in by_id.values()} == {"Notes from the user"}

    # Un-cancelled when it comes back.
    radicale.put(
        url,
        "alice",
        "b.ics",
        vcalendar(
            vevent(
                "b@x",
                "20261106T090000",
                "20261106T100000",
                attendees=kari,
                extra="STATUS:CONFIRMED\r\nSEQUENCE:2\r\n",
            )
        ),
    )
    assert (await sync_source(store, source, settings=settings, http=http, now=NOW)).ok
    assert not {m.external_id: m for m in await meetings(store)}["b@x"].cancelled


WEEKLY = (
    vevent(
        "weekly@x",
        "20261019T090000",
        "20261019T093000",
        summary="Weekly status",
        organizer="kari@acme.no",
        attendees=("alice.sales@firm.example",),
        extra="RRULE:FREQ=WEEKLY;COUNT=6\r\n",
    )
    + vevent(
        "weekly@x",
        "20261103T140000",
        "20261103T143000",
        summary="Weekly status (moved)",
        organizer="kari@acme.no",
        attendees=("alice.sales@firm.example",),
        extra="RECURRENCE-ID;TZID=Europe/Oslo:20261102T090000\r\nSEQUENCE:1\r\n",
    )
    + vevent(
        "weekly@x",
        "20261109T090000",
        "20261109T093000",
        summary="Weekly status",
        extra="RECURRENCE-ID;TZID=Europe/Oslo:20261109T090000\r\nSTATUS:CANCELLED\r\nSEQUENCE:1\r\n",
    )
)


async def test_a_weekly_meeting_with_one_moved_and_one_cancelled_occurrence(
    store: Store,
    alice: Actor,
    radicale: RadicaleServer,
    settings: CalendarSettings,
    http: aiohttp.ClientSession,
) -> None:
    crm = await make_crm(store, alice)
    url = radicale.make_calendar("alice")
    radicale.put(url, "alice", "weekly.ics", vcalendar(WEEKLY))
    source = await add_caldav(store, alice, settings, radicale, "alice", url)

    assert (await sync_source(store, source, settings=settings, http=http, now=NOW)).ok

    found = await meetings(store)
    assert [m.external_id for m in found] == [
        "weekly@x#20261019T070000Z",
        "weekly@x#20261026T080000Z",
        "weekly@x#20261102T080000Z",  # keyed by its RECURRENCE-ID, wherever it moved
        "weekly@x#20261109T080000Z",
        "weekly@x#20261116T080000Z",
        "weekly@x#20261123T080000Z",
    ]
    moved = found[2]
    assert moved.start_at == utc(2026, 11, 3, 13, 0) and moved.subject == "Weekly status (moved)"
    assert moved.customer_id == crm.acme  # the override has no attendees: the series' are used
    assert [m.cancelled for m in found] == [False, False, False, True, False, False]

    # The organiser ends the series early (UNTIL): the later occurrences are cancelled, none deleted.
    series = WEEKLY.replace("RRULE:FREQ=WEEKLY;COUNT=6", "RRULE:FREQ=WEEKLY;UNTIL=20261110T000000Z", 1)
    radicale.put(url, "alice", "weekly.ics", vcalendar(series))
    assert (await sync_source(store, source, settings=settings, http=http, now=NOW)).ok
    found = await meetings(store)
    assert len(found) == 6
    assert [m.cancelled for m in found] == [False, False, False, True, True, True]


async def test_europe_oslo_across_the_dst_changes(
    store: Store,
    alice: Actor,
    radicale: RadicaleServer,
    settings: CalendarSettings,
    http: aiohttp.ClientSession,
) -> None:
    await make_crm(store, alice)
    url = radicale.make_calendar("alice")
    kari = ("kari@acme.no",)
    autumn = vevent(
        "autumn@x",
        "20261019T090000",
        "20261019T100000",
        attendees=kari,
        extra="RRULE:FREQ=WEEKLY;COUNT=2\r\n",
    )
    spring = vevent(
        "spring@x",
        "20270322T090000",
        "20270322T100000",
        attendees=kari,
        extra="RRULE:FREQ=WEEKLY;COUNT=2\r\n",
    )
    floating = vevent("floating@x", "20261026T090000", "20261026T100000", attendees=kari, tzid=None)
    radicale.put(url, "alice", "autumn.ics", vcalendar(autumn))
    radicale.put(url, "alice", "spring.ics", vcalendar(spring))
    radicale.put(url, "alice", "floating.ics", vcalendar(floating))
    source = await add_caldav(store, alice, settings, radicale, "alice", url)

    assert (await sync_source(store, source, settings=settings, http=http, now=NOW)).ok
    # A later sync, when the window reaches March 2027: the spring series is expanded then.
    assert (await sync_source(store, source, settings=settings, http=http, now=utc(2027, 3, 1))).ok

    starts = {m.external_id: m.start_at for m in await meetings(store)}
    assert starts == {
        "autumn@x#20261019T070000Z": utc(2026, 10, 19, 7, 0),  # CEST, UTC+2
        "autumn@x#20261026T080000Z": utc(2026, 10, 26, 8, 0),  # CET after 25 October
        "floating@x": utc(2026, 10, 26, 8, 0),  # floating: the user's zone (Oslo)
        "spring@x#20270322T080000Z": utc(2027, 3, 22, 8, 0),  # CET
        "spring@x#20270329T070000Z": utc(2027, 3, 29, 7, 0),  # CEST after 28 March
    }


async def test_an_all_day_event(
    store: Store,
    alice: Actor,
    radicale: RadicaleServer,
    settings: CalendarSettings,
    http: aiohttp.ClientSession,
) -> None:
    await make_crm(store, alice)
    url = radicale.make_calendar("alice")
    radicale.put(
        url,
        "alice",
        "day.ics",
        vcalendar(
            vevent(
                "offsite@x", "20261106", "20261108", summary="Offsite at Acme", attendees=("kari@acme.no",)
            )
        ),
    )
    source = await add_caldav(store, alice, settings, radicale, "alice", url)

    assert (await sync_source(store, source, settings=settings, http=http, now=NOW)).ok

    [meeting] = await meetings(store)
    assert meeting.all_day
    assert meeting.start_at == utc(2026, 11, 5, 23, 0)  # midnight in Oslo
    assert meeting.end_at == utc(2026, 11, 7, 23, 0)  # DTEND is exclusive: two days


async def test_the_same_meeting_in_two_users_calendars_is_one_activity_with_both_as_participants(
    store: Store,
    alice: Actor,
    bob: Actor,
    radicale: RadicaleServer,
    settings: CalendarSettings,
    http: aiohttp.ClientSession,
) -> None:
    crm = await make_crm(store, alice)
    event = vcalendar(
        vevent(
            "shared@x",
            "20261110T100000",
            "20261110T110000",
            summary="Steering group",
            organizer="kari@acme.no",
            attendees=("alice.sales@firm.example", "bob.sales@firm.example", "ola@nordlys.no"),
        )
    )
    alice_url, bob_url = radicale.make_calendar("alice"), radicale.make_calendar("bob")
    radicale.put(alice_url, "alice", "shared.ics", event)
    radicale.put(bob_url, "bob", "invite.ics", event)
    alice_source = await add_caldav(store, alice, settings, radicale, "alice", alice_url)
    bob_source = await add_caldav(store, bob, settings, radicale, "bob", bob_url)

    assert (await sync_source(store, alice_source, settings=settings, http=http, now=NOW)).ok
    assert (await sync_source(store, bob_source, settings=settings, http=http, now=NOW)).ok

    [meeting] = await meetings(store)
    assert meeting.participants == sorted([alice.user_id, bob.user_id])
    assert meeting.customer_id == crm.acme  # the organiser's customer
    assert meeting.contacts == sorted([crm.kari, crm.ola])

    # Bob deletes his copy: he leaves the meeting, which still happens (it is in Alice's calendar).
    radicale.delete(bob_url, "bob", "invite.ics")
    assert (await sync_source(store, bob_source, settings=settings, http=http, now=NOW)).ok
    [meeting] = await meetings(store)
    assert meeting.participants == [alice.user_id] and not meeting.cancelled

    # Gone from every calendar: cancelled.
    radicale.delete(alice_url, "alice", "shared.ics")
    assert (await sync_source(store, alice_source, settings=settings, http=http, now=NOW)).ok
    [meeting] = await meetings(store)
    assert meeting.participants == [] and meeting.cancelled


async def test_a_stale_copy_in_a_colleagues_calendar_does_not_move_the_meeting_back(
    store: Store,
    alice: Actor,
    bob: Actor,
    radicale: RadicaleServer,
    settings: CalendarSettings,
    http: aiohttp.ClientSession,
) -> None:
    await make_crm(store, alice)
    attendees = ("kari@acme.no", "alice.sales@firm.example", "bob.sales@firm.example")
    new = vcalendar(
        vevent("v@x", "20261111T120000", "20261111T130000", attendees=attendees, extra="SEQUENCE:2\r\n")
    )
    old = vcalendar(
        vevent("v@x", "20261110T100000", "20261110T110000", attendees=attendees, extra="SEQUENCE:1\r\n")
    )
    alice_url, bob_url = radicale.make_calendar("alice"), radicale.make_calendar("bob")
    radicale.put(alice_url, "alice", "v.ics", new)
    radicale.put(bob_url, "bob", "v.ics", old)
    alice_source = await add_caldav(store, alice, settings, radicale, "alice", alice_url)
    bob_source = await add_caldav(store, bob, settings, radicale, "bob", bob_url)

    assert (await sync_source(store, alice_source, settings=settings, http=http, now=NOW)).ok
    assert (await sync_source(store, bob_source, settings=settings, http=http, now=NOW)).ok

    [meeting] = await meetings(store)
    assert meeting.start_at == utc(2026, 11, 11, 11, 0)
    assert meeting.participants == sorted([alice.user_id, bob.user_id])


async def test_only_contacts_the_calendars_owner_may_see_are_matched(
    store: Store,
    alice: Actor,
    bob: Actor,
    radicale: RadicaleServer,
    settings: CalendarSettings,
    http: aiohttp.ClientSession,
) -> None:
    async with store.transaction() as s:  # Bob's owner-only contact, on no customer
        await contacts.add_contact(
            s,
            bob,
            customer_id=None,
            first_name="Secret",
            emails=["secret@hidden.no"],
            visibility=Visibility.OWNER,
        )
    url = radicale.make_calendar("alice")
    radicale.put(
        url, "alice", "s.ics", vcalendar(vevent("s@x", "20261105T090000", attendees=("secret@hidden.no",)))
    )
    source = await add_caldav(store, alice, settings, radicale, "alice", url)

    assert (await sync_source(store, source, settings=settings, http=http, now=NOW)).ok
    assert await meetings(store) == []


async def test_without_sync_collection_etags_find_the_changes(
    store: Store,
    alice: Actor,
    radicale: RadicaleServer,
    settings: CalendarSettings,
    http: aiohttp.ClientSession,
) -> None:
    await make_crm(store, alice)
    url = radicale.make_calendar("alice")
    kari = ("kari@acme.no",)
    for n in range(3):
        radicale.put(
            url, "alice", f"e{n}.ics", vcalendar(vevent(f"e{n}@x", f"2026110{n + 2}T090000", attendees=kari))
        )
    source = await add_caldav(store, alice, settings, radicale, "alice", url)

    first = await sync_source(store, source, settings=settings, http=http, now=NOW, use_sync_collection=False)
    assert first.ok and first.mode == "etags" and first.report.created == 3

    radicale.put(
        url,
        "alice",
        "e0.ics",
        vcalendar(vevent("e0@x", "20261120T090000", attendees=kari, extra="SEQUENCE:1\r\n")),
    )
    radicale.delete(url, "alice", "e1.ics")
    second = await sync_source(
        store, source, settings=settings, http=http, now=NOW, use_sync_collection=False
    )
    assert second.ok and second.mode == "etags"
    assert second.fetched == 1  # only the changed object was fetched
    by_id = {m.external_id: m for m in await meetings(store)}
    assert by_id["e0@x"].start_at == utc(2026, 11, 20, 8, 0)
    assert by_id["e1@x"].cancelled and not by_id["e2@x"].cancelled

    third = await sync_source(store, source, settings=settings, http=http, now=NOW, use_sync_collection=False)
    assert third.mode == "unchanged"  # CTag unchanged: one PROPFIND


async def test_an_expired_sync_token_falls_back_to_a_full_listing(
    store: Store,
    alice: Actor,
    radicale: RadicaleServer,
    settings: CalendarSettings,
    http: aiohttp.ClientSession,
) -> None:
    from store.models import CalendarSource

    await make_crm(store, alice)
    url = radicale.make_calendar("alice")
    kari = ("kari@acme.no",)
    radicale.put(url, "alice", "a.ics", vcalendar(vevent("a@x", "20261105T090000", attendees=kari)))
    radicale.put(url, "alice", "b.ics", vcalendar(vevent("b@x", "20261106T090000", attendees=kari)))
    source = await add_caldav(store, alice, settings, radicale, "alice", url)
    assert (await sync_source(store, source, settings=settings, http=http, now=NOW)).ok
    async with store.transaction() as s:
        await s.execute(update(CalendarSource).values(sync_token="http://radicale.org/ns/sync/bogus"))
    radicale.delete(url, "alice", "b.ics")

    result = await sync_source(store, source, settings=settings, http=http, now=NOW)

    assert result.ok and result.mode == "sync-collection (token expired)"
    assert result.fetched == 0  # a's ETag is known
    assert [m.cancelled for m in await meetings(store)] == [False, True]


async def test_colleagues_among_the_attendees_take_part_and_a_declined_invitation_is_not_a_meeting(
    store: Store,
    alice: Actor,
    bob: Actor,
    radicale: RadicaleServer,
    settings: CalendarSettings,
    http: aiohttp.ClientSession,
) -> None:
    await make_crm(store, alice)
    url = radicale.make_calendar("alice")
    radicale.put(
        url,
        "alice",
        "with-bob.ics",
        vcalendar(
            vevent("with-bob@x", "20261105T090000", attendees=("kari@acme.no", "bob.sales@firm.example"))
        ),
    )
    declined = vevent(
        "declined@x",
        "20261106T090000",
        organizer="kari@acme.no",
        extra="ATTENDEE;PARTSTAT=DECLINED:mailto:alice.sales@firm.example\r\n",
    )
    radicale.put(url, "alice", "declined.ics", vcalendar(declined))
    source = await add_caldav(store, alice, settings, radicale, "alice", url)

    assert (await sync_source(store, source, settings=settings, http=http, now=NOW)).ok

    [meeting] = await meetings(store)  # Bob has no calendar in kundebot, but he is in the meeting
    assert meeting.external_id == "with-bob@x"
    assert meeting.participants == sorted([alice.user_id, bob.user_id])


async def test_a_sync_in_several_batches_is_the_same_and_applying_twice_changes_nothing(
    store: Store,
    alice: Actor,
    radicale: RadicaleServer,
    settings: CalendarSettings,
    http: aiohttp.ClientSession,
) -> None:
    import dataclasses

    from calendar_sync.caldav_source import CalDAVClient
    from calendar_sync.ical import Window, read_calendar_object
    from store.services import calendar as calendar_service

    await make_crm(store, alice)
    url = radicale.make_calendar("alice")
    kari = ("kari@acme.no",)
    for n in range(7):
        radicale.put(
            url, "alice", f"e{n}.ics", vcalendar(vevent(f"e{n}@x", f"2026110{n + 1}T090000", attendees=kari))
        )
    radicale.put(url, "alice", "w.ics", vcalendar(WEEKLY))
    source = await add_caldav(store, alice, settings, radicale, "alice", url)
    small = dataclasses.replace(settings, batch=2)

    result = await sync_source(store, source, settings=small, http=http, now=NOW)
    assert result.ok and result.report.created == 13 and result.report.objects == 8

    # The same objects applied again, in one batch: nothing changes.
    changed, _, _ = await CalDAVClient(
        http, url, username="alice", password=radicale.users["alice"]
    ).sync_collection(None)
    window = Window.around(NOW)
    objects = [read_calendar_object(r.href, r.etag, r.data or "", window, alice.tz)[0] for r in changed]
    before = await meetings(store)
    async with store.transaction() as s:
        source_row = await calendar_service.get_source(s, source)
        report = await calendar_service.apply_objects(
            s, source_row, alice, "alice.sales@firm.example", objects, window_start=window.start, now=NOW
        )
    assert (report.created, report.updated, report.cancelled, report.linked, report.unlinked) == (
        0,
        0,
        0,
        0,
        0,
    )
    assert await meetings(store) == before
