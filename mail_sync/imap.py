"""The capture mailbox over IMAP (aioimaplib): what the capture worker needs and nothing more.

    async with CaptureMailbox(settings) as mailbox:         # login, SELECT; mailbox.status.uidvalidity
        for uid in await mailbox.uids_after(last_uid):      # UID SEARCH
            ...
        async for message in mailbox.fetch(uids):           # UID FETCH in batches of settings.fetch_batch
            ...                                             # store it, commit, then:
        await mailbox.mark_processed([message.uid])         # keyword (+ MOVE when configured), never delete
        await mailbox.wait_for_new()                        # IDLE, or polling without it

Every failure of the connection or of the server (refused, timed out, dropped, BYE, a NO to a command) is
raised as `MailboxUnavailable`; the worker backs off (`backoff_delays`) and connects again. Messages are read
with BODY.PEEK[], so capturing never marks mail as seen in the user's mail client.

aioimaplib's response handling grows faster than linearly with the size of one response, so FETCH goes in
batches (shared/REAL-SERVERS.md: 10,000 small messages take 19 s as one FETCH, 0.45 s in batches of 50).
"""

from __future__ import annotations

import asyncio
import random
import re
import ssl as ssl_module
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Any

import aioimaplib

from mail_sync.config import ImapSettings

Sleep = Callable[[float], Awaitable[None]]


class MailboxUnavailable(Exception):
    """The IMAP server could not be reached, dropped the connection or refused a command.

    Back off and connect again.
    """


class LoginFailed(MailboxUnavailable):
    """The server refused the login (wrong IMAP_USER or IMAP_PASSWORD): retrying soon will not help."""


@dataclass(frozen=True)
class MailboxStatus:
    uidvalidity: int
    uidnext: int
    exists: int


@dataclass(frozen=True)
class FetchedMessage:
    uid: int
    raw: bytes
    flags: frozenset[str]


def backoff_delays(
    base: float = 1.0, cap: float = 300.0, *, rng: Callable[[], float] = random.random
) -> Iterator[float]:
    """Reconnect delays: exponential growth up to `cap`, each drawn uniformly below it ("full jitter").

    Endless; the worker takes the next one after each failure and starts over after a success. `rng` is
    injectable so tests need not sleep or guess.
    """
    if base <= 0 or cap <= 0:
        raise ValueError("base and cap must be positive")
    attempt = 0
    while True:
        ceiling = min(cap, base * 2.0**attempt)
        yield ceiling * rng()
        if ceiling < cap:
            attempt += 1


def uid_set(uids: Iterable[int]) -> str:
    """`[1, 2, 3, 7, 9, 10]` -> `"1:3,7,9:10"` (IMAP sequence-set syntax)."""
    ordered = sorted(set(uids))
    if not ordered:
        raise ValueError("empty UID set")
    parts: list[str] = []
    start = prev = ordered[0]
    for uid in ordered[1:]:
        if uid == prev + 1:
            prev = uid
            continue
        parts.append(str(start) if start == prev else f"{start}:{prev}")
        start = prev = uid
    parts.append(str(start) if start == prev else f"{start}:{prev}")
    return ",".join(parts)


def _chunks(items: Sequence[int], size: int) -> Iterator[Sequence[int]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


_FETCH_START = re.compile(rb"^\d+ FETCH \(")
_UID = re.compile(rb"\bUID (\d+)")
_FLAGS = re.compile(rb"\bFLAGS \(([^)]*)\)")
_CODE_NUMBER = {name: re.compile(rb"\[" + name + rb" (\d+)\]") for name in (b"UIDVALIDITY", b"UIDNEXT")}
_EXISTS = re.compile(rb"^(\d+) EXISTS\b")
_APPENDUID = re.compile(rb"\[APPENDUID \d+ (\d+)\]")


def _parse_fetch(lines: Sequence[bytes | bytearray]) -> list[FetchedMessage]:
    """aioimaplib hands a FETCH response over as lines: `N FETCH (UID u FLAGS (...) BODY[] {size}` (bytes),
    the literal (a bytearray), then the rest of the item, e.g. `)` (bytes); the last line is the tagged text.
    """
    messages: list[FetchedMessage] = []
    text = b""
    body: bytes | None = None

    def finish() -> None:
        uid = _UID.search(text)
        if uid is not None and body is not None:
            flags = _FLAGS.search(text)
            names = frozenset(flags.group(1).decode(errors="replace").split()) if flags else frozenset()
            messages.append(FetchedMessage(int(uid.group(1)), body, names))

    for line in lines[:-1]:
        if isinstance(line, bytearray):
            body = bytes(line)
        elif _FETCH_START.match(line):
            finish()
            text, body = line, None
        else:
            text += b" " + line
    finish()
    return messages


def _response_text(response: Any) -> str:
    lines = getattr(response, "lines", None) or [b""]
    last = lines[-1]
    return bytes(last).decode(errors="replace") if isinstance(last, bytes | bytearray) else str(last)


class CaptureMailbox:
    """One IMAP connection to the capture folder. Not safe for concurrent use: one worker task owns it."""

    def __init__(
        self, settings: ImapSettings, *, use_idle: bool = True, sleep: Sleep = asyncio.sleep
    ) -> None:
        self.settings = settings
        self.use_idle = use_idle
        self._sleep = sleep
        self._client: aioimaplib.IMAP4 | None = None
        self._lost: asyncio.Future[None] | None = None
        self._status: MailboxStatus | None = None
        self._seen_uid = 0

    async def __aenter__(self) -> CaptureMailbox:
        await self.connect()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    # -- connection -------------------------------------------------------------------------------------

    @property
    def connected(self) -> bool:
        return self._client is not None and self._lost is not None and not self._lost.done()

    @property
    def status(self) -> MailboxStatus:
        if self._status is None:
            raise MailboxUnavailable("not connected")
        return self._status

    @property
    def capabilities(self) -> frozenset[str]:
        if self._client is None:
            return frozenset()
        return frozenset(str(c).upper() for c in self._client.protocol.capabilities)

    @property
    def idling(self) -> bool:
        """True while an IDLE command is running (inside `wait_for_new`)."""
        return self.connected and self._client is not None and self._client.has_pending_idle()

    @property
    def has_idle(self) -> bool:
        return "IDLE" in self.capabilities

    async def connect(self) -> MailboxStatus:
        """Log in and select the folder (creating the processed folder if one is configured)."""
        await self.close()
        s = self.settings
        loop = asyncio.get_running_loop()
        lost: asyncio.Future[None] = loop.create_future()
        self._lost = lost

        def connection_lost(exc: Exception | None) -> None:
            if not lost.done():
                lost.set_result(None)

        try:
            if s.ssl:
                context = ssl_module.create_default_context(cafile=s.ca_file)
                client: aioimaplib.IMAP4 = aioimaplib.IMAP4_SSL(
                    s.host, s.port, timeout=s.timeout, ssl_context=context
                )
                # IMAP4_SSL takes no conn_lost_cb argument; the protocol reads it when the connection drops.
                client.protocol.conn_lost_cb = connection_lost
            else:
                client = aioimaplib.IMAP4(s.host, s.port, timeout=s.timeout, conn_lost_cb=connection_lost)
        except (OSError, ValueError) as e:
            raise MailboxUnavailable(f"IMAP {s.host}:{s.port}: {e}") from e
        self._client = client
        try:
            await self._call("connect", client.wait_hello_from_server(), check=False)
            response = await self._call("LOGIN", client.login(s.user, s.password), check=False)
            if response.result != "OK":
                raise LoginFailed(f"IMAP login as {s.user} refused: {_response_text(response)}")
            # The capabilities after login (IDLE, MOVE, UIDPLUS) can differ from those in the greeting.
            await self._call("CAPABILITY", client.protocol.capability(), check=False)
            if s.move_to:
                await self._ensure_folder(s.move_to)
            response = await self._call(f"SELECT {s.folder}", client.select(_quote(s.folder)))
        except BaseException:
            await self.close()
            raise
        self._status = self._parse_select(response.lines)
        self._seen_uid = self._status.uidnext - 1
        return self._status

    async def close(self) -> None:
        """Log out (briefly, best effort) and drop the connection. Safe to call twice or after a failure."""
        client, self._client = self._client, None
        lost, self._lost = self._lost, None
        if client is None:
            return
        try:
            if lost is not None and not lost.done() and client.protocol.transport is not None:
                if client.has_pending_idle():
                    client.idle_done()
                await asyncio.wait_for(client.protocol.logout(), 2.0)
        except (Exception, asyncio.CancelledError):
            pass
        finally:
            transport = client.protocol.transport
            if transport is not None:
                transport.close()
            for task in list(client.tasks) + list(client.protocol.tasks):
                task.cancel()

    async def _ensure_folder(self, folder: str) -> None:
        assert self._client is not None
        response = await self._call(f"CREATE {folder}", self._client.create(_quote(folder)), check=False)
        if response.result != "OK" and b"ALREADYEXISTS" not in b" ".join(bytes(x) for x in response.lines):
            raise MailboxUnavailable(f"cannot create IMAP folder {folder}: {_response_text(response)}")

    @staticmethod
    def _parse_select(lines: Sequence[bytes | bytearray]) -> MailboxStatus:
        found: dict[bytes, int] = {}
        exists = 0
        for line in lines:
            if not isinstance(line, bytes):
                continue
            for name, pattern in _CODE_NUMBER.items():
                m = pattern.search(line)
                if m:
                    found[name] = int(m.group(1))
            m = _EXISTS.match(line)
            if m:
                exists = int(m.group(1))
        if b"UIDVALIDITY" not in found:
            raise MailboxUnavailable("the server sent no UIDVALIDITY on SELECT")
        return MailboxStatus(found[b"UIDVALIDITY"], found.get(b"UIDNEXT", 0), exists)

    async def _call(
        self, what: str, command: Awaitable[Any], *, check: bool = True, limit: bool = True
    ) -> Any:
        """Run one aioimaplib command; a dropped connection, a timeout or a NO/BAD become MailboxUnavailable.

        aioimaplib never fails a pending command when the connection drops (it would wait for its timeout),
        so each command races the connection-lost callback.
        """
        task = asyncio.ensure_future(command)
        lost = self._lost
        if self._client is None or lost is None or lost.done():
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            await self.close()
            raise MailboxUnavailable(f"IMAP {what}: not connected")
        # aioimaplib applies settings.timeout itself; this is the backstop for commands it leaves unbounded.
        # FETCH is left to aioimaplib, which times it out only when no data arrives for settings.timeout.
        overall = self.settings.timeout * 2 if limit else None
        try:
            done, _ = await asyncio.wait({task, lost}, timeout=overall, return_when=asyncio.FIRST_COMPLETED)
        except asyncio.CancelledError:
            task.cancel()
            raise
        if task not in done:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            await self._drop()
            reason = "connection lost" if lost.done() else "timed out"
            raise MailboxUnavailable(f"IMAP {what}: {reason} ({self.settings.host}:{self.settings.port})")
        try:
            response = task.result()
        except (OSError, TimeoutError, aioimaplib.AioImapException, ssl_module.SSLError) as e:
            await self._drop()
            raise MailboxUnavailable(f"IMAP {what} ({self.settings.host}:{self.settings.port}): {e!r}") from e
        if check and response.result != "OK":
            raise MailboxUnavailable(f"IMAP {what} failed: {response.result} {_response_text(response)}")
        return response

    async def _drop(self) -> None:
        """After a failure the session's state is unknown: drop it, the worker reconnects."""
        lost = self._lost
        if lost is not None and not lost.done():
            lost.set_result(None)
        await self.close()

    def _connected_client(self) -> aioimaplib.IMAP4:
        if self._client is None or self._lost is None:
            raise MailboxUnavailable("IMAP: not connected")
        if self._lost.done():
            raise MailboxUnavailable("IMAP: not connected (the connection was lost)")
        return self._client

    # -- reading ----------------------------------------------------------------------------------------

    async def uids_after(self, last_uid: int) -> list[int]:
        """UIDs greater than `last_uid`, ascending. `UID SEARCH UID n:*` also answers the highest UID when it
        is below n (`*` is the last message), so the answer is filtered."""
        uids = await self._search_after(last_uid)
        self._seen_uid = max([self._seen_uid, last_uid, *uids])
        return uids

    async def _search_after(self, last_uid: int) -> list[int]:
        client = self._connected_client()
        # Dovecot shows a session the mail delivered since its last command only after a sync, which NOOP
        # does; a SEARCH alone could miss it (and aioimaplib drops the EXISTS reported after the SEARCH).
        await self._call("NOOP", client.noop())
        response = await self._call("UID SEARCH", client.uid_search(f"UID {last_uid + 1}:*", charset=None))
        return sorted(uid for uid in _search_uids(response.lines) if uid > last_uid)

    async def uids_unprocessed(self) -> list[int]:
        """UIDs of the messages without the processed keyword (e.g. after a UIDVALIDITY change), ascending."""
        client = self._connected_client()
        keyword = self.settings.processed_keyword
        response = await self._call("UID SEARCH", client.uid_search(f"UNKEYWORD {keyword}", charset=None))
        return sorted(_search_uids(response.lines))

    async def fetch(self, uids: Iterable[int]) -> AsyncIterator[FetchedMessage]:
        """The raw messages, in UID order, `settings.fetch_batch` per UID FETCH. UIDs that no longer exist
        (expunged meanwhile) are skipped."""
        ordered = sorted(set(uids))
        for batch in _chunks(ordered, self.settings.fetch_batch):
            client = self._connected_client()
            response = await self._call(
                "UID FETCH", client.uid("fetch", uid_set(batch), "(UID FLAGS BODY.PEEK[])"), limit=False
            )
            for message in sorted(_parse_fetch(response.lines), key=lambda m: m.uid):
                yield message

    async def flags(self, uids: Iterable[int]) -> dict[int, frozenset[str]]:
        """The flags of the messages, by UID."""
        result: dict[int, frozenset[str]] = {}
        ordered = sorted(set(uids))
        for batch in _chunks(ordered, max(self.settings.fetch_batch, 500)):
            client = self._connected_client()
            response = await self._call("UID FETCH", client.uid("fetch", uid_set(batch), "(UID FLAGS)"))
            for line in response.lines[:-1]:
                if isinstance(line, bytes) and _FETCH_START.match(line):
                    uid, flags = _UID.search(line), _FLAGS.search(line)
                    if uid is not None:
                        names = flags.group(1).decode(errors="replace").split() if flags else []
                        result[int(uid.group(1))] = frozenset(names)
        return result

    # -- writing ----------------------------------------------------------------------------------------

    async def mark_processed(self, uids: Iterable[int]) -> None:
        """Set the processed keyword; with `move_to`, then move the messages there.

        Nothing is deleted: without the MOVE extension the messages are copied there and the originals keep
        the keyword.
        """
        ordered = sorted(set(uids))
        keyword = self.settings.processed_keyword
        for batch in _chunks(ordered, max(self.settings.fetch_batch, 500)):
            client = self._connected_client()
            members = uid_set(batch)
            await self._call("UID STORE", client.uid("store", members, "+FLAGS.SILENT", f"({keyword})"))
            if self.settings.move_to:
                target = _quote(self.settings.move_to)
                if "MOVE" in self.capabilities:
                    await self._call("UID MOVE", client.uid("move", members, target))
                else:
                    await self._call("UID COPY", client.uid("copy", members, target))

    async def append(self, raw: bytes, flags: Iterable[str] = (), folder: str | None = None) -> int | None:
        """APPEND a message (tests and tools); the new UID when the server tells it (UIDPLUS)."""
        client = self._connected_client()
        flag_text = " ".join(flags) or None
        response = await self._call(
            "APPEND", client.append(raw, _quote(folder or self.settings.folder), flags=flag_text)
        )
        m = _APPENDUID.search(b" ".join(bytes(x) for x in response.lines))
        return int(m.group(1)) if m else None

    # -- waiting ----------------------------------------------------------------------------------------

    async def wait_for_new(self, timeout: float | None = None) -> bool:  # noqa: ASYNC109
        """Wait until new mail may have arrived (True) or `timeout` passed (False; default
        settings.idle_timeout). With IDLE: until the server announces EXISTS/RECENT. Without IDLE (or with
        use_idle=False): a NOOP and a UID SEARCH every settings.poll_interval (keeping the connection alive).

        "New" is relative to the highest UID seen by `uids_after` (or UIDNEXT at connect): mail that arrived
        since then, even before this call, returns at once.
        """
        limit = self.settings.idle_timeout if timeout is None else timeout
        if await self._has_unseen():
            return True
        if self.use_idle and self.has_idle:
            return await self._idle(limit)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + limit
        while True:
            remaining = deadline - loop.time()
            if remaining <= 0:
                return False
            await self._sleep(min(self.settings.poll_interval, remaining))
            if await self._has_unseen():
                return True

    async def _has_unseen(self) -> bool:
        return bool(await self._search_after(self._seen_uid))

    async def _idle(self, limit: float) -> bool:
        client = self._connected_client()
        lost = self._lost
        assert lost is not None
        idle = await self._call("IDLE", client.idle_start(timeout=limit + 60.0), check=False)
        arrived = False
        loop = asyncio.get_running_loop()
        deadline = loop.time() + limit
        push: asyncio.Future[Any] | None = None
        try:
            while not arrived:
                remaining = deadline - loop.time()
                if remaining <= 0:
                    break
                push = asyncio.ensure_future(client.wait_server_push(timeout=remaining))
                done, _ = await asyncio.wait({push, lost}, return_when=asyncio.FIRST_COMPLETED)
                if push not in done:
                    await self._drop()
                    raise MailboxUnavailable("IMAP IDLE: connection lost")
                try:
                    lines = push.result()
                except TimeoutError:
                    break
                if lines == aioimaplib.STOP_WAIT_SERVER_PUSH:
                    break
                arrived = any(
                    isinstance(line, bytes) and (b"EXISTS" in line or b"RECENT" in line) for line in lines
                )
        finally:
            if push is not None and not push.done():
                push.cancel()
            if self.connected and client.has_pending_idle():
                client.idle_done()
        await self._call("IDLE", asyncio.wait_for(idle, self.settings.timeout))
        # Announcements that came in between are covered by the next wait's UID SEARCH; drop them.
        while not client.protocol.idle_queue.empty():
            client.protocol.idle_queue.get_nowait()
        return arrived


def _search_uids(lines: Sequence[bytes | bytearray]) -> list[int]:
    """aioimaplib strips `* SEARCH` from the untagged line, leaving `1 2 3` (or nothing: no line, or b"")."""
    uids: list[int] = []
    for line in lines[:-1]:
        if isinstance(line, bytes):
            uids.extend(int(word) for word in line.split() if word.isdigit())
    return uids


def _quote(folder: str) -> str:
    """A folder name as an IMAP quoted string (aioimaplib sends arguments as they are)."""
    if (
        folder.isascii()
        and folder.replace(".", "").replace("/", "").replace("_", "").replace("-", "").isalnum()
    ):
        return folder
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'
