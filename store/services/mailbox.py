"""The capture mailbox's progress (SPEC §6): UIDVALIDITY and the last processed UID, so a restart neither skips
nor repeats; a lease, so of several worker replicas on one database only one reads the mailbox at a time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from store.models import MailboxState
from store.types import utcnow


@dataclass(frozen=True)
class Progress:
    uidvalidity: int | None
    last_uid: int


async def _state(session: AsyncSession, mailbox: str) -> MailboxState:
    state = await session.scalar(select(MailboxState).where(MailboxState.mailbox == mailbox))
    if state is not None:
        return state
    try:
        async with session.begin_nested():
            state = MailboxState(mailbox=mailbox, last_uid=0, processed=0)
            session.add(state)
    except IntegrityError:
        state = await session.scalar(select(MailboxState).where(MailboxState.mailbox == mailbox))
        assert state is not None
    return state


async def acquire_lease(
    session: AsyncSession, mailbox: str, owner: str, ttl: timedelta, *, now: datetime | None = None
) -> bool:
    """Take (or renew) the mailbox for `owner` unless another replica holds an unexpired lease."""
    now = now or utcnow()
    await _state(session, mailbox)
    taken = await session.execute(
        update(MailboxState)
        .where(
            MailboxState.mailbox == mailbox,
            or_(
                MailboxState.lease_owner.is_(None),
                MailboxState.lease_owner == owner,
                MailboxState.lease_expires_at < now,
            ),
        )
        .values(lease_owner=owner, lease_expires_at=now + ttl)
    )
    return bool(taken.rowcount)  # type: ignore[attr-defined]


async def release_lease(session: AsyncSession, mailbox: str, owner: str) -> None:
    await session.execute(
        update(MailboxState)
        .where(MailboxState.mailbox == mailbox, MailboxState.lease_owner == owner)
        .values(lease_owner=None, lease_expires_at=None)
    )


async def progress(session: AsyncSession, mailbox: str) -> Progress:
    state = await _state(session, mailbox)
    return Progress(state.uidvalidity, state.last_uid)


async def record_progress(
    session: AsyncSession, mailbox: str, owner: str, *, uidvalidity: int, last_uid: int, processed: int
) -> bool:
    """Move the mark forward, only while `owner` holds the lease (a replica that lost it writes nothing)."""
    done = await session.execute(
        update(MailboxState)
        .where(MailboxState.mailbox == mailbox, MailboxState.lease_owner == owner)
        .values(
            uidvalidity=uidvalidity,
            last_uid=last_uid,
            processed=MailboxState.processed + processed,
            last_sync_at=utcnow(),
            last_error=None,
        )
    )
    return bool(done.rowcount)  # type: ignore[attr-defined]


async def restart_from(session: AsyncSession, mailbox: str, uidvalidity: int) -> None:
    """A new UIDVALIDITY: the old UIDs mean nothing any more; read everything again (Message-IDs dedupe)."""
    state = await _state(session, mailbox)
    state.uidvalidity = uidvalidity
    state.last_uid = 0
    await session.flush()


async def record_error(session: AsyncSession, mailbox: str, error: str) -> None:
    state = await _state(session, mailbox)
    state.last_error = error[:2000]
    state.last_error_at = utcnow()
    await session.flush()


async def states(session: AsyncSession) -> list[MailboxState]:
    return list((await session.scalars(select(MailboxState).order_by(MailboxState.mailbox))).all())
