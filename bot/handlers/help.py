"""`help [command]`."""

from __future__ import annotations

from bot.commands import COMMANDS, Command, nearest
from bot.context import Context
from bot.replies import Help, Reply


def help_for(topic: str | None) -> Help:
    if topic:
        matches = [(usage, text) for name, (usage, text) in COMMANDS.items() if name.startswith(topic)]
        if not matches and (guess := nearest(topic)):
            matches = [COMMANDS[guess]]
        if matches:
            return Help(topic, matches)
    return Help(None, list(COMMANDS.values()))


async def show(ctx: Context, command: Command) -> list[Reply]:
    return [help_for(command.rest.lower() or None)]
