"""Daily digest benchmark (SPEC §8): build the digest of 500 users over the KPI benchmark's 100k customers.

    .venv/bin/python -m bench.digest                 # scale 1 (the cached KPI dataset; generated if missing)
    .venv/bin/python -m bench.digest --scale 0.01    # a quick run

The dataset (bench/kpi_data.py: 20 users, 100k customers, 1M activities, 50k sales cases) is copied to a
temporary file; 480 more users are added, in six time zones, and a share of the activities and sales cases
is handed to them, so every one of the 500 has meetings, tasks and cases of their own. Then every user's
digest is built, one after the other in one process, at the benchmark's "now", the way the scheduler does
(`store.services.digest.build_digest`, visibility applied: most users are not admins).

Target: all 500 in < 10 s. Missing it is reported, not an error.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import text

from bench.kpi_data import benchmark_now
from bench.slack import copy_dataset
from store.actor import Actor
from store.db import Store
from store.models import Role, User
from store.services.digest import build_digest

ZONES = (
    "Europe/Oslo",
    "Europe/Stockholm",
    "Europe/Helsinki",
    "Europe/London",
    "America/New_York",
    "Asia/Tokyo",
)
USERS = 500


async def add_users(store: Store) -> list[Actor]:
    async with store.transaction() as s:
        existing = (await s.execute(text("SELECT count(*) FROM users"))).scalar_one()
        for n in range(existing, USERS):
            s.add(
                User(
                    name=f"Bench User {n}",
                    email=f"bench{n}@kundebot-bench.no",
                    role=Role.SALES,
                    time_zone=ZONES[n % len(ZONES)],
                )
            )
        await s.flush()
        ids = [row[0] for row in (await s.execute(text("SELECT id FROM users ORDER BY id"))).all()]
        # Hand every 25th activity and sales case to one of the new users, so each has a day of their own.
        await s.execute(
            text(
                "UPDATE activities SET owner_id = :first + (id % :n), assignee_id = :first + (id % :n) "
                "WHERE id % 25 = 0"
            ),
            {"first": ids[20], "n": len(ids) - 20},
        )
        await s.execute(
            text("UPDATE sales_cases SET seller_id = :first + (id % :n) WHERE id % 25 = 0"),
            {"first": ids[20], "n": len(ids) - 20},
        )
        users = (await s.execute(text("SELECT id FROM users ORDER BY id"))).all()
        return [Actor.of(await s.get_one(User, row[0])) for row in users]


async def main() -> int:
    args = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    args.add_argument("--scale", type=float, default=1.0)
    args.add_argument("--seed", type=int, default=42)
    options = args.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db, description = await copy_dataset(options.scale, options.seed, Path(tmp))
        print(f"Dataset: {description}", flush=True)
        store = Store(f"sqlite+aiosqlite:///{db}")
        await store.upgrade()
        try:
            actors = await add_users(store)
            now = benchmark_now()
            timings: list[float] = []
            sizes: list[int] = []
            empty = 0
            started = time.perf_counter()
            for actor in actors:
                t0 = time.perf_counter()
                async with store.reading() as s:
                    found = await build_digest(s, actor, now=now)
                timings.append(time.perf_counter() - t0)
                items = (
                    len(found.meetings)
                    + len(found.tasks)
                    + len(found.overdue_cases)
                    + len(found.waiting_emails)
                )
                sizes.append(items + len(found.activity_on_my_customers))
                empty += found.empty
            total = time.perf_counter() - started
        finally:
            await store.dispose()
    timings.sort()
    print(
        f"{len(actors)} digests in {total:.2f} s (target < 10 s: {'met' if total < 10 else 'MISSED'}); "
        f"per user p50 {statistics.median(timings) * 1000:.1f} ms, p99 {timings[int(len(timings) * 0.99) - 1] * 1000:.1f} ms; "
        f"{empty} empty, {statistics.mean(sizes):.1f} items on average"
    )
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
