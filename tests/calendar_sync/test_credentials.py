"""Calendar credentials are encrypted at rest, never in reprs, and a missing or wrong key is a clear error."""

from __future__ import annotations

import aiohttp
import pytest
from cryptography.fernet import Fernet
from sqlalchemy import text

from calendar_sync.credentials import ENV_KEY, Cipher, Secret, SecretKeyError
from calendar_sync.service import check_secret_key, start_calendar_worker
from calendar_sync.settings import CalendarSettings
from calendar_sync.sync import sync_source
from store.actor import Actor
from store.db import Store
from store.services import calendar as calendar_service
from tests.calendar_sync.conftest import NOW, add_caldav, add_feed
from tests.servers.radicale import RadicaleServer


async def test_the_password_is_encrypted_in_the_database_and_absent_from_reprs(
    store: Store, alice: Actor, radicale: RadicaleServer, settings: CalendarSettings
) -> None:
    password = radicale.users["alice"]
    url = radicale.make_calendar("alice")
    await add_caldav(store, alice, settings, radicale, "alice", url)
    await add_feed(store, alice, settings, "https://calendar.example/private-abc123/basic.ics")

    async with store.reading() as s:
        rows = (await s.execute(text("SELECT * FROM calendar_sources"))).all()
        sources = await calendar_service.sources(s)
    raw = repr(rows)
    assert password not in raw
    assert "private-abc123" not in raw  # a feed's URL is a secret too
    assert all(password not in repr(x) and "private-abc123" not in repr(x) for x in sources)
    assert settings.cipher is not None
    assert settings.cipher.decrypt(sources[0].secret_encrypted or "") == Secret(password=password)
    assert password not in repr(settings.cipher.decrypt(sources[0].secret_encrypted or ""))
    assert password not in repr(settings)


async def test_a_missing_key_is_a_clear_start_up_error_when_credentials_exist(
    store: Store, alice: Actor, radicale: RadicaleServer, settings: CalendarSettings
) -> None:
    without_key = CalendarSettings(cipher=None)
    await check_secret_key(store, None)  # nothing stored yet: no key needed

    await add_caldav(store, alice, settings, radicale, "alice", radicale.make_calendar("alice"))

    with pytest.raises(SecretKeyError, match=f"{ENV_KEY} is not set"):
        await check_secret_key(store, None)
    with pytest.raises(SecretKeyError, match="does not decrypt"):
        await check_secret_key(store, Cipher(Fernet.generate_key().decode()))
    with pytest.raises(SystemExit, match=f"kundebot: Calendar credentials are stored .* {ENV_KEY}"):
        import asyncio

        await start_calendar_worker(store, asyncio.Event(), without_key)


async def test_a_sync_without_the_key_records_the_error_instead_of_failing(
    store: Store,
    alice: Actor,
    radicale: RadicaleServer,
    settings: CalendarSettings,
    http: aiohttp.ClientSession,
) -> None:
    source = await add_caldav(store, alice, settings, radicale, "alice", radicale.make_calendar("alice"))
    result = await sync_source(store, source, settings=CalendarSettings(cipher=None), http=http, now=NOW)
    assert result.error is not None and ENV_KEY in result.error


async def test_a_wrong_password_is_reported_without_the_password(
    store: Store,
    alice: Actor,
    radicale: RadicaleServer,
    settings: CalendarSettings,
    http: aiohttp.ClientSession,
) -> None:
    assert settings.cipher is not None
    url = radicale.make_calendar("alice")
    async with store.transaction() as s:
        source = await calendar_service.add_source(
            s,
            alice,
            user_id=alice.user_id,
            kind="caldav",
            url=url,
            username="alice",
            secret_encrypted=settings.cipher.encrypt(Secret(password="wrong-password-123")),
        )
    result = await sync_source(store, source.id, settings=settings, http=http, now=NOW)
    assert result.error == "The CalDAV server refused the user name or password (401)."


def test_keys_can_be_rotated_and_bad_keys_are_explained() -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    token = Cipher(old).encrypt(Secret(password="pw"))
    both = Cipher(f"{new},{old}")
    assert both.decrypt(token).password == "pw"
    assert Cipher(new).decrypt(both.rotate(token)).password == "pw"
    with pytest.raises(SecretKeyError, match="not a Fernet key"):
        Cipher("not-a-key")
    assert Cipher.from_env({}) is None
