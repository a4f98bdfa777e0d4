"""`kundebot chat`: the conversation in a terminal, one message per line of standard input.

Interactive when stdin is a terminal (prompt, colours); line-by-line and plain when piped, so scripts and
tests drive it: `printf 'customer find acme\n' | kundebot chat`.
"""

from __future__ import annotations

import sys
from typing import TextIO

from rich.console import Console

from bot.conversation import Conversation
from bot.i18n import say
from bot.render.console import render
from store.actor import Actor
from store.db import Store

QUIT = frozenset({"quit", "exit", "bye", "q", ":q"})


async def run_console(
    store: Store, actor: Actor, stdin: TextIO = sys.stdin, console: Console | None = None
) -> None:
    console = console or Console()
    interactive = stdin.isatty()
    conversation = Conversation(store, actor)
    if interactive:
        console.print(say(actor.language.value, "console.welcome", name=actor.name, role=actor.role.value))
    while True:
        if interactive:
            try:
                line = console.input("[bold cyan]crm>[/bold cyan] ")
            except EOFError:
                break
        else:
            line = stdin.readline()
            if not line:
                break
        if line.strip().lower() in QUIT:
            break
        for reply in await conversation.handle(line):
            render(console, reply, conversation.context.lang)
    await conversation.close()
