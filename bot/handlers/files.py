"""`export` and `chart` in the console: the file is saved in the current directory and its path shown.
(In Slack the app uploads the same file to the user's DM: bot.slack_files.)"""

from __future__ import annotations

from bot.commands import Command
from bot.context import Context
from bot.export import ExportUsage, build_export, parse_export_args
from bot.i18n import error_text, say
from bot.replies import Reply, Text, Tone
from store.errors import InvalidInput


async def export(ctx: Context, command: Command) -> list[Reply]:
    try:
        request = parse_export_args(command.rest)
    except ExportUsage as exc:
        return [Text(error_text(ctx.lang, exc), Tone.ERROR)]
    made = await build_export(ctx.store, ctx.actor, request.kind, request.fmt, request.query)
    path = made.save()
    if made.rows == 1:
        return [Text(say(ctx.lang, "export.saved_one", path=path), Tone.SUCCESS)]
    return [Text(say(ctx.lang, "export.saved", rows=made.rows, path=path), Tone.SUCCESS)]


async def chart(ctx: Context, command: Command) -> list[Reply]:
    from bot.charts import build_chart  # matplotlib takes a second to load: only when a chart is wanted

    try:
        made = await build_chart(ctx.store, ctx.actor, command.rest.strip().lower() or "pipeline")
    except InvalidInput as exc:
        return [Text(error_text(ctx.lang, exc), Tone.ERROR)]
    return [Text(say(ctx.lang, "chart.saved", path=made.save()), Tone.SUCCESS)]
