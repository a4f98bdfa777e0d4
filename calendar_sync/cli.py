"""`kundebot calendar ...`: add calendars, sync them now, show their status, hand out feed URLs.

Mounted by bot/cli.py as `app.add_typer(calendar_app, name="calendar")`. Passwords are read from standard
input or a hidden prompt, never from the command line (it ends up in shell history and `ps`), and are never
printed back.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Annotated, Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

import aiohttp
import typer
from rich.console import Console

from calendar_sync.caldav_source import CalDAVClient, CalDAVError
from calendar_sync.credentials import Secret, SecretKeyError, require_cipher
from calendar_sync.ics_feed import FeedError, fetch_feed, redact
from calendar_sync.service import check_secret_key, feed_url, sync_now
from calendar_sync.settings import CalendarSettings, SettingsError
from store.actor import Actor
from store.db import Store
from store.errors import StoreError
from store.models import CalendarSourceKind, User
from store.services import calendar as service
from store.services.users import user_by_email

calendar_app = typer.Typer(
    no_args_is_help=True, help="Calendar sync: CalDAV calendars and iCalendar feeds (SPEC §7)."
)
err = Console(stderr=True, soft_wrap=True)
T = TypeVar("T")


def _settings() -> CalendarSettings:
    try:
        return CalendarSettings.from_env()
    except (SettingsError, SecretKeyError) as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc


def _run(work: Callable[[Store], Awaitable[T]]) -> T:
    async def main() -> T:
        async with Store() as store:
            await store.upgrade()
            return await work(store)

    try:
        return asyncio.run(main())
    except (StoreError, SecretKeyError) as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from exc


def _when(value: datetime | None, now: datetime) -> str:
    if value is None:
        return "never"
    seconds = (now - value).total_seconds()
    text = value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    if abs(seconds) < 48 * 3600:
        minutes = int(abs(seconds) // 60)
        ago = f"{minutes} min" if minutes < 120 else f"{minutes // 60} h"
        text += f" ({ago} ago)" if seconds >= 0 else f" (in {ago})"
    return text


@calendar_app.command("status")
def status(
    user: Annotated[str | None, typer.Option(help="Only this user's calendars (email).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Each calendar: last sync, last success, next run, errors and events that could not be read."""

    async def work(store: Store) -> list[service.SourceStatus]:
        async with store.reading() as session:
            user_id = (await user_by_email(session, user)).id if user else None
            return await service.source_statuses(session, user_id=user_id)

    now = datetime.now(UTC)
    rows = _run(work)
    if as_json:
        data: list[dict[str, Any]] = []
        for r in rows:
            item = dict(r.__dict__)
            for key in ("last_sync_at", "last_success_at", "next_sync_at"):
                item[key] = item[key].isoformat() if item[key] else None
            data.append(item)
        typer.echo(json.dumps(data, ensure_ascii=False))
        return
    if not rows:
        typer.echo("No calendars yet. Add one with `kundebot calendar add EMAIL URL`.")
        return
    for r in rows:
        if not r.active:
            state = "paused"
        elif r.last_error:
            state = f"ERROR ({r.error_count}x in a row): {r.last_error}"
        elif r.last_sync_at is None:
            state = "waiting for its first sync"
        elif r.problems:
            state = f"ok, {len(r.problems)} event(s) could not be read fully"
        else:
            state = "ok"
        typer.echo(f"Calendar {r.id} - {r.user_email} - {r.kind} - {r.name or r.url}")
        typer.echo(f"  state: {state}" + (f" (syncing now on {r.leased_by})" if r.leased_by else ""))
        typer.echo(
            f"  last sync: {_when(r.last_sync_at, now)}; last success: {_when(r.last_success_at, now)}"
        )
        typer.echo(
            f"  next sync: {_when(r.next_sync_at, now)}; objects: {r.items}; meetings held: {r.meetings}"
        )
        for line in r.problems:
            typer.echo(f"  - {line}")


def _split_credentials(url: str) -> tuple[str, str | None, str | None]:
    """https://user:pass@host/path -> (https://host/path, user, pass); webcal:// is https://."""
    url = url.strip()
    if url.lower().startswith("webcal://"):
        url = "https://" + url[len("webcal://") :]
    parts = urlsplit(url)
    if parts.username is None:
        return url, None, None
    host = parts.hostname or ""
    netloc = host + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc)), parts.username, parts.password


async def _check(kind: CalendarSourceKind, url: str, username: str | None, password: str | None) -> str:
    async with aiohttp.ClientSession() as http:
        if kind is CalendarSourceKind.CALDAV:
            token, ctag = await CalDAVClient(
                http, url, username=username, password=password, timeout=30
            ).state()
            if token is None and ctag is None:
                return "reached (no sync-token or CTag: changes are found by ETags)"
            return "reached" + (" (sync-token)" if token else " (CTag)")
        response = await fetch_feed(http, url, username=username, password=password, seconds=30)
        if b"BEGIN:VCALENDAR" not in response.body[:4096].upper():
            raise FeedError("the URL does not answer with iCalendar data")
        return "reached"


@calendar_app.command("add")
def add(
    user: Annotated[str, typer.Argument(help="The user's email.")],
    url: Annotated[str, typer.Argument(help="The CalDAV calendar's URL, or the iCalendar feed's URL.")],
    kind: Annotated[str, typer.Option(help="caldav or ics.")] = "caldav",
    username: Annotated[str | None, typer.Option(help="CalDAV (or feed) user name.")] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
    name: Annotated[str | None, typer.Option(help="A label for `calendar status`.")] = None,
    check: Annotated[bool, typer.Option(help="Reach the calendar before saving it.")] = True,
) -> None:
    """Add a calendar to a user. The password is asked for (hidden) or read with --password-stdin."""
    settings = _settings()
    try:
        the_kind = CalendarSourceKind(kind)
    except ValueError as exc:
        err.print("[red]--kind is caldav or ics.[/red]")
        raise typer.Exit(2) from exc
    clean_url, url_user, url_password = _split_credentials(url)
    username = username or url_user
    password = url_password
    if username and password is None:
        if password_stdin:
            password = sys.stdin.readline().rstrip("\r\n")
        else:
            password = typer.prompt(f"Password for {username}", hide_input=True)
    # A feed's URL usually is itself the secret (Google's and Outlook's "secret address").
    secret = Secret(password=password, url=clean_url if the_kind is CalendarSourceKind.ICS else None)
    needs_secret = bool(secret.password or secret.url)
    try:
        cipher = require_cipher(settings.cipher) if needs_secret else settings.cipher
    except SecretKeyError as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    if check:
        try:
            answer = asyncio.run(_check(the_kind, clean_url, username, password))
        except (CalDAVError, FeedError) as exc:
            err.print(
                f"[red]The calendar could not be reached: {exc}[/red] (use --no-check to save it anyway)"
            )
            raise typer.Exit(1) from exc
        err.print(f"Calendar {answer}.")

    async def work(store: Store) -> int:
        await check_secret_key(store, cipher)  # one key for all stored credentials
        async with store.transaction() as session:
            owner = await user_by_email(session, user)
            source = await service.add_source(
                session,
                Actor.of(owner),
                user_id=owner.id,
                kind=the_kind,
                url=clean_url,
                display_url=redact(clean_url) if the_kind is CalendarSourceKind.ICS else None,
                username=username,
                secret_encrypted=cipher.encrypt(secret) if needs_secret and cipher else None,
                name=name,
            )
            return source.id

    source_id = _run(work)
    err.print(f"Added calendar {source_id} for {user}; it syncs within a minute under `kundebot serve`.")


@calendar_app.command("sync")
def sync(
    user: Annotated[str | None, typer.Option(help="Only this user's calendars (email).")] = None,
    source: Annotated[
        int | None, typer.Option(help="Only this calendar (id from `calendar status`).")
    ] = None,
) -> None:
    """Sync calendars once, now (a replica already syncing one is left alone)."""
    settings = _settings()

    async def work(store: Store) -> list[Any]:
        await check_secret_key(store, settings.cipher)
        user_id = None
        if user:
            async with store.reading() as session:
                user_id = (await user_by_email(session, user)).id
        return await sync_now(store, settings, user_id=user_id, source_id=source)

    results = _run(work)
    if not results:
        err.print("No calendars to sync.")
    for result in results:
        typer.echo(f"calendar {result.source_id}: {result.summary()}")
        for line in result.problems:
            typer.echo(f"  - {line}")
    if any(r.error for r in results):
        raise typer.Exit(1)


@calendar_app.command("feed")
def feed(
    user: Annotated[str, typer.Argument(help="The user's email.")],
    base_url: Annotated[
        str | None, typer.Option(help="Where `kundebot serve` is reached (default KUNDEBOT_PUBLIC_URL).")
    ] = None,
) -> None:
    """Make a new private feed URL for the user (the previous one stops working). Shown once."""
    settings = _settings()

    async def work(store: Store) -> str:
        async with store.transaction() as session:
            owner = await user_by_email(session, user)
            return await service.issue_feed_token(session, owner.id)

    token = _run(work)
    typer.echo(feed_url(base_url or settings.feed_base_url, token))


@calendar_app.command("remove")
def remove(source: Annotated[int, typer.Argument(help="The calendar's id (see `calendar status`).")]) -> None:
    """Forget a calendar. Its meetings stay on the customer cards."""

    async def work(store: Store) -> None:
        async with store.transaction() as session:
            found = await service.get_source(session, source)
            owner = await session.get(User, found.user_id)
            assert owner is not None
            await service.remove_source(session, Actor.of(owner), source)

    _run(work)
    err.print(f"Removed calendar {source}.")
