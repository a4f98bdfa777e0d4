"""Serving the Slack app: HTTP with aiohttp (`/slack/events`, `/healthz`, `/calendar/{token}.ics`) or Socket
Mode; the calendar worker runs alongside either."""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import signal
import socket

from aiohttp import web

from bot.app import SlackSettings, build_app
from bot.slack_replies import ReplySession
from calendar_sync.service import (
    RedactingAccessLogger,
    add_feed_routes,
    start_calendar_worker,
    stop_calendar_worker,
)
from store.db import Store

log = logging.getLogger(__name__)


def web_app(store: Store, settings: SlackSettings) -> web.Application:
    """The aiohttp application Slack posts to; `/healthz` answers without touching Slack."""
    replies = ReplySession()
    application = build_app(store, settings, replies=replies).web_app(path="/slack/events")

    async def close_replies(_: web.Application) -> None:
        await replies.close()

    async def open_pool(_: web.Application) -> None:
        await store.open_pool()  # before the first burst of requests, not during it

    application.on_startup.append(open_pool)
    application.on_cleanup.append(close_replies)

    async def healthz(_: web.Request) -> web.Response:
        return web.json_response({"ok": True})

    application.router.add_get("/healthz", healthz)
    add_feed_routes(application, store)
    return application


async def run_slack(
    store: Store, settings: SlackSettings, *, host: str, port: int, sock: socket.socket | None = None
) -> None:
    """The app and the background workers (calendar, email capture, digests); `sock` is a socket already
    listening (shared by several HTTP worker processes), else the app binds host:port itself."""
    stop_calendar = asyncio.Event()
    calendar_worker = await start_calendar_worker(store, stop_calendar)  # exits on a missing secret key
    stop_mail = asyncio.Event()
    mail_worker = start_capture_worker(store, settings, stop_mail)
    digests = asyncio.create_task(_run_digests(store, settings, stop_mail), name="digest-scheduler")
    try:
        await _serve(store, settings, host=host, port=port, sock=sock)
    finally:
        stop_mail.set()
        if mail_worker is not None:
            await asyncio.wait_for(mail_worker, 30)
        await asyncio.wait_for(digests, 30)
        await stop_calendar_worker(calendar_worker, stop_calendar)


async def _run_digests(store: Store, settings: SlackSettings, stop: asyncio.Event) -> None:
    """The daily digest scheduler (SPEC §8): every minute, the digests that are due."""
    from slack_sdk.web.async_client import AsyncWebClient

    from bot.digest_scheduler import DigestScheduler
    from mail_sync.config import SmtpSettings

    client = AsyncWebClient(token=settings.bot_token, base_url=settings.api_url or AsyncWebClient.BASE_URL)
    await DigestScheduler(store, client, SmtpSettings.from_env()).run(stop)


def start_capture_worker(
    store: Store, settings: SlackSettings, stop: asyncio.Event
) -> asyncio.Task[None] | None:
    """The email capture worker (SPEC §6), when IMAP_HOST is set; notices go to the users' Slack DMs."""
    from slack_sdk.web.async_client import AsyncWebClient

    from bot.capture_notices import SlackCaptureNotifier
    from mail_sync.config import ImapSettings, SmtpSettings, free_mail_domains
    from mail_sync.worker import CaptureWorker
    from store.services.email_capture import LinkPolicy

    imap = ImapSettings.from_env()
    if imap is None:
        log.info("Email capture: off (IMAP_HOST is not set)")
        return None
    client = AsyncWebClient(token=settings.bot_token, base_url=settings.api_url or AsyncWebClient.BASE_URL)
    notifier = SlackCaptureNotifier(store, client, SmtpSettings.from_env())
    worker = CaptureWorker(store, imap, notifier, policy=LinkPolicy(free_mail_domains=free_mail_domains()))
    log.info("Email capture: %s", worker.mailbox)
    return asyncio.create_task(worker.run(stop), name="capture-worker")


async def serve_http(store: Store, settings: SlackSettings, sock: socket.socket) -> None:
    """Only the HTTP app, on a socket another process listens on too: an extra worker of `kundebot serve
    --workers N` (the background workers run once, in the first process)."""
    await _serve(store, settings, host="", port=0, sock=sock)


def listening_socket(host: str, port: int) -> socket.socket:
    """A TCP socket bound and listening before the worker processes fork, so they all accept on it."""
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(1024)
    sock.setblocking(False)
    return sock


class ForkedWorkers:
    """`count - 1` copies of this process, forked after the socket is bound and before any event loop or
    database connection exists; each serves HTTP on the shared socket. The first process is index 0."""

    def __init__(self, count: int) -> None:
        self.children: list[int] = []
        self.index = 0
        for index in range(1, count):
            pid = os.fork()
            if pid == 0:
                self.index = index
                self.children = []
                return
            self.children.append(pid)

    def stop(self) -> None:
        """In the first process: stop the others and wait for them."""
        for pid in self.children:
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                continue
        for pid in self.children:
            try:
                os.waitpid(pid, 0)
            except ChildProcessError:
                continue


_ready = False


def ready_to_serve() -> None:
    """Load the language engine now instead of on the first message, then freeze what start-up built:
    Python's full garbage collections stop walking those objects (spaCy's vocabularies, SQLAlchemy's
    mappers), and one of them had held every request in flight for about 80 ms. Once per process; `kundebot
    serve --workers N` calls it before forking, so the processes share those pages."""
    global _ready
    if _ready:
        return
    from bot.intents.parser import parse

    for lang in ("en", "nb", "sv"):
        parse("hei", lang=lang)
    gc.collect()
    gc.freeze()
    _ready = True


async def _serve(
    store: Store, settings: SlackSettings, *, host: str, port: int, sock: socket.socket | None = None
) -> None:
    ready_to_serve()
    if settings.app_token:
        from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

        log.info("Slack: Socket Mode")
        await AsyncSocketModeHandler(build_app(store, settings), settings.app_token).start_async()
        return
    runner = web.AppRunner(web_app(store, settings), access_log_class=RedactingAccessLogger)
    await runner.setup()
    if sock is not None:
        await web.SockSite(runner, sock).start()
        log.info("Slack: process %s listening on %s", os.getpid(), sock.getsockname())
    else:
        await web.TCPSite(runner, host, port).start()
        log.info("Slack: listening on http://%s:%s/slack/events", host, port)
    try:
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()
