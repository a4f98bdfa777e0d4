"""Activities: logging, tasks, and exactly-once storage of external deliveries."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from store.actor import Actor
from store.db import Store
from store.errors import InvalidInput, NotFound
from store.models import Activity, Source
from store.services import activities, contacts, customers


async def test_a_call_logged_on_a_contact_lands_on_its_customer(store: Store, alice: Actor) -> None:
    async with store.transaction() as s:
        acme = await customers.create_customer(s, alice, "Acme AS")
        kari = await contacts.add_contact(s, alice, customer_id=acme.id, first_name="Kari")
        call = await activities.log_activity(
            s, alice, kind="call", subject="Fornyelse", contact_ids=[kari.id]
        )
    assert call.customer_id == acme.id
    assert call.done is True


async def test_a_task_is_open_until_completed(store: Store, alice: Actor) -> None:
    async with store.transaction() as s:
        task = await activities.log_activity(
            s, alice, kind="task", subject="Send tilbud", due_date=date(2026, 12, 1)
        )
    assert task.done is False
    async with store.transaction() as s:
        assert (await activities.complete_task(s, alice, task.id)).done is True


async def test_the_same_external_delivery_is_stored_once(store: Store, alice: Actor) -> None:
    async def deliver() -> int:
        async with store.transaction() as s:
            a = await activities.log_activity(
                s,
                alice,
                kind="note",
                subject="Fra Slack",
                source=Source.SLACK,
                external_id="C1/1700000000.000100",
            )
            return a.id

    ids = await asyncio.gather(deliver(), deliver(), deliver())
    assert len(set(ids)) == 1
    async with store.reading() as s:
        assert (await s.execute(select(func.count(Activity.id)))).scalar_one() == 1


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"kind": "lunch", "subject": "x"}, "'lunch' is not an activity kind"),
        ({"kind": "call", "subject": " "}, "The subject cannot be empty."),
        ({"kind": "call", "subject": "x", "customer_id": 4242}, "No customer with id 4242."),
        (
            {
                "kind": "meeting",
                "subject": "x",
                "start_at": datetime(2026, 1, 2, 10, tzinfo=UTC),
                "end_at": datetime(2026, 1, 2, 9, tzinfo=UTC),
            },
            "ends before it starts",
        ),
    ],
)
async def test_bad_activities_are_refused_with_a_reason(
    store: Store, alice: Actor, kwargs: dict[str, object], message: str
) -> None:
    with pytest.raises((InvalidInput, NotFound), match=message):
        async with store.transaction() as s:
            await activities.log_activity(s, alice, **kwargs)  # type: ignore[arg-type]
    async with store.reading() as s:
        assert (await s.execute(select(func.count(Activity.id)))).scalar_one() == 0
