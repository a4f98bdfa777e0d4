"""Fixtures for the mail tests: a real Dovecot (IMAP) and a real aiosmtpd (SMTP), both on 127.0.0.1.

- `dovecot`: one Dovecot for the session (it starts in ~0.05 s), plain IMAP on `port` and IMAPS on `tls_port`
  (the `certificate`); every test gets its own, empty mailbox through `imap_settings` (a login of its own),
  so tests do not see each other's mail.
- `own_dovecot`: a Dovecot of the test's own, for tests that stop and start the server.
- `mailbox`: a connected CaptureMailbox on `imap_settings`; `async with CaptureMailbox(settings)` opens more.
- `smtp_server` (plain, no AUTH), `smtp_starttls` and `smtp_tls` (AUTH required, self-signed certificate made
  at test time; trust `server.ca_file`): aiosmtpd servers recording what they receive.

Dovecot missing: the IMAP tests are skipped, or fail when KUNDEBOT_REQUIRE_MAILSERVER or
KUNDEBOT_REQUIRE_POSTGRES is set (`make test` installs it: scripts/ensure-mailserver).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from mail_sync.config import ImapSettings
from mail_sync.imap import CaptureMailbox
from tests.servers.dovecot import DovecotServer, find_dovecot, running_dovecot
from tests.servers.smtp import Certificate, SmtpServer, make_certificate, running_smtp

SMTP_USERS = {"kundebot@firm.test": "smtp-secret"}


def _require_dovecot() -> None:
    if find_dovecot() is not None:
        return
    if os.environ.get("KUNDEBOT_REQUIRE_MAILSERVER") or os.environ.get("KUNDEBOT_REQUIRE_POSTGRES"):
        pytest.fail("Dovecot is required (KUNDEBOT_REQUIRE_MAILSERVER) but not installed")
    pytest.skip("Dovecot not installed (apt-get install dovecot-imapd); `make test` installs it")


@pytest.fixture(scope="session")
def dovecot(certificate: Certificate) -> Iterator[DovecotServer]:
    _require_dovecot()
    with running_dovecot(tls_cert=certificate.cert_file, tls_key=certificate.key_file) as server:
        yield server


@pytest.fixture
def own_dovecot() -> Iterator[DovecotServer]:
    _require_dovecot()
    with running_dovecot() as server:
        yield server


def settings_for(server: DovecotServer, user: str, **changes: Any) -> ImapSettings:
    values: dict[str, Any] = {
        "host": server.host,
        "port": server.port,
        "ssl": False,
        "user": user,
        "password": server.users[user],
        "timeout": 10.0,
    }
    values.update(changes)
    return ImapSettings(**values)


@pytest.fixture
def imap_settings(dovecot: DovecotServer) -> ImapSettings:
    """Settings for a fresh, empty mailbox of its own on the session's Dovecot."""
    return settings_for(dovecot, dovecot.new_user())


@pytest.fixture
async def mailbox(imap_settings: ImapSettings) -> AsyncIterator[CaptureMailbox]:
    client = CaptureMailbox(imap_settings)
    await client.connect()
    yield client
    await client.close()


def small_message(n: int, size: int = 1000) -> bytes:
    """A plain RFC 5322 message of about `size` bytes with CRLF line ends, as a server stores it."""
    head = (
        f"From: Kari Nordmann <kari@acme.example>\r\nTo: crm@kundebot.test\r\nSubject: Message {n}\r\n"
        f"Message-ID: <m{n}@acme.example>\r\nDate: Mon, 23 Nov 2026 10:00:00 +0100\r\n\r\n"
    )
    line = f"Line of message {n}, some words to fill it up.\r\n"
    body = line * max(1, (size - len(head)) // len(line))
    return (head + body).encode()


AppendMany = Callable[[CaptureMailbox, int], Awaitable[list[int]]]


async def appended(mailbox: CaptureMailbox, raw: bytes, flags: tuple[str, ...] = ()) -> int:
    """APPEND and return the new UID (Dovecot has UIDPLUS, so there always is one)."""
    uid = await mailbox.append(raw, flags=flags)
    assert uid is not None
    return uid


async def eventually(condition: Callable[[], bool]) -> None:
    """Wait (up to 5 s) until `condition()` holds, e.g. until another task's client is in IDLE."""
    async with asyncio.timeout(5.0):
        while not condition():  # noqa: ASYNC110 - the state belongs to a library object, there is no event
            await asyncio.sleep(0.01)


@pytest.fixture
def append_many() -> AppendMany:
    async def append(client: CaptureMailbox, count: int) -> list[int]:
        return [await appended(client, small_message(n)) for n in range(count)]

    return append


@pytest.fixture(scope="session")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> Certificate:
    return make_certificate(Path(tmp_path_factory.mktemp("smtp-cert")))


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    with running_smtp() as server:
        yield server


@pytest.fixture
def smtp_starttls(certificate: Certificate) -> Iterator[SmtpServer]:
    with running_smtp(security="starttls", users=SMTP_USERS, certificate=certificate) as server:
        yield server


@pytest.fixture
def smtp_tls(certificate: Certificate) -> Iterator[SmtpServer]:
    with running_smtp(security="tls", users=SMTP_USERS, certificate=certificate) as server:
        yield server
