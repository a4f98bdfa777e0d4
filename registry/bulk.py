"""The Enhetsregisteret bulk download (`/enhetsregisteret/api/enheter/lastned`) into the local register:
a gzip-compressed JSON array of units in the API's own schema, streamed in bounded memory."""

from __future__ import annotations

import asyncio
import gzip
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, cast

import ijson

from registry.brreg import unit_from_brreg
from registry.model import RegisterUnit
from store.db import Store
from store.services import register
from store.types import utcnow


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
        batch: list[RegisterUnit] = []
        item: dict[str, Any]
        for item in ijson.items(stream, "item", use_float=True):
            if item.get("organisasjonsnummer") and item.get("navn"):
                batch.append(unit_from_brreg(item))
            if len(batch) == size:
                yield Batch(batch, raw.tell(), total)
                batch = []
        yield Batch(batch, total, total)


@dataclass
class ImportReport:
    units: int = 0
    seconds: float = 0.0


async def import_file(
    store: Store, path: Path, *, batch_size: int = 5000, on_progress: Callable[[int, int], None] | None = None
) -> ImportReport:
    """Stream the bulk file into the local register, one transaction per batch, upserting by number, so a
    re-import updates in place. Parsing runs in a worker thread and overlaps with writing the previous batch.
    """
    started = time.perf_counter()
    report = ImportReport()
    batches = read_batches(path, batch_size)
    pending = asyncio.ensure_future(asyncio.to_thread(next, batches, None))
    while (batch := await pending) is not None:
        pending = asyncio.ensure_future(asyncio.to_thread(next, batches, None))
        async with store.transaction() as session:
            report.units += await register.upsert_units(session, batch.units, source="bulk")
        if on_progress is not None:
            on_progress(batch.bytes_read, batch.bytes_total)
    async with store.transaction() as session:
        state = await register.feed_state(session, "brreg")
        state.imported_at = utcnow()
    report.seconds = time.perf_counter() - started
    return report
