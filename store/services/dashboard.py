"""The dashboard of SPEC §8: today's meetings, latest customers, top sellers, my pipeline, sales this month,
and the pipeline by stage. Same visibility rule and time-zone handling as the KPIs."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Date,
    Integer,
    Select,
    and_,
    bindparam,
    case,
    func,
    or_,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession

from store import periods
from store.actor import Actor
from store.models import (
    Activity,
    ActivityKind,
    CaseStatus,
    Customer,
    SalesCase,
    SalesStage,
    User,
    activity_participants,
)
from store.periods import Period
from store.types import UTCDateTime, minor_units, money_from_minor, utcnow
from store.visibility import VIEWER, customer_visible, hidden_customer_ids, visible_to

ZERO = Decimal("0.00")


def _weighted_minor() -> ColumnElement[int]:
    """Sum of value × probability in minor units × 100 (integers, exact on both databases)."""
    return func.sum(minor_units(SalesCase.value) * SalesCase.probability)


@functools.cache
def _meetings_statement(is_admin: bool) -> Select[Activity]:
    """Built once per kind of viewer: the dashboard runs on every `kpi`, and building the statement cost
    about as much as running it."""
    return (
        select(Activity)
        .outerjoin(Customer, Customer.id == Activity.customer_id)
        .where(
            Activity.kind == ActivityKind.MEETING,
            or_(
                Activity.owner_id == VIEWER,
                Activity.assignee_id == VIEWER,
                # A meeting shared from colleagues' calendars is the participants' meeting too (SPEC §7).
                Activity.id.in_(
                    select(activity_participants.c.activity_id).where(
                        activity_participants.c.user_id == VIEWER
                    )
                ),
            ),
            Activity.start_at >= bindparam("day_start", type_=UTCDateTime),
            Activity.start_at < bindparam("day_end", type_=UTCDateTime),
            Activity.deleted_at.is_(None),
            Activity.cancelled.is_(False),
            or_(Activity.customer_id.is_(None), visible_to(is_admin, VIEWER)),
        )
        .order_by(Activity.start_at)
    )


async def todays_meetings(
    session: AsyncSession, actor: Actor, *, now: datetime | None = None
) -> list[Activity]:
    today = periods.day(periods.local_today(now or utcnow(), actor.tz))
    start, end = today.utc_bounds(actor.tz)
    rows = await session.execute(
        _meetings_statement(actor.is_admin), {"viewer": actor.user_id, "day_start": start, "day_end": end}
    )
    return list(rows.scalars())


@functools.cache
def _latest_statement(is_admin: bool) -> Select[Customer]:
    return (
        select(Customer)
        .where(visible_to(is_admin, VIEWER))
        .order_by(Customer.created_at.desc(), Customer.id.desc())
        .limit(bindparam("limit", type_=Integer))
    )


async def latest_customers(session: AsyncSession, actor: Actor, *, limit: int = 10) -> list[Customer]:
    rows = await session.execute(_latest_statement(actor.is_admin), {"viewer": actor.user_id, "limit": limit})
    return list(rows.scalars())


@dataclass(frozen=True)
class SellerTotal:
    seller_id: int
    name: str
    won_value: Decimal
    won_count: int


async def top_sellers(
    session: AsyncSession, actor: Actor, *, now: datetime | None = None, limit: int = 10
) -> list[SellerTotal]:
    """Sellers ranked by the value of sales cases won this year."""
    this_year = periods.year(periods.local_today(now or utcnow(), actor.tz))
    won = (
        select(
            SalesCase.seller_id,
            func.sum(SalesCase.value).label("won"),
            func.count(SalesCase.id).label("n"),
        )
        .where(
            SalesCase.status == CaseStatus.WON,
            SalesCase.closed_date >= this_year.start,
            SalesCase.closed_date < this_year.end,
            SalesCase.deleted_at.is_(None),
            SalesCase.customer_id.not_in(hidden_customer_ids(actor)),
        )
        .group_by(SalesCase.seller_id)
        .subquery()
    )
    rows = await session.execute(
        select(User.id, User.name, won.c.won, won.c.n)
        .join(won, won.c.seller_id == User.id)
        .order_by(won.c.won.desc(), User.name)
        .limit(limit)
    )
    return [SellerTotal(r.id, r.name, r.won or ZERO, int(r.n)) for r in rows]


@dataclass(frozen=True)
class Pipeline:
    period: Period
    open_value: Decimal
    weighted_value: Decimal  # value × probability
    count: int


@functools.cache
def _pipelines_statement(is_admin: bool, spans: int, by_seller: bool) -> Select[Any]:
    """Open value, weighted value (minor units × percent) and count per period, in one pass over the
    widest period; each case's customer is a primary-key look-up. Built once per shape and reused."""
    columns: list[Any] = []
    for i in range(spans):
        start, end = bindparam(f"start{i}", type_=Date), bindparam(f"end{i}", type_=Date)
        inside = and_(SalesCase.expected_order_date >= start, SalesCase.expected_order_date < end)
        columns += [
            func.sum(case((inside, minor_units(SalesCase.value)), else_=0)),
            func.sum(case((inside, minor_units(SalesCase.value) * SalesCase.probability), else_=0)),
            func.count(case((inside, SalesCase.id))),
        ]
    conditions = [
        SalesCase.status == CaseStatus.OPEN,
        SalesCase.deleted_at.is_(None),
        SalesCase.expected_order_date >= bindparam("lo", type_=Date),
        SalesCase.expected_order_date < bindparam("hi", type_=Date),
        visible_to(is_admin, VIEWER),
    ]
    if by_seller:
        conditions.append(SalesCase.seller_id == bindparam("seller", type_=Integer))
    return select(*columns).select_from(SalesCase).join(Customer).where(*conditions)


async def _pipelines(
    session: AsyncSession, actor: Actor, spans: list[Period], seller_id: int | None
) -> list[Pipeline]:
    """Open sales cases expected to be ordered in each period (one seller's, or all the actor may see)."""
    params: dict[str, Any] = {
        "viewer": actor.user_id,
        "lo": min(p.start for p in spans),
        "hi": max(p.end for p in spans),
        "seller": seller_id,
    }
    for i, p in enumerate(spans):
        params[f"start{i}"], params[f"end{i}"] = p.start, p.end
    statement = _pipelines_statement(actor.is_admin, len(spans), seller_id is not None)
    row = (await session.execute(statement, params)).one()
    return [
        Pipeline(
            p,
            money_from_minor(row[3 * i]),
            money_from_minor(round((row[3 * i + 1] or 0) / 100)),
            int(row[3 * i + 2]),
        )
        for i, p in enumerate(spans)
    ]


async def pipeline_for(
    session: AsyncSession, actor: Actor, period: Period, *, seller_id: int | None = None
) -> Pipeline:
    return (await _pipelines(session, actor, [period], seller_id))[0]


async def my_pipeline(
    session: AsyncSession, actor: Actor, *, now: datetime | None = None
) -> tuple[Pipeline, Pipeline]:
    """The actor's own pipeline this month and this quarter."""
    today = periods.local_today(now or utcnow(), actor.tz)
    month, quarter = await _pipelines(
        session, actor, [periods.month(today), periods.quarter(today)], actor.user_id
    )
    return month, quarter


@dataclass(frozen=True)
class Sales:
    period: Period
    won_value: Decimal
    won_count: int


async def sales_this_month(session: AsyncSession, actor: Actor, *, now: datetime | None = None) -> Sales:
    month = periods.month(periods.local_today(now or utcnow(), actor.tz))
    row = (
        await session.execute(
            select(func.sum(SalesCase.value), func.count(SalesCase.id))
            .join(Customer)
            .where(
                SalesCase.status == CaseStatus.WON,
                SalesCase.closed_date >= month.start,
                SalesCase.closed_date < month.end,
                SalesCase.deleted_at.is_(None),
                customer_visible(actor),
            )
        )
    ).one()
    return Sales(month, row[0] or ZERO, int(row[1]))


@dataclass(frozen=True)
class StageTotal:
    stage: str
    position: int
    count: int
    value: Decimal
    weighted_value: Decimal


async def pipeline_by_stage(
    session: AsyncSession, actor: Actor, *, seller_id: int | None = None
) -> list[StageTotal]:
    """Open sales cases per stage of the sales process, in process order."""
    conditions = [
        SalesCase.status == CaseStatus.OPEN,
        SalesCase.deleted_at.is_(None),
        SalesCase.customer_id.not_in(hidden_customer_ids(actor)),
    ]
    if seller_id is not None:
        conditions.append(SalesCase.seller_id == seller_id)
    rows = await session.execute(
        select(
            SalesStage.name,
            SalesStage.position,
            func.count(SalesCase.id),
            func.sum(minor_units(SalesCase.value)),
            _weighted_minor(),
        )
        .join(SalesStage, SalesStage.id == SalesCase.stage_id)
        .where(*conditions)
        .group_by(SalesStage.name, SalesStage.position)
        .order_by(SalesStage.position)
    )
    return [
        StageTotal(r[0], r[1], int(r[2]), money_from_minor(r[3]), money_from_minor(round((r[4] or 0) / 100)))
        for r in rows
    ]


@dataclass(frozen=True)
class Dashboard:
    todays_meetings: list[Activity]
    latest_customers: list[Customer]
    top_sellers: list[SellerTotal]
    pipeline_month: Pipeline
    pipeline_quarter: Pipeline
    sales_this_month: Sales


async def dashboard(session: AsyncSession, actor: Actor, *, now: datetime | None = None) -> Dashboard:
    now = now or utcnow()
    month, quarter = await my_pipeline(session, actor, now=now)
    return Dashboard(
        todays_meetings=await todays_meetings(session, actor, now=now),
        latest_customers=await latest_customers(session, actor),
        top_sellers=await top_sellers(session, actor, now=now),
        pipeline_month=month,
        pipeline_quarter=quarter,
        sales_this_month=await sales_this_month(session, actor, now=now),
    )
