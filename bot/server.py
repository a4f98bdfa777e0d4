"""Serving the Slack app: HTTP with aiohttp (`/slack/events`, `/healthz`, `/calendar/{token}.ics`) or Socket
Mode; the calendar worker runs alongside either."""

from __future__ import annotations

import asyncio
import logging

from aiohttp import web

from bot.app import SlackSettings, build_app
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
    application = build_app(store, settings).web_app(path="/slack/events")

    async def healthz(_: web.Request) -> web.Response:
        return web.json_response({"ok": True})

    application.router.add_get("/healthz", healthz)
    add_feed_routes(application, store)
    return application


async def run_slack(store: Store, settings: SlackSettings, *, host: str, port: int) -> None:
    stop_calendar = asyncio.Event()
    calendar_worker = await start_calendar_worker(store, stop_calendar)  # exits on a missing secret key
    stop_mail = asyncio.Event()
    mail_worker = start_capture_worker(store, settings, stop_mail)
    digests = asyncio.create_task(_run_digests(store, settings, stop_mail), name="digest-scheduler")
    try:
        await _serve(store, settings, host=host, port=port)
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


async def _serve(store: Store, settings: SlackSettings, *, host: str, port: int) -> None:
    if settings.app_token:
        from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

        log.info("Slack: Socket Mode")
        await AsyncSocketModeHandler(build_app(store, settings), settings.app_token).start_async()
        return
    runner = web.AppRunner(web_app(store, settings), access_log_class=RedactingAccessLogger)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    log.info("Slack: listening on http://%s:%s/slack/events", host, port)
    try:
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()
