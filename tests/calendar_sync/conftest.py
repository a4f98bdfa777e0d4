"""Fixtures for calendar sync: a real Radicale server (one per session, one calendar per test), a local
aiohttp server for iCalendar feeds, settings with a fresh Fernet key, and small builders for events."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime

import aiohttp
import pytest
from aiohttp import web
from cryptography.fernet import Fernet

from calendar_sync.credentials import Cipher, Secret
from calendar_sync.settings import CalendarSettings
from store.actor import Actor
from store.db import Store
from store.models import CalendarSourceKind
from store.services import calendar as calendar_service
from store.services import contacts, customers
from tests.servers.postgres import free_port
from tests.servers.radicale import RadicaleServer, running_radicale

# The sync runs "now" = 1 October 2026 unless a test says otherwise: the window is 1 Sep .. 30 Dec 2026.
NOW = datetime(2026, 10, 1, 8, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
def radicale() -> Iterator[RadicaleServer]:
    with running_radicale() as server:
        yield server


@pytest.fixture(scope="session")
def secret_key() -> str:
    return Fernet.generate_key().decode()


@pytest.fixture
def settings(secret_key: str) -> CalendarSettings:
    return CalendarSettings(interval=300, jitter=0.1, timeout=30, cipher=Cipher(secret_key))


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


@dataclass
class FeedServer:
    """Serves iCalendar feeds from memory with ETag and Last-Modified, answering conditional GETs with 304;
    records every request."""

    base_url: str
    feeds: dict[str, tuple[bytes, str, str]] = field(default_factory=dict)
    requests: list[tuple[str, int]] = field(default_factory=list)
    version: int = 0

    def publish(self, name: str, body: str | bytes) -> str:
        self.version += 1
        data = body.encode() if isinstance(body, str) else body
        modified = format_datetime(
            datetime(2026, 9, 1, tzinfo=UTC).replace(minute=self.version % 60), usegmt=True
        )
        self.feeds[name] = (data, f'"v{self.version}"', modified)
        return f"{self.base_url}/feeds/{name}"

    def statuses(self, name: str) -> list[int]:
        return [status for path, status in self.requests if path.endswith("/" + name)]


@pytest.fixture
async def feed_server() -> AsyncIterator[FeedServer]:
    port = free_port()
    server = FeedServer(f"http://127.0.0.1:{port}")

    async def handle(request: web.Request) -> web.Response:
        name = request.match_info["name"]
        if name not in server.feeds:
            server.requests.append((request.path, 404))
            return web.Response(status=404)
        body, etag, modified = server.feeds[name]
        if request.headers.get("If-None-Match") == etag or (
            "If-None-Match" not in request.headers and request.headers.get("If-Modified-Since") == modified
        ):
            server.requests.append((request.path, 304))
            return web.Response(status=304, headers={"ETag": etag, "Last-Modified": modified})
        server.requests.append((request.path, 200))
        return web.Response(
            body=body, headers={"ETag": etag, "Last-Modified": modified, "Content-Type": "text/calendar"}
        )

    app = web.Application()
    app.router.add_get("/feeds/{name}", handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        yield server
    finally:
        await runner.cleanup()


# --- builders ----------------------------------------------------------------------------------------------


def vcalendar(*events: str, extra: str = "") -> str:
    body = "".join(events)
    return (
        f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//tests//kundebot//EN\r\n{extra}{body}END:VCALENDAR\r\n"
    )


def vevent(
    uid: str,
    start: str,
    end: str | None = None,
    *,
    summary: str = "Meeting",
    attendees: tuple[str, ...] = (),
    organizer: str | None = None,
    extra: str = "",
    tzid: str | None = "Europe/Oslo",
) -> str:
    """A VEVENT; times like "20261105T090000" (in `tzid`, or UTC with a trailing Z, or a date)."""

    def prop(name: str, value: str) -> str:
        if len(value) == 8:
            return f"{name};VALUE=DATE:{value}\r\n"
        if value.endswith("Z") or tzid is None:
            return f"{name}:{value}\r\n"
        return f"{name};TZID={tzid}:{value}\r\n"

    lines = f"BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20260901T000000Z\r\n" + prop("DTSTART", start)
    if end:
        lines += prop("DTEND", end)
    lines += f"SUMMARY:{summary}\r\n"
    if organizer:
        lines += f"ORGANIZER:mailto:{organizer}\r\n"
    for a in attendees:
        lines += f"ATTENDEE;PARTSTAT=ACCEPTED:mailto:{a}\r\n"
    return lines + extra + "END:VEVENT\r\n"


@dataclass
class Crm:
    """A small organisation: two customers with contacts, visible to everyone unless said otherwise."""

    acme: int
    kari: int  # kari@acme.no at Acme
    nordlys: int
    ola: int  # ola@nordlys.no at Nordlys


async def make_crm(store: Store, actor: Actor) -> Crm:
    async with store.transaction() as s:
        acme = await customers.create_customer(s, actor, "Acme AS", allow_similar=True)
        kari = await contacts.add_contact(
            s, actor, customer_id=acme.id, first_name="Kari", last_name="Nordmann", emails=["kari@acme.no"]
        )
        nordlys = await customers.create_customer(s, actor, "Nordlys Energi AS", allow_similar=True)
        ola = await contacts.add_contact(
            s, actor, customer_id=nordlys.id, first_name="Ola", last_name="Hansen", emails=["ola@nordlys.no"]
        )
    return Crm(acme.id, kari.id, nordlys.id, ola.id)


async def add_caldav(
    store: Store, actor: Actor, settings: CalendarSettings, radicale: RadicaleServer, user: str, url: str
) -> int:
    assert settings.cipher is not None
    async with store.transaction() as s:
        source = await calendar_service.add_source(
            s,
            actor,
            user_id=actor.user_id,
            kind=CalendarSourceKind.CALDAV,
            url=url,
            username=user,
            secret_encrypted=settings.cipher.encrypt(Secret(password=radicale.users[user])),
            now=NOW,
        )
    return source.id


async def add_feed(store: Store, actor: Actor, settings: CalendarSettings, url: str) -> int:
    from calendar_sync.ics_feed import redact

    assert settings.cipher is not None
    async with store.transaction() as s:
        source = await calendar_service.add_source(
            s,
            actor,
            user_id=actor.user_id,
            kind=CalendarSourceKind.ICS,
            url=url,
            display_url=redact(url),
            secret_encrypted=settings.cipher.encrypt(Secret(url=url)),
            now=NOW,
        )
    return source.id


@dataclass
class Meeting:
    id: int
    external_id: str
    subject: str
    start_at: datetime
    end_at: datetime
    all_day: bool
    cancelled: bool
    customer_id: int | None
    owner_id: int
    body: str | None
    contacts: list[int]
    participants: list[int]


async def meetings(store: Store) -> list[Meeting]:
    """Every calendar activity, by start."""
    from sqlalchemy import select
    from sqlalchemy.orm import selectinload

    from store.models import Activity, Source

    async with store.reading() as s:
        rows = (
            await s.execute(
                select(Activity)
                .where(Activity.source == Source.CALENDAR)
                .options(selectinload(Activity.contacts))
                .order_by(Activity.start_at, Activity.external_id)
            )
        ).scalars()
        found = []
        for a in rows:
            assert a.start_at is not None and a.end_at is not None and a.external_id is not None
            found.append(
                Meeting(
                    a.id,
                    a.external_id,
                    a.subject,
                    a.start_at,
                    a.end_at,
                    a.all_day,
                    a.cancelled,
                    a.customer_id,
                    a.owner_id,
                    a.body,
                    sorted(c.id for c in a.contacts),
                    await calendar_service.participants(s, a.id),
                )
            )
        return found
