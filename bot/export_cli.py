"""`kundebot export ...` and `kundebot chart ...`: the exports and charts of SPEC §8-§9 from the command line.

    kundebot export customers|contacts|activities|kpi [--format csv|xlsx] [--out FILE] [--user EMAIL] [QUERY]
    kundebot chart pipeline|invoicing [--out FILE] [--user EMAIL]

Mount with `app.add_typer(export_app, name="export")` and `app.add_typer(chart_app, name="chart")`. The
acting user is --user, else KUNDEBOT_USER, else the first admin (as `kundebot chat`); what they may not see
is never exported. The file is written to --out (default: a dated name in the current directory, e.g.
kunder-2025-01-15.xlsx) and its path printed on standard output; `--out -` writes the bytes to standard
output instead.
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Awaitable, Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from rich.console import Console

from store.actor import Actor
from store.db import Store

export_app = typer.Typer(no_args_is_help=True, help="Export lists as CSV or XLSX.")
chart_app = typer.Typer(no_args_is_help=True, help="Charts as PNG images.")
err = Console(stderr=True)

T = TypeVar("T")

UserOption = Annotated[
    str | None,
    typer.Option("--user", help="Email of the acting user (default: KUNDEBOT_USER or the first admin)."),
]
OutOption = Annotated[
    str | None, typer.Option("--out", "-o", help="File to write (default: a dated name here; - for stdout).")
]


class Format(StrEnum):
    csv = "csv"
    xlsx = "xlsx"


FormatOption = Annotated[Format, typer.Option("--format", "-f", help="csv or xlsx.")]
QueryArgument = Annotated[
    str | None, typer.Argument(help="Search: names for customers/contacts, a customer for activities.")
]


def _run(work: Callable[[Store, Actor], Awaitable[T]], user: str | None) -> T:
    """Open the configured store (migrated, as every command does), find the acting user, do the work."""
    from bot.acting import acting_actor

    async def main() -> T:
        async with Store() as store:
            await store.upgrade()
            return await work(store, await acting_actor(store, user))

    return asyncio.run(main())


def _write(data: bytes, out: str | None, default_name: str) -> str:
    if out == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return "-"
    path = Path(out) if out else Path.cwd() / default_name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return str(path)


def _export(kind: str, fmt: Format, out: str | None, user: str | None, query: str | None) -> None:
    from bot.export import ExportUsage, build_export
    from store.errors import StoreError

    async def work(store: Store, actor: Actor) -> None:
        started = time.perf_counter()
        try:
            export = await build_export(store, actor, kind, fmt.value, query or "")
        except (ExportUsage, StoreError) as exc:
            err.print(f"[red]{exc}[/red]")
            raise typer.Exit(1) from exc
        where = _write(export.data, out, export.filename)
        took = time.perf_counter() - started
        err.print(f"{export.title}: {export.rows} rows, {len(export.data):,} bytes in {took:.2f} s.")
        if where != "-":
            print(where)

    _run(work, user)


@export_app.command("customers")
def export_customers(
    query: QueryArgument = None,
    fmt: FormatOption = Format.xlsx,
    out: OutOption = None,
    user: UserOption = None,
) -> None:
    """Customers you may see (those matching QUERY, as `customer find` does)."""
    _export("customers", fmt, out, user, query)


@export_app.command("contacts")
def export_contacts(
    query: QueryArgument = None,
    fmt: FormatOption = Format.xlsx,
    out: OutOption = None,
    user: UserOption = None,
) -> None:
    """Contacts you may see (those matching QUERY, as `contact find` does)."""
    _export("contacts", fmt, out, user, query)


@export_app.command("activities")
def export_activities(
    query: QueryArgument = None,
    fmt: FormatOption = Format.xlsx,
    out: OutOption = None,
    user: UserOption = None,
) -> None:
    """Activities you may see, newest first (those of the customer QUERY names)."""
    _export("activities", fmt, out, user, query)


@export_app.command("kpi")
def export_kpi(fmt: FormatOption = Format.xlsx, out: OutOption = None, user: UserOption = None) -> None:
    """The key figures and the tables of `kpi` and `pipeline` (CSV: the key figures only)."""
    _export("kpi", fmt, out, user, None)


def _chart(which: str, out: str | None, user: str | None) -> None:
    from bot.charts import build_chart

    async def work(store: Store, actor: Actor) -> None:
        started = time.perf_counter()
        chart = await build_chart(store, actor, which)
        where = _write(chart.data, out, chart.filename)
        err.print(f"{chart.title}: {len(chart.data):,} bytes in {time.perf_counter() - started:.2f} s.")
        if where != "-":
            print(where)

    _run(work, user)


@chart_app.command("pipeline")
def chart_pipeline(out: OutOption = None, user: UserOption = None) -> None:
    """Open sales cases by stage (value and weighted value), as PNG."""
    _chart("pipeline", out, user)


@chart_app.command("invoicing")
def chart_invoicing(out: OutOption = None, user: UserOption = None) -> None:
    """Invoicing by month over the last 12 months, as PNG."""
    _chart("invoicing", out, user)
