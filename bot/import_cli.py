"""`kundebot import customers|contacts|addresses FILE.csv` (SPEC §9): the CSV import from the command line.

Mounted by bot/cli.py as `kundebot import`. The rules are `store.services.importing`'s; this module reads the
file, shows a progress bar on stderr (only on a terminal) and prints the report on stdout:

    kunder.csv: 120 rows of customers (windows-1252, semicolon-separated), as Ada Admin <ada@firm.no>
    Columns: Navn (name), Org.nr (organisation number), Postnummer (postcode), Poststed (city)
    Ignored columns, unknown to kundebot: Fakturaspråk
    Dry run, nothing written. 120 rows of customers: would create 97, would update 12, 3 unchanged, 8 rejected.
    Rejected rows:
      line 7    Nordlys AS: invalid organisation number '923 609 017': not a valid Norwegian number (...)
      ...

Exit status: 0 when every row was (or, in a dry run, would be) imported; 1 when rows were rejected (without
--partial nothing was written), or the acting user may not import; 2 when the file cannot be used at all
(unreadable, not CSV, no column kundebot recognises) or the user is unknown.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from store.actor import Actor
from store.db import Store
from store.errors import ChangedMeanwhile, NotFound, PermissionDenied
from store.services.importing import (
    SIMILAR_NAME_KEYS,
    ImportFileError,
    ImportOptions,
    ImportReport,
    Kind,
    run_import,
)

EXIT_OK, EXIT_REJECTED, EXIT_UNUSABLE = 0, 1, 2

import_app = typer.Typer(
    no_args_is_help=True,
    help="Import customers, contacts or addresses from a CSV file (create or update; --dry-run first).",
)
out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False)

FIELD_NAMES = {
    "customer_number": "customer number",
    "org_number": "organisation number",
    "customer_name": "customer",
    "full_name": "name",
    "first_name": "first name",
    "last_name": "last name",
    "vat_number": "VAT number",
    "relation_level": "relation level",
    "street2": "street line 2",
    "street3": "street line 3",
    "address_roles": "address type",
    "head_office": "head office",
}

FileArgument = Annotated[
    Path,
    typer.Argument(
        exists=True, dir_okay=False, readable=True, help="The CSV file (; , or tab separated, any encoding)."
    ),
]
DryRun = Annotated[bool, typer.Option("--dry-run", help="Check every row and report; write nothing.")]
Partial = Annotated[
    bool, typer.Option("--partial", help="Import the good rows even when some are rejected (default: none).")
]
UserOption = Annotated[
    str | None,
    typer.Option("--user", help="Email of the acting user (default: KUNDEBOT_USER, else the first admin)."),
]
AllowSimilar = Annotated[
    bool,
    typer.Option(
        "--allow-similar", help="Create customers even when one with a similar name exists (default: reject)."
    ),
]


@import_app.command("customers")
def import_customers(
    file: FileArgument,
    dry_run: DryRun = False,
    partial: Partial = False,
    user: UserOption = None,
    allow_similar: AllowSimilar = False,
) -> None:
    """Customers: a customer number updates that customer, else an organisation number already in the
    CRM updates it, else the row creates a customer (names close to an existing customer's are rejected).
    Street, postcode and city columns set the head office."""
    run(Kind.CUSTOMERS, file, ImportOptions(dry_run, partial, allow_similar), user)


@import_app.command("contacts")
def import_contacts(
    file: FileArgument, dry_run: DryRun = False, partial: Partial = False, user: UserOption = None
) -> None:
    """Contacts, each at the customer named by customer number, organisation number or exact name; a
    contact with the same email (or, without one, the same name at that customer) is updated."""
    run(Kind.CONTACTS, file, ImportOptions(dry_run, partial), user)


@import_app.command("addresses")
def import_addresses(
    file: FileArgument, dry_run: DryRun = False, partial: Partial = False, user: UserOption = None
) -> None:
    """Addresses of customers (named as for contacts); the same street and postcode at a customer updates
    that address; a customer's first address, or one marked head office, becomes its head office."""
    run(Kind.ADDRESSES, file, ImportOptions(dry_run, partial), user)


def run(kind: Kind, file: Path, options: ImportOptions, user: str | None) -> None:
    """Read the file, import it as the acting user, print the report, exit with the status of the module
    docstring."""
    try:
        data = file.read_bytes()
    except OSError as exc:
        err.print(f"[red]Cannot read {escape(str(file))}: {escape(exc.strerror or str(exc))}[/red]")
        raise typer.Exit(EXIT_UNUSABLE) from None

    async def main() -> tuple[ImportReport, Actor]:
        async with Store() as store:
            await store.upgrade()
            actor = await acting_user(store, user)
            with progress_bar() as progress:
                task = progress.add_task("Reading", total=None)

                def on_progress(phase: str, done: int, total: int) -> None:
                    progress.update(task, description=phase, completed=done, total=total)

                report = await run_import(
                    store, actor, kind, data, options=options, file_name=file.name, progress=on_progress
                )
            return report, actor

    try:
        report, actor = asyncio.run(main())
    except (ImportFileError, NotFound) as exc:
        err.print(f"[red]{escape(str(exc))}[/red]")
        raise typer.Exit(EXIT_UNUSABLE) from None
    except (PermissionDenied, ChangedMeanwhile) as exc:
        err.print(f"[red]{escape(str(exc))}[/red]")
        raise typer.Exit(EXIT_REJECTED) from None
    print_report(report, actor, out)
    raise typer.Exit(EXIT_OK if report.ok else EXIT_REJECTED)


async def acting_user(store: Store, email: str | None) -> Actor:
    from store.services.users import default_actor

    async with store.reading() as session:
        actor = await default_actor(session, email or os.environ.get("KUNDEBOT_USER"))
    if actor is None:
        raise NotFound("No users yet: add one with `kundebot user add NAME EMAIL --role admin`.")
    return actor


def progress_bar() -> Progress:
    return Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    )


def print_report(report: ImportReport, actor: Actor, console: Console) -> None:
    """The report: what was read, what happened, every rejected row with its line, and what to do next."""
    name = report.file_name or "The file"
    who = f", as {actor.name}" if actor.name else ""
    console.print(
        escape(
            f"{name}: {report.rows} rows of {report.kind.value} ({report.encoding}, {report.delimiter_name}-separated){who}"
        )
    )
    if report.columns:
        read = ", ".join(
            f"{header} ({FIELD_NAMES.get(f, f.replace('_', ' '))})" for f, header in report.columns.items()
        )
        console.print(escape(f"Columns: {read}"))
    if report.unknown_columns:
        console.print(escape(f"Ignored columns, unknown to kundebot: {', '.join(report.unknown_columns)}"))
    style = "green" if report.ok else ("yellow" if report.written else "red")
    console.print(f"[{style}]{escape(report.summary())}[/{style}]")
    if report.rejected:
        console.print("Rejected rows:")
        width = len(str(report.rejected[-1].line))
        for problem in report.rejected:
            label = f"{problem.label}: " if problem.label else ""
            console.print(escape(f"  line {problem.line:<{width}}  {label}{problem.reason}"))
    for hint in next_steps(report):
        console.print(escape(hint))


def next_steps(report: ImportReport) -> list[str]:
    good = report.created + report.updated
    hints: list[str] = []
    if report.rejected and not report.options.partial and good:
        rows = "row" if good == 1 else "rows"
        if report.options.dry_run:
            hints.append(
                "Without --partial, an import writes nothing while rows are rejected: fix them and run again, "
                f"or add --partial to import the {good} good {rows}."
            )
        else:
            hints.append(
                f"Fix the rejected rows and run again, or add --partial to import the {good} good {rows}."
            )
    if any(p.key in SIMILAR_NAME_KEYS for p in report.rejected):
        hints.append(
            "Rows rejected for a similar name: add the existing customer's number to update it, "
            "or import with --allow-similar to create new customers anyway."
        )
    if report.options.dry_run and report.ok and good:
        hints.append("Run again without --dry-run to import.")
    return hints
