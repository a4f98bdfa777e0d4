"""Exactly-once handling of inbound deliveries (Slack events): the first replica to record an id handles it;
retries of it, here or on another replica, find the id and stop. Ids older than a day are forgotten, since Slack
retries within minutes."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from store.models import HandledDelivery
from store.types import utcnow

KEEP_FOR = timedelta(days=1)


async def claim_delivery(
    session: AsyncSession, source: str, delivery_id: str, *, now: datetime | None = None
) -> bool:
    """Record the delivery; True when this is its first arrival (so the caller handles it)."""
    dialect = session.get_bind().dialect.name
    insert = sqlite.insert if dialect == "sqlite" else postgresql.insert
    stmt = (
        insert(HandledDelivery)
        .values(source=source, delivery_id=delivery_id, received_at=now or utcnow())
        .on_conflict_do_nothing(index_elements=["source", "delivery_id"])
    )
    result = await session.execute(stmt)
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def forget_old_deliveries(session: AsyncSession, *, now: datetime | None = None) -> int:
    cutoff = (now or utcnow()) - KEEP_FOR
    result = await session.execute(delete(HandledDelivery).where(HandledDelivery.received_at < cutoff))
    return int(result.rowcount)  # type: ignore[attr-defined]
