"""The `kundebot` command line (SPEC §5.3)."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import signal
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console

from bot.export_cli import chart_app, export_app
from bot.import_cli import import_app
from calendar_sync.cli import calendar_app
from mail_sync.cli import mail_app
from registry.model import RegisterUnit
from registry.orgnr import InvalidOrgNumber, candidates, validate
from store.db import Store

app = typer.Typer(no_args_is_help=True, add_completion=False, help="kundebot: a CRM assistant in chat.")
db_app = typer.Typer(no_args_is_help=True, help="Database maintenance.")
org_app = typer.Typer(no_args_is_help=True, help="Organisation numbers.")
app.add_typer(db_app, name="db")
user_app = typer.Typer(no_args_is_help=True, help="Users.")
registry_app = typer.Typer(no_args_is_help=True, help="The local copy of the Norwegian company register.")
app.add_typer(registry_app, name="registry")
app.add_typer(org_app, name="org")
app.add_typer(user_app, name="user")
nlu_app = typer.Typer(no_args_is_help=True, help="The language engine.")
app.add_typer(nlu_app, name="nlu")
app.add_typer(mail_app, name="mail")
app.add_typer(calendar_app, name="calendar")
app.add_typer(export_app, name="export")
app.add_typer(chart_app, name="chart")
app.add_typer(import_app, name="import")
err = Console(stderr=True)

T = TypeVar("T")


def run_with_store(work: Callable[[Store], Awaitable[T]]) -> T:
    """Open the configured store, apply migrations (they run on every start), do the work, close."""

    async def main() -> T:
        async with Store() as store:
            await store.upgrade()
            return await work(store)

    return asyncio.run(main())


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply all database migrations."""

    async def work(store: Store) -> None:
        err.print(f"Database is up to date ({store.dialect}).")

    run_with_store(work)


@app.command("demo-data")
def demo_data(
    if_empty: Annotated[
        bool, typer.Option("--if-empty", help="Only seed a database without customers.")
    ] = False,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 2026,
) -> None:
    """Seed a realistic demo organisation."""
    from store.demo import has_data, seed_demo

    async def work(store: Store) -> None:
        if await has_data(store):
            if if_empty:
                err.print("Demo data: the database already has customers; leaving it as it is.")
                return
            err.print("[red]The database already has customers; demo data goes into an empty database.[/red]")
            raise typer.Exit(1)
        with err.status("Seeding demo data..."):
            summary = await seed_demo(store, seed=seed)
        err.print(f"Demo data: {summary}")

    run_with_store(work)


@app.command()
def chat(
    user: Annotated[
        str | None, typer.Option(help="Email of the acting user (default: KUNDEBOT_USER or the first admin).")
    ] = None,
) -> None:
    """The terminal console: the same conversation as in Slack."""
    from bot.acting import acting_actor
    from bot.console import run_console

    async def work(store: Store) -> None:
        await run_console(store, await acting_actor(store, user))

    run_with_store(work)


@user_app.command("add")
def user_add(
    name: str,
    email: str,
    role: Annotated[str, typer.Option(help="admin, sales, consultant or read-only.")] = "sales",
    time_zone: Annotated[str, typer.Option("--tz", help="IANA time zone.")] = "Europe/Oslo",
    language: Annotated[str, typer.Option(help="en, nb or sv.")] = "en",
) -> None:
    """Add a kundebot user."""
    from store.errors import StoreError
    from store.models import Language, Role
    from store.services.users import create_user

    try:
        the_role, the_language = Role(role), Language(language)
    except ValueError as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from exc

    async def work(store: Store) -> None:
        try:
            async with store.transaction() as session:
                user = await create_user(
                    session, name=name, email=email, role=the_role, time_zone=time_zone, language=the_language
                )
        except StoreError as exc:
            err.print(f"[red]{exc}[/red]")
            raise typer.Exit(1) from exc
        err.print(f"Added {user.name} <{user.email}> ({user.role.value}).")

    run_with_store(work)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(envvar="PORT", help="Port to listen on.")] = 3000,
    workers: Annotated[
        int,
        typer.Option(envvar="WEB_WORKERS", min=1, help="HTTP worker processes sharing the port (HTTP mode)."),
    ] = 1,
) -> None:
    """Run the Slack app: HTTP (`/slack/events`, `/healthz`), or Socket Mode when SLACK_APP_TOKEN is set."""
    from bot.app import SlackSettings
    from bot.server import ForkedWorkers, listening_socket, ready_to_serve, run_slack, serve_http

    settings = SlackSettings.from_env()
    if settings is None:
        err.print(
            "[red]Set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET to serve Slack[/red] "
            "(or try kundebot without Slack: `kundebot chat`)."
        )
        raise typer.Exit(1)

    if workers == 1 or settings.app_token:
        run_with_store(lambda store: run_slack(store, settings, host=host, port=port))
        return
    run_with_store(lambda store: asyncio.sleep(0))  # migrate once, before the processes fork
    ready_to_serve()
    sock = listening_socket(host, port)
    forked = ForkedWorkers(workers)  # from here on, `workers` processes run this code
    if forked.index > 0:
        asyncio.run(_with_store(lambda store: serve_http(store, settings, sock)))
        return
    # SIGTERM ends the first process through its finally, so the others are stopped and reaped too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        asyncio.run(_with_store(lambda store: run_slack(store, settings, host=host, port=port, sock=sock)))
    finally:
        forked.stop()


async def _with_store(work: Callable[[Store], Awaitable[None]]) -> None:
    """The configured store, already migrated, for the lifetime of `work`."""
    async with Store() as store:
        await work(store)


@org_app.command("validate")
def org_validate(
    number: str,
    country: Annotated[str | None, typer.Option(help="NO, SE, FI or DK; detected when left out.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Check an organisation number's checksum and format it."""
    result: dict[str, Any]
    try:
        if country:
            found = [validate(number, country)]
        else:
            found = candidates(number)
            if not found:
                raise InvalidOrgNumber(
                    f"{number.strip()!r} is not a valid organisation number in NO, SE, FI or DK."
                )
        if len(found) > 1:
            raise InvalidOrgNumber(
                f"{number.strip()!r} is valid in {' and '.join(o.country for o in found)}; pass --country."
            )
        org = found[0]
        result = {"valid": True, "country": org.country, "number": org.number, "formatted": org.formatted}
    except InvalidOrgNumber as exc:
        result = {"valid": False, "error": str(exc)}
    if as_json:
        typer.echo(json.dumps(result, ensure_ascii=False))
    elif result["valid"]:
        typer.echo(f"{result['formatted']} ({result['country']}) is valid.")
    else:
        err.print(result["error"])
    if not result["valid"]:
        raise typer.Exit(1)


def _unit_json(unit: RegisterUnit) -> dict[str, Any]:
    data = dataclasses.asdict(unit)
    data["status"] = unit.status
    data["deleted_on"] = unit.deleted_on.isoformat() if unit.deleted_on else None
    return data


@org_app.command("lookup")
def org_lookup(
    number: str,
    country: Annotated[str | None, typer.Option(help="NO, SE, FI or DK; detected when left out.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """What the register knows about an organisation number: the local register first, then online."""
    from registry.lookup import Registers, lookup
    from registry.model import RegisterUnavailable
    from store.errors import InvalidInput
    from store.validation import org_number

    try:
        org = org_number(number, country)
    except InvalidInput as exc:
        typer.echo(
            json.dumps({"valid": False, "error": str(exc)}, ensure_ascii=False)
        ) if as_json else err.print(str(exc))
        raise typer.Exit(1) from exc

    async def work(store: Store) -> dict[str, Any]:
        registers = Registers.from_env()
        try:
            found = await lookup(store, registers, org)
        finally:
            await registers.close()
        result = found.result
        return {
            "status": result.status.value,
            "country": org.country,
            "number": org.number,
            "formatted": org.formatted,
            "source": found.source,
            "removed_on": result.removed_on.isoformat() if result.removed_on else None,
            "unit": _unit_json(result.unit) if result.unit else None,
        }

    try:
        answer = run_with_store(work)
    except RegisterUnavailable as exc:
        typer.echo(json.dumps({"error": str(exc)}, ensure_ascii=False)) if as_json else err.print(str(exc))
        raise typer.Exit(2) from exc
    if as_json:
        typer.echo(json.dumps(answer, ensure_ascii=False))
    elif answer["unit"]:
        unit = answer["unit"]
        typer.echo(f"{unit['name']} ({answer['formatted']}, {answer['country']}): {unit['status']}")
    else:
        typer.echo(f"{answer['formatted']}: {answer['status']} in the register")


@registry_app.command("import")
def registry_import(
    file: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, help="enheter_alle.json.gz from Brreg.")
    ],
) -> None:
    """Import (or re-import) the Enhetsregisteret bulk download into the local register."""
    from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn

    from registry.bulk import import_file

    async def work(store: Store) -> None:
        with Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            DownloadColumn(),
            TimeRemainingColumn(),
            console=err,
        ) as progress:
            task = progress.add_task("Importing units", total=file.stat().st_size)
            report = await import_file(
                store, file, on_progress=lambda done, total: progress.update(task, completed=done)
            )
        err.print(f"Imported {report.units:,} units in {report.seconds:.1f} s.")

    run_with_store(work)


@registry_app.command("update")
def registry_update() -> None:
    """Apply the register's change feed since the last import or update."""
    from registry.feed import apply_changes
    from registry.lookup import Registers
    from registry.model import RegisterUnavailable

    async def work(store: Store) -> None:
        registers = Registers.from_env()
        try:
            report = await apply_changes(store, registers.providers["NO"])  # type: ignore[arg-type]
        finally:
            await registers.close()
        err.print(
            f"{report.changes} changes: {report.updated} units updated, {report.removed} removed "
            f"(feed position {report.last_update_id})."
        )

    try:
        run_with_store(work)
    except RegisterUnavailable as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc


@nlu_app.command("train")
def nlu_train(
    data: Annotated[
        list[Path] | None,
        typer.Option(
            "--data", help="Labelled JSONL files (default: tests/data/nlu/dev*.jsonl; never heldout)."
        ),
    ] = None,
) -> None:
    """Train the intent classifier and the slot tagger from the repository's labelled data; save them in the
    package."""
    from bot.intents import slot_tagger
    from bot.intents.classifier import MODEL_DIR, train_from_files
    from bot.intents.evaluate import DATA

    paths = data or sorted(DATA.glob("dev*.jsonl"))
    if not paths or any(not p.exists() for p in paths):
        err.print(f"[red]No labelled data at {', '.join(map(str, paths)) or DATA}.[/red]")
        raise typer.Exit(1)
    if any("heldout" in p.name for p in paths):
        err.print("[red]The held-out split is for measuring only; train on the dev files.[/red]")
        raise typer.Exit(2)
    meta = train_from_files(paths)
    err.print(f"Intent classifier: trained on {meta['examples']} messages in {meta['seconds']} s.")
    tagged = slot_tagger.train_from_files(paths)
    err.print(
        f"Slot tagger: trained on {tagged['names']['messages']} messages (names) and "
        f"{tagged['subject']['messages']} (subject) in {tagged['seconds']} s. Saved to {MODEL_DIR}."
    )


@app.command("parse")
def parse_message(
    text: Annotated[str, typer.Argument(help="The message, as a user would type it.")],
    lang: Annotated[
        str | None, typer.Option("--lang", help="The user's language (en, nb, sv): the prior for detection.")
    ] = None,
    now: Annotated[
        str | None, typer.Option("--now", help="What 'now' is, ISO 8601 (default: the clock).")
    ] = None,
    tz: Annotated[str, typer.Option("--tz", help="The user's time zone.")] = "Europe/Oslo",
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON (the stable interface).")] = False,
) -> None:
    """Parse one message into an intent and slots (SPEC §5.3), without touching the store."""
    from datetime import datetime
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    from bot.intents import parse

    if lang is not None and lang not in ("en", "nb", "sv"):
        err.print(f"[red]Unknown language {lang!r}; use en, nb or sv.[/red]")
        raise typer.Exit(2)
    try:
        zone = ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        err.print(f"[red]Unknown time zone {tz!r}; use an IANA name such as Europe/Oslo.[/red]")
        raise typer.Exit(2) from None
    moment = None
    if now is not None:
        try:
            moment = datetime.fromisoformat(now)
        except ValueError:
            err.print(f"[red]--now {now!r} is not an ISO 8601 date and time.[/red]")
            raise typer.Exit(2) from None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=zone)
    result = parse(text, lang=lang, now=moment, tz=tz).as_json()
    if as_json:
        typer.echo(json.dumps(result, ensure_ascii=False))
        return
    typer.echo(f"{result['intent']} ({result['lang']})")
    for name, value in result["slots"].items():
        typer.echo(f"  {name}: {value}")


def main() -> None:
    app()
