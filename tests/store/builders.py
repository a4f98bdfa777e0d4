"""Small builders for KPI and dashboard fixtures: customers, projects, invoices, costs and sales cases.

Projects, invoices and costs have no service, so they are added to the session as model objects. Every
builder works inside a session the test opens (`async with store.transaction() as s:`), so a fixture of
several records is written in one transaction.
"""

from __future__ import annotations

import itertools
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from store.actor import Actor
from store.models import (
    ActivityKind,
    Cost,
    CostKind,
    Invoice,
    InvoiceStatus,
    Project,
    ProjectStatus,
    SalesCase,
)
from store.services import activities, customers, sales
from store.types import utcnow

_invoice_numbers = itertools.count(10001)

# Pass as `number=` to make an invoice without an invoice number.
NO_NUMBER = None
_AUTO = object()


async def customer(
    session: AsyncSession, actor: Actor, name: str, *, created_at: datetime | None = None, **fields: Any
) -> int:
    """A customer created through the service (near names allowed); `created_at` overrides the clock."""
    c = await customers.create_customer(session, actor, name, allow_similar=True, **fields)
    if created_at is not None:
        c.created_at = created_at
        await session.flush()
    return c.id


async def project(
    session: AsyncSession,
    customer_id: int,
    *,
    name: str = "Prosjekt",
    internal: bool = False,
    status: ProjectStatus = ProjectStatus.OPEN,
) -> int:
    p = Project(customer_id=customer_id, name=name, internal=internal, status=status)
    session.add(p)
    await session.flush()
    return p.id


async def invoice(
    session: AsyncSession,
    customer_id: int,
    amount: str,
    on: date,
    *,
    project_id: int | None = None,
    status: InvoiceStatus = InvoiceStatus.SENT,
    number: Any = _AUTO,
) -> int:
    """An invoice; numbered automatically unless `number=NO_NUMBER` (or an explicit number) is given."""
    inv = Invoice(
        customer_id=customer_id,
        project_id=project_id,
        amount=Decimal(amount),
        invoice_date=on,
        status=status,
        number=str(next(_invoice_numbers)) if number is _AUTO else number,
    )
    session.add(inv)
    await session.flush()
    return inv.id


async def cost(
    session: AsyncSession, project_id: int, amount: str, on: date, *, kind: CostKind = CostKind.LABOUR
) -> int:
    c = Cost(project_id=project_id, amount=Decimal(amount), cost_date=on, kind=kind)
    session.add(c)
    await session.flush()
    return c.id


async def case(
    session: AsyncSession, actor: Actor, customer_id: int, value: str = "0", **kwargs: Any
) -> SalesCase:
    """A sales case through the service; kwargs as for create_sales_case (stage, probability, ...)."""
    kwargs.setdefault("name", "Salgsmulighet")
    return await sales.create_sales_case(session, actor, customer_id=customer_id, value=value, **kwargs)


async def soft_delete_case(session: AsyncSession, sales_case: SalesCase) -> None:
    sales_case.deleted_at = utcnow()
    await session.flush()


async def meeting(
    session: AsyncSession, actor: Actor, subject: str, start_at: datetime, **kwargs: Any
) -> int:
    a = await activities.log_activity(
        session, actor, kind=ActivityKind.MEETING, subject=subject, start_at=start_at, **kwargs
    )
    return a.id
