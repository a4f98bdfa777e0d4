"""Local company register benchmark (SPEC §4): bulk import, look-up by number and fuzzy search by name.

    .venv/bin/python -m bench.registry                    # 1.1M units on SQLite (file cached under bench/.data/)
    .venv/bin/python -m bench.registry --units 100000     # a quicker run
    .venv/bin/python -m bench.registry --postgres         # also a throw-away PostgreSQL server
    DATABASE_URL=postgresql://... .venv/bin/python -m bench.registry   # also that (empty) database

It writes (once, then cached) a synthetic Enhetsregisteret bulk file in the register's own schema
(bench/registry_data.py), and for each database:

1. imports it with `registry.bulk.import_file` into a fresh, migrated database, in a child process
   (`python -m bench.registry --child-import ...`), timing `import_file` there and reading the child's
   peak RSS from `os.wait4` (the kernel's ru_maxrss for exactly that process, so earlier children and
   this process's own memory don't count). `--runs` repeats the import into fresh databases;
2. looks up random numbers of the file: once each on its own with `store.services.register.find_local_unit`
   (what a chat request does through `registry.lookup.lookup`, connection and all) and once all in one shared
   session with `local_unit` (the ORM query alone). Every answer is checked against
   the file;
3. searches with `store.services.register.search_local` (one reading session per query), for queries made
   from real names in the file: one letter wrong, truncated, or only some of the words. A hit is the
   intended unit among the 10 results; as the register has units with identical names, also shown is how
   often a unit with the intended name came back.

Targets (from the issue): import < 90 s and peak RSS < 500 MB on SQLite; look-up median < 1 ms; fuzzy search
p99 < 30 ms. Misses are printed; the exit status is 0 unless a look-up returned a wrong unit (1).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import random
import statistics
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table
from sqlalchemy import text
from sqlalchemy.engine import make_url

from bench import registry_data
from bench.registry_data import BulkSpec
from store.config import async_url
from store.db import Store
from store.names import name_key
from store.services import register

DATA_DIR = Path(__file__).parent / ".data"
ROOT = Path(__file__).resolve().parent.parent
TARGET_IMPORT_S = 90.0  # SQLite
TARGET_RSS_MB = 500.0  # SQLite
TARGET_LOOKUP_MS = 1.0  # median, one reading session per look-up
TARGET_SEARCH_P99_MS = 30.0
CHILD_RESULT = "BENCH-REGISTRY-RESULT "
QUERY_KINDS = ("typo", "truncated", "partial words", "some words")

console = Console(width=None if sys.stdout.isatty() else 132)


# --- the bulk file ----------------------------------------------------------------------------------------


def bulk_path(units: int, seed: int) -> Path:
    return DATA_DIR / f"brreg-enheter-{units}-seed{seed}-g{registry_data.GENERATOR_VERSION}.json.gz"


def ensure_bulk_file(spec: BulkSpec) -> Path:
    path = bulk_path(spec.count, spec.seed)
    if path.exists():
        console.print(f"Bulk file [bold]{path.name}[/] (cached, {path.stat().st_size / 1e6:,.0f} MB)")
        return path
    console.print(f"Generating bulk file [bold]{path.name}[/] ({spec.count:,} units, seed {spec.seed})")
    started = time.perf_counter()
    spec.write(path)
    console.print(
        f"  written in {time.perf_counter() - started:.0f} s, {path.stat().st_size / 1e6:,.0f} MB compressed"
    )
    return path


# --- import in a child process ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportRun:
    units: int
    import_seconds: float  # import_file alone, as the child measured it
    child_seconds: float  # the whole child: interpreter start, migrations, import
    peak_rss_mb: float


def child_import(url: str, path: Path, batch_size: int) -> None:
    """Run in the child: migrate the empty database, import, print the result as one JSON line."""
    from registry.bulk import import_file

    async def run() -> dict[str, Any]:
        store = Store(url)
        try:
            await store.upgrade()
            next_report = [0.1]
            started = time.perf_counter()

            def progress(done: int, total: int) -> None:
                if done >= next_report[0] * total:
                    elapsed = time.perf_counter() - started
                    print(f"    {done / total:4.0%} of the file after {elapsed:5.1f} s", file=sys.stderr)
                    next_report[0] += 0.1

            report = await import_file(store, path, batch_size=batch_size, on_progress=progress)
            return {"units": report.units, "seconds": report.seconds}
        finally:
            await store.dispose()

    print(CHILD_RESULT + json.dumps(asyncio.run(run())), flush=True)


def run_import(url: str, path: Path, batch_size: int) -> ImportRun:
    cmd = [
        sys.executable,
        "-m",
        "bench.registry",
        "--child-import",
        url,
        str(path),
        "--batch-size",
        str(batch_size),
    ]
    started = time.perf_counter()
    child = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None
    output = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    elapsed = time.perf_counter() - started
    if child.returncode != 0:
        raise SystemExit(f"the import failed (exit status {child.returncode})")
    result = json.loads(
        next(line for line in output.splitlines() if line.startswith(CHILD_RESULT))[len(CHILD_RESULT) :]
    )
    # Linux reports ru_maxrss in KiB.
    return ImportRun(result["units"], result["seconds"], elapsed, usage.ru_maxrss / 1024)


# --- databases --------------------------------------------------------------------------------------------


def sqlite_path(units: int) -> Path:
    return DATA_DIR / f"registry-bench-{units}.db"


def sqlite_databases(units: int) -> Iterator[str]:
    path = sqlite_path(units)
    while True:
        for suffix in ("", "-wal", "-shm"):
            path.with_name(path.name + suffix).unlink(missing_ok=True)
        yield f"sqlite+aiosqlite:///{path}"


def drop_sqlite(units: int) -> None:
    path = sqlite_path(units)
    for suffix in ("", "-wal", "-shm"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)


async def database_bytes(store: Store) -> int:
    if store.is_sqlite:
        path = Path(make_url(store.url).database or "")
        return sum(p.stat().st_size for p in (path, path.with_name(path.name + "-wal")) if p.exists())
    async with store.reading() as session:
        return int((await session.execute(text("SELECT pg_database_size(current_database())"))).scalar_one())


@contextmanager
def postgres_databases(use_server: bool) -> Iterator[Iterator[str] | None]:
    """With --postgres, fresh databases on a throw-away server; else DATABASE_URL's if it is PostgreSQL
    (used once, so it must be empty: --runs applies to it only once)."""
    if use_server:
        from tests.servers.postgres import running_postgres

        with running_postgres() as server:

            def fresh() -> Iterator[str]:
                for n in range(1, 1_000_000):
                    server.psql(f"DROP DATABASE IF EXISTS registry_bench_{n - 1} WITH (FORCE)")
                    server.psql(f"CREATE DATABASE registry_bench_{n}")
                    yield server.url(f"registry_bench_{n}")

            yield fresh()
        return
    url = os.environ.get("DATABASE_URL", "").strip()
    if url and make_url(async_url(url)).get_backend_name() == "postgresql":
        yield iter([async_url(url)])
        return
    yield None


# --- timing -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Timing:
    samples_ms: list[float]

    @property
    def p50(self) -> float:
        return statistics.median(self.samples_ms)

    @property
    def p99(self) -> float:
        """Nearest-rank 99th percentile."""
        ordered = sorted(self.samples_ms)
        return ordered[max(0, math.ceil(0.99 * len(ordered)) - 1)]


@dataclass
class Lookups:
    per_session: Timing
    shared_session: Timing
    wrong: list[str]  # numbers whose answer did not match the file


async def measure_lookups(store: Store, spec: BulkSpec, count: int, seed: int) -> Lookups:
    rng = random.Random(seed)
    indices = rng.sample(range(spec.count), min(spec.count, 2 * count + 100))
    warmup, per_session_ix, shared_ix = indices[:100], indices[100 : 100 + count], indices[100 + count :]
    wrong: list[str] = []
    expected = {i: spec.unit(i)["navn"] for i in indices}

    def check(index: int, unit: Any) -> None:
        if unit is None or unit.name != expected[index]:
            wrong.append(spec.number(index))

    for i in warmup:
        check(i, await register.find_local_unit(store, "NO", spec.number(i)))
    per_session: list[float] = []
    for i in per_session_ix:
        number = spec.number(i)
        started = time.perf_counter()
        unit = await register.find_local_unit(store, "NO", number)  # as registry.lookup.lookup does
        per_session.append((time.perf_counter() - started) * 1000)
        check(i, unit)
    shared: list[float] = []
    async with store.reading() as session:
        for i in shared_ix:
            number = spec.number(i)
            started = time.perf_counter()
            unit = await register.local_unit(session, "NO", number)
            shared.append((time.perf_counter() - started) * 1000)
            check(i, unit)
    return Lookups(Timing(per_session), Timing(shared), wrong)


@dataclass(frozen=True)
class Query:
    kind: str
    text: str
    number: str  # the unit the query was made from
    key: str  # its name key


def _typo(rng: random.Random, key: str, _words: Counter[str]) -> str:
    """One letter wrong in the longest word (replaced, dropped, doubled or swapped with its neighbour),
    never the first letter: people rarely get that wrong."""
    words = key.split()
    w = max(range(len(words)), key=lambda j: len(words[j]))
    word = words[w]
    if len(word) < 4:
        return key
    at = rng.randrange(1, len(word) - 1)
    how = rng.choice(("replace", "drop", "double", "swap"))
    if how == "replace":
        letter = rng.choice([c for c in "aeiouyæøåbdfgklmnprstv" if c != word[at]])
        word = word[:at] + letter + word[at + 1 :]
    elif how == "drop":
        word = word[:at] + word[at + 1 :]
    elif how == "double":
        word = word[:at] + word[at] + word[at:]
    else:
        word = word[:at] + word[at + 1] + word[at] + word[at + 2 :]
    words[w] = word
    return " ".join(words)


def _truncated(rng: random.Random, key: str, _words: Counter[str]) -> str:
    """The beginning of the name, as when someone stops typing: 50-80 % of it, at least five letters."""
    cut = max(5, round(len(key) * rng.uniform(0.5, 0.8)))
    return key[:cut].rstrip()


def _partial(rng: random.Random, key: str, _words: Counter[str]) -> str:
    """Every word cut short (to 55-85 % of it, at least three letters), as in "sandef musi og isha"."""
    return " ".join(w[: max(3, round(len(w) * rng.uniform(0.55, 0.85)))] for w in key.split())


def _some_words(rng: random.Random, key: str, words: Counter[str]) -> str:
    """The distinctive part only: the one or two rarest words of the name, in their order ("blåbu" for
    "blåbu marina"). Empty (the unit is skipped) when even those are common, as a query like "marina"
    cannot single out one unit among a thousand."""
    parts = key.split()
    if len(parts) == 1:
        return ""
    keep = sorted(sorted(range(len(parts)), key=lambda j: words[parts[j]])[: min(2, len(parts) - 1)])
    chosen = [parts[j] for j in keep]
    names = words[""]  # how many names the counts come from
    if not any(words[w] * 2_000 <= names for w in chosen):  # none in fewer than 1 in 2,000 names
        return ""
    return " ".join(chosen)


MAKERS = {"typo": _typo, "truncated": _truncated, "partial words": _partial, "some words": _some_words}


def make_queries(spec: BulkSpec, count: int, seed: int) -> list[Query]:
    """Queries of each kind in turn, from units picked at random; word frequencies come from a sample."""
    rng = random.Random(seed)
    sample = min(spec.count, 20_000)
    words = Counter(w for i in range(sample) for w in name_key(spec.unit(i)["navn"]).split())
    words[""] = sample
    queries: list[Query] = []
    while len(queries) < count:
        index = rng.randrange(spec.count)
        unit = spec.unit(index)
        key = name_key(unit["navn"])
        kind = QUERY_KINDS[len(queries) % len(QUERY_KINDS)]
        query = MAKERS[kind](rng, key, words)
        if len(query.replace(" ", "")) < 4 or query == key:
            continue  # too short or too common to search for, or the name itself
        queries.append(Query(kind, query, unit["organisasjonsnummer"], key))
    return queries


@dataclass
class Searches:
    timing: Timing
    by_kind: dict[str, Timing]
    hits: dict[str, list[bool]] = field(default_factory=dict)  # kind -> intended unit in the top 10
    name_hits: dict[str, list[bool]] = field(
        default_factory=dict
    )  # kind -> a unit with its name in the top 10
    misses: list[Query] = field(default_factory=list)

    def hit_rate(self, kind: str | None = None, *, by_name: bool = False) -> float:
        source = self.name_hits if by_name else self.hits
        values = source[kind] if kind else [v for vs in source.values() for v in vs]
        return sum(values) / len(values) if values else 0.0


async def measure_searches(store: Store, queries: list[Query]) -> Searches:
    for q in queries[:20]:  # warm-up
        async with store.reading() as session:
            await register.search_local(session, q.text)
    samples: list[float] = []
    by_kind: dict[str, list[float]] = {k: [] for k in QUERY_KINDS}
    hits: dict[str, list[bool]] = {k: [] for k in QUERY_KINDS}
    name_hits: dict[str, list[bool]] = {k: [] for k in QUERY_KINDS}
    misses: list[Query] = []
    for q in queries:
        started = time.perf_counter()
        async with store.reading() as session:
            found = await register.search_local(session, q.text, limit=10)
        elapsed = (time.perf_counter() - started) * 1000
        samples.append(elapsed)
        by_kind[q.kind].append(elapsed)
        hit = any(u.number == q.number for u in found)
        hits[q.kind].append(hit)
        name_hits[q.kind].append(any(name_key(u.name) == q.key for u in found))
        if not hit:
            misses.append(q)
    return Searches(Timing(samples), {k: Timing(v) for k, v in by_kind.items() if v}, hits, name_hits, misses)


# --- one database -----------------------------------------------------------------------------------------


@dataclass
class Result:
    label: str
    imports: list[ImportRun]
    db_bytes: int
    lookups: Lookups
    searches: Searches
    targets_import: bool  # the import targets apply (SQLite)

    @property
    def import_seconds(self) -> float:
        return statistics.median(r.import_seconds for r in self.imports)

    @property
    def peak_rss_mb(self) -> float:
        return max(r.peak_rss_mb for r in self.imports)


async def bench_database(
    label: str, urls: Iterator[str], path: Path, spec: BulkSpec, opts: Options
) -> Result:
    console.print(f"\n[bold]{label}[/]")
    imports: list[ImportRun] = []
    url = ""
    for run in range(1, opts.runs + 1):
        fresh = next(urls, None)
        if fresh is None:
            console.print("  (DATABASE_URL is used once: no further runs)")
            break
        url = fresh
        console.print(f"  import run {run}/{opts.runs} (batch size {opts.batch_size:,}) ...")
        imports.append(run_import(url, path, opts.batch_size))
        r = imports[-1]
        console.print(
            f"  imported {r.units:,} units in {r.import_seconds:.1f} s ({r.units / r.import_seconds:,.0f}/s), "
            f"peak RSS {r.peak_rss_mb:,.0f} MB, child process {r.child_seconds:.1f} s"
        )
    store = Store(url)
    try:
        async with store.reading() as session:
            stored = await register.local_units_count(session, "NO")
        if stored != spec.count:
            console.print(f"[red]  {stored:,} units in the database, {spec.count:,} in the file[/]")
        size = await database_bytes(store)
        console.print(f"  {stored:,} units, database {size / 1e6:,.0f} MB; timing look-ups ...")
        lookups = await measure_lookups(store, spec, opts.lookups, opts.seed + 1)
        console.print("  timing searches ...")
        searches = await measure_searches(store, make_queries(spec, opts.queries, opts.seed + 2))
    finally:
        await store.dispose()
    return Result(label, imports, size, lookups, searches, targets_import=label == "SQLite")


# --- reporting --------------------------------------------------------------------------------------------


def _verdict(met: bool | None) -> str:
    return "" if met is None else "[green]yes[/]" if met else "[red]no[/]"


def rows(r: Result) -> list[tuple[str, str, str, bool | None]]:
    """(measure, value, target, met) for one database."""
    s, lk = r.searches, r.lookups
    imp_target = r.targets_import
    out: list[tuple[str, str, str, bool | None]] = [
        (
            f"import time ({len(r.imports)} run{'s' if len(r.imports) > 1 else ''}, median)",
            f"{r.import_seconds:.1f} s",
            f"< {TARGET_IMPORT_S:.0f} s" if imp_target else "",
            r.import_seconds < TARGET_IMPORT_S if imp_target else None,
        ),
        ("import rate", f"{r.imports[0].units / r.import_seconds:,.0f} units/s", "", None),
        (
            "peak RSS of the importing process",
            f"{r.peak_rss_mb:,.0f} MB",
            f"< {TARGET_RSS_MB:.0f} MB" if imp_target else "",
            r.peak_rss_mb < TARGET_RSS_MB if imp_target else None,
        ),
        ("database size", f"{r.db_bytes / 1e6:,.0f} MB", "", None),
        (
            f"look-up p50, each on its own (n={len(lk.per_session.samples_ms):,})",
            f"{lk.per_session.p50:.3f} ms",
            f"< {TARGET_LOOKUP_MS:g} ms",
            lk.per_session.p50 < TARGET_LOOKUP_MS,
        ),
        ("look-up p99, each on its own", f"{lk.per_session.p99:.3f} ms", "", None),
        (
            f"look-up p50 / p99, shared session (n={len(lk.shared_session.samples_ms):,})",
            f"{lk.shared_session.p50:.3f} / {lk.shared_session.p99:.3f} ms",
            "",
            None,
        ),
        ("look-ups answered wrongly", f"{len(lk.wrong)}", "0", not lk.wrong),
        (f"fuzzy search p50 (n={len(s.timing.samples_ms)})", f"{s.timing.p50:.1f} ms", "", None),
        (
            "fuzzy search p99",
            f"{s.timing.p99:.1f} ms",
            f"< {TARGET_SEARCH_P99_MS:.0f} ms",
            s.timing.p99 < TARGET_SEARCH_P99_MS,
        ),
    ]
    for kind in QUERY_KINDS:
        t = s.by_kind[kind]
        out.append((f"  {kind}: p50 / p99", f"{t.p50:.1f} / {t.p99:.1f} ms", "", None))
    out.append(("hit rate: intended unit in top 10", f"{s.hit_rate():.1%}", "", None))
    for kind in QUERY_KINDS:
        out.append(
            (
                f"  {kind} (a unit of that name in top 10)",
                f"{s.hit_rate(kind):.1%} ({s.hit_rate(kind, by_name=True):.1%})",
                "",
                None,
            )
        )
    return out


def results_table(r: Result, units: int) -> Table:
    table = Table(title=f"{r.label}: local register, {units:,} units")
    for heading in ("measure", "value", "target", "met"):
        table.add_column(heading, justify="left" if heading == "measure" else "right")
    for measure, value, target, met in rows(r):
        table.add_row(measure, value, target, _verdict(met))
    return table


def print_search_misses(r: Result, shown: int = 8) -> None:
    if not r.searches.misses:
        return
    console.print(f"  some queries that missed ({len(r.searches.misses)} in all):")
    for q in r.searches.misses[:shown]:
        console.print(f"    {q.kind:9} {q.text!r:40} for {q.key!r} ({q.number})")


def misses(r: Result) -> list[str]:
    return [
        f"{r.label} {measure} {value} (target {target})"
        for measure, value, target, met in rows(r)
        if met is False
    ]


# --- main -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Options:
    units: int
    seed: int
    runs: int
    lookups: int
    queries: int
    batch_size: int
    postgres: bool
    skip_sqlite: bool
    keep_db: bool


async def run(opts: Options) -> int:
    spec = BulkSpec(opts.units, seed=opts.seed)
    path = ensure_bulk_file(spec)
    results: list[Result] = []
    if not opts.skip_sqlite:
        try:
            results.append(await bench_database("SQLite", sqlite_databases(opts.units), path, spec, opts))
        finally:
            if not opts.keep_db:
                drop_sqlite(opts.units)
        console.print(results_table(results[-1], opts.units))
        print_search_misses(results[-1])
    with postgres_databases(opts.postgres) as urls:
        if urls is not None:
            results.append(await bench_database("PostgreSQL", urls, path, spec, opts))
            console.print(results_table(results[-1], opts.units))
            print_search_misses(results[-1])
    console.print()
    missed = [m for r in results for m in misses(r)]
    if missed:
        console.print(f"[yellow bold]Targets missed ({len(missed)}):[/]")
        for m in missed:
            console.print(f"  {m}")
    else:
        console.print("[green bold]All targets met[/]")
    return 1 if any(r.lookups.wrong for r in results) else 0


def parse_args(argv: list[str] | None = None) -> Options | tuple[str, Path, int]:
    parser = argparse.ArgumentParser(prog="python -m bench.registry", description=__doc__.split("\n\n")[0])
    parser.add_argument("--units", type=int, default=1_100_000, help="units in the bulk file")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--runs", type=int, default=1, help="imports into fresh databases (median reported)")
    parser.add_argument("--lookups", type=int, default=2_000, help="timed look-ups by number, per mode")
    parser.add_argument("--queries", type=int, default=300, help="timed fuzzy searches")
    parser.add_argument("--batch-size", type=int, default=5_000, help="import_file's batch size")
    parser.add_argument("--postgres", action="store_true", help="also run on a throw-away PostgreSQL server")
    parser.add_argument("--skip-sqlite", action="store_true", help="only PostgreSQL")
    parser.add_argument("--keep-db", action="store_true", help="keep the SQLite database (bench/.data/)")
    parser.add_argument("--child-import", nargs=2, metavar=("URL", "FILE"), help=argparse.SUPPRESS)
    a = parser.parse_args(argv)
    if a.child_import:
        return a.child_import[0], Path(a.child_import[1]), a.batch_size
    if a.units < 1 or a.runs < 1 or a.lookups < 1 or a.queries < 1 or a.batch_size < 1:
        parser.error("--units, --runs, --lookups, --queries and --batch-size must be positive")
    return Options(
        a.units, a.seed, a.runs, a.lookups, a.queries, a.batch_size, a.postgres, a.skip_sqlite, a.keep_db
    )


def main(argv: list[str] | None = None) -> None:
    opts = parse_args(argv)
    if isinstance(opts, tuple):
        child_import(*opts)
        return
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    sys.exit(asyncio.run(run(opts)))


if __name__ == "__main__":
    main()
