"""Activities on the customer card: log calls, meetings, notes and emails; tasks with due dates (SPEC §2)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from store import validation
from store.actor import Actor
from store.errors import InvalidInput, NotFound
from store.models import Activity, ActivityKind, Contact, Source
from store.services.contacts import get_contact
from store.services.customers import get_customer, require_writer
from store.visibility import hidden_customer_ids


async def log_activity(
    session: AsyncSession,
    actor: Actor,
    *,
    kind: ActivityKind | str,
    subject: str,
    customer_id: int | None = None,
    body: str | None = None,
    start_at: datetime | None = None,
    end_at: datetime | None = None,
    due_date: date | None = None,
    contact_ids: Sequence[int] = (),
    sales_case_id: int | None = None,
    assignee_id: int | None = None,
    done: bool | None = None,
    source: Source = Source.CONSOLE,
    external_id: str | None = None,
) -> Activity:
    """Record an activity. With an `external_id`, a repeated delivery returns the existing activity
    instead of creating a second one (unique per source)."""
    require_writer(actor)
    try:
        kind = ActivityKind(kind)
    except ValueError as exc:
        kinds = ", ".join(k.value for k in ActivityKind)
        raise InvalidInput(
            f"{kind!r} is not an activity kind; use one of {kinds}.",
            field_name="kind",
            key="activity.bad_kind",
            kind=kind,
            kinds=kinds,
        ) from exc
    clean_subject = validation.required_text(subject, "subject", max_length=300)
    if start_at and end_at and end_at < start_at:
        raise InvalidInput(
            "The activity ends before it starts.", field_name="end", key="activity.ends_before_start"
        )
    if external_id is not None:
        existing = await activity_by_external_id(session, source, external_id)
        if existing is not None:
            return existing
    contacts: list[Contact] = [await get_contact(session, actor, cid) for cid in dict.fromkeys(contact_ids)]
    if customer_id is None and contacts and contacts[0].customer_id is not None:
        customer_id = contacts[0].customer_id
    if customer_id is not None:
        await get_customer(session, actor, customer_id)
    activity = Activity(
        kind=kind,
        subject=clean_subject,
        body=validation.optional_text(body, "body", max_length=100_000) if body else None,
        start_at=start_at,
        end_at=end_at,
        due_date=due_date,
        # A logged call/meeting/note happened; a task is open until someone completes it.
        done=(kind is not ActivityKind.TASK) if done is None else done,
        customer_id=customer_id,
        sales_case_id=sales_case_id,
        owner_id=actor.user_id,
        assignee_id=assignee_id if assignee_id is not None else actor.user_id,
        source=source,
        external_id=external_id,
        created_by_id=actor.user_id,
        contacts=contacts,
    )
    try:
        async with session.begin_nested():
            session.add(activity)
            await session.flush()
    except IntegrityError:
        # Another worker stored the same delivery first.
        if external_id is None:
            raise
        existing = await activity_by_external_id(session, source, external_id)
        if existing is None:
            raise
        return existing
    return activity


async def activity_by_external_id(session: AsyncSession, source: Source, external_id: str) -> Activity | None:
    return (
        await session.execute(
            select(Activity).where(Activity.source == source, Activity.external_id == external_id)
        )
    ).scalar_one_or_none()


async def complete_task(session: AsyncSession, actor: Actor, activity_id: int) -> Activity:
    require_writer(actor)
    activity = (
        await session.execute(
            select(Activity).where(
                Activity.id == activity_id,
                Activity.deleted_at.is_(None),
                (Activity.customer_id.is_(None)) | Activity.customer_id.not_in(hidden_customer_ids(actor)),
            )
        )
    ).scalar_one_or_none()
    if activity is None:
        raise NotFound(f"No activity with id {activity_id}.", key="activity.no_id", activity_id=activity_id)
    activity.done = True
    await session.flush()
    return activity
