"""Calendar sync inside `kundebot serve` (SPEC §7, §10): the worker loop, the private feed route, and
booking a meeting from chat into the user's CalDAV calendar.

- `run_calendar_worker(store, settings, stop_event)`: every `poll` seconds (with jitter) it takes the sources
  whose turn has come, claims each with a lease (a conditional UPDATE, so replicas on one PostgreSQL never
  sync the same source at once), syncs up to `concurrency` of them at a time, and records the outcome;
  errors push a source's next run back exponentially.
- `add_feed_routes(app, store)`: `GET /calendar/{token}.ics`; any wrong token gets the same bare 404.
- `book_meeting(...)`: the activity first (source `calendar`, external id = the event's UID), then a PUT of
  the VEVENT with ATTENDEE lines; the next sync finds the same UID (and usually the same ETag) and adds
  nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import os
import random
import re
import socket
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import urljoin

import aiohttp
import icalendar
from aiohttp import web
from aiohttp.abc import AbstractAccessLogger

from calendar_sync.caldav_source import CalDAVClient, CalDAVError, normalise_href
from calendar_sync.credentials import Cipher, SecretKeyError, require_cipher
from calendar_sync.feed import render_feed
from calendar_sync.settings import CalendarSettings
from calendar_sync.sync import SyncResult, sync_source
from store.actor import Actor
from store.db import Store
from store.errors import InvalidInput
from store.models import User
from store.services import calendar as service
from store.types import utcnow

log = logging.getLogger(__name__)

FEED_HISTORY = timedelta(days=180)
Clock = Callable[[], datetime]


# --- start-up ---------------------------------------------------------------------------------------------


async def check_secret_key(store: Store, cipher: Cipher | None) -> None:
    """Raise SecretKeyError when credentials are stored but the key is missing or does not open them."""
    async with store.reading() as session:
        token = await service.a_stored_secret(session)
    if token is not None:
        require_cipher(cipher).decrypt(token)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


# --- the worker -------------------------------------------------------------------------------------------


async def _claim_and_sync(
    store: Store,
    source_ids: Sequence[int],
    *,
    settings: CalendarSettings,
    http: aiohttp.ClientSession,
    owner: str,
    now: datetime,
    only_if_due: bool,
) -> list[SyncResult]:
    gate = asyncio.Semaphore(settings.concurrency)

    async def one(source_id: int) -> SyncResult:
        async with gate:
            async with store.transaction() as session:
                claimed = await service.claim_source(
                    session,
                    source_id,
                    owner=owner,
                    now=now,
                    lease=timedelta(seconds=settings.lease),
                    only_if_due=only_if_due,
                )
            if not claimed:
                return SyncResult(source_id, skipped=True)
            return await sync_source(store, source_id, settings=settings, http=http, owner=owner, now=now)

    return list(await asyncio.gather(*(one(i) for i in source_ids)))


async def sync_due(
    store: Store,
    settings: CalendarSettings,
    *,
    http: aiohttp.ClientSession,
    owner: str,
    now: datetime | None = None,
    limit: int = 100,
) -> list[SyncResult]:
    """One round of the worker: sync every source whose turn has come and that no replica holds."""
    now = now or utcnow()
    async with store.reading() as session:
        due = await service.due_source_ids(session, now=now, limit=limit)
    return await _claim_and_sync(
        store, due, settings=settings, http=http, owner=owner, now=now, only_if_due=True
    )


async def sync_now(
    store: Store,
    settings: CalendarSettings,
    *,
    user_id: int | None = None,
    source_id: int | None = None,
    http: aiohttp.ClientSession | None = None,
    now: datetime | None = None,
) -> list[SyncResult]:
    """Sync the given (or all active) sources at once, whatever their schedule; still one replica each."""
    async with store.reading() as session:
        ids = [
            s.id
            for s in await service.sources(session, user_id=user_id)
            if s.active and (source_id is None or s.id == source_id)
        ]
    async with contextlib.AsyncExitStack() as stack:
        client = http if http is not None else await stack.enter_async_context(aiohttp.ClientSession())
        return await _claim_and_sync(
            store,
            ids,
            settings=settings,
            http=client,
            owner=worker_name(),
            now=now or utcnow(),
            only_if_due=False,
        )


async def run_calendar_worker(
    store: Store,
    settings: CalendarSettings,
    stop_event: asyncio.Event,
    *,
    clock: Clock = utcnow,
    owner: str | None = None,
) -> None:
    """Sync calendars until `stop_event` is set. Raises SecretKeyError at once when credentials are stored
    and the key cannot open them."""
    await check_secret_key(store, settings.cipher)
    owner = owner or worker_name()
    failures = 0
    log.info("calendar worker %s: every %.0f s", owner, settings.interval)
    async with contextlib.AsyncExitStack() as stack:
        http = await stack.enter_async_context(aiohttp.ClientSession())
        while not stop_event.is_set():
            try:
                results = await sync_due(store, settings, http=http, owner=owner, now=clock())
                failures = 0
                if results:
                    log.debug("calendar worker: %d source(s) synced", sum(r.ok for r in results))
            except Exception:  # noqa: BLE001 - the database may be away for a while; keep going
                failures += 1
                log.exception("calendar worker: round failed (%d in a row)", failures)
            delay = min(settings.max_backoff, settings.poll * 2 ** min(failures, 10))
            delay *= random.uniform(1 - settings.jitter, 1 + settings.jitter)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop_event.wait(), timeout=delay)


async def start_calendar_worker(
    store: Store, stop_event: asyncio.Event, settings: CalendarSettings | None = None
) -> asyncio.Task[None]:
    """For `kundebot serve`: check the key first (a clear start-up error), then run the worker."""
    settings = settings or CalendarSettings.from_env()
    try:
        await check_secret_key(store, settings.cipher)
    except SecretKeyError as exc:
        raise SystemExit(f"kundebot: {exc}") from None
    return asyncio.create_task(run_calendar_worker(store, settings, stop_event), name="calendar-worker")


async def stop_calendar_worker(
    task: asyncio.Task[None], stop_event: asyncio.Event, *, grace: float = 10.0
) -> None:
    """Ask the worker to stop; after `grace` seconds cancel it (a sync cut short is simply redone: the
    server's sync state is saved only after the store has committed)."""
    stop_event.set()
    try:
        await asyncio.wait_for(asyncio.shield(task), grace)
    except TimeoutError:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


# --- the private feed -------------------------------------------------------------------------------------

FEED_PATH = re.compile(r"/calendar/[^/?]*")


def feed_url(base_url: str | None, token: str) -> str:
    return f"{(base_url or 'http://127.0.0.1:3000').rstrip('/')}/calendar/{token}.ics"


def _not_found() -> web.Response:
    return web.Response(status=404, text="Not found", content_type="text/plain")


def add_feed_routes(app: web.Application, store: Store, *, clock: Clock = utcnow) -> None:
    """`GET /calendar/{token}.ics`: the token's user's meetings and dated tasks they may see."""

    async def feed(request: web.Request) -> web.StreamResponse:
        name = request.match_info.get("name", "")
        if not name.endswith(".ics"):
            return _not_found()
        now = clock()
        async with store.reading() as session:
            user = await service.user_for_feed_token(session, name[: -len(".ics")])
            if user is None:
                return _not_found()
            actor = Actor.of(user)
            entries = await service.feed_entries(session, actor, since=now - FEED_HISTORY)
        body = render_feed(entries, name=user.name, zone=actor.tz, now=now)
        etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
        headers = {"ETag": etag, "Cache-Control": "private, max-age=300", "X-Robots-Tag": "noindex"}
        if etag in request.headers.get("If-None-Match", ""):
            return web.Response(status=304, headers=headers)
        return web.Response(body=body, content_type="text/calendar", charset="utf-8", headers=headers)

    app.router.add_get("/calendar/{name}", feed)


class RedactingAccessLogger(AbstractAccessLogger):
    """aiohttp's access log without feed tokens (a feed URL is a password)."""

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        path = FEED_PATH.sub("/calendar/<token>", request.path)
        self.logger.info('%s "%s %s" %s %.3fs', request.remote, request.method, path, response.status, time)


# --- booking from chat ------------------------------------------------------------------------------------


@dataclass
class BookedMeeting:
    activity_id: int
    uid: str
    written: bool  # the event is in the user's CalDAV calendar
    # Why not: `error` in English (logs), `error_key` and `error_values` for the chat in the user's language.
    error: str | None = None
    error_key: str | None = None  # under "booking." in bot/i18n.py
    error_values: dict[str, str] = field(default_factory=dict)


def booking_ics(
    *,
    uid: str,
    subject: str,
    start: datetime,
    end: datetime,
    organizer: tuple[str, str],
    attendees: Sequence[tuple[str, str]],
    description: str | None,
    location: str | None,
    now: datetime,
) -> str:
    """A VCALENDAR with one VEVENT: times in the given zone with its VTIMEZONE, organiser and attendees."""
    calendar = icalendar.Calendar()
    calendar.add("PRODID", "-//kundebot//meeting booked from chat//EN")
    calendar.add("VERSION", "2.0")
    event = icalendar.Event()
    event.add("UID", uid)
    event.add("DTSTAMP", now)
    event.add("CREATED", now)
    event.add("LAST-MODIFIED", now)
    event.add("SEQUENCE", 0)
    event.add("DTSTART", start)
    event.add("DTEND", end)
    event.add("SUMMARY", subject)
    event.add("STATUS", "CONFIRMED")
    if description:
        event.add("DESCRIPTION", description)
    if location:
        event.add("LOCATION", location)
    name, email = organizer
    event.add("ORGANIZER", f"mailto:{email}", parameters={"CN": name})
    event.add(
        "ATTENDEE",
        f"mailto:{email}",
        parameters={"CN": name, "ROLE": "CHAIR", "PARTSTAT": "ACCEPTED"},
    )
    for attendee_name, attendee_email in attendees:
        event.add(
            "ATTENDEE",
            f"mailto:{attendee_email}",
            parameters={
                "CN": attendee_name,
                "ROLE": "REQ-PARTICIPANT",
                "PARTSTAT": "NEEDS-ACTION",
                "RSVP": "TRUE",
                "CUTYPE": "INDIVIDUAL",
            },
        )
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical().decode()


async def book_meeting(
    store: Store,
    actor: Actor,
    *,
    subject: str,
    start: datetime,
    end: datetime,
    customer_id: int | None = None,
    contact_ids: Sequence[int] = (),
    body: str | None = None,
    location: str | None = None,
    settings: CalendarSettings | None = None,
    http: aiohttp.ClientSession | None = None,
    now: datetime | None = None,
) -> BookedMeeting:
    """Book a meeting from chat: the activity (with the contacts, on the customer) and, when the user has a
    CalDAV calendar, the event in it with the same UID. Store errors (a hidden customer, an end before the
    start, a read-only user) raise as usual; a calendar that cannot be written leaves the activity in place
    and says why in `error`."""
    if start.tzinfo is None or end.tzinfo is None:
        raise InvalidInput("A meeting's start and end need a time zone.", field_name="start")
    settings = settings or CalendarSettings.from_env()
    now = now or utcnow()
    uid = f"{uuid.uuid4()}@kundebot"
    async with store.transaction() as session:
        activity = await service.create_booked_meeting(
            session,
            actor,
            uid=uid,
            subject=subject,
            start=start,
            end=end,
            customer_id=customer_id,
            contact_ids=contact_ids,
            body=body,
        )
        user = await session.get(User, actor.user_id)
        assert user is not None
        attendees = [(c.full_name, c.primary_email) for c in activity.contacts if c.primary_email]
        source = await service.caldav_source_of(session, actor.user_id)
    booked = BookedMeeting(activity.id, uid, written=False)
    if source is None:
        booked.error = "You have no CalDAV calendar in kundebot, so the meeting is only in the CRM."
        booked.error_key = "no_calendar"
        return booked
    text = booking_ics(
        uid=uid,
        subject=activity.subject,
        start=start.astimezone(actor.tz),
        end=end.astimezone(actor.tz),
        organizer=(user.name, user.email),
        attendees=[(n, e) for n, e in attendees if e],
        description=body,
        location=location,
        now=now,
    )
    try:
        secret = (
            require_cipher(settings.cipher).decrypt(source.secret_encrypted)
            if source.secret_encrypted
            else None
        )
        async with contextlib.AsyncExitStack() as stack:
            client_http = (
                http if http is not None else await stack.enter_async_context(aiohttp.ClientSession())
            )
            client = CalDAVClient(
                client_http,
                source.url,
                username=source.username,
                password=secret.password if secret else None,
                timeout=settings.timeout,
            )
            href = normalise_href(urljoin(client.url, uid.split("@")[0] + ".ics"))
            etag = await client.put(href, text)
    except (CalDAVError, SecretKeyError) as exc:
        booked.error = f"The meeting is in the CRM but could not be written to your calendar: {exc}"
        booked.error_key, booked.error_values = "not_written", {"reason": str(exc)}
        log.warning("booking %s: calendar source %s: %s", activity.id, source.id, exc)
        return booked
    async with store.transaction() as session:
        await service.record_written_object(
            session, source.id, href=href, etag=etag, uid=uid, activity_id=activity.id
        )
    booked.written = True
    return booked
