"""`help [command]`."""

from __future__ import annotations

from bot.commands import COMMANDS, Command, nearest
from bot.context import Context
from bot.i18n import say
from bot.replies import Help, Reply


def help_for(topic: str | None, lang: str) -> Help:
    """The usage and, in `lang`, the description of the commands `topic` names (or its nearest, or all)."""
    if topic:
        names = [name for name in COMMANDS if name.startswith(topic)]
        if not names and (guess := nearest(topic)):
            names = [guess]
        if names:
            return Help(topic, _entries(names, lang))
    return Help(None, _entries(list(COMMANDS), lang))


def _entries(names: list[str], lang: str) -> list[tuple[str, str]]:
    return [(COMMANDS[name], say(lang, f"command.about.{name.replace(' ', '_')}")) for name in names]


async def show(ctx: Context, command: Command) -> list[Reply]:
    return [help_for(command.rest.lower() or None, ctx.lang)]
