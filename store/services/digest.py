"""The daily digest (SPEC §8): what each user should know this morning, and when it is due.

Content, over what the user may see: today's meetings, tasks due today or overdue, captured emails waiting
for their decision, open sales cases whose expected order date has passed, and what others did on the user's
customers since yesterday. Nothing at all when there is nothing to say.

Exactly once per user and local date: a replica claims the day in `digest_deliveries` (unique per user and
date) before sending, and marks it sent after; a claim left "sending" by a replica that died is taken over
after `STALE_CLAIM`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from store import periods
from store.actor import Actor
from store.models import (
    Activity,
    ActivityKind,
    CaseStatus,
    Customer,
    DigestDelivery,
    Email,
    EmailLinkStatus,
    SalesCase,
    User,
)
from store.services.dashboard import todays_meetings
from store.types import utcnow
from store.visibility import customer_visible, hidden_customer_ids

STALE_CLAIM = timedelta(minutes=10)
LIST_LIMIT = 10
OWNED_FEW = 200


@dataclass
class Digest:
    user_id: int
    local_date: date
    meetings: list[Activity] = field(default_factory=list)
    tasks: list[Activity] = field(default_factory=list)  # due today or overdue
    waiting_emails: list[Email] = field(default_factory=list)
    overdue_cases: list[SalesCase] = field(default_factory=list)  # expected order date passed
    activity_on_my_customers: list[Activity] = field(default_factory=list)  # by others, since yesterday

    @property
    def empty(self) -> bool:
        return not (
            self.meetings
            or self.tasks
            or self.waiting_emails
            or self.overdue_cases
            or self.activity_on_my_customers
        )


async def build_digest(session: AsyncSession, actor: Actor, *, now: datetime | None = None) -> Digest:
    now = now or utcnow()
    today = periods.local_today(now, actor.tz)
    digest = Digest(actor.user_id, today)
    digest.meetings = await todays_meetings(session, actor, now=now)
    hidden = hidden_customer_ids(actor)
    visible_customer = or_(Activity.customer_id.is_(None), Activity.customer_id.not_in(hidden))
    digest.tasks = list(
        (
            await session.scalars(
                select(Activity)
                .where(
                    Activity.kind == ActivityKind.TASK,
                    Activity.assignee_id == actor.user_id,
                    Activity.done.is_(False),
                    Activity.cancelled.is_(False),
                    Activity.deleted_at.is_(None),
                    Activity.due_date <= today,
                    visible_customer,
                )
                .order_by(Activity.due_date, Activity.id)
                .limit(LIST_LIMIT)
            )
        ).all()
    )
    digest.waiting_emails = list(
        (
            await session.scalars(
                select(Email)
                .where(Email.captured_by_id == actor.user_id, Email.link_status == EmailLinkStatus.UNLINKED)
                .order_by(Email.id.desc())
                .limit(LIST_LIMIT)
            )
        ).all()
    )
    digest.overdue_cases = list(
        (
            await session.scalars(
                select(SalesCase)
                .where(
                    SalesCase.seller_id == actor.user_id,
                    SalesCase.status == CaseStatus.OPEN,
                    SalesCase.deleted_at.is_(None),
                    SalesCase.expected_order_date < today,
                    SalesCase.customer_id.not_in(hidden),
                )
                .order_by(SalesCase.expected_order_date, SalesCase.id)
                .limit(LIST_LIMIT)
            )
        ).all()
    )
    since = now - timedelta(days=1)
    mine = select(Customer.id).where(Customer.owner_id == actor.user_id, customer_visible(actor))
    owned = await session.scalar(select(func.count()).select_from(mine.subquery()))
    # Few customers: walk their activities (index on customer). Thousands: walk yesterday's activities instead
    # (index on created_at); "+ 0" keeps SQLite from choosing the customer index anyway.
    on_mine = (
        Activity.customer_id.in_(mine) if (owned or 0) <= OWNED_FEW else (Activity.customer_id + 0).in_(mine)
    )
    digest.activity_on_my_customers = list(
        (
            await session.scalars(
                select(Activity)
                .where(
                    on_mine,
                    Activity.owner_id != actor.user_id,
                    Activity.created_at >= since,
                    Activity.deleted_at.is_(None),
                )
                .order_by(Activity.created_at.desc())
                .limit(LIST_LIMIT)
            )
        ).all()
    ) if owned else []  # fmt: skip
    for activity in [*digest.meetings, *digest.tasks, *digest.activity_on_my_customers]:
        await session.refresh(activity, ["customer"])
    for case in digest.overdue_cases:
        await session.refresh(case, ["customer"])
    return digest


def due_locally(user: User, now: datetime) -> date | None:
    """The user's local date when their digest time has come today (DST-correct), else None."""
    local = now.astimezone(ZoneInfo(user.time_zone))
    return local.date() if local.time().replace(tzinfo=None) >= user.digest_time else None


async def users_due(session: AsyncSession, now: datetime) -> list[tuple[User, date]]:
    """Active users whose digest time has passed today where they are, and whose day is not claimed yet."""
    users = (await session.scalars(select(User).where(User.active.is_(True)).order_by(User.id))).all()
    due = [(u, d) for u in users if (d := due_locally(u, now)) is not None]
    if not due:
        return []
    claimed = {
        (row.user_id, row.local_date)
        for row in (
            await session.execute(
                select(DigestDelivery.user_id, DigestDelivery.local_date).where(
                    DigestDelivery.local_date.in_({d for _, d in due}),
                    or_(DigestDelivery.status != "sending", DigestDelivery.claimed_at >= now - STALE_CLAIM),
                )
            )
        ).all()
    }
    return [(u, d) for u, d in due if (u.id, d) not in claimed]


async def claim(session: AsyncSession, user_id: int, local_date: date, owner: str, now: datetime) -> bool:
    """Claim the user's digest of `local_date` for `owner`; False when another replica has (or sent) it."""
    stale = await session.execute(
        delete(DigestDelivery).where(
            DigestDelivery.user_id == user_id,
            DigestDelivery.local_date == local_date,
            DigestDelivery.status == "sending",
            DigestDelivery.claimed_at < now - STALE_CLAIM,
        )
    )
    del stale
    try:
        async with session.begin_nested():
            session.add(
                DigestDelivery(
                    user_id=user_id, local_date=local_date, status="sending", owner=owner, claimed_at=now
                )
            )
    except IntegrityError:
        return False
    return True


async def finish(
    session: AsyncSession,
    user_id: int,
    local_date: date,
    owner: str,
    *,
    status: str,
    channels: list[str] | None = None,
    error: str | None = None,
) -> None:
    await session.execute(
        update(DigestDelivery)
        .where(
            DigestDelivery.user_id == user_id,
            DigestDelivery.local_date == local_date,
            DigestDelivery.owner == owner,
        )
        .values(status=status, sent_at=utcnow(), channels=channels or [], error=error)
    )


async def deliveries(session: AsyncSession, user_id: int) -> list[DigestDelivery]:
    return list(
        (
            await session.scalars(
                select(DigestDelivery)
                .where(DigestDelivery.user_id == user_id)
                .order_by(DigestDelivery.local_date)
            )
        ).all()
    )
