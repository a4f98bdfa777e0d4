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

from bot.i18n import error_text, keyed_text, say, value_name
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
    SIMILAR_NAME_KEYS,
    ImportOptions,
    ImportReport,
    Kind,
    Reason,
    RowProblem,
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
    """The file could not be fetched from Slack: `text(lang)` says why, for the user (the catalogue's
    "import." + key); `str()` is the English text."""

    def __init__(self, key: str, **values: object) -> None:
        self.key, self.values = key, values
        super().__init__(self.text("en"))

    def text(self, lang: str) -> str:
        return say(lang, f"import.{self.key}", **self.values)


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
            raise DownloadFailed("no_scope") from exc
        raise DownloadFailed("not_found", error=error) from exc
    name = str(info.get("name") or file_id)
    if int(info.get("size") or 0) > MAX_FILE_BYTES:
        raise DownloadFailed("too_big", name=name, limit=MAX_FILE_BYTES // 1_000_000)
    url = str(info.get("url_private_download") or info.get("url_private") or "")
    if not url or not _trusted(url, client):
        raise DownloadFailed("no_address", name=name)
    headers = {"Authorization": f"Bearer {client.token}"}
    timeout = aiohttp.ClientTimeout(total=DOWNLOAD_TIMEOUT)
    try:
        async with aiohttp.ClientSession(timeout=timeout) as http, http.get(url, headers=headers) as response:
            if response.status != 200:
                raise DownloadFailed("http", name=name, status=response.status)
            if response.content_type == "text/html":  # Slack's sign-in page: the token was not accepted
                raise DownloadFailed("sign_in", name=name)
            data = await response.content.read(MAX_FILE_BYTES + 1)
    except (aiohttp.ClientError, TimeoutError) as exc:
        raise DownloadFailed("failed", name=name, error=type(exc).__name__) from exc
    if len(data) > MAX_FILE_BYTES:
        raise DownloadFailed("too_big", name=name, limit=MAX_FILE_BYTES // 1_000_000)
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
    lang = actor.language.value
    try:
        info, data = await download(client, file_id)
        name = str(info.get("name") or say(lang, "import.the_file"))
        kind = await asyncio.to_thread(lambda: guess_kind(read_table(data).header, f"{hint} {name}"))
        report = await _import(store, actor, kind, data, ImportOptions(dry_run=True), name)
    except DownloadFailed as exc:
        return problem_message(exc.text(lang)), None
    except StoreError as exc:  # ImportFileError, PermissionDenied
        return problem_message(error_text(lang, exc)), None
    request = ImportRequest(file_id, kind, digest(data))
    return report_message(report, request, lang), report


async def import_message(
    store: Store, client: AsyncWebClient, actor: Actor, value: str
) -> tuple[Message, ImportReport | None]:
    """The "Import" click: fetch the file again, make sure it is the one checked, import it for real."""
    lang = actor.language.value
    request = ImportRequest.parse(value)
    if request is None:
        return problem_message(say(lang, "import.stale_button")), None
    try:
        info, data = await download(client, request.file_id)
        if digest(data) != request.digest:
            return problem_message(say(lang, "import.file_changed")), None
        name = str(info.get("name") or say(lang, "import.the_file"))
        report = await _import(store, actor, request.kind, data, request.options, name)
    except DownloadFailed as exc:
        return problem_message(exc.text(lang)), None
    except StoreError as exc:  # PermissionDenied, ChangedMeanwhile, ImportFileError
        return problem_message(error_text(lang, exc)), None
    return report_message(report, None, lang), report


def working_message(value: str, lang: str = "en") -> Message:
    """What replaces the report when "Import" is clicked, until the result is there: no buttons, so a second
    click cannot start the same import again."""
    request = ImportRequest.parse(value)
    what = say(lang, f"import.kind.{request.kind.value if request else 'rows'}")
    working = say(lang, "import.working", what=what)
    return Message(working, [_context(f":hourglass_flowing_sand: {working}")])


def cancelled_message(value: str, lang: str = "en") -> Message:
    request = ImportRequest.parse(value)
    what = say(lang, f"import.kind.{request.kind.value if request else 'file'}")
    return Message(say(lang, "import.cancelled", what=what), [_context(say(lang, "import.cancelled_note"))])


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
            await send_rejections(client, channel, report, actor.language.value)
    return bool(files)


async def send_rejections(
    client: AsyncWebClient, channel: str, report: ImportReport, lang: str = "en"
) -> None:
    """The complete list of rejected rows as a CSV file in `channel`, when the message could not hold it."""
    if len(report.rejected) <= SHOWN_REJECTIONS:
        return
    stem = (report.file_name or "import").rsplit(".", 1)[0]
    try:
        await client.files_upload_v2(
            channel=channel,
            filename=f"{stem}-rejected.csv",
            content=rejections_csv(report, lang).decode("utf-8-sig"),
            title=say(lang, "import.rejected_file", file=report.file_name or say(lang, "import.the_import")),
        )
    except SlackApiError as exc:
        log.warning("uploading the rejected rows failed: %s", exc.response.get("error"))


def rejections_csv(report: ImportReport, lang: str = "en") -> bytes:
    """Line, row and reason of every rejected row, `;`-separated UTF-8 with BOM: what Nordic Excel opens."""
    text = io.StringIO()
    writer = csv.writer(text, delimiter=";", lineterminator="\r\n")
    writer.writerow([say(lang, f"import.csv.{column}") for column in ("line", "row", "reason")])
    for problem in report.rejected:
        writer.writerow([problem.line, problem.label, reason_text(lang, problem)])
    return text.getvalue().encode("utf-8-sig")


# --- why a row was rejected ------------------------------------------------------------------------------------

# Values of a rejection reason that are English words, named in the catalogue too ("import.reason.what.employees").
WORD_VALUES = {name: f"import.reason.{name}" for name in ("what", "delimiter")}


def reason_text(lang: str, problem: RowProblem) -> str:
    """Why a row was rejected, in `lang`: each of its problems from the catalogue, joined with "; " as the
    English `problem.reason` joins them; a problem without a catalogue message in its English words."""
    return "; ".join(_reason_part(lang, reason) for reason in problem.reasons)


def _reason_part(lang: str, reason: Reason) -> str:
    key = reason.key
    if not key:
        return reason.text
    # A store error's message, as the import words it: first letter lowered, no full stop ("the city is ...").
    if key.startswith("error."):
        error = StoreError(reason.text, key=key.removeprefix("error."), **reason.values)
        text = error_text(lang, error).rstrip(".")
        return text[:1].lower() + text[1:] if text[:2] != text[:2].upper() else text
    return keyed_text(lang, key, reason.values, reason.text, WORD_VALUES)


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


def _title(report: ImportReport, lang: str) -> str:
    name = report.file_name or say(lang, "import.the_file")
    if report.options.dry_run:
        return say(lang, "import.title_check", name=name)
    return say(lang, "import.title_done" if report.written else "import.title_nothing", name=name)


def _parts(report: ImportReport, lang: str, *, tense: str, bold: str = "*") -> list[str]:
    """ "would create 3, would update 1, 1 unchanged, 2 rejected": `tense` picks the verbs ("dry", "done" or
    "past", the words of `ImportReport.counts`)."""
    parts = [
        say(lang, f"import.{tense}_create", count=f"{bold}{report.created}{bold}"),
        say(lang, f"import.{tense}_update", count=f"{bold}{report.updated}{bold}"),
    ]
    if report.unchanged:
        parts.append(say(lang, "import.unchanged", count=report.unchanged))
    parts.append(say(lang, "import.rejected", count=f"{bold}{len(report.rejected)}{bold}"))
    return parts


def _counts(report: ImportReport, lang: str) -> str:
    parts = _parts(report, lang, tense="done" if report.written else "dry")
    rows = say(lang, "import.row" if report.rows == 1 else "import.rows", count=f"*{report.rows}*")
    kind = say(lang, f"import.kind.{report.kind.value}")
    return say(lang, "import.counts", rows=rows, kind=kind, parts=", ".join(parts))


def _rejections(report: ImportReport, limit: int, lang: str) -> Block | None:
    if not report.rejected:
        return None
    title = f"*{say(lang, 'import.rejected_rows')}* ({len(report.rejected)})"
    lines: list[str] = []
    used = length(title)
    for problem in report.rejected[:limit]:
        label = f"{md(problem.label, 60)}: " if problem.label else ""
        line = f"`{say(lang, 'import.line', line=problem.line)}` {label}{md(reason_text(lang, problem), 300)}"
        if used + length(line) + 60 > LIST_TEXT:
            break
        lines.append(line)
        used += length(line) + 1
    left = len(report.rejected) - len(lines)
    if left:
        lines.append(f"_{say(lang, 'import.more_rejected', count=left)}_")
    return _section("\n".join([title, *lines]))


def _next_step(report: ImportReport, lang: str) -> str:
    good = report.created + report.updated
    if not report.options.dry_run:
        if report.written:
            return f"{SUCCESS_MARK} {say(lang, 'import.done')}"
        if report.rejected:
            return say(lang, "import.nothing_written")
        return say(lang, "import.nothing_new")
    if not good:
        return say(lang, "import.nothing_fix") if report.rejected else say(lang, "import.nothing_new")
    if report.rejected:
        return say(lang, "import.all_or_nothing", count=good)
    return say(lang, "import.ready")


def report_message(report: ImportReport, request: ImportRequest | None, lang: str = "en") -> Message:
    """The report as one message within Slack's limits: counts, what was read, the first rejected rows,
    and (after a dry run, `request` given) the buttons to import for real or cancel."""
    body: list[Block] = [
        {
            "type": "header",
            "text": {"type": "plain_text", "text": clip(_title(report, lang), HEADER_TEXT), "emoji": True},
        },
        _section(_counts(report, lang)),
    ]
    delimiter = value_name(lang, "import.delimiter", report.delimiter_name)
    read = say(lang, "import.read", encoding=report.encoding, delimiter=delimiter)
    if report.columns:
        columns = ", ".join(md(h, 40) for h in report.columns.values())
        read += " · " + say(lang, "import.columns", columns=columns)
    body.append(_context(read))
    if report.unknown_columns:
        columns = ", ".join(md(h, 40) for h in report.unknown_columns)
        body.append(_context(say(lang, "import.ignored", columns=columns)))
    rejections = _rejections(report, SHOWN_REJECTIONS, lang)
    if rejections is not None:
        body.append(rejections)
    body.append(_section(_next_step(report, lang)))
    tail: list[Block] = []
    if request is not None and report.created + report.updated:
        tail = [{"type": "actions", "elements": _buttons(report, request, lang)}]
    blocks = [*body, *tail]
    while (len(blocks) > MAX_BLOCKS or text_size(blocks) > TOTAL_TEXT) and len(body) > 3:  # a safety net
        body.pop(-2)
        blocks = [*body, *tail]
    summary = _parts(report, lang, tense="past" if report.written else "dry", bold="")
    fallback = f"{_title(report, lang)}: {', '.join(summary)}"
    return Message(md(fallback, 1000), blocks)  # escaped: it notifies


def _buttons(report: ImportReport, request: ImportRequest, lang: str) -> list[Block]:
    """Import (all or nothing when nothing is rejected, else the good rows), import allowing similar names
    when that is what stopped rows, and cancel. Each import button asks for a confirmation."""
    good = report.created + report.updated
    kind = say(lang, f"import.kind.{report.kind.value}")
    what = say(
        lang, "import.confirm_what", kind=kind, file=md(report.file_name or say(lang, "import.the_file"), 100)
    )
    buttons: list[Block] = []
    if not report.rejected:
        button = _button(say(lang, "import.button"), IMPORT_RUN, request.value(), "primary")
        buttons.append(_confirmed(button, what, lang))
    else:
        partial = ImportRequest(request.file_id, request.kind, request.digest, partial=True)
        label = say(lang, "import.good_row" if good == 1 else "import.good_rows", count=good)
        buttons.append(_confirmed(_button(label, IMPORT_GOOD_ROWS, partial.value(), "primary"), what, lang))
    if any(p.key in SIMILAR_NAME_KEYS for p in report.rejected):
        anyway = ImportRequest(
            request.file_id, request.kind, request.digest, partial=True, allow_similar=True
        )
        label = say(lang, "import.allow_similar")
        buttons.append(_confirmed(_button(label, IMPORT_SIMILAR, anyway.value()), what, lang))
    buttons.append(_button(say(lang, "button.cancel"), IMPORT_CANCEL, request.value()))
    return buttons


def _confirmed(button: Block, what: str, lang: str) -> Block:
    button["confirm"] = {
        "title": {"type": "plain_text", "text": say(lang, "import.confirm_title")},
        "text": {"type": "mrkdwn", "text": clip(say(lang, "import.confirm_text", what=what), 300)},
        "confirm": {"type": "plain_text", "text": say(lang, "import.button")},
        "deny": {"type": "plain_text", "text": say(lang, "import.not_yet")},
    }
    return button
