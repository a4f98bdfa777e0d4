"""Syncing one calendar source: fetch what changed, read it, apply it to the store in batches.

Fetching and reading never touch the database; applying goes through store.services.calendar only. The
server's sync state (sync-token, CTag, feed ETag/Last-Modified) is saved only after every batch is
committed, so a crash half-way means the same changes are fetched again next time, and applying them again
is harmless (activities are keyed by UID + RECURRENCE-ID).
"""

from __future__ import annotations

import asyncio
import functools
import logging
import random
import time
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import aiohttp

from calendar_sync.caldav_source import CalDAVClient, CalDAVError, Resource
from calendar_sync.credentials import Secret, SecretKeyError, require_cipher
from calendar_sync.ical import Problems, Window, read_calendar_object, read_feed, reexpand
from calendar_sync.ics_feed import FeedError, fetch_feed
from calendar_sync.settings import CalendarSettings
from store.actor import Actor
from store.db import Store
from store.models import CalendarSource, CalendarSourceKind, User
from store.services import calendar as service
from store.types import utcnow

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass
class SyncResult:
    source_id: int
    error: str | None = None
    problems: list[str] = field(default_factory=list)
    report: service.ApplyReport = field(default_factory=service.ApplyReport)
    mode: str = ""
    fetched: int = 0
    seconds: float = 0.0
    skipped: bool = False  # another replica holds the source
    timings: dict[str, float] = field(default_factory=dict)  # seconds: fetch, read, expand, apply

    @property
    def ok(self) -> bool:
        return self.error is None and not self.skipped

    def summary(self) -> str:
        if self.skipped:
            return "skipped: another replica is syncing it"
        if self.error:
            return f"error: {self.error}"
        r = self.report
        text = (
            f"{self.mode or 'ok'}: {self.fetched} objects read, {r.created} meetings new, {r.updated} updated, "
            f"{r.cancelled} cancelled, {r.unlinked} let go ({self.seconds:.2f} s)"
        )
        return text + (f"; {len(self.problems)} problem(s)" if self.problems else "")


Batch = tuple[list[service.CalendarObject], Problems]
Reader = Callable[[], Batch]


@dataclass
class _Fetched:
    """What changed, not yet read: one reader per batch (run in a worker thread, batch by batch, so a big
    first sync never holds every parsed event at once)."""

    readers: list[Reader]
    hrefs: set[str]
    removed: list[str]
    state: service.SyncState
    problems: Problems
    mode: str
    fetched: int
    timings: dict[str, float] = field(default_factory=dict)


def next_run(
    settings: CalendarSettings, now: datetime, *, errors: int = 0, rng: random.Random | None = None
) -> datetime:
    """When to sync a source again: the interval, or after an error the interval doubled per consecutive
    error (at most `max_backoff`); both stretched or shrunk by up to `jitter`."""
    base = (
        settings.interval
        if errors <= 0
        else min(settings.max_backoff, settings.interval * 2 ** min(errors, 20))
    )
    spread = (rng or random).uniform(1 - settings.jitter, 1 + settings.jitter)
    return now + timedelta(seconds=base * spread)


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("Europe/Oslo")


def _secret(source: CalendarSource, settings: CalendarSettings) -> Secret:
    if not source.secret_encrypted:
        return Secret()
    return require_cipher(settings.cipher).decrypt(source.secret_encrypted)


def _read_resources(resources: Sequence[Resource], window: Window, zone: ZoneInfo) -> Batch:
    problems = Problems()
    objects = []
    for resource in resources:
        obj, found = read_calendar_object(resource.href, resource.etag, resource.data or "", window, zone)
        objects.append(obj)
        problems.extend(found)
    return objects, problems


def _expand_again(items: Sequence[tuple[str, str | None, str]], window: Window, zone: ZoneInfo) -> Batch:
    """Stored series, expanded in the moved window; their problems were reported when first read."""
    return [reexpand(href, etag, data, window, zone)[0] for href, etag, data in items], Problems()


def _ready(objects: Sequence[service.CalendarObject]) -> Batch:
    return list(objects), Problems()


def _chunks(values: Sequence[T], size: int) -> list[Sequence[T]]:
    return [values[i : i + size] for i in range(0, len(values), size)]


async def _fetch_caldav(
    source: CalendarSource,
    secret: Secret,
    known: dict[str, str | None],
    http: aiohttp.ClientSession,
    settings: CalendarSettings,
    window: Window,
    zone: ZoneInfo,
    use_sync_collection: bool,
) -> _Fetched:
    client = CalDAVClient(
        http, source.url, username=source.username, password=secret.password, timeout=settings.timeout
    )
    started = time.perf_counter()
    changes = await client.changes(
        sync_token=source.sync_token, ctag=source.ctag, known=known, use_sync_collection=use_sync_collection
    )
    readers: list[Reader] = [
        functools.partial(_read_resources, chunk, window, zone)
        for chunk in _chunks(changes.changed, settings.batch)
    ]
    return _Fetched(
        readers,
        {r.href for r in changes.changed},
        changes.removed,
        service.SyncState(sync_token=changes.sync_token, ctag=changes.ctag),
        Problems(),
        changes.mode,
        len(changes.changed),
        {"fetch": time.perf_counter() - started},
    )


async def _fetch_ics(
    source: CalendarSource,
    secret: Secret,
    known: dict[str, str | None],
    http: aiohttp.ClientSession,
    settings: CalendarSettings,
    window: Window,
    zone: ZoneInfo,
) -> _Fetched:
    url = secret.url or source.url
    started = time.perf_counter()
    response = await fetch_feed(
        http,
        url,
        etag=source.etag,
        last_modified=source.last_modified,
        username=source.username,
        password=secret.password,
        seconds=settings.timeout,
    )
    state = service.SyncState(etag=response.etag, last_modified=response.last_modified)
    fetched = time.perf_counter()
    if not response.modified:
        return _Fetched([], set(), [], state, Problems(), "not modified", 0, {"fetch": fetched - started})
    objects, present, problems = await asyncio.to_thread(read_feed, response.body, window, zone, known=known)
    removed = sorted(h for h in known if h not in present)
    timings = {"fetch": fetched - started, "read": time.perf_counter() - fetched}
    readers: list[Reader] = [functools.partial(_ready, chunk) for chunk in _chunks(objects, settings.batch)]
    return _Fetched(
        readers, {o.href for o in objects}, removed, state, problems, "feed", len(objects), timings
    )


def _timed(reader: Reader) -> tuple[Batch, float]:
    started = time.perf_counter()
    return reader(), time.perf_counter() - started


async def _apply_batches(
    store: Store,
    source: CalendarSource,
    actor: Actor,
    email: str,
    fetched: _Fetched,
    settings: CalendarSettings,
    window: Window,
    now: datetime,
    owner: str | None,
) -> AsyncIterator[service.ApplyReport]:
    """Read and apply batch after batch, each batch in its own transaction (removals go with the last one),
    renewing the lease as it goes.

    Reading runs in a thread so the event loop (Slack) stays responsive. Measured with 10,000 events on two
    cores: reading the next batch meanwhile, in a thread or in a helper process, made the first sync slower
    (18 s -> 19-21 s), since reading, applying and the database all want the same CPU; so one at a time.
    """
    timings = fetched.timings
    readers = fetched.readers or [_empty]
    for index, reader in enumerate(readers):
        (objects, problems), seconds = await asyncio.to_thread(_timed, reader)
        timings["read"] = timings.get("read", 0.0) + seconds
        fetched.problems.extend(problems)
        last = index == len(readers) - 1
        started = time.perf_counter()
        async with store.transaction() as session:
            report = await service.apply_objects(
                session,
                source,
                actor,
                email,
                objects,
                removed_hrefs=fetched.removed if last else (),
                window_start=window.start,
                now=now,
            )
            if owner is not None:
                until = max(now, utcnow()) + timedelta(seconds=settings.lease)
                await service.renew_lease(session, source.id, owner=owner, until=until)
        timings["apply"] = timings.get("apply", 0.0) + time.perf_counter() - started
        yield report


def _empty() -> Batch:
    return [], Problems()


async def sync_source(
    store: Store,
    source_id: int,
    *,
    settings: CalendarSettings,
    http: aiohttp.ClientSession,
    owner: str | None = None,
    now: datetime | None = None,
    use_sync_collection: bool = True,
) -> SyncResult:
    """Sync one source and record the outcome (last sync, errors, problems, next run, lease released).

    The caller holds the lease (`owner`) when replicas may run; errors are recorded, not raised.
    """
    started = time.perf_counter()
    now = now or utcnow()
    result = SyncResult(source_id)
    async with store.reading() as session:
        source = await service.get_source(session, source_id)
        user = await session.get(User, source.user_id)
        known = await service.known_etags(session, source_id)
    assert user is not None
    errors_before = source.error_count or 0
    actor = Actor.of(user)
    zone = _zone(user.time_zone)
    window = Window.around(now, settings.past_days, settings.future_days)
    try:
        secret = _secret(source, settings)
        if source.kind is CalendarSourceKind.CALDAV:
            fetched = await _fetch_caldav(
                source, secret, known, http, settings, window, zone, use_sync_collection
            )
        else:
            fetched = await _fetch_ics(source, secret, known, http, settings, window, zone)
        # Recurring events whose expansion stops before the window's end now: expand them again.
        async with store.reading() as session:
            stale = await service.items_to_expand(
                session, source_id, until=window.end.date(), exclude=fetched.hrefs | set(fetched.removed)
            )
        fetched.readers.extend(
            functools.partial(_expand_again, chunk, window, zone) for chunk in _chunks(stale, settings.batch)
        )
        async for report in _apply_batches(
            store, source, actor, user.email, fetched, settings, window, now, owner
        ):
            result.report.add(report)
        result.timings = {k: round(v, 3) for k, v in fetched.timings.items()}
        result.problems = fetched.problems.as_list()
        result.mode, result.fetched = fetched.mode, fetched.fetched
        async with store.transaction() as session:
            await service.save_sync_state(session, source_id, fetched.state)
            await service.finish_sync(
                session,
                source_id,
                owner=owner,
                now=now,
                next_sync_at=next_run(settings, now),
                error=None,
                problems=result.problems,
            )
    except (CalDAVError, FeedError, SecretKeyError) as exc:
        result.error = str(exc)
    except Exception as exc:  # noqa: BLE001 - one broken source must not stop the others
        log.exception("calendar source %s: sync failed", source_id)
        result.error = f"internal error ({type(exc).__name__}); see the log"
    if result.error is not None:
        async with store.transaction() as session:
            await service.finish_sync(
                session,
                source_id,
                owner=owner,
                now=now,
                next_sync_at=next_run(settings, now, errors=errors_before + 1),
                error=result.error,
            )
        log.warning("calendar source %s (%s): %s", source_id, source.url, result.error)
    elif result.problems:
        log.info("calendar source %s: %d event(s) could not be read fully", source_id, len(result.problems))
    result.seconds = time.perf_counter() - started
    return result
