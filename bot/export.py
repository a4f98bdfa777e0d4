"""CSV and XLSX export of the lists the bot shows (SPEC §9): customers, contacts, activities and the KPI
tables, with column headers in the user's language.

- Tables are built from the store's visible rows (store/services/listing.py), so an export never holds
  more than the user may see in chat.
- CSV is what Excel in the user's language opens with a double click: UTF-8 with a BOM, `;` between fields
  and a decimal comma for nb and sv, `,` and a decimal point for en; numbers without grouping, dates as ISO
  8601, times in the user's time zone. The importer (issue #8, item 5) reads the same shapes back.
- XLSX (openpyxl, write-only mode, one sheet per table): numbers, dates and booleans as typed cells, a bold
  frozen header row with a filter, column widths from the data.
- Text that a spreadsheet would run as a formula (=, +, -, @ at the start) is kept as text: an XLSX string
  cell, and in CSV a leading apostrophe, as OWASP recommends against CSV injection. Phone numbers such as
  "+4791234567" and other plain numbers are left alone.

`build_export(store, actor, kind, fmt, query)` does the whole job for the CLI and Slack.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from bot.i18n import template
from bot.render.formats import decimal_separator, month_label
from registry.orgnr import format_number
from store.actor import Actor
from store.db import Store
from store.errors import InvalidInput
from store.periods import Period
from store.services import dashboard, kpi, listing
from store.services.contacts import find_contacts
from store.services.customers import find_customers, resolve_customer
from store.services.dashboard import Dashboard, StageTotal
from store.services.kpi import KpiSummary
from store.services.listing import ActivityRow, ContactRow, CustomerRow, MonthTotal
from store.types import utcnow

KINDS = ("customers", "contacts", "activities", "kpi")
FORMATS = ("csv", "xlsx")
MIMETYPES = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
SEARCH_LIMIT = 5000  # matches of a search exported at most (a whole list has no limit)
XLSX_TEXT = 32_767  # Excel's limit for one cell


@dataclass(frozen=True)
class Percent:
    """A fraction shown as a percentage (0.125 → 12.5 %); `signed` for a change (+12 %)."""

    fraction: Decimal
    signed: bool = False


Cell = str | int | float | Decimal | date | datetime | bool | Percent | None


@dataclass
class Table:
    name: str  # the sheet's name and the table's title
    headers: list[str]
    rows: list[Sequence[Cell]] = field(default_factory=list)


# --- words -------------------------------------------------------------------------------------------------


def word(lang: str, key: str) -> str:
    """A header or label in the language (English when the language or the key is missing)."""
    return template(lang, f"export.{key}")


def _words(lang: str, *keys: str) -> list[str]:
    return [word(lang, k) for k in keys]


def _enum(value: Enum | str | None) -> str | None:
    return None if value is None else str(value.value if isinstance(value, Enum) else value)


def _org(number: str | None, country: Enum | str | None) -> str | None:
    if not number:
        return None
    code = _enum(country) or "NO"
    try:
        return format_number(number, code)
    except Exception:  # noqa: BLE001 - a number the register library cannot format is shown as stored
        return number


def _local(moment: datetime | None, tz: ZoneInfo) -> datetime | None:
    """A timestamp in the user's time zone, without the zone (spreadsheets have none)."""
    return None if moment is None else moment.astimezone(tz).replace(tzinfo=None, microsecond=0)


def _joined(values: Iterable[str]) -> str | None:
    return "; ".join(values) or None


# --- tables ------------------------------------------------------------------------------------------------


Column = tuple[str, Callable[[Any, ZoneInfo], Cell]]  # header key, the cell of a row (in a time zone)

CUSTOMER_COLUMNS: list[Column] = [
    ("customer_number", lambda r, tz: r.customer_number),
    ("name", lambda r, tz: r.name),
    ("org_number", lambda r, tz: _org(r.org_number, r.org_country)),
    ("org_country", lambda r, tz: _enum(r.org_country)),
    ("kind", lambda r, tz: _enum(r.kind)),
    ("owner", lambda r, tz: r.owner),
    ("visibility", lambda r, tz: _enum(r.visibility)),
    ("industry", lambda r, tz: r.industry),
    ("relation_level", lambda r, tz: _enum(r.relation_level)),
    ("relation_type", lambda r, tz: _enum(r.relation_type)),
    ("employees", lambda r, tz: r.employees),
    ("revenue", lambda r, tz: r.revenue),
    ("website", lambda r, tz: r.website),
    ("vat_number", lambda r, tz: r.vat_number),
    ("rating", lambda r, tz: r.rating),
    ("active", lambda r, tz: r.active),
    ("payment_terms", lambda r, tz: r.payment_terms_days),
    ("street", lambda r, tz: r.street),
    ("postcode", lambda r, tz: r.postcode),
    ("city", lambda r, tz: r.city),
    ("address_country", lambda r, tz: r.country),
    ("created", lambda r, tz: _local(r.created_at, tz)),
]

CONTACT_COLUMNS: list[Column] = [
    ("first_name", lambda r, tz: r.first_name),
    ("last_name", lambda r, tz: r.last_name),
    ("title", lambda r, tz: r.title),
    ("customer_number", lambda r, tz: r.customer_number),
    ("customer", lambda r, tz: r.customer),
    ("email", lambda r, tz: r.emails[0] if r.emails else None),
    ("other_emails", lambda r, tz: _joined(r.emails[1:])),
    ("phones", lambda r, tz: _joined(r.phones)),
    ("roles", lambda r, tz: _joined(r.roles)),
    ("owner", lambda r, tz: r.owner),
    ("visibility", lambda r, tz: _enum(r.visibility)),
    ("created", lambda r, tz: _local(r.created_at, tz)),
]

ACTIVITY_COLUMNS: list[Column] = [
    ("activity_kind", lambda r, tz: _enum(r.kind)),
    ("subject", lambda r, tz: r.subject),
    ("start", lambda r, tz: _local(r.start_at, tz)),
    ("end", lambda r, tz: _local(r.end_at, tz)),
    ("due", lambda r, tz: r.due_date),
    ("done", lambda r, tz: r.done),
    ("cancelled", lambda r, tz: r.cancelled),
    ("customer_number", lambda r, tz: r.customer_number),
    ("customer", lambda r, tz: r.customer),
    ("contacts_col", lambda r, tz: _joined(r.contacts)),
    ("owner", lambda r, tz: r.owner),
    ("assignee", lambda r, tz: r.assignee),
    ("source", lambda r, tz: _enum(r.source)),
    ("created", lambda r, tz: _local(r.created_at, tz)),
    ("body", lambda r, tz: r.body),
]


def _table(name: str, columns: Sequence[Column], rows: Sequence[Any], lang: str, tz: ZoneInfo) -> Table:
    cells = [cell for _, cell in columns]
    body: list[Sequence[Cell]] = [[cell(r, tz) for cell in cells] for r in rows]
    return Table(word(lang, name), [word(lang, key) for key, _ in columns], body)


def customers_table(rows: Sequence[CustomerRow], lang: str, tz: ZoneInfo) -> Table:
    return _table("customers", CUSTOMER_COLUMNS, rows, lang, tz)


def contacts_table(rows: Sequence[ContactRow], lang: str, tz: ZoneInfo) -> Table:
    return _table("contacts", CONTACT_COLUMNS, rows, lang, tz)


def activities_table(rows: Sequence[ActivityRow], lang: str, tz: ZoneInfo) -> Table:
    return _table("activities", ACTIVITY_COLUMNS, rows, lang, tz)


@dataclass(frozen=True)
class KpiData:
    """Everything the `kpi` and `pipeline` replies show, for the KPI workbook."""

    summary: KpiSummary
    board: Dashboard
    stages: list[StageTotal]
    months: list[MonthTotal]


def key_figures_table(data: KpiData, lang: str) -> Table:
    s, d = data.summary, data.board
    change = None if s.month_change is None else Percent(s.month_change, signed=True)
    figures: list[tuple[str, Cell]] = [
        ("margin_year", s.margin_this_year),
        ("invoicing_year", s.invoicing_this_year),
        ("costs_year", s.costs_this_year),
        ("invoicing_month", s.invoicing_this_month),
        ("invoicing_last_month", s.invoicing_last_month),
        ("change", change),
        ("active_customers", s.active_customers),
        ("prospects", s.prospects_in_progress),
        ("sales_month", d.sales_this_month.won_value),
        ("won_month", d.sales_this_month.won_count),
        ("pipeline_month", d.pipeline_month.open_value),
        ("pipeline_month_weighted", d.pipeline_month.weighted_value),
        ("pipeline_quarter", d.pipeline_quarter.open_value),
        ("pipeline_quarter_weighted", d.pipeline_quarter.weighted_value),
    ]
    name = f"{word(lang, 'kpi')} {s.today.isoformat()}"
    return Table(name, _words(lang, "figure", "value"), [(word(lang, k), v) for k, v in figures])


def kpi_tables(data: KpiData, lang: str, tz: ZoneInfo) -> list[Table]:
    """The key figures, then one table per list of the `kpi` and `pipeline` replies."""
    d = data.board
    stages = Table(
        word(lang, "sheet_stages"),
        _words(lang, "stage", "cases", "value", "weighted"),
        [(st.stage, st.count, st.value, st.weighted_value) for st in data.stages],
    )

    def span(label: str, p: Period) -> tuple[str, date, date]:
        return word(lang, label), p.start, p.end

    mine = Table(
        word(lang, "sheet_mine"),
        _words(lang, "period", "from", "to", "cases", "value", "weighted"),
        [
            (*span(label, p.period), p.count, p.open_value, p.weighted_value)
            for label, p in (("this_month", d.pipeline_month), ("this_quarter", d.pipeline_quarter))
        ],
    )
    sellers = Table(
        word(lang, "sheet_sellers"),
        _words(lang, "seller", "won_value", "won_cases"),
        [(t.name, t.won_value, t.won_count) for t in d.top_sellers],
    )
    months = Table(
        word(lang, "sheet_months"),
        _words(lang, "month", "from", "invoicing"),
        [(month_label(m.month, lang), m.month, m.amount) for m in data.months],
    )
    latest = Table(
        word(lang, "sheet_latest"),
        _words(lang, "customer_number", "name", "created"),
        [(c.customer_number, c.name, _local(c.created_at, tz)) for c in d.latest_customers],
    )
    meetings = Table(
        word(lang, "sheet_meetings"),
        _words(lang, "time", "subject"),
        [(_local(m.start_at, tz), m.subject) for m in d.todays_meetings],
    )
    return [key_figures_table(data, lang), stages, mine, sellers, months, latest, meetings]


# --- writers -----------------------------------------------------------------------------------------------

_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # what XML 1.0 (and so XLSX) cannot hold
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER_LIKE = re.compile(r"[+-]?[\d\s().,]*")


def _needs_quoting(text: str) -> bool:
    """Text a spreadsheet would take for a formula; "+47 912 34 567" and "-5" stay as they are."""
    if not text.startswith(_FORMULA_START):
        return False
    return text[0] in "=@\t\r" or not _NUMBER_LIKE.fullmatch(text)


def _csv_text(value: Cell, lang: str, sep: str) -> str:
    match value:
        case None:
            return ""
        case bool():
            return word(lang, "yes" if value else "no")
        case int():
            return str(value)
        case Decimal():
            return f"{value:.2f}".replace(".", sep)
        case float():
            return repr(value).replace(".", sep)
        case Percent(fraction=fraction, signed=signed):
            text = f"{fraction * 100:{'+' if signed else ''}.1f}%"
            return text.replace(".", sep)
        case datetime():
            return value.strftime("%Y-%m-%d %H:%M")
        case date():
            return value.isoformat()
    text = _ILLEGAL.sub("", str(value))
    return "'" + text if _needs_quoting(text) else text


def to_csv(table: Table, lang: str) -> bytes:
    """One table as CSV for a spreadsheet in `lang`: UTF-8 with BOM, `;` and decimal comma for nb/sv."""
    sep = decimal_separator(lang)
    delimiter = ";" if sep == "," else ","
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(table.headers)
    writer.writerows([_csv_text(v, lang, sep) for v in row] for row in table.rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


_MONEY = "#,##0.00"
_PERCENT = "0.0%"
_CHANGE = "+0.0%;-0.0%;0.0%"
_DATETIME = "yyyy-mm-dd hh:mm"
_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDE4EE")


def _sheet_name(name: str, taken: set[str]) -> str:
    """Excel's rules: at most 31 characters, none of []:*?/\\, unique in the workbook."""
    clean = " ".join(re.sub(r"[\[\]:*?/\\]", " ", name).split())[:31] or "Sheet"
    candidate, n = clean, 2
    while candidate.casefold() in taken:
        suffix = f" ({n})"
        candidate, n = clean[: 31 - len(suffix)] + suffix, n + 1
    taken.add(candidate.casefold())
    return candidate


def _width(value: Cell) -> int:
    match value:
        case None:
            return 0
        case datetime():
            return 16
        case date():
            return 10
        case Decimal() | float() | int():
            return min(len(f"{value:,.2f}"), 20)
        case Percent():
            return 7
    return min(max((len(line) for line in str(value).splitlines()), default=0), 60)


def _xlsx_sheet(wb: Workbook, table: Table, taken: set[str]) -> None:
    ws = wb.create_sheet(_sheet_name(table.name, taken))
    sample = table.rows[:500]
    for i, header in enumerate(table.headers, 1):
        widest = max([len(header) + 2, *(_width(row[i - 1]) + 1 for row in sample)])
        ws.column_dimensions[get_column_letter(i)].width = min(max(widest, 6), 60)
    ws.freeze_panes = "A2"
    if table.headers:
        last = get_column_letter(len(table.headers))
        ws.auto_filter.ref = f"A1:{last}{len(table.rows) + 1}"
    header_cells = []
    for header in table.headers:
        cell = WriteOnlyCell(ws, value=_ILLEGAL.sub("", header))
        cell.font, cell.fill = _HEADER_FONT, _HEADER_FILL
        header_cells.append(cell)
    ws.append(header_cells)
    for row in table.rows:
        ws.append([_xlsx_cell(ws, v) for v in row])


def _xlsx_cell(ws: Any, value: Cell) -> Any:
    match value:
        case None | bool() | int() | float() | date():
            if isinstance(value, datetime):
                cell = WriteOnlyCell(ws, value=value)
                cell.number_format = _DATETIME
                return cell
            return value
        case Decimal():
            cell = WriteOnlyCell(ws, value=value)
            cell.number_format = _MONEY
            return cell
        case Percent(fraction=fraction, signed=signed):
            cell = WriteOnlyCell(ws, value=fraction)
            cell.number_format = _CHANGE if signed else _PERCENT
            return cell
    text = _ILLEGAL.sub("", str(value))[:XLSX_TEXT]
    if text.startswith(("=", "#")) and len(text) > 1:
        cell = WriteOnlyCell(ws, value=text)
        cell.data_type = "s"  # text, not a formula or an error code
        return cell
    return text


def to_xlsx(tables: Sequence[Table], *, title: str | None = None, creator: str = "kundebot") -> bytes:
    """The tables as one workbook, a sheet each."""
    wb = Workbook(write_only=True)
    wb.properties.creator = creator
    wb.properties.title = title or (tables[0].name if tables else None)
    taken: set[str] = set()
    for table in tables:
        _xlsx_sheet(wb, table, taken)
    if not tables:
        wb.create_sheet("Sheet")
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# --- the whole job -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExportFile:
    filename: str
    data: bytes
    title: str
    mimetype: str
    rows: int  # rows of data (all tables)

    def save(self, directory: Path | str | None = None) -> Path:
        """Write the file into `directory` (default: the current one) under its own name; its path."""
        path = Path(directory or Path.cwd()) / self.filename
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(self.data)
        return path.resolve()


@dataclass(frozen=True)
class ExportRequest:
    kind: str
    fmt: str = "xlsx"
    query: str = ""


class ExportUsage(InvalidInput):
    """An export request that cannot be understood; the message says how to ask (keys "error.export.*")."""


USAGE = "export customers|contacts|activities|kpi [csv|xlsx] [SEARCH]"


def parse_export_args(text: str) -> ExportRequest:
    """`customers xlsx acme`, `contacts csv`, `activities Acme AS`, `kpi`: what `/crm export ...` asks for.

    The format may come anywhere among the first two words (default xlsx); the rest is the search.
    """
    words = text.split()
    if not words or words[0].lower() not in KINDS:
        raise ExportUsage(f"Use `{USAGE}`.", key="export.usage", usage=USAGE)
    kind, rest = words[0].lower(), words[1:]
    fmt = "xlsx"
    if rest and rest[0].lower().lstrip("-") in FORMATS:
        fmt, rest = rest[0].lower().lstrip("-"), rest[1:]
    elif rest and rest[-1].lower().lstrip("-") in FORMATS:
        fmt, rest = rest[-1].lower().lstrip("-"), rest[:-1]
    query = " ".join(rest)
    if kind == "kpi" and query:
        raise ExportUsage("The key figures take no search: `export kpi [csv|xlsx]`.", key="export.kpi_search")
    return ExportRequest(kind, fmt, query)


async def kpi_data(store: Store, actor: Actor, *, now: datetime | None = None) -> KpiData:
    now = now or utcnow()
    async with store.reading() as s:
        return KpiData(
            summary=await kpi.kpi_summary(s, actor, now=now),
            board=await dashboard.dashboard(s, actor, now=now),
            stages=await dashboard.pipeline_by_stage(s, actor),
            months=await listing.invoicing_by_month(s, actor, now=now),
        )


async def export_tables(
    store: Store, actor: Actor, kind: str, query: str = "", *, now: datetime | None = None
) -> list[Table]:
    """The tables of one export, in the actor's language, with what the actor may see.

    customers/contacts: all of them, or those a search finds (as `customer find` and `contact find` do);
    activities: all, or those of the customer the search names; kpi: the figures of `kpi` and `pipeline`.
    Raises the store's NotFound/Ambiguous when an activities search names no single customer.
    """
    lang, tz, query = str(actor.language), actor.tz, query.strip()
    if kind == "kpi":
        return kpi_tables(await kpi_data(store, actor, now=now), lang, tz)
    async with store.reading() as s:
        if kind == "customers":
            ids = None
            if query:
                ids = [h.customer.id for h in await find_customers(s, actor, query, limit=SEARCH_LIMIT)]
            return [customers_table(await listing.customer_rows(s, actor, ids=ids), lang, tz)]
        if kind == "contacts":
            contact_ids = None
            if query:
                contact_ids = [c.id for c in await find_contacts(s, actor, query, limit=SEARCH_LIMIT)]
            return [contacts_table(await listing.contact_rows(s, actor, ids=contact_ids), lang, tz)]
        if kind == "activities":
            customer_id = (await resolve_customer(s, actor, query)).id if query else None
            return [
                activities_table(await listing.activity_rows(s, actor, customer_id=customer_id), lang, tz)
            ]
    raise ExportUsage(
        f"Nothing called {kind!r} to export; use `{USAGE}`.", key="export.unknown", kind=kind, usage=USAGE
    )


def filename_for(kind: str, fmt: str, lang: str, day: date) -> str:
    return f"{word(lang, 'file_' + kind)}-{day.isoformat()}.{fmt}"


def encode(tables: Sequence[Table], fmt: str, lang: str, *, title: str | None = None) -> bytes:
    """CSV holds one table (the first: for `kpi`, the key figures); XLSX all of them."""
    if fmt == "csv":
        return to_csv(tables[0], lang)
    if fmt == "xlsx":
        return to_xlsx(tables, title=title)
    raise ExportUsage(f"Unknown format {fmt!r}; use csv or xlsx.", key="export.format", fmt=fmt)


async def build_export(
    store: Store,
    actor: Actor,
    kind: str,
    fmt: str = "xlsx",
    query: str = "",
    *,
    now: datetime | None = None,
) -> ExportFile:
    """One export as a file: name, bytes, title, MIME type and how many rows it holds."""
    if fmt not in FORMATS:
        raise ExportUsage(f"Unknown format {fmt!r}; use csv or xlsx.", key="export.format", fmt=fmt)
    now = now or utcnow()
    lang = str(actor.language)
    tables = await export_tables(store, actor, kind, query, now=now)
    title = word(lang, kind) + (f": {query.strip()}" if query.strip() else "")
    data = encode(tables, fmt, lang, title=title)
    rows = len(tables[0].rows) if fmt == "csv" else sum(len(t.rows) for t in tables)
    today = now.astimezone(actor.tz).date()
    return ExportFile(filename_for(kind, fmt, lang, today), data, title, MIMETYPES[fmt], rows)
