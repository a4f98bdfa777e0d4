"""The capture worker (SPEC §6): reads the capture mailbox over IMAP and stores every message exactly once.

Each batch of UIDs is fetched, parsed, captured and the mailbox's progress (UIDVALIDITY and the last UID) moved
forward in one database transaction, so a crash or a dropped connection at any point either keeps the whole
batch or none of it; a repeat is harmless anyway, because an email is stored under its Message-ID once.
Processed messages get a keyword (or move to a folder), never deleted. A new UIDVALIDITY (the mailbox was
recreated) restarts from the first UID; Message-IDs keep that from duplicating anything.

Several replicas may run against one database: a lease in the store lets one of them read the mailbox, and
progress is only recorded while holding it. Between batches the worker waits with IMAP IDLE (or polls), and
reconnects after errors with exponential backoff and jitter.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta

from mail_sync.capture import incoming
from mail_sync.config import ImapSettings
from mail_sync.imap import CaptureMailbox, FetchedMessage, LoginFailed, MailboxUnavailable, backoff_delays
from mail_sync.notify import CaptureNotifier
from store.db import Store
from store.services import mailbox
from store.services.email_capture import CaptureResult, LinkPolicy, capture_emails

log = logging.getLogger("kundebot.mail")


class LeaseLost(Exception):
    """Another replica holds the mailbox now; this one stops writing progress."""


@dataclass
class SyncReport:
    held: bool = True  # False: another replica holds the mailbox, nothing was read
    fetched: int = 0
    new: int = 0
    repeats: int = 0
    results: list[CaptureResult] = field(default_factory=list)


class CaptureWorker:
    def __init__(
        self,
        store: Store,
        settings: ImapSettings,
        notifier: CaptureNotifier,
        *,
        policy: LinkPolicy | None = None,
        owner: str | None = None,
        lease: timedelta = timedelta(minutes=2),
        backoff: Callable[[], Iterator[float]] = lambda: backoff_delays(1.0, 300.0),
    ) -> None:
        self.store = store
        self.settings = settings
        self.notifier = notifier
        self.policy = policy or LinkPolicy()
        self.owner = owner or f"{socket.gethostname()}:{os.getpid()}:{id(self):x}"
        self.lease = lease
        self.backoff = backoff
        self.mailbox = f"{settings.user}@{settings.host}:{settings.port}/{settings.folder}"
        self.capture_addresses = frozenset({settings.capture_address.lower(), settings.user.lower()})

    async def run(self, stop: asyncio.Event) -> None:
        """Until `stop` is set: connect, catch up, wait for new mail; reconnect with backoff after errors."""
        delays = self.backoff()
        while not stop.is_set():
            try:
                async with CaptureMailbox(self.settings) as box:
                    delays = self.backoff()  # connected: the next failure starts from a short delay again
                    while not stop.is_set():
                        report = await self.sync_once(box)
                        wait = self.lease.total_seconds() / 2
                        if report.held:
                            wait = min(self.settings.idle_timeout, wait)
                        await _until(stop, box.wait_for_new(timeout=wait))
            except LoginFailed as exc:
                await self._failed(f"Login to {self.mailbox} refused: {exc}")
                await _sleep_or_stop(stop, 300.0)
            except (MailboxUnavailable, LeaseLost, OSError) as exc:
                await self._failed(f"{type(exc).__name__}: {exc}")
                await _sleep_or_stop(stop, next(delays))
            except Exception as exc:  # keep capturing whatever one message or one bug did
                log.exception("Capture worker error")
                await self._failed(f"{type(exc).__name__}: {exc}")
                await _sleep_or_stop(stop, next(delays))
        with contextlib.suppress(Exception):
            async with self.store.transaction() as s:
                await mailbox.release_lease(s, self.mailbox, self.owner)

    async def sync_once(self, box: CaptureMailbox) -> SyncReport:
        """Catch up with the mailbox: every message after the last processed UID, batch by batch. Does nothing
        while another replica holds the mailbox's lease."""
        if not await self._hold_lease():
            return SyncReport(held=False)
        status = box.status
        async with self.store.transaction() as s:
            progress = await mailbox.progress(s, self.mailbox)
            if progress.uidvalidity is not None and progress.uidvalidity != status.uidvalidity:
                log.warning("UIDVALIDITY of %s changed: reading the mailbox again", self.mailbox)
                await mailbox.restart_from(s, self.mailbox, status.uidvalidity)
                progress = mailbox.Progress(status.uidvalidity, 0)
        report = SyncReport()
        uids = await box.uids_after(progress.last_uid)
        size = self.settings.fetch_batch
        for start in range(0, len(uids), size):
            batch = uids[start : start + size]
            if start and not await self._hold_lease():  # renewed per batch: a long backfill keeps it
                raise LeaseLost(f"{self.mailbox} is held by another worker now")
            messages = [m async for m in box.fetch(batch)]
            results = await self._capture(messages, status.uidvalidity, batch[-1])
            report.fetched += len(messages)
            for result in results:  # stored: tell the users now, whatever the connection does next
                if result.new:
                    report.new += 1
                    if result.captured_by is not None:
                        await self._notify(result)
                else:
                    report.repeats += 1
            report.results += results
            await box.mark_processed(batch)
        return report

    async def _capture(
        self, messages: list[FetchedMessage], uidvalidity: int, last_uid: int
    ) -> list[CaptureResult]:
        """Parse (off the event loop) and store one batch, moving the progress mark in the same transaction."""
        parsed = await asyncio.to_thread(lambda: [incoming(m.raw, self.capture_addresses) for m in messages])
        async with self.store.transaction() as s:
            results = await capture_emails(s, parsed, self.policy)
            moved = await mailbox.record_progress(
                s, self.mailbox, self.owner, uidvalidity=uidvalidity, last_uid=last_uid, processed=len(parsed)
            )
            if not moved:
                raise LeaseLost(f"{self.mailbox} is held by another worker now")
        return results

    async def _hold_lease(self) -> bool:
        async with self.store.transaction() as s:
            return await mailbox.acquire_lease(s, self.mailbox, self.owner, self.lease)

    async def _notify(self, result: CaptureResult) -> None:
        try:
            await self.notifier.notify(result)
        except Exception:  # the email is stored; a lost notice must not stop capture
            log.exception("Could not tell user %s about email %s", result.captured_by, result.email_id)

    async def _failed(self, error: str) -> None:
        log.warning("Capture from %s: %s", self.mailbox, error)
        with contextlib.suppress(Exception):
            async with self.store.transaction() as s:
                await mailbox.record_error(s, self.mailbox, error)


async def _until(stop: asyncio.Event, waiting: Awaitable[object]) -> None:
    """Wait for `waiting` (a coroutine) or for `stop`, whichever comes first."""
    task = asyncio.ensure_future(waiting)
    stopper = asyncio.ensure_future(stop.wait())
    done, pending = await asyncio.wait({task, stopper}, return_when=asyncio.FIRST_COMPLETED)
    for p in pending:
        p.cancel()
        with contextlib.suppress(BaseException):
            await p
    if task in done:
        task.result()  # re-raise a connection error from IDLE


async def _sleep_or_stop(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)
