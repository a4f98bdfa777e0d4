"""Exports (bot/export.py): CSV and XLSX read back, headers in the user's language, nothing the user may not
see; `kundebot export`; and the Slack upload (bot/slack_files.py) against the fake Web API."""

from __future__ import annotations

import asyncio
import csv
import io
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import insert
from typer.testing import CliRunner

from bot.export import (
    ExportRequest,
    ExportUsage,
    Percent,
    Table,
    build_export,
    parse_export_args,
    to_csv,
    to_xlsx,
)
from bot.export_cli import export_app
from bot.slack_files import chart_to_slack, export_to_slack, file_buttons, send_export
from store.actor import Actor
from store.db import Store
from store.models import ActivityKind, Customer, CustomerKind, InvoiceStatus, Role, Visibility
from store.names import name_key
from store.services import activities, addresses, contacts, customers, kpi
from store.services.users import create_user
from tests.servers.slack import FakeSlackApi, running_slack_api
from tests.store import builders

NOW = datetime(2025, 3, 10, 12, 0, tzinfo=UTC)
TOKEN = "xoxb-kundebot-export-test"
USER_ID = "U0KARI0001"
CHANNEL_ID = "C0SALG0001"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def user(store: Store, name: str, language: str, role: Role = Role.SALES) -> Actor:
    async with store.transaction() as s:
        email = name.lower().replace(" ", ".") + "@firm.example"
        return Actor.of(await create_user(s, name=name, email=email, role=role, language=language))


@dataclass
class Book:
    kari: Actor  # nb, sales
    john: Actor  # en, sales
    per: Actor  # sv, sales: owns the owner-only records
    ada: Actor  # en, admin


@pytest.fixture
async def book(store: Store) -> Book:
    """Kari's Acme AS (head office, contact, activities, invoices), John's Beta AS, and Per's owner-only
    Hemmelig AB with its contact and activities, plus Per's owner-only contact on Acme and his note without
    a customer."""
    b = Book(
        await user(store, "Kari Nordmann", "nb"),
        await user(store, "John Smith", "en"),
        await user(store, "Per Persson", "sv"),
        await user(store, "Ada Admin", "en", Role.ADMIN),
    )
    async with store.transaction() as s:
        acme = await customers.create_customer(
            s, b.kari, "Acme AS", org_number="923609016", country="NO", kind=CustomerKind.CUSTOMER,
            revenue=Decimal("12500000.50"), employees=42, website="https://acme.no",
        )  # fmt: skip
        await addresses.add_address(
            s, b.kari, acme.id, lines=["Storgata 1", "2. etasje"], postcode="0155", city="Oslo"
        )
        beta = await customers.create_customer(s, b.john, "Beta AS", kind=CustomerKind.PROSPECT)
        secret = await customers.create_customer(s, b.per, "Hemmelig AB", visibility=Visibility.OWNER)
        ola = await contacts.add_contact(
            s, b.kari, customer_id=acme.id, first_name="Ola", last_name="Nordmann", title="CTO",
            emails=["ola@acme.no", "ola.nordmann@gmail.com"], phones=["+47 912 34 567"], roles=["decision maker"],
        )  # fmt: skip
        await contacts.add_contact(s, b.john, customer_id=beta.id, first_name="Bea", last_name="Beta")
        await contacts.add_contact(
            s,
            b.per,
            customer_id=secret.id,
            first_name="Sven",
            last_name="Skjult",
            emails=["sven@hemmelig.se"],
        )
        hidden_on_acme = await contacts.add_contact(
            s, b.per, customer_id=acme.id, first_name="Petra", last_name="Privat", visibility=Visibility.OWNER
        )
        await activities.log_activity(
            s, b.kari, kind=ActivityKind.MEETING, subject="Avtalemøte", customer_id=acme.id,
            start_at=datetime(2025, 3, 7, 9, 0, tzinfo=UTC), end_at=datetime(2025, 3, 7, 10, 0, tzinfo=UTC),
            contact_ids=[ola.id],
        )  # fmt: skip
        await activities.log_activity(
            s, b.per, kind=ActivityKind.CALL, subject="Samtal med Petra om Acme", customer_id=acme.id,
            contact_ids=[ola.id, hidden_on_acme.id], start_at=datetime(2025, 3, 6, 9, 0, tzinfo=UTC),
        )  # fmt: skip
        await activities.log_activity(
            s, b.per, kind=ActivityKind.NOTE, subject="Hemlig plan", customer_id=secret.id
        )
        await activities.log_activity(s, b.per, kind=ActivityKind.TASK, subject="Pers egen oppgave")
        await builders.invoice(s, acme.id, "100000", date(2025, 3, 3))
        await builders.invoice(s, acme.id, "80000", date(2025, 2, 3), status=InvoiceStatus.PAID)
        await builders.invoice(s, secret.id, "999000", date(2025, 3, 4))
        await builders.case(
            s, b.kari, acme.id, "300000", probability=40, expected_order_date=date(2025, 3, 28)
        )
        await builders.case(
            s, b.per, secret.id, "777000", probability=90, expected_order_date=date(2025, 3, 20)
        )
    return b


def read_xlsx(data: bytes) -> dict[str, list[list[Any]]]:
    wb = load_workbook(io.BytesIO(data))
    return {ws.title: [[c.value for c in row] for row in ws.iter_rows()] for ws in wb.worksheets}


def read_csv(data: bytes, delimiter: str) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads UTF-8
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=delimiter))


def column(rows: list[list[Any]], header: str) -> list[Any]:
    i = rows[0].index(header)
    return [r[i] for r in rows[1:]]


# --- customers -----------------------------------------------------------------------------------------


async def test_customers_xlsx_reads_back_with_norwegian_headers_and_typed_cells(
    store: Store, book: Book
) -> None:
    export = await build_export(store, book.kari, "customers", "xlsx", now=NOW)
    assert export.filename == "kunder-2025-03-10.xlsx"
    assert export.mimetype == XLSX_MIME
    assert export.title == "Kunder"
    sheets = read_xlsx(export.data)
    assert list(sheets) == ["Kunder"]
    rows = sheets["Kunder"]
    assert rows[0][:6] == ["Kundenr.", "Navn", "Org.nr.", "Land", "Type", "Ansvarlig"]
    assert column(rows, "Navn") == ["Acme AS", "Beta AS"]
    acme = dict(zip(rows[0], rows[1], strict=True))
    assert acme["Kundenr."] == 10001 and isinstance(acme["Kundenr."], int)
    assert acme["Org.nr."] == "923 609 016"
    assert acme["Omsetning"] == pytest.approx(12500000.50)
    assert acme["Ansatte"] == 42
    assert acme["Aktiv"] is True
    assert acme["Adresse"] == "Storgata 1, 2. etasje"
    assert (acme["Postnr."], acme["Poststed"], acme["Adresseland"]) == ("0155", "Oslo", "NO")
    assert isinstance(acme["Opprettet"], datetime)
    assert export.rows == 2

    wb = load_workbook(io.BytesIO(export.data))
    ws = wb["Kunder"]
    assert ws.freeze_panes == "A2"
    assert ws["A1"].font.b
    assert ws.auto_filter.ref == f"A1:{ws.cell(1, len(rows[0])).column_letter}3"
    assert ws.cell(2, rows[0].index("Omsetning") + 1).number_format == "#,##0.00"


async def test_owner_only_customers_of_others_never_appear_in_exports(store: Store, book: Book) -> None:
    for actor, expected in (
        (book.kari, ["Acme AS", "Beta AS"]),
        (book.john, ["Acme AS", "Beta AS"]),
        (book.per, ["Acme AS", "Beta AS", "Hemmelig AB"]),
        (book.ada, ["Acme AS", "Beta AS", "Hemmelig AB"]),
    ):
        export = await build_export(store, actor, "customers", "xlsx", now=NOW)
        [rows] = read_xlsx(export.data).values()
        assert column(rows, rows[0][1]) == expected, actor.name
        may_see = actor in (book.per, book.ada)
        for kind in ("customers", "contacts", "activities"):
            as_text = (await build_export(store, actor, kind, "csv", now=NOW)).data.decode("utf-8-sig")
            assert ("Hemmelig" in as_text or "Skjult" in as_text) == may_see, kind
        workbook = read_xlsx((await build_export(store, actor, "kpi", "xlsx", now=NOW)).data)
        cells = [str(v) for rows in workbook.values() for row in rows for v in row]
        assert any("Hemmelig" in v for v in cells) == may_see


async def test_customers_csv_for_english_and_swedish_users(store: Store, book: Book) -> None:
    english = await build_export(store, book.john, "customers", "csv", now=NOW)
    assert english.filename == "customers-2025-03-10.csv"
    assert english.mimetype == "text/csv"
    rows = read_csv(english.data, ",")
    assert rows[0][:3] == ["Customer no.", "Name", "Org. no."]
    acme = dict(zip(rows[0], rows[1], strict=True))
    assert acme["Revenue"] == "12500000.50"
    assert acme["Active"] == "yes"
    assert acme["Created"].count(":") == 1  # "YYYY-MM-DD HH:MM", in the user's time zone

    swedish = await build_export(store, book.per, "customers", "csv", now=NOW)
    assert swedish.filename == "kunder-2025-03-10.csv"
    rows = read_csv(swedish.data, ";")
    assert rows[0][:3] == ["Kundnr", "Namn", "Org.nr"]
    assert column(rows, "Namn") == ["Acme AS", "Beta AS", "Hemmelig AB"]
    assert dict(zip(rows[0], rows[1], strict=True))["Omsättning"] == "12500000,50"


async def test_a_search_exports_what_customer_find_shows(store: Store, book: Book) -> None:
    export = await build_export(store, book.kari, "customers", "csv", "acme", now=NOW)
    assert export.title == "Kunder: acme"
    assert column(read_csv(export.data, ";"), "Navn") == ["Acme AS"]
    hidden = await build_export(store, book.kari, "customers", "csv", "hemmelig", now=NOW)
    assert read_csv(hidden.data, ";")[1:] == []


# --- contacts and activities ------------------------------------------------------------------------


async def test_contacts_export_hides_owner_only_contacts_and_those_of_hidden_customers(
    store: Store, book: Book
) -> None:
    export = await build_export(store, book.kari, "contacts", "xlsx", now=NOW)
    [rows] = read_xlsx(export.data).values()
    assert rows[0][:6] == ["Fornavn", "Etternavn", "Tittel", "Kundenr.", "Kunde", "E-post"]
    assert [(r[0], r[1]) for r in rows[1:]] == [("Bea", "Beta"), ("Ola", "Nordmann")]
    ola = dict(zip(rows[0], rows[2], strict=True))
    assert (ola["Kunde"], ola["E-post"], ola["Andre e-poster"]) == (
        "Acme AS",
        "ola@acme.no",
        "ola.nordmann@gmail.com",
    )
    assert ola["Telefon"] == "+4791234567"
    assert ola["Roller"] == "decision maker"

    everything = await build_export(store, book.ada, "contacts", "csv", now=NOW)
    names = column(read_csv(everything.data, ","), "Last name")
    assert names == ["Beta", "Nordmann", "Privat", "Skjult"]


async def test_activities_export_shows_only_what_the_user_may_see(store: Store, book: Book) -> None:
    export = await build_export(store, book.kari, "activities", "csv", now=NOW)
    rows = read_csv(export.data, ";")
    assert rows[0][:3] == ["Type", "Emne", "Start"]
    assert column(rows, "Emne") == ["Avtalemøte", "Samtal med Petra om Acme"]
    meeting = dict(zip(rows[0], rows[1], strict=True))
    assert meeting["Start"] == "2025-03-07 10:00"  # Europe/Oslo
    assert meeting["Slutt"] == "2025-03-07 11:00"
    assert meeting["Kontakter"] == "Ola Nordmann"
    assert meeting["Utført"] == "ja"
    call = dict(zip(rows[0], rows[2], strict=True))
    assert call["Kontakter"] == "Ola Nordmann"  # Per's owner-only Petra is left out

    own = await build_export(store, book.per, "activities", "xlsx", now=NOW)
    [per_rows] = read_xlsx(own.data).values()
    subjects = column(per_rows, "Ämne")
    assert set(subjects) == {"Avtalemøte", "Samtal med Petra om Acme", "Hemlig plan", "Pers egen oppgave"}
    call_row = per_rows[1 + subjects.index("Samtal med Petra om Acme")]
    assert dict(zip(per_rows[0], call_row, strict=True))["Kontakter"] == "Ola Nordmann; Petra Privat"
    assert isinstance(dict(zip(per_rows[0], call_row, strict=True))["Start"], datetime)


async def test_activities_of_one_customer(store: Store, book: Book) -> None:
    export = await build_export(store, book.per, "activities", "csv", "Hemmelig AB", now=NOW)
    assert column(read_csv(export.data, ";"), "Ämne") == ["Hemlig plan"]
    from store.errors import NotFound

    with pytest.raises(NotFound):
        await build_export(store, book.kari, "activities", "csv", "Hemmelig AB", now=NOW)


# --- KPI tables ----------------------------------------------------------------------------------------


async def test_the_kpi_workbook_holds_the_figures_the_bot_shows(store: Store, book: Book) -> None:
    async with store.reading() as s:
        summary = await kpi.kpi_summary(s, book.kari, now=NOW)
    assert summary.invoicing_this_month == Decimal("100000.00")  # Per's hidden 999 000 left out

    export = await build_export(store, book.kari, "kpi", "xlsx", now=NOW)
    assert export.filename == "nokkeltall-2025-03-10.xlsx"
    sheets = read_xlsx(export.data)
    assert list(sheets) == [
        "Nøkkeltall 2025-03-10",
        "Pipeline per fase",
        "Min pipeline",
        "Toppselgere",
        "Fakturering per måned",
        "Nyeste kunder",
        "Dagens møter",
    ]
    figures = {label: value for label, value in sheets["Nøkkeltall 2025-03-10"][1:]}
    assert figures["Fakturert denne måneden"] == 100000
    assert figures["Fakturert forrige måned"] == 80000
    assert figures["Endring fra forrige måned"] == pytest.approx(0.25)
    assert figures["Margin i år"] == 180000
    assert figures["Aktive kunder"] == 1
    assert figures["Min pipeline denne måneden"] == 300000
    assert figures["Min pipeline denne måneden, vektet"] == 120000
    stages = sheets["Pipeline per fase"]
    assert stages[0] == ["Fase", "Salgsmuligheter", "Verdi", "Vektet verdi"]
    assert sum(r[1] for r in stages[1:]) == 1  # Per's case on Hemmelig AB is not Kari's to see
    months = sheets["Fakturering per måned"]
    assert len(months) == 13
    assert months[-1][1:] == [datetime(2025, 3, 1), 100000]
    assert months[-2][0] == "feb 2025"
    assert [r[1] for r in sheets["Nyeste kunder"][1:]] == ["Beta AS", "Acme AS"]

    wb = load_workbook(io.BytesIO(export.data))
    change_row = [
        r for r in wb.worksheets[0].iter_rows(min_row=2) if r[0].value == "Endring fra forrige måned"
    ]
    assert change_row[0][1].number_format == "+0.0%;-0.0%;0.0%"


async def test_the_kpi_csv_is_the_key_figures_table(store: Store, book: Book) -> None:
    export = await build_export(store, book.john, "kpi", "csv", now=NOW)
    rows = read_csv(export.data, ",")
    assert rows[0] == ["Figure", "Value"]
    figures = dict(rows[1:])
    assert figures["Invoicing this month"] == "100000.00"
    assert figures["Change from last month"] == "+25.0%"
    assert figures["Active customers"] == "1"


# --- writers -------------------------------------------------------------------------------------------


def test_text_that_looks_like_a_formula_stays_text() -> None:
    table = Table(
        "Test",
        ["Name", "Phone", "Amount"],
        [
            ['=HYPERLINK("http://evil.example","x")', "+4791234567", Decimal("-5")],
            ["@SUM(A1:A2)", "-cmd|' /C calc'!A0", Decimal("1.5")],
            ["#N/A", "+47 912 34 567", None],
            ["Tab\x01and\x0bcontrol", "", Decimal("0")],
        ],
    )
    rows = read_xlsx(to_xlsx([table]))["Test"]
    assert rows[1][:2] == ['=HYPERLINK("http://evil.example","x")', "+4791234567"]
    assert rows[2][0] == "@SUM(A1:A2)"
    assert rows[3][0] == "#N/A"
    assert rows[4][0] == "Tabandcontrol"
    wb = load_workbook(io.BytesIO(to_xlsx([table])))
    assert wb["Test"]["A2"].data_type == "s"

    parsed = read_csv(to_csv(table, "en"), ",")
    assert [r[0] for r in parsed[1:]] == [
        '\'=HYPERLINK("http://evil.example","x")',
        "'@SUM(A1:A2)",
        "#N/A",
        "Tabandcontrol",
    ]
    assert [r[1] for r in parsed[1:]] == ["+4791234567", "'-cmd|' /C calc'!A0", "+47 912 34 567", ""]
    assert [r[2] for r in parsed[1:]] == ["-5.00", "1.50", "", "0.00"]


def test_values_are_written_for_a_spreadsheet_in_the_users_language() -> None:
    table = Table(
        "T",
        ["a", "b", "c", "d", "e"],
        [
            [
                Decimal("1234.5"),
                Percent(Decimal("-0.125"), signed=True),
                date(2025, 1, 2),
                datetime(2025, 1, 2, 8, 5),
                False,
            ]
        ],
    )
    assert read_csv(to_csv(table, "nb"), ";")[1] == [
        "1234,50",
        "-12,5%",
        "2025-01-02",
        "2025-01-02 08:05",
        "nei",
    ]
    assert read_csv(to_csv(table, "sv"), ";")[1] == [
        "1234,50",
        "-12,5%",
        "2025-01-02",
        "2025-01-02 08:05",
        "nej",
    ]
    assert read_csv(to_csv(table, "en"), ",")[1] == [
        "1234.50",
        "-12.5%",
        "2025-01-02",
        "2025-01-02 08:05",
        "no",
    ]
    assert to_csv(table, "en").endswith(b"\r\n")


def test_sheet_names_follow_excels_rules() -> None:
    tables = [
        Table("Kunder: [acme/beta]?", ["x"]),
        Table("Kunder: [acme/beta]?", ["x"]),
        Table("x" * 40, ["x"]),
    ]
    names = list(read_xlsx(to_xlsx(tables)))
    assert names == ["Kunder acme beta", "Kunder acme beta (2)", "x" * 31]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("customers", ExportRequest("customers", "xlsx", "")),
        ("customers csv", ExportRequest("customers", "csv", "")),
        ("customers xlsx acme", ExportRequest("customers", "xlsx", "acme")),
        ("contacts Acme AS csv", ExportRequest("contacts", "csv", "Acme AS")),
        ("Activities --csv Acme", ExportRequest("activities", "csv", "Acme")),
        ("kpi", ExportRequest("kpi", "xlsx", "")),
    ],
)
def test_export_requests_are_parsed(text: str, expected: ExportRequest) -> None:
    assert parse_export_args(text) == expected


@pytest.mark.parametrize("text", ["", "invoices", "kpi acme"])
def test_bad_export_requests_say_how_to_ask(text: str) -> None:
    with pytest.raises(ExportUsage, match="export"):
        parse_export_args(text)


# --- the command line ----------------------------------------------------------------------------------


def test_kundebot_export_writes_the_file_and_prints_its_path(database_url: str, tmp_path: Path) -> None:
    async def seed() -> None:
        async with Store(database_url) as store:
            kari = await user(store, "Kari Nordmann", "nb")
            await user(store, "John Smith", "en")
            async with store.transaction() as s:
                await customers.create_customer(s, kari, "Acme AS")
                await customers.create_customer(s, kari, "Hemmelig AS", visibility=Visibility.OWNER)

    asyncio.run(seed())
    env = {"DATABASE_URL": database_url, "KUNDEBOT_USER": "john.smith@firm.example"}
    out = tmp_path / "out" / "customers.xlsx"
    result = CliRunner().invoke(export_app, ["customers", "--out", str(out)], env=env)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip().endswith(str(out))
    [rows] = read_xlsx(out.read_bytes()).values()
    assert column(rows, "Name") == ["Acme AS"]

    result = CliRunner().invoke(
        export_app,
        ["customers", "--format", "csv", "--user", "kari.nordmann@firm.example", "--out", "-", "acme"],
        env=env,
    )
    assert result.exit_code == 0, result.output
    assert column(read_csv(result.stdout_bytes, ";"), "Navn") == ["Acme AS"]

    result = CliRunner().invoke(
        export_app, ["activities", "-f", "csv", "-o", str(tmp_path / "a.csv"), "Nowhere"], env=env
    )
    assert result.exit_code == 1
    assert "Nowhere" in result.output


# --- Slack ---------------------------------------------------------------------------------------------


@pytest.fixture
async def api() -> AsyncIterator[FakeSlackApi]:
    async with running_slack_api() as fake:
        yield fake


def client_for(api: FakeSlackApi) -> AsyncWebClient:
    return AsyncWebClient(token=TOKEN, base_url=api.api_url)


async def test_an_export_is_uploaded_to_the_users_dm_in_three_steps(api: FakeSlackApi) -> None:
    data = to_xlsx([Table("Kunder", ["Navn"], [["Acme AS"]])])
    sent = await send_export(client_for(api), USER_ID, CHANNEL_ID, "kunder.xlsx", data, "Kunder")

    dm = api.dm_channel(USER_ID)
    assert (sent.channel, sent.file_id) == (dm, next(iter(api.uploads)))
    assert [c.method for c in api.calls()] == [
        "conversations.open",
        "files.getUploadURLExternal",
        "upload",
        "files.completeUploadExternal",
    ]
    [opened] = api.calls("conversations.open")
    assert opened.params["users"] == USER_ID
    [asked] = api.calls("files.getUploadURLExternal")
    assert (asked.params["filename"], int(asked.params["length"])) == ("kunder.xlsx", len(data))
    assert api.uploads[sent.file_id] == data
    [completed] = api.calls("files.completeUploadExternal")
    assert completed.params["channel_id"] == dm  # never the channel the command came from
    assert completed.json_param("files") == [{"id": sent.file_id, "title": "Kunder"}]
    assert sent.permalink and sent.permalink.endswith("/kunder.xlsx")


async def test_export_to_slack_builds_uploads_and_answers(
    store: Store, book: Book, api: FakeSlackApi
) -> None:
    client = client_for(api)
    answer = await export_to_slack(client, store, book.kari, USER_ID, CHANNEL_ID, "customers csv")
    assert answer.startswith("Sendte kunder-") and answer.endswith(".csv (2 rader) i direktemeldingene våre.")
    [uploaded] = api.uploads.values()
    assert column(read_csv(uploaded, ";"), "Navn") == ["Acme AS", "Beta AS"]

    api.fail("files.completeUploadExternal", error="not_in_channel", times=1)
    answer = await export_to_slack(client, store, book.kari, USER_ID, api.dm_channel(USER_ID), "kpi xlsx")
    assert "not_in_channel" in answer

    assert "Skriv `export" in await export_to_slack(client, store, book.kari, USER_ID, CHANNEL_ID, "invoices")
    assert "Hemmelig" in await export_to_slack(
        client, store, book.kari, USER_ID, CHANNEL_ID, "activities Hemmelig AB"
    )

    answer = await chart_to_slack(client, store, book.kari, USER_ID, api.dm_channel(USER_ID), "invoicing")
    assert answer.startswith("Sendte diagrammet fakturering-") and "direktemeldingene" not in answer
    png = list(api.uploads.values())[-1]
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    [*_, completed] = api.calls("files.completeUploadExternal")
    assert completed.json_param("files")[0]["title"] == "Fakturering per måned, siste 12 måneder"


def test_file_buttons_for_the_kpi_and_pipeline_replies() -> None:
    kpi_block = file_buttons("kpi")
    assert [e["value"] for e in kpi_block["elements"]] == ["pipeline", "invoicing", "kpi xlsx"]
    assert [e["action_id"] for e in kpi_block["elements"]] == [
        "kundebot_chart_0",
        "kundebot_chart_1",
        "kundebot_export_2",
    ]
    assert [e["value"] for e in file_buttons("pipeline")["elements"]] == ["pipeline", "kpi xlsx"]


# --- size ----------------------------------------------------------------------------------------------


async def test_ten_thousand_customers_export_in_seconds(store: Store, book: Book) -> None:
    async with store.transaction() as s:
        await s.execute(
            insert(Customer),
            [
                {
                    "customer_number": 20000 + i,
                    "name": f"Kunde {i:05d} AS",
                    "name_key": name_key(f"Kunde {i:05d} AS"),
                    "owner_id": book.kari.user_id if i % 7 else book.per.user_id,
                    "visibility": Visibility.OWNER if i % 50 == 0 else Visibility.EVERYONE,
                    "kind": CustomerKind.CUSTOMER,
                    "revenue": Decimal(i * 1000),
                    "website": f"https://kunde{i}.no",
                }
                for i in range(10_000)
            ],
        )
    timings = {}
    for fmt in ("csv", "xlsx"):
        started = time.perf_counter()
        export = await build_export(store, book.kari, "customers", fmt, now=NOW)
        timings[fmt] = time.perf_counter() - started
        # Per's owner-only ones (every 50th among his every 7th) are not Kari's to export.
        hidden = sum(1 for i in range(10_000) if i % 50 == 0 and i % 7 == 0)
        assert export.rows == 2 + 10_000 - hidden
    print(f"10k customers: csv {timings['csv']:.2f} s, xlsx {timings['xlsx']:.2f} s")
    assert timings["csv"] < 10 and timings["xlsx"] < 20, timings
