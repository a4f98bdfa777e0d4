"""Handled deliveries: the store's record that makes a retried Slack event a no-op on every replica."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import func, select

from store.db import Store
from store.models import HandledDelivery
from store.services.deliveries import claim_delivery, forget_old_deliveries
from store.types import utcnow


async def test_a_delivery_is_claimed_only_by_its_first_arrival(store: Store) -> None:
    async with store.transaction() as s:
        assert await claim_delivery(s, "slack", "Ev01")
    async with store.transaction() as s:
        assert not await claim_delivery(s, "slack", "Ev01")
        assert await claim_delivery(s, "slack", "Ev02")


async def test_concurrent_arrivals_of_one_delivery_have_exactly_one_winner(store: Store) -> None:
    async def claim() -> bool:
        async with store.transaction() as s:
            return await claim_delivery(s, "slack", "Ev-race")

    results = await asyncio.gather(*(claim() for _ in range(8)))
    assert sorted(results) == [False] * 7 + [True]


async def test_deliveries_older_than_a_day_are_forgotten(store: Store) -> None:
    now = utcnow()
    async with store.transaction() as s:
        await claim_delivery(s, "slack", "Ev-old", now=now - timedelta(days=2))
        await claim_delivery(s, "slack", "Ev-new", now=now - timedelta(hours=1))
        assert await forget_old_deliveries(s, now=now) == 1
    async with store.reading() as s:
        kept = await s.scalars(select(HandledDelivery.delivery_id))
        assert list(kept) == ["Ev-new"]
        assert await s.scalar(select(func.count()).select_from(HandledDelivery)) == 1
