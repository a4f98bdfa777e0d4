"""The CSV import's two front ends: `kundebot import ...` (the Typer app, through typer's CliRunner, on SQLite
and PostgreSQL) and the Slack upload (dry run, report blocks within Slack's limits, the "Import" button),
against a local stand-in for Slack's files.info and file download."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import func, select
from typer.testing import CliRunner, Result

from bot import slack_import
from bot.import_cli import import_app
from bot.render.blocks import BUTTON_VALUE, HEADER_TEXT, MAX_BLOCKS, SECTION_TEXT, TOTAL_TEXT, text_size
from store.actor import Actor
from store.db import Store
from store.models import Contact, Customer, Role
from store.services.importing import ImportOptions, ImportReport, Kind, RowProblem
from store.services.users import create_user
from tests.conftest import make_actor
from tests.servers.slack import running_web_app

DATA = Path(__file__).parent.parent / "data" / "import"
ADMIN, SALES, READER = "ada@firm.no", "sam@firm.no", "rita@firm.no"

runner = CliRunner()


# --- the command line ------------------------------------------------------------------------------------------


def add_users(url: str) -> None:
    async def work() -> None:
        async with Store(url) as store, store.transaction() as s:
            await create_user(s, name="Ada Admin", email=ADMIN, role=Role.ADMIN)
            await create_user(s, name="Sam Sales", email=SALES, role=Role.SALES)
            await create_user(s, name="Rita Reader", email=READER, role=Role.READ_ONLY)

    asyncio.run(work())


def rows_in(url: str, model: type) -> int:
    async def work() -> int:
        async with Store(url) as store, store.reading() as s:
            return int((await s.execute(select(func.count(model.id)))).scalar_one())  # type: ignore[attr-defined]

    return asyncio.run(work())


@pytest.fixture
def db(database_url: str) -> str:
    add_users(database_url)
    return database_url


def kundebot_import(url: str, *args: str, user: str | None = SALES) -> Result:
    argv = [*args, *(["--user", user] if user else [])]
    return runner.invoke(import_app, argv, env={"DATABASE_URL": url, "KUNDEBOT_USER": None})


def test_dry_run_reports_every_rejected_row_and_exits_1(db: str) -> None:
    result = kundebot_import(db, "customers", str(DATA / "kunder_feil.csv"), "--dry-run")
    assert result.exit_code == 1, result.output
    out = result.stdout
    assert "kunder_feil.csv: 7 rows of customers (windows-1252, semicolon-separated), as Sam Sales" in out
    assert "Ignored columns, unknown to kundebot: E-post" in out
    assert "Dry run, nothing written. 7 rows of customers: would create 2, would update 0, 5 rejected." in out
    assert "line 3  Nordlys Rådgivning AS: invalid organisation number '923 609 017'" in out
    assert "line 4  Vestkyst Eiendom AS: organisation number 923 609 016 is also on line 2" in out
    assert "line 7  Ukjent Kunde AS: no customer #10999" in out
    assert "add --partial to import the 2 good rows" in out
    assert rows_in(db, Customer) == 0


def test_all_or_nothing_then_partial(db: str) -> None:
    strict = kundebot_import(db, "customers", str(DATA / "kunder_feil.csv"))
    assert strict.exit_code == 1
    assert "Nothing imported, as rows were rejected." in strict.stdout
    assert "Fix the rejected rows and run again, or add --partial" in strict.stdout
    assert rows_in(db, Customer) == 0
    partial = kundebot_import(db, "customers", str(DATA / "kunder_feil.csv"), "--partial")
    assert partial.exit_code == 1  # rows were rejected, even though the good ones were written
    assert "Imported. 7 rows of customers: created 2, updated 0, 5 rejected." in partial.stdout
    assert rows_in(db, Customer) == 2


def test_a_clean_file_imports_and_exits_0(db: str) -> None:
    check = kundebot_import(db, "customers", str(DATA / "kunder_excel_nb.csv"), "--dry-run")
    assert check.exit_code == 0, check.output
    assert "Run again without --dry-run to import." in check.stdout
    result = kundebot_import(db, "customers", str(DATA / "kunder_excel_nb.csv"))
    assert result.exit_code == 0, result.output
    assert "Imported. 4 rows of customers: created 4, updated 0, 0 rejected." in result.stdout
    assert (
        "Columns: Kundenummer (customer number), Navn (name), Org.nr (organisation number)" in result.stdout
    )
    again = kundebot_import(db, "customers", str(DATA / "kunder_excel_nb.csv"))
    assert again.exit_code == 1  # the rows without an organisation number now meet themselves
    assert "similar to an existing customer, Håkonsen Regnskap (#10004)" in again.stdout
    assert "--allow-similar" in again.stdout


def test_contacts_and_addresses(db: str) -> None:
    assert kundebot_import(db, "customers", str(DATA / "kunder_excel_nb.csv")).exit_code == 0
    contacts = kundebot_import(db, "contacts", str(DATA / "kontakter.csv"), "--partial")
    assert "created 2, updated 0, 3 rejected" in contacts.stdout
    assert "line 5  Lise Berg: bad email 'lise@@aeroy-bygg.no'" in contacts.stdout
    assert rows_in(db, Contact) == 2
    addresses = kundebot_import(db, "addresses", str(DATA / "adresser.csv"), "--dry-run")
    assert addresses.exit_code == 1
    assert "would create 1, would update 1, 3 rejected" in addresses.stdout  # Strandgata 4 is the head office


def test_the_default_user_is_kundebot_user(db: str) -> None:
    result = runner.invoke(
        import_app,
        ["customers", str(DATA / "excel_sep_line.csv")],
        env={"DATABASE_URL": db, "KUNDEBOT_USER": ADMIN},
    )
    assert result.exit_code == 0, result.output
    assert "as Ada Admin" in result.stdout


def test_read_only_users_cannot_import(db: str) -> None:
    result = kundebot_import(db, "customers", str(DATA / "kunder_excel_nb.csv"), "--dry-run", user=READER)
    assert result.exit_code == 1
    assert "read-only" in result.stderr
    assert rows_in(db, Customer) == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"PK\x03\x04...", "Excel workbook"),
        ("Fakturaspråk;Valuta\nnb;NOK\n".encode(), "No column names the customers"),
    ],
)
def test_files_that_cannot_be_imported_exit_2(db: str, tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "kunder.csv"
    path.write_bytes(content)
    result = kundebot_import(db, "customers", str(path))
    assert result.exit_code == 2
    assert message in result.stderr


def test_an_unknown_user_exits_2(db: str) -> None:
    result = kundebot_import(db, "customers", str(DATA / "kunder_excel_nb.csv"), user="nobody@firm.no")
    assert result.exit_code == 2
    assert "No user with email nobody@firm.no" in result.stderr


# --- Slack ------------------------------------------------------------------------------------------------------

TOKEN = "xoxb-import-test"


@dataclass
class FakeFiles:
    """files.info and the private download URL, as Slack serves them; chat.postMessage recorded."""

    base: str = ""
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)  # id -> (name, bytes)
    download_url: dict[str, str] = field(default_factory=dict)  # id -> another url_private_download
    downloads: list[str | None] = field(default_factory=list)  # the Authorization header of each download
    posted: list[dict[str, Any]] = field(default_factory=list)

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_route("*", "/api/files.info", self.info)
        app.router.add_route("*", "/api/chat.postMessage", self.post)
        app.router.add_get("/files-pri/{id}/{name}", self.download)
        return app

    async def info(self, request: web.Request) -> web.Response:
        params = dict(request.query) | dict(await request.post())
        found = self.files.get(str(params.get("file")))
        if found is None:
            return web.json_response({"ok": False, "error": "file_not_found"})
        file_id, (name, data) = str(params["file"]), found
        url = self.download_url.get(file_id, f"{self.base}/files-pri/{file_id}/{name}")
        return web.json_response(
            {
                "ok": True,
                "file": {
                    "id": file_id,
                    "name": name,
                    "filetype": "csv",
                    "size": len(data),
                    "url_private_download": url,
                },
            }
        )

    async def download(self, request: web.Request) -> web.Response:
        self.downloads.append(request.headers.get("Authorization"))
        if request.headers.get("Authorization") != f"Bearer {TOKEN}":
            return web.Response(text="<html>Sign in to Slack</html>", content_type="text/html")
        name, data = self.files[request.match_info["id"]]
        return web.Response(body=data, content_type="text/csv")

    async def post(self, request: web.Request) -> web.Response:
        self.posted.append(await request.json())
        return web.json_response({"ok": True, "channel": "D0KARI0001", "ts": "1700000000.000100"})


@pytest.fixture
async def slack_files() -> AsyncIterator[tuple[FakeFiles, AsyncWebClient]]:
    fake = FakeFiles()
    async with running_web_app(fake.app()) as base:
        fake.base = base
        yield fake, AsyncWebClient(token=TOKEN, base_url=f"{base}/api/")


def buttons(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [e for b in blocks if b["type"] == "actions" for e in b["elements"]]


def text_of(blocks: list[dict[str, Any]]) -> str:
    return json.dumps(blocks, ensure_ascii=False)


async def count(store: Store, model: type) -> int:
    async with store.reading() as s:
        return int((await s.execute(select(func.count(model.id)))).scalar_one())  # type: ignore[attr-defined]


async def test_dry_run_then_the_import_button(
    store: Store, alice: Actor, slack_files: tuple[FakeFiles, AsyncWebClient]
) -> None:
    fake, client = slack_files
    fake.files["F1"] = ("kunder_feil.csv", (DATA / "kunder_feil.csv").read_bytes())
    message, report = await slack_import.dry_run_message(store, client, alice, "F1")
    assert report is not None and report.options.dry_run
    assert fake.downloads == [f"Bearer {TOKEN}"]
    text = text_of(message.blocks)
    assert message.blocks[0]["text"]["text"] == "Import check: kunder_feil.csv"
    assert "*7* rows of customers: would create *2*, would update *0*, *5* rejected." in text
    assert "`line 3` Nordlys Rådgivning AS: invalid organisation number" in text
    assert await count(store, Customer) == 0
    labels = [(b["text"]["text"], b["action_id"]) for b in buttons(message.blocks)]
    assert labels == [("Import the 2 good rows", "import_run_good"), ("Cancel", "import_cancel")]
    assert all(slack_import.IMPORT_ACTIONS.match(b["action_id"]) for b in buttons(message.blocks)[:-1])
    value = buttons(message.blocks)[0]["value"]
    done, final = await slack_import.import_message(store, client, alice, value)
    assert final is not None and final.written and final.created == 2
    assert done.blocks[0]["text"]["text"] == "Imported: kunder_feil.csv"
    assert buttons(done.blocks) == []
    assert await count(store, Customer) == 2
    assert "no customers were imported" in slack_import.cancelled_message(value).text


async def test_a_clean_file_gets_one_import_button_and_a_changed_file_is_refused(
    store: Store, alice: Actor, slack_files: tuple[FakeFiles, AsyncWebClient]
) -> None:
    fake, client = slack_files
    fake.files["F2"] = ("kunder.csv", (DATA / "kunder_excel_nb.csv").read_bytes())
    message, _ = await slack_import.dry_run_message(store, client, alice, "F2")
    (run, cancel) = buttons(message.blocks)
    assert (run["text"]["text"], run["action_id"], run["style"]) == ("Import", "import_run", "primary")
    assert run["confirm"]["confirm"]["text"] == "Import"
    fake.files["F2"] = ("kunder.csv", (DATA / "kunder_feil.csv").read_bytes())
    refused, report = await slack_import.import_message(store, client, alice, run["value"])
    assert report is None and "The file changed after it was checked" in refused.text
    assert await count(store, Customer) == 0


async def test_what_the_file_holds_comes_from_the_message_or_the_columns(
    store: Store, alice: Actor, slack_files: tuple[FakeFiles, AsyncWebClient]
) -> None:
    fake, client = slack_files
    async with store.transaction() as s:
        from store.services.customers import create_customer

        await create_customer(s, alice, "Ærøy Bygg AS", org_number="923609016")
    fake.files["F3"] = ("eksport.csv", (DATA / "kontakter.csv").read_bytes())
    _, report = await slack_import.dry_run_message(store, client, alice, "F3")
    assert report is not None and report.kind is Kind.CONTACTS
    fake.files["F4"] = ("eksport.csv", (DATA / "adresser.csv").read_bytes())
    _, report = await slack_import.dry_run_message(store, client, alice, "F4", "her er adressene")
    assert report is not None and report.kind is Kind.ADDRESSES


async def test_problems_are_told_not_raised(
    store: Store, alice: Actor, slack_files: tuple[FakeFiles, AsyncWebClient]
) -> None:
    fake, client = slack_files
    missing, _ = await slack_import.dry_run_message(store, client, alice, "F404")
    assert "could not find the file (Slack said file_not_found)" in missing.text
    fake.files["F5"] = ("kunder.xlsx", b"PK\x03\x04 a workbook")
    workbook, _ = await slack_import.dry_run_message(store, client, alice, "F5")
    assert "Excel workbook" in workbook.text
    reader = await make_actor(store, "Rita Reader", Role.READ_ONLY)
    fake.files["F6"] = ("kunder.csv", (DATA / "kunder_excel_nb.csv").read_bytes())
    refused, _ = await slack_import.dry_run_message(store, client, reader, "F6")
    assert "read-only" in refused.text
    stale, _ = await slack_import.import_message(store, client, alice, "not json")
    assert "upload the file again" in stale.text


async def test_the_bot_token_goes_only_to_slacks_file_hosts(
    store: Store, alice: Actor, slack_files: tuple[FakeFiles, AsyncWebClient]
) -> None:
    fake, client = slack_files
    fake.files["F7"] = ("kunder.csv", b"Navn\nAcme AS\n")
    fake.download_url["F7"] = "https://evil.example/steal"
    message, report = await slack_import.dry_run_message(store, client, alice, "F7")
    assert report is None and "gave no download address" in message.text
    assert fake.downloads == []
    assert slack_import._trusted("https://files.slack.com/files-pri/T1-F7/kunder.csv", client)
    assert not slack_import._trusted("http://files.slack.com/files-pri/T1-F7/kunder.csv", client)
    assert not slack_import._trusted("https://files.slack.com.evil.example/x", client)


async def test_handle_upload_posts_the_report_in_the_dm(
    store: Store, alice: Actor, slack_files: tuple[FakeFiles, AsyncWebClient]
) -> None:
    fake, client = slack_files
    fake.files["F8"] = ("kunder.csv", (DATA / "kunder_excel_nb.csv").read_bytes())
    event = {
        "type": "message",
        "subtype": "file_share",
        "channel": "D0KARI0001",
        "channel_type": "im",
        "text": "",
        "files": [{"id": "F8", "name": "kunder.csv", "filetype": "csv"}, {"id": "F9", "name": "logo.png"}],
    }
    assert await slack_import.handle_upload(store, client, alice, event)
    assert [p["channel"] for p in fake.posted] == ["D0KARI0001"]
    assert "Import check: kunder.csv" in text_of(fake.posted[0]["blocks"])
    assert not await slack_import.handle_upload(
        store, client, alice, {"type": "message", "files": [{"name": "x.png"}]}
    )


def huge_report() -> ImportReport:
    nasty = "<!channel> & <@U123> " + "ø" * 400
    report = ImportReport(
        Kind.CUSTOMERS, "kunder <!here>.csv" + "x" * 300, "windows-1252", ";", ImportOptions(dry_run=True)
    )
    report.rows, report.created, report.updated = 20_000, 15_000, 10
    similar = "import.reason.similar_existing"
    report.rejected = [
        RowProblem(i, f"similar to {nasty}", nasty, similar, {"customer": nasty}) for i in range(2, 4_992)
    ]
    report.unknown_columns = [f"Kolonne {i} {nasty}" for i in range(200)]
    report.columns = {f"field{i}": f"Header {i} {nasty}" for i in range(30)}
    return report


def test_report_blocks_stay_within_slacks_limits() -> None:
    report = huge_report()
    request = slack_import.ImportRequest("F" * 40, Kind.CUSTOMERS, "0" * 16)
    message = slack_import.report_message(report, request)
    blocks = message.blocks
    assert len(blocks) <= MAX_BLOCKS and text_size(blocks) <= TOTAL_TEXT
    assert len(message.text) <= 1000
    for block in blocks:
        if block["type"] == "header":
            assert len(block["text"]["text"]) <= HEADER_TEXT
        if block["type"] == "section":
            assert len(block["text"]["text"]) <= SECTION_TEXT
        if block["type"] == "context":
            assert all(len(e["text"]) <= 3000 for e in block["elements"])
    found = buttons(blocks)
    assert len({b["action_id"] for b in found}) == len(found)
    assert all(len(b["value"]) <= BUTTON_VALUE and len(b["text"]["text"]) <= 75 for b in found)
    assert [b["text"]["text"] for b in found] == [
        "Import the 15010 good rows",
        "Import, allowing similar names",
        "Cancel",
    ]
    mrkdwn = json.dumps([message.text, *mrkdwn_texts(blocks)], ensure_ascii=False)  # plain_text pings nobody
    assert "<!channel>" not in mrkdwn and "<!here>" not in mrkdwn and "<@U123>" not in mrkdwn
    assert "&lt;!channel&gt;" in mrkdwn
    assert "more; the full list is in the attached CSV file" in mrkdwn


def mrkdwn_texts(item: Any) -> list[str]:
    if isinstance(item, list):
        return [t for x in item for t in mrkdwn_texts(x)]
    if isinstance(item, dict):
        own = [item["text"]] if item.get("type") == "mrkdwn" else []
        return own + [t for v in item.values() if isinstance(v, dict | list) for t in mrkdwn_texts(v)]
    return []


def test_the_rejected_rows_as_csv_for_excel() -> None:
    report = huge_report()
    data = slack_import.rejections_csv(report)
    assert data.startswith("\ufeff".encode())
    lines = data.decode("utf-8-sig").splitlines()
    assert lines[0] == "Line;Row;Reason" and len(lines) == len(report.rejected) + 1
    assert lines[1].startswith("2;")


def test_import_request_round_trip() -> None:
    request = slack_import.ImportRequest("F0123", Kind.ADDRESSES, "ab" * 8, partial=True, allow_similar=True)
    assert slack_import.ImportRequest.parse(request.value()) == request
    assert slack_import.ImportRequest.parse('{"f": "F1"}') is None
