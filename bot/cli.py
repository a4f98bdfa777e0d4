"""The `kundebot` command line (SPEC §5.3)."""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console

from registry.orgnr import InvalidOrgNumber, candidates, validate
from store.db import Store

app = typer.Typer(no_args_is_help=True, add_completion=False, help="kundebot: a CRM assistant in chat.")
db_app = typer.Typer(no_args_is_help=True, help="Database maintenance.")
org_app = typer.Typer(no_args_is_help=True, help="Organisation numbers.")
app.add_typer(db_app, name="db")
user_app = typer.Typer(no_args_is_help=True, help="Users.")
app.add_typer(org_app, name="org")
app.add_typer(user_app, name="user")
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
    from bot.console import run_console
    from store.errors import NotFound
    from store.services.users import default_actor

    async def work(store: Store) -> None:
        try:
            async with store.reading() as session:
                actor = await default_actor(session, user or os.environ.get("KUNDEBOT_USER"))
        except NotFound as exc:
            err.print(f"[red]{exc}[/red]")
            raise typer.Exit(1) from exc
        if actor is None:
            err.print("[red]No users yet.[/red] Run `kundebot demo-data` to seed a demo organisation.")
            raise typer.Exit(1)
        await run_console(store, actor)

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


def main() -> None:
    app()
