"""The Enhetsregisteret bulk download (`/enhetsregisteret/api/enheter/lastned`) into the local register:
a gzip-compressed JSON array of units in the API's own schema, streamed in bounded memory.

Parsing (JSON, `unit_from_brreg`, the database rows) runs in a separate process, which hands over plain
tuples, so it never competes with the writing for one interpreter's GIL: on two cores the import takes about
as long as parsing alone.
"""

from __future__ import annotations

import asyncio
import gc
import gzip
import io
import os
import subprocess
import sys
import time
import traceback
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from datetime import datetime
from multiprocessing.connection import Connection
from pathlib import Path
from typing import IO, Any, cast

import ijson
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection

from registry.brreg import unit_from_brreg
from registry.model import RegisterUnit
from store.db import Store
from store.services import register
from store.types import utcnow

_ROOT = Path(__file__).resolve().parent.parent  # for the parsing process's imports

# Most units per transaction, when the parser is ahead (fewer, larger transactions write each B-tree page
# less often). Each transaction keeps the name index in step, so an interrupted import leaves a consistent
# register (the units committed so far) and a re-run completes it.
COMMIT_EVERY = 50_000
# SQLite settings for the importing connection, restored afterwards: a page cache that holds the unique
# index on numbers (the file's numbers come in no order, so each insert lands on a random page).
SQLITE_IMPORT_PRAGMAS = {"cache_size": -65_536}  # KiB


@dataclass(frozen=True)
class Batch:
    units: list[RegisterUnit]
    bytes_read: int  # of the (compressed) file, for an exact progress bar
    bytes_total: int


def read_batches(path: Path, size: int) -> Iterator[Batch]:
    """Units in batches, parsed with ijson's C backend; the file is never loaded whole."""
    total = path.stat().st_size
    with path.open("rb") as raw:
        compressed = raw.read(2) == b"\x1f\x8b"
        raw.seek(0)
        stream: IO[bytes] = cast(IO[bytes], gzip.GzipFile(fileobj=raw)) if compressed else raw
        buffered = io.BufferedReader(cast(Any, stream))
        start = buffered.peek(64).lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
        if start != b"[":
            raise ValueError(f"the bulk file is not a JSON array (it starts with {start!r})")
        batch: list[RegisterUnit] = []
        item: dict[str, Any]
        try:
            for item in ijson.items(buffered, "item", use_float=True):
                if item.get("organisasjonsnummer") and item.get("navn"):
                    batch.append(unit_from_brreg(item))
                if len(batch) == size:
                    yield Batch(batch, raw.tell(), total)
                    batch = []
        except ijson.JSONError as exc:
            raise ValueError(f"the bulk file is not valid JSON: {exc}") from exc
        yield Batch(batch, total, total)


@dataclass(frozen=True)
class RowBatch:
    rows: list[tuple[Any, ...]]  # register.row_builder's rows
    bytes_read: int
    bytes_total: int


@dataclass(frozen=True)
class _Failed:
    error: BaseException


def _parse_rows(path: Path, size: int, driver: str, source: str, now: datetime, out: Connection) -> None:
    """The parsing process: RowBatches down the pipe, then None (or _Failed with what went wrong)."""
    # A process of its own that keeps nothing: its objects never form cycles, and the collector's passes
    # over the parsed units would cost a tenth of its time.
    gc.disable()
    try:
        dialect = make_url(f"{driver}://").get_dialect()()
        row = register.row_builder(dialect, source, now)
        for batch in read_batches(path, size):
            out.send(RowBatch([row(u) for u in batch.units], batch.bytes_read, batch.bytes_total))
        out.send(None)
    except BrokenPipeError:
        pass  # the importing process stopped listening
    except BaseException as exc:
        where = "".join(traceback.format_exception(exc))
        exc.add_note(f"(in the parsing process)\n{where}")
        with suppress(BrokenPipeError):
            try:
                out.send(_Failed(exc))
            except BrokenPipeError:
                raise
            except Exception:  # the error itself does not pickle: send what it said
                out.send(_Failed(RuntimeError(where)))
    finally:
        out.close()


def _parser_main() -> None:
    """Entry point of the parsing process (see _Parser): python -c ... FD PATH SIZE DRIVER SOURCE NOW."""
    fd, path, size, driver, source, now = sys.argv[1:]
    out = Connection(int(fd), readable=False)
    _parse_rows(Path(path), int(size), driver, source, datetime.fromisoformat(now), out)


class _Parser:
    """The parsing process and the receiving end of its pipe; `receive` runs in a thread, so the next batch
    is read (and unpickled) while the current one is written.

    A plain child interpreter rather than multiprocessing's spawn, which would import the caller's main
    module again in the child (and fail in scripts without an `if __name__ == "__main__"` guard); fork is
    unsafe in a process with threads (the database driver's, asyncio's executor).
    """

    def __init__(self, path: Path, size: int, driver: str, source: str, now: datetime) -> None:
        read_fd, write_fd = os.pipe()
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, (str(_ROOT), env.get("PYTHONPATH"))))
        try:
            self._process = subprocess.Popen(
                [
                    sys.executable,
                    "-c",
                    "from registry.bulk import _parser_main; _parser_main()",
                    str(write_fd),
                    str(path),
                    str(size),
                    driver,
                    source,
                    now.isoformat(),
                ],
                pass_fds=(write_fd,),
                stdin=subprocess.DEVNULL,
                env=env,
            )
        except BaseException:
            os.close(read_fd)
            raise
        finally:
            os.close(write_fd)  # only the child writes; its exit ends our reads with EOFError
        self._pipe = Connection(read_fd, writable=False)
        self._pending: asyncio.Future[RowBatch | None] | None = None

    def prefetch(self) -> None:
        if self._pending is None:
            self._pending = asyncio.ensure_future(asyncio.to_thread(self._receive))

    def ready(self) -> bool:
        """Whether `next` would answer at once."""
        return self._pending is not None and self._pending.done()

    async def next(self) -> RowBatch | None:
        self.prefetch()
        assert self._pending is not None
        pending, self._pending = self._pending, None
        return await pending

    def _receive(self) -> RowBatch | None:
        try:
            message = self._pipe.recv()
        except EOFError:
            code = self._process.wait()
            raise RuntimeError(
                f"the bulk file's parsing process ended unexpectedly (exit status {code})"
            ) from None
        if isinstance(message, _Failed):
            raise message.error
        return cast(RowBatch | None, message)

    async def close(self) -> None:
        if self._process.poll() is None:
            self._process.kill()
        await asyncio.to_thread(self._process.wait)
        if self._pending is not None:  # a receive still running in its thread ends with the process
            self._pending.cancel()
            with suppress(BaseException):
                await asyncio.wait([self._pending])
        self._pipe.close()


@asynccontextmanager
async def _import_connection(store: Store) -> AsyncIterator[AsyncConnection]:
    """One connection for the whole import, with SQLITE_IMPORT_PRAGMAS while it lasts."""
    async with store.engine.connect() as connection:
        if not store.is_sqlite:
            yield connection
            return
        # On the driver's connection (in autocommit mode): through SQLAlchemy each PRAGMA would start a
        # write transaction.
        driver = (await connection.get_raw_connection()).driver_connection
        assert driver is not None

        async def pragma(statement: str) -> Any:
            cursor = await driver.execute(f"PRAGMA {statement}")
            row = await cursor.fetchone()
            await cursor.close()
            return row[0] if row else None

        saved = {name: await pragma(name) for name in SQLITE_IMPORT_PRAGMAS}
        try:
            for name, value in SQLITE_IMPORT_PRAGMAS.items():
                await pragma(f"{name} = {int(value)}")
            yield connection
        finally:
            # A cancelled import may leave the connection invalidated (closed): its settings went with it.
            if not connection.invalidated:
                try:
                    if connection.in_transaction():
                        await connection.rollback()
                    for name, value in saved.items():
                        await pragma(f"{name} = {int(value)}")
                except Exception:
                    # Never back into the pool with the import's settings; what failed the import (if
                    # anything did) is the error to report.
                    await connection.invalidate()


@dataclass
class ImportReport:
    units: int = 0
    seconds: float = 0.0


async def import_file(
    store: Store, path: Path, *, batch_size: int = 5000, on_progress: Callable[[int, int], None] | None = None
) -> ImportReport:
    """Stream the bulk file into the local register, upserting by number, so a re-import updates in place.

    A separate process parses the file into rows, `batch_size` units at a time, while this one writes the
    previous batch. A transaction takes the batches that are ready (at most about COMMIT_EVERY units).
    """
    started = time.perf_counter()
    report = ImportReport()
    parser = _Parser(path, batch_size, store.engine.url.drivername, "bulk", utcnow())
    words: set[str] = set()  # PostgreSQL's register words, added once at the end (SQLite's FTS needs none)
    try:
        async with _import_connection(store) as connection:
            batch = await parser.next()
            while batch is not None:
                async with connection.begin():
                    in_transaction = 0
                    while True:
                        parser.prefetch()
                        written = await register.upsert_rows(connection, batch.rows, bulk=True)
                        if not store.is_sqlite:
                            words |= register.name_words(row[register.NAME_KEY_AT] for row in batch.rows)
                        in_transaction += written
                        report.units += written
                        if on_progress is not None:
                            on_progress(batch.bytes_read, batch.bytes_total)
                        # Batches the parser has ready go into this transaction; waiting for one, the
                        # write lock is left to others (SQLite's busy timeout would not outlast a whole
                        # import holding it).
                        if in_transaction >= COMMIT_EVERY or not parser.ready():
                            break
                        if (batch := await parser.next()) is None:
                            break
                if batch is not None:
                    batch = await parser.next()
            async with connection.begin():
                await register.tidy_name_index(connection, words)
    finally:
        await parser.close()
    async with store.transaction() as session:
        state = await register.feed_state(session, "brreg")
        state.imported_at = utcnow()
    report.seconds = time.perf_counter() - started
    return report
