"""Files for the asking user in Slack: exports (CSV, XLSX) and chart images (PNG).

A file goes only to the bot's direct-message conversation with the user who asked, never to the channel
the command was typed in (owner-only customers must not reach a channel, and a DM between two people would
show the file to the other person). files.completeUploadExternal takes a conversation ID (C…, G…, D…), not
a user ID, so the DM is opened first with conversations.open (scope im:write; files:write for the upload).

`client.files_upload_v2` (slack_sdk) does the upload in its three steps: files.getUploadURLExternal, a POST
of the bytes to the returned upload URL, files.completeUploadExternal sharing the file in the DM.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.export import build_export, parse_export_args
from bot.i18n import error_text, say
from bot.render.blocks import file_actions
from store.actor import Actor
from store.db import Store
from store.errors import StoreError

log = logging.getLogger(__name__)

# Action ids for buttons under the `kpi` and `pipeline` replies (see `file_buttons`); the value names what.
CHART_ACTION = "kundebot_chart"  # value: "pipeline" or "invoicing"
EXPORT_ACTION = "kundebot_export"  # value: "<kind> <format>", e.g. "kpi xlsx"


@dataclass(frozen=True)
class SentFile:
    file_id: str
    channel: str  # the DM it was shared in
    permalink: str | None


async def dm_channel(client: AsyncWebClient, user_id: str) -> str:
    """The ID of the bot's DM with `user_id` (opened if it was not)."""
    response = await client.conversations_open(users=user_id)
    channel = (response.get("channel") or {}).get("id")
    if not channel:
        raise SlackApiError("conversations.open returned no channel", response)
    return str(channel)


async def send_file(
    client: AsyncWebClient,
    user_id: str,
    filename: str,
    data: bytes,
    title: str,
    *,
    comment: str | None = None,
    alt_text: str | None = None,
) -> SentFile:
    """Upload `data` as `filename` into the bot's DM with `user_id`; raises SlackApiError on failure."""
    channel = await dm_channel(client, user_id)
    options: dict[str, Any] = {}
    if alt_text:
        options["alt_txt"] = alt_text[:1000]
    response = await client.files_upload_v2(
        channel=channel, filename=filename, file=data, title=title, initial_comment=comment, **options
    )
    uploaded = response.get("file") or (response.get("files") or [{}])[0]
    return SentFile(str(uploaded.get("id", "")), channel, uploaded.get("permalink"))


async def send_export(
    client: AsyncWebClient,
    user_id: str,
    channel: str | None,
    filename: str,
    data: bytes,
    title: str,
    *,
    comment: str | None = None,
) -> SentFile:
    """An export for the user who asked. `channel` is where they asked; the file goes to their DM with the
    bot whatever it is (the caller tells them so when `channel` is not that DM: `sent_elsewhere`)."""
    return await send_file(client, user_id, filename, data, title, comment=comment)


def sent_elsewhere(asked_in: str | None, sent: SentFile) -> bool:
    """True when the file went to another conversation than the one the user asked in."""
    return asked_in != sent.channel


async def export_to_slack(
    client: AsyncWebClient, store: Store, actor: Actor, user_id: str, channel: str | None, text: str
) -> str:
    """`/crm export TEXT` from start to end: build the export for `actor`, upload it to the user's DM, and
    return what to tell the user (ephemeral). Errors become that text too, never an exception."""
    lang = actor.language.value
    try:
        request = parse_export_args(text)
        export = await build_export(store, actor, request.kind, request.fmt, request.query)
    except StoreError as exc:  # ExportUsage too
        return error_text(lang, exc)
    try:
        sent = await send_export(client, user_id, channel, export.filename, export.data, export.title)
    except SlackApiError as exc:
        log.warning("export upload failed: %s", exc.response.get("error"))
        return say(lang, "files.upload_failed", name=export.filename, error=exc.response.get("error"))
    rows = say(lang, "files.one_row") if export.rows == 1 else say(lang, "files.rows", n=export.rows)
    return say(lang, "files.sent", name=export.filename, rows=rows, where=_where(lang, channel, sent))


async def chart_to_slack(
    client: AsyncWebClient, store: Store, actor: Actor, user_id: str, channel: str | None, which: str
) -> str:
    """A chart ("pipeline" or "invoicing") as an image in the user's DM; what to tell the user."""
    from bot.charts import build_chart  # matplotlib loads in about a second: only when a chart is wanted

    lang = actor.language.value
    try:
        chart = await build_chart(store, actor, which)
    except StoreError as exc:
        return error_text(lang, exc)
    try:
        sent = await send_file(client, user_id, chart.filename, chart.data, chart.title, alt_text=chart.title)
    except SlackApiError as exc:
        log.warning("chart upload failed: %s", exc.response.get("error"))
        return say(lang, "files.chart_upload_failed", error=exc.response.get("error"))
    return say(lang, "files.chart_sent", name=chart.filename, where=_where(lang, channel, sent))


def _where(lang: str, asked_in: str | None, sent: SentFile) -> str:
    """ " in our direct messages" when the file went elsewhere than where the user asked."""
    return say(lang, "files.in_dm") if sent_elsewhere(asked_in, sent) else ""


def file_buttons(kind: str) -> dict[str, Any]:
    """An actions block for under a `kpi` ("kpi") or `pipeline` ("pipeline") reply: charts and the export."""
    return file_actions(kind)
