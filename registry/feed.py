"""Keeping the local register current with Enhetsregisteret's change feed (`/oppdateringer/enheter`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from registry.brreg import BrregProvider
from registry.model import LookupStatus
from store.db import Store
from store.services import register
from store.types import utcnow

FEED = "brreg"


@dataclass
class FeedReport:
    changes: int = 0
    updated: int = 0
    removed: int = 0
    last_update_id: int | None = None


async def apply_changes(store: Store, provider: BrregProvider, *, max_pages: int = 100) -> FeedReport:
    """Apply the feed from where the last run stopped (or from the bulk import's day).

    New, changed and deleted units are fetched again and upserted (a deleted unit keeps its deletion
    date); units withdrawn from the open data ("Fjernet", or HTTP 410 on fetch) are dropped. The position is
    saved after every page, so an interrupted run resumes without repeating or skipping.
    """
    report = FeedReport()
    async with store.transaction() as session:
        state = await register.feed_state(session, FEED)
        since = state.last_change_at or state.imported_at or (utcnow() - timedelta(days=1))
        after = state.last_update_id
    for _ in range(max_pages):
        page = await provider.changes(since=since, after_id=after)
        if not page.entries:
            break
        for entry in page.entries:
            report.changes += 1
            result = None if entry.change_type == "Fjernet" else await provider.lookup(entry.number)
            async with store.transaction() as session:
                if result is not None and result.status is LookupStatus.FOUND and result.unit is not None:
                    await register.upsert_units(session, [result.unit], source="feed")
                    report.updated += 1
                elif await register.drop_unit(session, provider.country, entry.number):
                    report.removed += 1
        after = page.last_id
        async with store.transaction() as session:
            state = await register.feed_state(session, FEED)
            state.last_update_id = after
            state.last_change_at = page.entries[-1].at
    report.last_update_id = after
    return report
