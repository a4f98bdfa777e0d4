"""CSV import in Slack (SPEC §9): a user uploads a CSV file to the bot's DM and gets the dry run's report with
an "Import" button; the click imports the same file for real, as the user who clicked.

Nothing is kept between the dry run and the click: the button's value carries the file's Slack id, what it
holds (customers, contacts or addresses), the options and a SHA-256 prefix of the bytes the dry run read.
The click downloads the file again (`files.info`, then its `url_private_download` with the bot token) and
imports only when the bytes are the same, so what is imported is exactly what was checked, on any replica,
after a restart too. Every row is checked again at import time, so changes made since the dry run are seen.

The import itself runs on a worker thread with its own event loop and its own connection to the store
(`Store(store.url)`), so a 100k-row file does not stall the app's other requests; one import (dry run or
real) runs at a time per process, which also keeps SQLite's writers from timing out on each other.

Entry points for `bot/app.py` (each returns `Message`s; nothing here posts except `handle_upload`):

    import_files(event) -> list[dict]                       the CSV (and Excel) files of a message event
    dry_run_message(store, client, actor, file_id, hint)    download, dry run, report + buttons
    working_message(value)                                  "Importing…" (replaces the buttons on a click)
    import_message(store, client, actor, value)             the "Import" click: download, check, import
    cancelled_message(value)                                the "Cancel" click
    handle_upload(store, client, actor, event)              all of it for a `file_share` message: posts each
                                                            report to the DM, and the complete list of
                                                            rejected rows as a CSV file when the message
                                                            could not hold them all

Action ids: IMPORT_ACTIONS (a pattern for "import_run", "import_run_good", "import_run_similar"; the value
carries the options) and IMPORT_CANCEL ("import_cancel"). Scopes: files:read (files.info and the
download), files:write (the list of rejected rows), chat:write, im:history (the `message.im` event).
"""

from __future__ import annotations

import asyncio
import csv
import hashlib
import io
import json
import logging
import re
import weakref
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.i18n import error_text
from bot.render.blocks import (
    BUTTON_VALUE,
    CONTEXT_TEXT,
    ERROR_MARK,
    HEADER_TEXT,
    LIST_TEXT,
    MAX_BLOCKS,
    SECTION_TEXT,
    SUCCESS_MARK,
    TOTAL_TEXT,
    Block,
    Message,
    clip,
    length,
    md,
    text_size,
)
from store.actor import Actor
from store.db import Store
from store.errors import StoreError
from store.services.importing import (
    MAX_FILE_BYTES,
    ImportOptions,
    ImportReport,
    Kind,
    guess_kind,
    read_table,
    run_import,
)

log = logging.getLogger(__name__)

IMPORT_RUN = "import_run"  # all or nothing
IMPORT_GOOD_ROWS = "import_run_good"  # partial
IMPORT_SIMILAR = "import_run_similar"  # partial, similar names allowed
IMPORT_CANCEL = "import_cancel"
IMPORT_ACTIONS = re.compile(r"^import_run(_good|_similar)?$")  # the button value says what to do
IMPORTABLE = (".csv", ".tsv", ".txt", ".xlsx", ".xls")  # Excel files get "save it as CSV"
IMPORTABLE_TYPES = ("csv", "tsv", "text", "xlsx", "xls")
DOWNLOAD_TIMEOUT = 60.0
SHOWN_REJECTIONS = 25  # rows listed in the message; the rest are in the attached CSV
TRUSTED_FILE_HOSTS = ("slack.com", "slack-edge.com", "slack-files.com")

_gates: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = weakref.WeakKeyDictionary()


def _gate() -> asyncio.Lock:
    """The lock that lets one import run at a time (one per event loop: an asyncio lock belongs to one)."""
    loop = asyncio.get_running_loop()
    if loop not in _gates:
        _gates[loop] = asyncio.Lock()
    return _gates[loop]


class DownloadFailed(Exception):
    """The file could not be fetched from Slack; the message says why, for the user."""


@dataclass(frozen=True)
class ImportRequest:
    """What the "Import" button carries: enough to fetch the same file again and import it."""

    file_id: str
    kind: Kind
    digest: str  # the first 16 hex digits of the SHA-256 of the bytes the dry run read
    partial: bool = False
    allow_similar: bool = False

    def value(self) -> str:
        data = {"f": self.file_id, "k": self.kind.value, "h": self.digest}
        if self.partial:
            data["p"] = "1"
        if self.allow_similar:
            data["s"] = "1"
        return json.dumps(data, separators=(",", ":"))

    @classmethod
    def parse(cls, value: str) -> ImportRequest | None:
        try:
            data = json.loads(value)
            return cls(
                str(data["f"]), Kind(data["k"]), str(data["h"]), data.get("p") == "1", data.get("s") == "1"
            )
        except (ValueError, KeyError, TypeError):
            return None

    @property
    def options(self) -> ImportOptions:
        return ImportOptions(partial=self.partial, allow_similar=self.allow_similar)


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


# --- files --------------------------------------------------------------------------------------------------


def import_files(event: dict[str, Any]) -> list[dict[str, Any]]:
    """The files of a message event (subtype `file_share`) that may be an import: CSV and text, and Excel
    workbooks (which get asked to be saved as CSV)."""
    found = []
    for file in event.get("files") or []:
        name = str(file.get("name") or "").lower()
        if name.endswith(IMPORTABLE) or str(file.get("filetype") or "").lower() in IMPORTABLE_TYPES:
            found.append(file)
    return found


def _trusted(url: str, client: AsyncWebClient) -> bool:
    """Only Slack's own file hosts (or the API's host, for a proxy or the tests) get the bot token."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    api_host = (urlsplit(client.base_url).hostname or "").lower()
    if host and host == api_host:
        return True
    return parts.scheme == "https" and any(host == h or host.endswith("." + h) for h in TRUSTED_FILE_HOSTS)


async def download(client: AsyncWebClient, file_id: str) -> tuple[dict[str, Any], bytes]:
    """The file's metadata (files.info) and bytes (its private URL, with the bot token)."""
    try:
        info = (await client.files_info(file=file_id)).get("file") or {}
    except SlackApiError as exc:
        error = exc.response.get("error")
        if error == "missing_scope":
            raise DownloadFailed("I may not read files yet: the app needs the files:read scope.") from exc
        raise DownloadFailed(f"I could not find the file (Slack said {error}); upload it again.") from exc
    name = str(info.get("name") or file_id)
    if int(info.get("size") or 0) > MAX_FILE_BYTES:
        raise DownloadFailed(
            f"{name} is larger than {MAX_FILE_BYTES // 1_000_000} MB; split it into smaller files."
        )
    url = str(info.get("url_private_download") or info.get("url_private") or "")
    if not url or not _trusted(url, client):
        raise DownloadFailed(f"I could not download {name}: Slack gave no download address for it.")
    headers = {"Authorization": f"Bearer {client.token}"}
    timeout = aiohttp.ClientTimeout(total=DOWNLOAD_TIMEOUT)
    try:
        async with aiohttp.ClientSession(timeout=timeout) as http, http.get(url, headers=headers) as response:
            if response.status != 200:
                raise DownloadFailed(f"I could not download {name} (HTTP {response.status}); try again.")
            if response.content_type == "text/html":  # Slack's sign-in page: the token was not accepted
                raise DownloadFailed(
                    f"Slack would not let me download {name}; the app needs the files:read scope."
                )
            data = await response.content.read(MAX_FILE_BYTES + 1)
    except (aiohttp.ClientError, TimeoutError) as exc:
        raise DownloadFailed(f"I could not download {name} ({type(exc).__name__}); try again.") from exc
    if len(data) > MAX_FILE_BYTES:
        raise DownloadFailed(
            f"{name} is larger than {MAX_FILE_BYTES // 1_000_000} MB; split it into smaller files."
        )
    return info, data


async def _import(
    store: Store, actor: Actor, kind: Kind, data: bytes, options: ImportOptions, file_name: str
) -> ImportReport:
    """run_import on a worker thread with its own event loop and store connection, one at a time."""

    def work() -> ImportReport:
        async def main() -> ImportReport:
            async with Store(store.url) as own:
                return await run_import(own, actor, kind, data, options=options, file_name=file_name)

        return asyncio.run(main())

    async with _gate():
        return await asyncio.to_thread(work)


# --- the two steps ---------------------------------------------------------------------------------------------


async def dry_run_message(
    store: Store, client: AsyncWebClient, actor: Actor, file_id: str, hint: str = ""
) -> tuple[Message, ImportReport | None]:
    """Check an uploaded file: the report with "Import" (and "Cancel") buttons, or why it cannot be read.

    `hint` is the text sent with the file ("kontakter", "import addresses"): it says what the file holds
    when the columns leave it open. Returns the report too (None when there is none), for the full list of
    rejected rows.
    """
    try:
        info, data = await download(client, file_id)
        name = str(info.get("name") or "the file")
        kind = await asyncio.to_thread(lambda: guess_kind(read_table(data).header, f"{hint} {name}"))
        report = await _import(store, actor, kind, data, ImportOptions(dry_run=True), name)
    except DownloadFailed as exc:
        return problem_message(str(exc)), None
    except StoreError as exc:  # ImportFileError, PermissionDenied
        return problem_message(error_text(actor.language.value, exc)), None
    request = ImportRequest(file_id, kind, digest(data))
    return report_message(report, request), report


async def import_message(
    store: Store, client: AsyncWebClient, actor: Actor, value: str
) -> tuple[Message, ImportReport | None]:
    """The "Import" click: fetch the file again, make sure it is the one checked, import it for real."""
    request = ImportRequest.parse(value)
    if request is None:
        return problem_message("This button is not an import any more; upload the file again."), None
    try:
        info, data = await download(client, request.file_id)
        if digest(data) != request.digest:
            return problem_message("The file changed after it was checked; upload it again."), None
        name = str(info.get("name") or "the file")
        report = await _import(store, actor, request.kind, data, request.options, name)
    except DownloadFailed as exc:
        return problem_message(str(exc)), None
    except StoreError as exc:  # PermissionDenied, ChangedMeanwhile, ImportFileError
        return problem_message(error_text(actor.language.value, exc)), None
    return report_message(report, None), report


def working_message(value: str) -> Message:
    """What replaces the report when "Import" is clicked, until the result is there: no buttons, so a second
    click cannot start the same import again."""
    request = ImportRequest.parse(value)
    what = request.kind.value if request else "rows"
    return Message(f"Importing the {what}…", [_context(f":hourglass_flowing_sand: Importing the {what}…")])


def cancelled_message(value: str) -> Message:
    request = ImportRequest.parse(value)
    what = request.kind.value if request else "file"
    return Message(
        f"Import cancelled; no {what} were imported.", [_context("Import cancelled; nothing was written.")]
    )


async def handle_upload(store: Store, client: AsyncWebClient, actor: Actor, event: dict[str, Any]) -> bool:
    """A `message` event with files in the bot's DM: a dry-run report for each importable file, posted in
    that DM, with the full list of rejected rows as a CSV file when the message shows only some. Returns
    False when the event has no importable file (the caller handles its text as usual)."""
    files = import_files(event)
    channel = str(event.get("channel") or "")
    for file in files:
        message, report = await dry_run_message(
            store, client, actor, str(file.get("id")), event.get("text") or ""
        )
        await client.chat_postMessage(channel=channel, text=message.text, blocks=message.blocks)
        if report is not None:
            await send_rejections(client, channel, report)
    return bool(files)


async def send_rejections(client: AsyncWebClient, channel: str, report: ImportReport) -> None:
    """The complete list of rejected rows as a CSV file in `channel`, when the message could not hold it."""
    if len(report.rejected) <= SHOWN_REJECTIONS:
        return
    stem = (report.file_name or "import").rsplit(".", 1)[0]
    try:
        await client.files_upload_v2(
            channel=channel,
            filename=f"{stem}-rejected.csv",
            content=rejections_csv(report).decode("utf-8-sig"),
            title=f"Rejected rows of {report.file_name or 'the import'}",
        )
    except SlackApiError as exc:
        log.warning("uploading the rejected rows failed: %s", exc.response.get("error"))


def rejections_csv(report: ImportReport) -> bytes:
    """Line, row and reason of every rejected row, `;`-separated UTF-8 with BOM: what Nordic Excel opens."""
    text = io.StringIO()
    writer = csv.writer(text, delimiter=";", lineterminator="\r\n")
    writer.writerow(["Line", "Row", "Reason"])
    for problem in report.rejected:
        writer.writerow([problem.line, problem.label, problem.reason])
    return text.getvalue().encode("utf-8-sig")


# --- Block Kit -------------------------------------------------------------------------------------------------


def _section(text: str) -> Block:
    return {
        "type": "section",
        "text": {"type": "mrkdwn", "text": clip(text, SECTION_TEXT) or " ", "verbatim": True},
    }


def _context(text: str) -> Block:
    return {
        "type": "context",
        "elements": [{"type": "mrkdwn", "text": clip(text, CONTEXT_TEXT), "verbatim": True}],
    }


def _button(text: str, action_id: str, value: str, style: str | None = None) -> Block:
    button: Block = {
        "type": "button",
        "text": {"type": "plain_text", "text": clip(text, 75), "emoji": True},
        "action_id": action_id,
        "value": value[:BUTTON_VALUE],
    }
    if style:
        button["style"] = style
    return button


def problem_message(text: str) -> Message:
    return Message(clip(text, 1000), [_section(f"{ERROR_MARK} {md(text, 2900, one_line=False)}")])


def _title(report: ImportReport) -> str:
    name = report.file_name or "the file"
    if report.options.dry_run:
        return f"Import check: {name}"
    return f"Imported: {name}" if report.written else f"Nothing imported: {name}"


def _counts(report: ImportReport) -> str:
    would = "" if report.written else "would "
    parts = [f"{would}create *{report.created}*", f"{would}update *{report.updated}*"]
    if report.unchanged:
        parts.append(f"{report.unchanged} unchanged")
    parts.append(f"*{len(report.rejected)}* rejected")
    rows = "row" if report.rows == 1 else "rows"
    return f"*{report.rows}* {rows} of {report.kind.value}: " + ", ".join(parts) + "."


def _rejections(report: ImportReport, limit: int) -> Block | None:
    if not report.rejected:
        return None
    title = f"*Rejected rows* ({len(report.rejected)})"
    lines: list[str] = []
    used = length(title)
    for problem in report.rejected[:limit]:
        label = f"{md(problem.label, 60)}: " if problem.label else ""
        line = f"`line {problem.line}` {label}{md(problem.reason, 300)}"
        if used + length(line) + 60 > LIST_TEXT:
            break
        lines.append(line)
        used += length(line) + 1
    left = len(report.rejected) - len(lines)
    if left:
        lines.append(f"_and {left} more; the full list is in the attached CSV file_")
    return _section("\n".join([title, *lines]))


def _next_step(report: ImportReport) -> str:
    good = report.created + report.updated
    if not report.options.dry_run:
        if report.written:
            return f"{SUCCESS_MARK} Done."
        if report.rejected:
            return "Nothing was written. Fix the rejected rows and upload the file again."
        return "Nothing to import: every row is already in the CRM as it is."
    if not good:
        return (
            "Nothing to import: fix the rejected rows and upload the file again."
            if report.rejected
            else ("Nothing to import: every row is already in the CRM as it is.")
        )
    if report.rejected:
        return (
            "An import writes nothing while rows are rejected: fix them and upload the file again, "
            f"or import only the {good} good rows."
        )
    return "Nothing has been written yet. Import?"


def report_message(report: ImportReport, request: ImportRequest | None) -> Message:
    """The report as one message within Slack's limits: counts, what was read, the first rejected rows,
    and (after a dry run, `request` given) the buttons to import for real or cancel."""
    body: list[Block] = [
        {
            "type": "header",
            "text": {"type": "plain_text", "text": clip(_title(report), HEADER_TEXT), "emoji": True},
        },
        _section(_counts(report)),
    ]
    read = f"{report.encoding}, {report.delimiter_name}-separated"
    if report.columns:
        read += " · columns: " + ", ".join(md(h, 40) for h in report.columns.values())
    body.append(_context(read))
    if report.unknown_columns:
        body.append(
            _context(
                "Ignored columns, unknown to kundebot: "
                + ", ".join(md(h, 40) for h in report.unknown_columns)
            )
        )
    rejections = _rejections(report, SHOWN_REJECTIONS)
    if rejections is not None:
        body.append(rejections)
    body.append(_section(_next_step(report)))
    tail: list[Block] = []
    if request is not None and report.created + report.updated:
        tail = [{"type": "actions", "elements": _buttons(report, request)}]
    blocks = [*body, *tail]
    while (len(blocks) > MAX_BLOCKS or text_size(blocks) > TOTAL_TEXT) and len(body) > 3:  # a safety net
        body.pop(-2)
        blocks = [*body, *tail]
    return Message(md(f"{_title(report)}: {report.counts()}", 1000), blocks)  # escaped: it notifies


def _buttons(report: ImportReport, request: ImportRequest) -> list[Block]:
    """Import (all or nothing when nothing is rejected, else the good rows), import allowing similar names
    when that is what stopped rows, and cancel. Each import button asks for a confirmation."""
    good = report.created + report.updated
    rows = "row" if good == 1 else "rows"
    what = f"the {report.kind.value} of {md(report.file_name or 'the file', 100)}"
    buttons: list[Block] = []
    if not report.rejected:
        buttons.append(_confirmed(_button("Import", IMPORT_RUN, request.value(), "primary"), what))
    else:
        partial = ImportRequest(request.file_id, request.kind, request.digest, partial=True)
        label = f"Import the {good} good {rows}"
        buttons.append(_confirmed(_button(label, IMPORT_GOOD_ROWS, partial.value(), "primary"), what))
    if any(p.reason.startswith("similar to") for p in report.rejected):
        anyway = ImportRequest(
            request.file_id, request.kind, request.digest, partial=True, allow_similar=True
        )
        label = "Import, allowing similar names"
        buttons.append(_confirmed(_button(label, IMPORT_SIMILAR, anyway.value()), what))
    buttons.append(_button("Cancel", IMPORT_CANCEL, request.value()))
    return buttons


def _confirmed(button: Block, what: str) -> Block:
    button["confirm"] = {
        "title": {"type": "plain_text", "text": "Import?"},
        "text": {"type": "mrkdwn", "text": clip(f"Write {what} to the CRM?", 300)},
        "confirm": {"type": "plain_text", "text": "Import"},
        "deny": {"type": "plain_text", "text": "Not yet"},
    }
    return button
