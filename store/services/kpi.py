"""The KPIs of SPEC §8, over what the acting user may see, with internal projects excluded everywhere.

- Margin this year = invoicing this year - total costs this year.
- Invoicing: invoices with status sent or paid, an invoice number, and an invoice date in the period.
- Active customers: customers with an open sales case or an open project.
- Prospects in progress: customers with an open sales case, no invoicing, and no won sales case or project.

Every function takes the actor and a `now`, so the period boundaries follow the user's time zone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    case,
    exists,
    func,
    or_,
    select,
    union,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from store import periods
from store.actor import Actor
from store.models import CaseStatus, Cost, Customer, Invoice, InvoiceStatus, Project, ProjectStatus, SalesCase
from store.periods import Period
from store.types import minor_units, money_from_minor, utcnow
from store.visibility import customer_visible, hidden_customer_ids


def _internal_project_ids() -> Select[int]:
    return select(Project.id).where(Project.internal.is_(True))


def _sent_and_numbered() -> list[ColumnElement[bool]]:
    return [Invoice.status.in_([InvoiceStatus.SENT, InvoiceStatus.PAID]), Invoice.number.is_not(None)]


def counts_as_invoicing() -> ColumnElement[bool]:
    """An invoice that counts: sent or paid, numbered, and not on an internal project."""
    return and_(
        *_sent_and_numbered(),
        or_(Invoice.project_id.is_(None), Invoice.project_id.not_in(_internal_project_ids())),
    )


def _open_case() -> ColumnElement[bool]:
    return and_(SalesCase.status == CaseStatus.OPEN, SalesCase.deleted_at.is_(None))


def _sum_in(
    day: InstrumentedAttribute[date], amount: InstrumentedAttribute[Decimal], period: Period
) -> ColumnElement[int]:
    return func.coalesce(
        func.sum(case((and_(day >= period.start, day < period.end), minor_units(amount)), else_=0)), 0
    )


async def invoicing_by_period(session: AsyncSession, actor: Actor, spans: Sequence[Period]) -> list[Decimal]:
    """Invoicing in each period, over what the actor may see.

    Computed as all counting invoices of the period minus those of hidden customers and internal projects.
    The totals are index range scans, one per period; the excluded invoices are found from their small
    driving sets (hidden customers, internal projects). Testing every invoice of a year against those sets
    costs several times more.
    """
    counting = _sent_and_numbered()
    totals = [
        select(func.coalesce(func.sum(minor_units(Invoice.amount)), 0))
        .where(Invoice.invoice_date >= p.start, Invoice.invoice_date < p.end, *counting)
        .scalar_subquery()
        for p in spans
    ]
    total = (await session.execute(select(*totals))).one()
    in_range = [
        Invoice.invoice_date >= min(p.start for p in spans),
        Invoice.invoice_date < max(p.end for p in spans),
        *counting,
    ]
    per_period = [_sum_in(Invoice.invoice_date, Invoice.amount, p) for p in spans]
    hidden = hidden_customer_ids(actor)
    of_hidden = (
        await session.execute(select(*per_period).where(*in_range, Invoice.customer_id.in_(hidden)))
    ).one()
    of_internal = (
        await session.execute(
            select(*per_period).where(
                *in_range,
                Invoice.project_id.in_(_internal_project_ids()),
                Invoice.customer_id.not_in(hidden),  # already subtracted above
            )
        )
    ).one()
    return [money_from_minor(t - h - i) for t, h, i in zip(total, of_hidden, of_internal, strict=True)]


async def invoicing(session: AsyncSession, actor: Actor, period: Period) -> Decimal:
    return (await invoicing_by_period(session, actor, [period]))[0]


async def costs(session: AsyncSession, actor: Actor, period: Period) -> Decimal:
    """Costs in the period, leaving out internal projects and projects of customers the actor may not see:
    all costs of the period minus those of the (few) excluded projects."""
    excluded_projects = union(
        select(Project.id).where(Project.internal.is_(True)),
        select(Project.id).where(Project.customer_id.in_(hidden_customer_ids(actor))),
    )
    in_period = [Cost.cost_date >= period.start, Cost.cost_date < period.end]
    total_minor = func.coalesce(func.sum(minor_units(Cost.amount)), 0)
    total = (await session.execute(select(total_minor).where(*in_period))).scalar_one()
    excluded = (
        await session.execute(select(total_minor).where(*in_period, Cost.project_id.in_(excluded_projects)))
    ).scalar_one()
    return money_from_minor(total - excluded)


def _active_customer_ids(actor: Actor) -> Select[int]:
    with_open_work = union(
        select(SalesCase.customer_id.label("customer_id")).where(_open_case()),
        select(Project.customer_id.label("customer_id")).where(
            Project.status == ProjectStatus.OPEN, Project.internal.is_(False)
        ),
    ).subquery()
    return select(with_open_work.c.customer_id).where(
        with_open_work.c.customer_id.not_in(hidden_customer_ids(actor))
    )


def _prospect_ids(actor: Actor) -> Select[int]:
    open_cases = select(SalesCase.customer_id.label("customer_id")).where(_open_case()).distinct().subquery()
    cid = open_cases.c.customer_id
    won = select(SalesCase.id).where(
        SalesCase.customer_id == cid, SalesCase.status == CaseStatus.WON, SalesCase.deleted_at.is_(None)
    )
    return select(cid).where(
        cid.not_in(hidden_customer_ids(actor)),
        ~exists(select(Invoice.id).where(Invoice.customer_id == cid, counts_as_invoicing())),
        ~exists(won),
        ~exists(select(Project.id).where(Project.customer_id == cid, Project.internal.is_(False))),
    )


async def active_customers_count(session: AsyncSession, actor: Actor) -> int:
    sub = _active_customer_ids(actor).subquery()
    return int((await session.execute(select(func.count()).select_from(sub))).scalar_one())


async def prospects_in_progress_count(session: AsyncSession, actor: Actor) -> int:
    sub = _prospect_ids(actor).subquery()
    return int((await session.execute(select(func.count()).select_from(sub))).scalar_one())


async def _customers_in(session: AsyncSession, actor: Actor, ids: Select[int], limit: int) -> list[Customer]:
    rows = await session.execute(
        select(Customer)
        .where(Customer.id.in_(ids), customer_visible(actor))
        .order_by(Customer.name)
        .limit(limit)
    )
    return list(rows.scalars())


async def active_customers(session: AsyncSession, actor: Actor, *, limit: int = 50) -> list[Customer]:
    return await _customers_in(session, actor, _active_customer_ids(actor), limit)


async def prospects_in_progress(session: AsyncSession, actor: Actor, *, limit: int = 50) -> list[Customer]:
    return await _customers_in(session, actor, _prospect_ids(actor), limit)


@dataclass(frozen=True)
class KpiSummary:
    today: date
    invoicing_this_year: Decimal
    costs_this_year: Decimal
    invoicing_this_month: Decimal
    invoicing_last_month: Decimal
    active_customers: int
    prospects_in_progress: int

    @property
    def margin_this_year(self) -> Decimal:
        return self.invoicing_this_year - self.costs_this_year

    @property
    def month_change(self) -> Decimal | None:
        """This month relative to last month, as a fraction (None when last month had nothing)."""
        if not self.invoicing_last_month:
            return None
        return (self.invoicing_this_month - self.invoicing_last_month) / self.invoicing_last_month


async def kpi_summary(session: AsyncSession, actor: Actor, *, now: datetime | None = None) -> KpiSummary:
    today = periods.local_today(now or utcnow(), actor.tz)
    year, month, last_month = await invoicing_by_period(
        session, actor, [periods.year(today), periods.month(today), periods.previous_month(today)]
    )
    return KpiSummary(
        today=today,
        invoicing_this_year=year,
        costs_this_year=await costs(session, actor, periods.year(today)),
        invoicing_this_month=month,
        invoicing_last_month=last_month,
        active_customers=await active_customers_count(session, actor),
        prospects_in_progress=await prospects_in_progress_count(session, actor),
    )
