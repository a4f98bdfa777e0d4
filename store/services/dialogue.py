"""Conversation state and undo (SPEC §5.2): what the bot waits for in each conversation, kept in the store so
a restart loses nothing, and how to take back each write for ten minutes."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from store.actor import Actor
from store.errors import NotFound
from store.models import Activity, Contact, DialogueState, UndoAction
from store.services import customers, sales
from store.types import utcnow

UNDO_WINDOW = timedelta(minutes=10)


async def load_state(session: AsyncSession, actor: Actor, conversation: str) -> dict[str, Any] | None:
    row = await session.scalar(
        select(DialogueState.state).where(
            DialogueState.user_id == actor.user_id, DialogueState.conversation == conversation
        )
    )
    return dict(row) if row else None


async def save_state(session: AsyncSession, actor: Actor, conversation: str, state: dict[str, Any]) -> None:
    row = await session.scalar(
        select(DialogueState).where(
            DialogueState.user_id == actor.user_id, DialogueState.conversation == conversation
        )
    )
    if row is not None:
        row.state = state
        await session.flush()
        return
    try:
        async with session.begin_nested():
            session.add(DialogueState(user_id=actor.user_id, conversation=conversation, state=state))
    except IntegrityError:  # the same user's other message got there first: the newest state wins
        row = await session.scalar(
            select(DialogueState).where(
                DialogueState.user_id == actor.user_id, DialogueState.conversation == conversation
            )
        )
        if row is not None:
            row.state = state
    await session.flush()


async def clear_state(session: AsyncSession, actor: Actor, conversation: str) -> None:
    row = await session.scalar(
        select(DialogueState).where(
            DialogueState.user_id == actor.user_id, DialogueState.conversation == conversation
        )
    )
    if row is not None:
        await session.delete(row)
        await session.flush()


async def record_undo(
    session: AsyncSession, actor: Actor, conversation: str, description: str, action: dict[str, Any]
) -> UndoAction:
    """Remember how to take back a write made on the user's behalf (same transaction as the write)."""
    undo = UndoAction(
        user_id=actor.user_id,
        conversation=conversation,
        description=description[:500],
        action=action,
        expires_at=utcnow() + UNDO_WINDOW,
        created_by_id=actor.user_id,
    )
    session.add(undo)
    await session.flush()
    return undo


async def undo_last(
    session: AsyncSession, actor: Actor, conversation: str, *, now: datetime | None = None
) -> UndoAction:
    """Take back the user's latest write in this conversation, if it is less than ten minutes old."""
    now = now or utcnow()
    undo = await session.scalar(
        select(UndoAction)
        .where(
            UndoAction.user_id == actor.user_id,
            UndoAction.conversation == conversation,
            UndoAction.undone_at.is_(None),
        )
        .order_by(UndoAction.created_at.desc(), UndoAction.id.desc())
        .limit(1)
        .with_for_update()
    )
    if undo is None or undo.expires_at <= now:
        raise NotFound(
            "There is nothing to undo: undo works for 10 minutes after a change.", key="undo.nothing"
        )
    await _apply(session, actor, undo.action)
    undo.undone_at = now
    await session.flush()
    return undo


async def _apply(session: AsyncSession, actor: Actor, action: dict[str, Any]) -> None:
    kind = action["kind"]
    now = utcnow()
    if kind == "delete_customer":
        customer = await customers.get_customer(session, actor, action["id"])
        customer.deleted_at = now
    elif kind == "delete_contact":
        contact = await session.get(Contact, action["id"])
        if contact is None or contact.deleted_at is not None:
            raise NotFound("That contact is already gone.", key="undo.contact_gone")
        contact.deleted_at = now
    elif kind == "delete_activity":
        activity = await session.get(Activity, action["id"])
        if activity is None or activity.deleted_at is not None:
            raise NotFound("That activity is already gone.", key="undo.activity_gone")
        activity.deleted_at = now
    elif kind == "delete_sales_case":
        case = await sales.get_sales_case(session, actor, action["id"])
        case.deleted_at = now
    elif kind == "restore_sales_case":
        case = await sales.get_sales_case(session, actor, action["id"])
        previous = action["previous"]
        case.stage_id = previous["stage_id"]
        case.status = previous["status"]
        case.probability = previous["probability"]
        case.value = Decimal(previous["value"])
        case.closed_date = None if previous["closed_date"] is None else _date(previous["closed_date"])
    else:  # pragma: no cover - only the kinds above are recorded
        raise NotFound(f"Cannot undo {kind!r}.", key="undo.unknown_kind", kind=kind)
    await session.flush()


def _date(text: str) -> date:
    return date.fromisoformat(text)
