"""KPI and dashboard benchmark (SPEC §8): the real service functions against hand-written SQL.

    .venv/bin/python -m bench.kpi                  # SQLite, full size (cached under bench/.data/)
    .venv/bin/python -m bench.kpi --scale 0.01     # a quick run
    .venv/bin/python -m bench.kpi --postgres       # also a throw-away PostgreSQL server
    DATABASE_URL=postgresql://... .venv/bin/python -m bench.kpi   # also that (empty) PostgreSQL database

For a non-admin sales user (so the visibility rule is active) it first checks that every service result
equals the hand-written SQL's (for that user, an admin and a user in another time zone), then times both
sides, interleaved, each run in its own `store.reading()` session, and prints median and p99 per query.

Target: median < 100 ms and service/SQL median ratio <= 1.3. Missing it is reported, not an error; a
result mismatch exits with status 1 (it is a bug in one of the two sides).
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import re
import statistics
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import time as clock
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any, cast
from zoneinfo import ZoneInfo

from rich.console import Console
from rich.table import Table
from sqlalchemy import Date, TextClause, bindparam, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession

from bench import kpi_data
from bench.kpi_data import Dataset
from store.actor import Actor
from store.config import async_url
from store.db import Store
from store.models import Activity, Cost, Customer, Invoice, Project, SalesCase, User
from store.services import dashboard, kpi
from store.types import UTCDateTime

TARGET_MS = 100.0
TARGET_RATIO = 1.3
CENT = Decimal("0.01")

# Wide enough for the results table when the output goes to a file or pipe.
console = Console(width=None if sys.stdout.isatty() else 132)

Query = Callable[[AsyncSession], Awaitable[Any]]


# --- periods, computed independently of store.periods so the check covers them too ----------------------


@dataclass(frozen=True)
class Periods:
    today: date
    day_start: datetime  # local midnight, aware
    day_end: datetime
    month: tuple[date, date]
    previous_month: tuple[date, date]
    quarter: tuple[date, date]
    year: tuple[date, date]

    @classmethod
    def at(cls, now: datetime, tz: ZoneInfo) -> Periods:
        today = now.astimezone(tz).date()
        month_start = today.replace(day=1)
        prev_start = date(today.year - 1, 12, 1) if today.month == 1 else date(today.year, today.month - 1, 1)
        q_start = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
        return cls(
            today=today,
            day_start=datetime.combine(today, clock(), tz),
            day_end=datetime.combine(today + timedelta(days=1), clock(), tz),
            month=(month_start, _add_months(month_start, 1)),
            previous_month=(prev_start, month_start),
            quarter=(q_start, _add_months(q_start, 3)),
            year=(date(today.year, 1, 1), date(today.year + 1, 1, 1)),
        )


def _add_months(first_of_month: date, months: int) -> date:
    index = first_of_month.year * 12 + first_of_month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


# --- hand-written SQL -------------------------------------------------------------------------------------


def money(minor: Any) -> Decimal:
    """Integer minor units (as the driver returns them: int, or Decimal for PostgreSQL's SUM) to money."""
    return Decimal(int(minor or 0)).scaleb(-2).quantize(CENT)


def weighted_money(minor_times_percent: Any) -> Decimal:
    """SUM(value × probability) is in minor units × 100: exact decimal division, rounded half-even."""
    return (Decimal(int(minor_times_percent or 0)) / 10_000).quantize(CENT, rounding=ROUND_HALF_EVEN)


def visible(alias: str, actor: Actor) -> str:
    """SPEC §3: deleted customers are invisible to all, owner-only ones to everyone but owner and admins."""
    if actor.is_admin:
        return f"{alias}.deleted_at IS NULL"
    return f"{alias}.deleted_at IS NULL AND ({alias}.visibility = 'everyone' OR {alias}.owner_id = :uid)"


def hidden_sql(actor: Actor) -> str:
    """The ids of the customers the actor may not see: usually a few percent of them."""
    if actor.is_admin:
        return "SELECT id FROM customers WHERE deleted_at IS NOT NULL"
    return (
        "SELECT id FROM customers WHERE deleted_at IS NOT NULL OR (visibility = 'owner' AND owner_id <> :uid)"
    )


def _stmt(sql: str) -> TextClause:
    """Dates and instants are bound with the column types the schema uses (ISO text on SQLite)."""
    date_params = [
        "year_start", "year_end", "month_start", "month_end", "prev_start", "prev_end",
        "quarter_start", "quarter_end", "lo",
    ]  # fmt: skip
    used = set(re.findall(r":(\w+)", sql))
    binds = [bindparam(n, type_=Date) for n in date_params if n in used]
    binds += [bindparam(n, type_=UTCDateTime) for n in ("day_start", "day_end") if n in used]
    return text(sql).bindparams(*binds)


class HandSql:
    """The same numbers as store.services.kpi/dashboard, written directly in SQL for one actor."""

    def __init__(self, actor: Actor, now: datetime) -> None:
        self.actor = actor
        p = Periods.at(now, actor.tz)
        self.params: dict[str, Any] = {
            "uid": actor.user_id,
            "year_start": p.year[0],
            "year_end": p.year[1],
            "month_start": p.month[0],
            "month_end": p.month[1],
            "prev_start": p.previous_month[0],
            "prev_end": p.previous_month[1],
            "quarter_start": p.quarter[0],
            "quarter_end": p.quarter[1],
            "lo": min(p.year[0], p.previous_month[0]),  # last month may be in last year
            "day_start": p.day_start,
            "day_end": p.day_end,
        }
        self.v = visible("c", actor)
        join_customers = "JOIN customers c ON c.id = {}.customer_id"
        self.summary_stmt = _stmt(self._summary_sql())
        self.active_stmt = _stmt(self._active_sql(self.v, join_customers.format("w")))
        self.prospects_stmt = _stmt(self._prospects_sql(self.v, join_customers.format("o")))
        self.meetings_stmt = _stmt(self._meetings_sql())
        self.latest_stmt = _stmt(self._latest_sql())
        self.top_sellers_stmt = _stmt(self._top_sellers_sql())
        self.my_pipeline_stmt = _stmt(self._my_pipeline_sql())
        self.sales_month_stmt = _stmt(self._sales_month_sql())
        self.by_stage_stmt = _stmt(self._by_stage_sql())

    # SQL of the dashboard ------------------------------------------------------------------------------
    #
    # These touch few rows (or one seller's), so each row's customer is looked up by primary key.

    def _meetings_sql(self) -> str:
        return f"""SELECT a.* FROM activities a LEFT JOIN customers c ON c.id = a.customer_id
            WHERE a.kind = 'meeting' AND (a.owner_id = :uid OR a.assignee_id = :uid)
              AND a.start_at >= :day_start AND a.start_at < :day_end
              AND a.deleted_at IS NULL AND NOT a.cancelled
              AND (a.customer_id IS NULL OR ({self.v}))
            ORDER BY a.start_at, a.id"""

    def _latest_sql(self) -> str:
        """The same columns the ORM loads: the customer with its owner and industry joined eagerly."""
        return f"""SELECT c.id, c.*, u.*, ind.* FROM customers c
            JOIN users u ON u.id = c.owner_id LEFT JOIN industries ind ON ind.id = c.industry_id
            WHERE {self.v} ORDER BY c.created_at DESC, c.id DESC LIMIT 10"""

    def _top_sellers_sql(self) -> str:
        return f"""SELECT u.id, u.name, SUM(s.value) AS won, COUNT(*) AS n
            FROM sales_cases s JOIN customers c ON c.id = s.customer_id JOIN users u ON u.id = s.seller_id
            WHERE s.status = 'won' AND s.deleted_at IS NULL
              AND s.closed_date >= :year_start AND s.closed_date < :year_end AND {self.v}
            GROUP BY u.id, u.name ORDER BY won DESC, u.name LIMIT 10"""

    def _my_pipeline_sql(self) -> str:
        """This month lies inside this quarter: one pass over the quarter gives both."""
        in_month = "s.expected_order_date >= :month_start AND s.expected_order_date < :month_end"
        return f"""SELECT SUM(CASE WHEN {in_month} THEN s.value END),
                   SUM(CASE WHEN {in_month} THEN s.value * s.probability END),
                   COUNT(CASE WHEN {in_month} THEN 1 END),
                   SUM(s.value), SUM(s.value * s.probability), COUNT(*)
            FROM sales_cases s JOIN customers c ON c.id = s.customer_id
            WHERE s.seller_id = :uid AND s.status = 'open' AND s.deleted_at IS NULL
              AND s.expected_order_date >= :quarter_start AND s.expected_order_date < :quarter_end
              AND {self.v}"""

    def _sales_month_sql(self) -> str:
        return f"""SELECT SUM(s.value), COUNT(*) FROM sales_cases s JOIN customers c ON c.id = s.customer_id
            WHERE s.status = 'won' AND s.deleted_at IS NULL
              AND s.closed_date >= :month_start AND s.closed_date < :month_end AND {self.v}"""

    def _by_stage_sql(self) -> str:
        return f"""SELECT st.name, st.position, COUNT(*), SUM(s.value), SUM(s.value * s.probability)
            FROM sales_cases s JOIN sales_stages st ON st.id = s.stage_id
            JOIN customers c ON c.id = s.customer_id
            WHERE s.status = 'open' AND s.deleted_at IS NULL AND {self.v}
            GROUP BY st.name, st.position ORDER BY st.position"""

    # SQL fragments of the KPI summary -----------------------------------------------------------------
    #
    # The summary is one statement. The customers the actor may not see are computed once (a CTE) and
    # excluded with NOT IN: over ~90k invoices and ~45k costs that beat joining every row to `customers`
    # (2x on SQLite; on PostgreSQL the whole summary took half the time). The stand-alone counts join
    # `customers` instead: faster on SQLite, on a par on PostgreSQL, when the hidden set is not shared.

    def _summary_sql(self) -> str:
        return f"""WITH hidden AS ({hidden_sql(self.actor)}),
                 internal AS (SELECT id FROM projects WHERE internal)
            SELECT inv.y, inv.m, inv.pm, cost.total, active.n, prospects.n
            FROM ({self._invoicing_sql()}) inv, ({self._costs_sql()}) cost,
                 ({self._active_sql("w.customer_id NOT IN (SELECT id FROM hidden)")}) active,
                 ({self._prospects_sql("o.customer_id NOT IN (SELECT id FROM hidden)")}) prospects"""

    def _invoicing_sql(self) -> str:
        """Invoicing this year, this month and last month in one pass over the invoices since the
        earliest of those periods."""

        def period(start: str, end: str) -> str:
            return f"SUM(CASE WHEN i.invoice_date >= :{start} AND i.invoice_date < :{end} THEN i.amount END)"

        return f"""SELECT {period("year_start", "year_end")} AS y, {period("month_start", "month_end")} AS m,
                   {period("prev_start", "prev_end")} AS pm
            FROM invoices i
            WHERE i.invoice_date >= :lo AND i.invoice_date < :year_end
              AND i.status IN ('sent', 'paid') AND i.number IS NOT NULL
              AND (i.project_id IS NULL OR i.project_id NOT IN (SELECT id FROM internal))
              AND i.customer_id NOT IN (SELECT id FROM hidden)"""

    def _costs_sql(self) -> str:
        return """SELECT SUM(co.amount) AS total FROM costs co
            WHERE co.cost_date >= :year_start AND co.cost_date < :year_end
              AND co.project_id NOT IN (
                  SELECT id FROM internal
                  UNION ALL
                  SELECT id FROM projects WHERE customer_id IN (SELECT id FROM hidden))"""

    @staticmethod
    def _active_sql(visibility: str, join: str = "") -> str:
        return f"""SELECT COUNT(*) AS n FROM (
                SELECT customer_id FROM sales_cases WHERE status = 'open' AND deleted_at IS NULL
                UNION
                SELECT customer_id FROM projects WHERE status = 'open' AND NOT internal
            ) w {join}
            WHERE {visibility}"""

    @staticmethod
    def _prospects_sql(visibility: str, join: str = "") -> str:
        return f"""SELECT COUNT(*) AS n FROM (
                SELECT DISTINCT customer_id FROM sales_cases WHERE status = 'open' AND deleted_at IS NULL
            ) o {join}
            WHERE {visibility}
              AND NOT EXISTS (SELECT 1 FROM sales_cases w
                              WHERE w.customer_id = o.customer_id AND w.status = 'won' AND w.deleted_at IS NULL)
              AND NOT EXISTS (SELECT 1 FROM projects p WHERE p.customer_id = o.customer_id AND NOT p.internal)
              AND NOT EXISTS (SELECT 1 FROM invoices i LEFT JOIN projects ip ON ip.id = i.project_id
                              WHERE i.customer_id = o.customer_id AND i.status IN ('sent', 'paid')
                                AND i.number IS NOT NULL AND (ip.id IS NULL OR NOT ip.internal))"""

    # The queries, returning what the comparisons need ---------------------------------------------------

    async def _one(self, session: AsyncSession, stmt: TextClause) -> Any:
        return (await session.execute(stmt, self.params)).one()

    async def kpi_summary(self, session: AsyncSession) -> tuple[Any, ...]:
        y, m, pm, costs, active, prospects = await self._one(session, self.summary_stmt)
        return money(y), money(costs), money(m), money(pm), int(active), int(prospects)

    async def active_customers_count(self, session: AsyncSession) -> int:
        return int((await self._one(session, self.active_stmt))[0])

    async def prospects_in_progress_count(self, session: AsyncSession) -> int:
        return int((await self._one(session, self.prospects_stmt))[0])

    async def todays_meetings(self, session: AsyncSession) -> list[Any]:
        return list(await session.execute(self.meetings_stmt, self.params))

    async def latest_customers(self, session: AsyncSession) -> list[Any]:
        return list(await session.execute(self.latest_stmt, self.params))

    async def top_sellers(self, session: AsyncSession) -> list[tuple[Any, ...]]:
        rows = await session.execute(self.top_sellers_stmt, self.params)
        return [(r.id, r.name, money(r.won), int(r.n)) for r in rows]

    async def my_pipeline(self, session: AsyncSession) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
        r = await self._one(session, self.my_pipeline_stmt)
        month = (money(r[0]), weighted_money(r[1]), int(r[2]))
        quarter = (money(r[3]), weighted_money(r[4]), int(r[5]))
        return month, quarter

    async def sales_this_month(self, session: AsyncSession) -> tuple[Any, ...]:
        r = await self._one(session, self.sales_month_stmt)
        return money(r[0]), int(r[1])

    async def pipeline_by_stage(self, session: AsyncSession) -> list[tuple[Any, ...]]:
        rows = await session.execute(self.by_stage_stmt, self.params)
        return [(r[0], int(r[1]), int(r[2]), money(r[3]), weighted_money(r[4])) for r in rows]


# --- the cases: service call, SQL call, and how to compare their results ---------------------------------


@dataclass(frozen=True)
class Case:
    name: str
    service: Query
    sql: Query
    service_view: Callable[[Any], Any]  # the service's result in the shape the comparison uses
    sql_view: Callable[[Any], Any] = lambda r: r


def _meeting_ids(meetings: list[Activity]) -> list[int]:
    starts = [cast(datetime, m.start_at) for m in meetings]  # meetings always have a start
    if starts != sorted(starts):  # the service promises start order; ties may come in any order
        return [-1]
    return [m.id for _, m in sorted(zip(starts, meetings, strict=True), key=lambda p: (p[0], p[1].id))]


def _pipeline_view(p: dashboard.Pipeline) -> tuple[Any, ...]:
    return p.open_value, p.weighted_value, p.count


def cases(actor: Actor, now: datetime) -> list[Case]:
    sql = HandSql(actor, now)
    return [
        Case(
            "kpi_summary",
            lambda s: kpi.kpi_summary(s, actor, now=now),
            sql.kpi_summary,
            lambda r: (
                r.invoicing_this_year,
                r.costs_this_year,
                r.invoicing_this_month,
                r.invoicing_last_month,
                r.active_customers,
                r.prospects_in_progress,
            ),
        ),
        Case(
            "active_customers_count",
            lambda s: kpi.active_customers_count(s, actor),
            sql.active_customers_count,
            lambda r: r,
        ),
        Case(
            "prospects_in_progress_count",
            lambda s: kpi.prospects_in_progress_count(s, actor),
            sql.prospects_in_progress_count,
            lambda r: r,
        ),
        Case(
            "todays_meetings",
            lambda s: dashboard.todays_meetings(s, actor, now=now),
            sql.todays_meetings,
            _meeting_ids,
            lambda rows: [r.id for r in rows],
        ),
        Case(
            "latest_customers",
            lambda s: dashboard.latest_customers(s, actor),
            sql.latest_customers,
            lambda customers: [c.id for c in customers],
            lambda rows: [r[0] for r in rows],
        ),
        Case(
            "top_sellers",
            lambda s: dashboard.top_sellers(s, actor, now=now),
            sql.top_sellers,
            lambda sellers: [(t.seller_id, t.name, t.won_value, t.won_count) for t in sellers],
        ),
        Case(
            "my_pipeline",
            lambda s: dashboard.my_pipeline(s, actor, now=now),
            sql.my_pipeline,
            lambda r: (_pipeline_view(r[0]), _pipeline_view(r[1])),
        ),
        Case(
            "sales_this_month",
            lambda s: dashboard.sales_this_month(s, actor, now=now),
            sql.sales_this_month,
            lambda r: (r.won_value, r.won_count),
        ),
        Case(
            "pipeline_by_stage",
            lambda s: dashboard.pipeline_by_stage(s, actor),
            sql.pipeline_by_stage,
            lambda stages: [(t.stage, t.position, t.count, t.value, t.weighted_value) for t in stages],
        ),
    ]


# --- verification -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mismatch:
    database: str
    actor: str
    query: str
    service: Any
    sql: Any


async def _results(store: Store, case: Case) -> tuple[Any, Any]:
    async with store.reading() as session:
        service = case.service_view(await case.service(session))
    async with store.reading() as session:
        sql = case.sql_view(await case.sql(session))
    return service, sql


async def verify(store: Store, label: str, actors: list[Actor], now: datetime) -> list[Mismatch]:
    mismatches = []
    for actor in actors:
        for case in cases(actor, now):
            service, sql = await _results(store, case)
            if service != sql:
                who = f"{actor.name} ({actor.role}, {actor.time_zone})"
                mismatches.append(Mismatch(label, who, case.name, service, sql))
    return mismatches


# --- timing -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Timing:
    samples_ms: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.samples_ms)

    @property
    def p99(self) -> float:
        """Nearest-rank 99th percentile (with 30 runs, the slowest)."""
        ordered = sorted(self.samples_ms)
        return ordered[max(0, math.ceil(0.99 * len(ordered)) - 1)]


@dataclass(frozen=True)
class Result:
    query: str
    service: Timing
    sql: Timing

    @property
    def ratio(self) -> float:
        return self.service.median / self.sql.median

    @property
    def fast_enough(self) -> bool:
        return self.service.median < TARGET_MS

    @property
    def close_enough(self) -> bool:
        return self.ratio <= TARGET_RATIO

    @property
    def met(self) -> bool:
        return self.fast_enough and self.close_enough


async def _time_once(store: Store, query: Query) -> float:
    started = time.perf_counter()
    async with store.reading() as session:
        await query(session)
    return (time.perf_counter() - started) * 1000


async def measure(store: Store, case: Case, *, warmup: int, runs: int) -> Result:
    """Service and SQL runs interleave (alternating which goes first), so drift hits both alike."""
    service: list[float] = []
    sql: list[float] = []
    for i in range(warmup + runs):
        pair = [(case.service, service), (case.sql, sql)]
        for query, samples in pair if i % 2 == 0 else reversed(pair):
            elapsed = await _time_once(store, query)
            if i >= warmup:
                samples.append(elapsed)
    return Result(case.name, Timing(service), Timing(sql))


# --- databases --------------------------------------------------------------------------------------------


async def prepare_sqlite(scale: float, seed: int, regenerate: bool) -> tuple[Store, Dataset, bool]:
    """The cached SQLite database for this scale, seed and schema, generated first when missing."""
    key = kpi_data.cache_key(scale, seed)
    path = kpi_data.sqlite_path(key)
    if path.exists() and not regenerate:
        store = Store(f"sqlite+aiosqlite:///{path}")
        dataset = await kpi_data.read_dataset(store)
        if dataset is not None:
            return store, dataset, True
        await store.dispose()  # a copy from an interrupted run: start again
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial.db")
    # Copies for this scale and seed under an older schema or generator are outdated: drop them too.
    outdated = set(path.parent.glob(f"kpi-s{scale:g}-seed{seed}-*")) | {path, partial}
    for stale in outdated:
        for suffix in ("", "-wal", "-shm"):
            stale.with_name(stale.name + suffix).unlink(missing_ok=True)
    console.print(f"Generating SQLite database [bold]{path.name}[/] (scale {scale:g}, seed {seed})")
    building = Store(f"sqlite+aiosqlite:///{partial}")
    try:
        await kpi_data.generate(building, scale=scale, seed=seed, log=console.print)
    finally:
        await building.dispose()  # the last connection closing checkpoints the WAL into the file
    partial.replace(path)  # only a complete database ever has the cache's name
    store = Store(f"sqlite+aiosqlite:///{path}")
    dataset = await kpi_data.read_dataset(store)
    assert dataset is not None
    return store, dataset, False


async def prepare_postgres(url: str, scale: float, seed: int) -> tuple[Store, Dataset, bool]:
    """An empty database is filled; one this benchmark filled before with the same key is reused."""
    store = Store(url)
    await store.upgrade()
    dataset = await kpi_data.read_dataset(store)
    key = kpi_data.cache_key(scale, seed)
    if dataset is not None and dataset.key == key:
        return store, dataset, True
    if not await kpi_data.is_empty(store):
        await store.dispose()
        raise SystemExit(
            f"{make_url(url).render_as_string(hide_password=True)} is not empty and was not filled by "
            "this benchmark with the same scale and seed; point DATABASE_URL at an empty database."
        )
    console.print(f"Generating PostgreSQL database (scale {scale:g}, seed {seed})")
    dataset = await kpi_data.generate(store, scale=scale, seed=seed, log=console.print)
    return store, dataset, False


@contextmanager
def postgres_urls(use_server: bool) -> Iterator[str | None]:
    """DATABASE_URL when it names PostgreSQL; with --postgres a throw-away server instead."""
    if use_server:
        from tests.servers.postgres import running_postgres

        with running_postgres() as server:
            server.psql("CREATE DATABASE kpi_bench")
            yield server.url("kpi_bench")
        return
    url = os.environ.get("DATABASE_URL", "").strip()
    if url and make_url(async_url(url)).get_backend_name() == "postgresql":
        yield async_url(url)
        return
    if url:
        console.print(f"[yellow]DATABASE_URL is not PostgreSQL ({url.split(':')[0]}); skipping it[/]")
    yield None


async def table_sizes(store: Store) -> dict[str, int]:
    models = [User, Customer, Activity, SalesCase, Project, Invoice, Cost]
    async with store.reading() as session:
        return {
            m.__tablename__: (await session.execute(select(func.count()).select_from(m))).scalar_one()
            for m in models
        }


async def actors(store: Store, dataset: Dataset) -> tuple[Actor, list[Actor]]:
    """The benchmark actor, and everyone whose results are checked (admin and another time zone too)."""
    ids = [dataset.bench_user_id, dataset.admin_user_id, dataset.foreign_tz_user_id]
    async with store.reading() as session:
        users = [await session.get_one(User, i) for i in ids]
    checked = [Actor.of(u) for u in users]
    return checked[0], checked


# --- reporting --------------------------------------------------------------------------------------------


def print_dataset(label: str, dataset: Dataset, cached: bool, sizes: dict[str, int]) -> None:
    how = "cached; generated" if cached else "generated"
    console.print(
        f"\n[bold]{label}[/] — {how} in {dataset.generation_seconds:.1f} s, scale {dataset.scale:g}, "
        f"seed {dataset.seed}, now = {dataset.now.astimezone(kpi_data.OSLO):%Y-%m-%d %H:%M %Z}"
    )
    console.print("  " + ", ".join(f"{name} {count:,}" for name, count in sizes.items()))
    hidden = dataset.extras.get("customers_hidden_from_bench_user")
    console.print(f"  benchmark user #{dataset.bench_user_id} (sales) cannot see {hidden:,} customers")


def results_table(label: str, results: list[Result], runs: int) -> Table:
    table = Table(title=f"{label}: service vs hand-written SQL ({runs} runs, ms)")
    for heading in ("query", "service median", "service p99", "SQL median", "SQL p99", "ratio", "target met"):
        table.add_column(heading, justify="left" if heading == "query" else "right")
    for r in results:
        verdict = "[green]yes[/]" if r.met else "[red]no[/]"
        table.add_row(
            r.query,
            f"{r.service.median:.2f}",
            f"{r.service.p99:.2f}",
            f"{r.sql.median:.2f}",
            f"{r.sql.p99:.2f}",
            f"{r.ratio:.2f}x",
            verdict,
        )
    return table


def misses(label: str, results: list[Result]) -> list[str]:
    found = []
    for r in results:
        reasons = []
        if not r.fast_enough:
            reasons.append(f"median {r.service.median:.1f} ms >= {TARGET_MS:.0f} ms")
        if not r.close_enough:
            reasons.append(f"ratio {r.ratio:.3f}x > {TARGET_RATIO}x")
        if reasons:
            found.append(f"{label} {r.query} ({', '.join(reasons)})")
    return found


def print_mismatches(mismatches: list[Mismatch]) -> None:
    for m in mismatches:
        console.print(f"[red bold]MISMATCH[/] {m.database} / {m.query} / {m.actor}")
        console.print(f"  service: {m.service!r}")
        console.print(f"  SQL:     {m.sql!r}")


# --- main -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Options:
    scale: float
    seed: int
    runs: int
    warmup: int
    regenerate: bool
    postgres: bool
    ignore_mismatch: bool


async def bench_database(
    label: str, store: Store, dataset: Dataset, cached: bool, opts: Options
) -> tuple[list[Result], list[Mismatch]]:
    """Verify, then time every case (unless results differ and --ignore-mismatch is not given)."""
    print_dataset(label, dataset, cached, await table_sizes(store))
    bench_actor, checked = await actors(store, dataset)
    mismatches = await verify(store, label, checked, dataset.now)
    if mismatches:
        print_mismatches(mismatches)
        if not opts.ignore_mismatch:
            return [], mismatches
    else:
        console.print(
            f"  verified: {len(cases(bench_actor, dataset.now))} queries × {len(checked)} users equal"
        )
    results = []
    for case in cases(bench_actor, dataset.now):
        results.append(await measure(store, case, warmup=opts.warmup, runs=opts.runs))
    console.print(results_table(label, results, opts.runs))
    return results, mismatches


async def run(opts: Options) -> int:
    all_misses: list[str] = []
    all_mismatches: list[Mismatch] = []
    store, dataset, cached = await prepare_sqlite(opts.scale, opts.seed, opts.regenerate)
    try:
        results, mismatches = await bench_database("SQLite", store, dataset, cached, opts)
    finally:
        await store.dispose()
    all_misses += misses("SQLite", results)
    all_mismatches += mismatches
    with postgres_urls(opts.postgres) as url:
        if url is not None:
            store, dataset, cached = await prepare_postgres(url, opts.scale, opts.seed)
            try:
                results, mismatches = await bench_database("PostgreSQL", store, dataset, cached, opts)
            finally:
                await store.dispose()
            all_misses += misses("PostgreSQL", results)
            all_mismatches += mismatches
    console.print()
    if all_misses:
        console.print(f"[yellow bold]Targets missed ({len(all_misses)}):[/] " + "; ".join(all_misses))
    elif not all_mismatches:
        console.print(
            f"[green bold]All targets met[/] (median < {TARGET_MS:.0f} ms, ratio <= {TARGET_RATIO}x)"
        )
    if all_mismatches:
        console.print(f"[red bold]{len(all_mismatches)} result mismatch(es) between service and SQL[/]")
        return 1
    return 0


def parse_args(argv: list[str] | None = None) -> Options:
    parser = argparse.ArgumentParser(prog="python -m bench.kpi", description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="data size relative to 100k customers")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--runs", type=int, default=30, help="timed runs per query and side")
    parser.add_argument("--warmup", type=int, default=3, help="untimed runs first")
    parser.add_argument("--regenerate", action="store_true", help="rebuild the cached SQLite database")
    parser.add_argument("--postgres", action="store_true", help="also run on a throw-away PostgreSQL server")
    parser.add_argument(
        "--ignore-mismatch", action="store_true", help="time the queries even if results differ"
    )
    a = parser.parse_args(argv)
    if a.scale <= 0 or a.runs < 1 or a.warmup < 0:
        parser.error("--scale must be positive, --runs at least 1, --warmup not negative")
    return Options(a.scale, a.seed, a.runs, a.warmup, a.regenerate, a.postgres, a.ignore_mismatch)


def main(argv: list[str] | None = None) -> None:
    sys.exit(asyncio.run(run(parse_args(argv))))


if __name__ == "__main__":
    main()
