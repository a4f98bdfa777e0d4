"""Who the command-line tools act as: `--user EMAIL`, else KUNDEBOT_USER, else the first admin."""

from __future__ import annotations

import os

import typer
from rich.console import Console

from store.actor import Actor
from store.db import Store
from store.errors import NotFound
from store.services.users import default_actor

err = Console(stderr=True)


async def acting_actor(store: Store, user: str | None) -> Actor:
    """The actor, or a clear message and exit status 1 (unknown user, or no users at all)."""
    try:
        async with store.reading() as session:
            actor = await default_actor(session, user or os.environ.get("KUNDEBOT_USER"))
    except NotFound as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from exc
    if actor is None:
        err.print("[red]No users yet.[/red] Run `kundebot demo-data` to seed a demo organisation.")
        raise typer.Exit(1)
    return actor
