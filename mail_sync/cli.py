"""`kundebot mail ...` (SPEC §5.3, §6): parse one message, show the capture status, re-read the mailbox, or
run the capture worker on its own (without Slack, notices go to the log)."""

from __future__ import annotations

import asyncio
import json
import logging
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from mail_sync.config import ImapSettings, free_mail_domains
from mail_sync.parse import analysis, parse_message
from store.db import Store

mail_app = typer.Typer(no_args_is_help=True, help="Email capture: parse, status, resync, run.")
err = Console(stderr=True)


def _imap_settings() -> ImapSettings:
    try:
        settings = ImapSettings.from_env()
    except ValueError as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None
    if settings is None:
        err.print("[red]Set IMAP_HOST, IMAP_USER and IMAP_PASSWORD to read the capture mailbox.[/red]")
        raise typer.Exit(2)
    return settings


@mail_app.command("parse")
def mail_parse(
    file: Annotated[Path, typer.Argument(help="A raw message (.eml).", exists=True, dir_okay=False)],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON (the stable interface).")] = False,
    capture: Annotated[
        list[str] | None,
        typer.Option("--capture", help="The capture address(es) (default: CAPTURE_ADDRESS)."),
    ] = None,
) -> None:
    """What capture makes of one message: the original email and its participants."""
    import os

    addresses = capture or [a for a in (os.environ.get("CAPTURE_ADDRESS"), os.environ.get("IMAP_USER")) if a]
    result = analysis(parse_message(file.read_bytes(), capture_addresses=addresses))
    if as_json:
        typer.echo(json.dumps(result, ensure_ascii=False))
        return
    original = result["original"]
    typer.echo(f"{result['subject']}  ({'forwarded' if result['forwarded'] else 'not forwarded'})")
    typer.echo(f"  original from {original['from']} on {original['date']}: {original['subject']}")
    typer.echo(f"  participants: {', '.join(result['participants']) or '-'}")


@mail_app.command("status")
def mail_status() -> None:
    """When the capture mailbox was last read, what was captured, and the last error."""
    from bot.cli import run_with_store
    from store.services import email_capture, mailbox

    async def work(store: Store) -> None:
        async with store.reading() as s:
            states = await mailbox.states(s)
            counts = await email_capture.capture_counts(s)
        console = Console()
        if not states:
            console.print("The capture mailbox has not been read yet (set IMAP_* and run `kundebot serve`).")
        for state in states:
            table = Table(title=state.mailbox, show_header=False)
            table.add_row(
                "Last sync", f"{state.last_sync_at:%Y-%m-%d %H:%M:%S} UTC" if state.last_sync_at else "never"
            )
            table.add_row("Messages processed", str(state.processed))
            table.add_row("UIDVALIDITY / last UID", f"{state.uidvalidity} / {state.last_uid}")
            if state.last_error:
                table.add_row(
                    "Last error", f"[red]{state.last_error}[/red] ({state.last_error_at:%Y-%m-%d %H:%M} UTC)"
                )
            console.print(table)
        console.print(
            f"Linked {counts.linked}, waiting for a decision {counts.waiting}, ignored {counts.ignored}, "
            f"from unknown senders {counts.unknown_sender}."
        )

    run_with_store(work)


@mail_app.command("resync")
def mail_resync() -> None:
    """Read the whole mailbox again on the next sync (nothing is captured twice: Message-IDs are the key)."""
    from bot.cli import run_with_store
    from store.services import mailbox

    settings = _imap_settings()
    worker_key = f"{settings.user}@{settings.host}:{settings.port}/{settings.folder}"

    async def work(store: Store) -> None:
        async with store.transaction() as s:
            progress = await mailbox.progress(s, worker_key)
            await mailbox.restart_from(s, worker_key, progress.uidvalidity or 0)
        err.print(f"{worker_key} will be read again from its first message.")

    run_with_store(work)


@mail_app.command("run")
def mail_run(
    once: Annotated[
        bool, typer.Option("--once", help="Catch up once and stop (default: keep waiting).")
    ] = False,
) -> None:
    """Run the capture worker in the foreground (`kundebot serve` runs it next to Slack)."""
    from bot.cli import run_with_store
    from mail_sync.imap import CaptureMailbox
    from mail_sync.notify import LogNotifier
    from mail_sync.worker import CaptureWorker
    from store.services.email_capture import LinkPolicy

    settings = _imap_settings()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")

    async def work(store: Store) -> None:
        worker = CaptureWorker(
            store, settings, LogNotifier(), policy=LinkPolicy(free_mail_domains=free_mail_domains())
        )
        if once:
            async with CaptureMailbox(settings) as box:
                report = await worker.sync_once(box)
            err.print(f"Fetched {report.fetched}: {report.new} new, {report.repeats} seen before.")
            return
        await worker.run(asyncio.Event())

    run_with_store(work)
