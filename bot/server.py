"""Serving the Slack app: HTTP with aiohttp (`/slack/events`, `/healthz`) or Socket Mode."""

from __future__ import annotations

import asyncio
import logging

from aiohttp import web

from bot.app import SlackSettings, build_app
from store.db import Store

log = logging.getLogger(__name__)


def web_app(store: Store, settings: SlackSettings) -> web.Application:
    """The aiohttp application Slack posts to; `/healthz` answers without touching Slack."""
    application = build_app(store, settings).web_app(path="/slack/events")

    async def healthz(_: web.Request) -> web.Response:
        return web.json_response({"ok": True})

    application.router.add_get("/healthz", healthz)
    return application


async def run_slack(store: Store, settings: SlackSettings, *, host: str, port: int) -> None:
    if settings.app_token:
        from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

        log.info("Slack: Socket Mode")
        await AsyncSocketModeHandler(build_app(store, settings), settings.app_token).start_async()
        return
    runner = web.AppRunner(web_app(store, settings))
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    log.info("Slack: listening on http://%s:%s/slack/events", host, port)
    try:
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()
