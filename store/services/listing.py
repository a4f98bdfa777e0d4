"""Whole lists for export (SPEC §9): customers, contacts and activities as flat rows, and invoicing by
month. The same visibility rule as everywhere (store/visibility.py): someone else's owner-only customers and
contacts, and what hangs off them, never appear.

Rows are read as columns, not ORM objects, with the one-to-many parts (emails, phones, roles, an activity's
contacts) in one extra query each, so ten thousand rows take a handful of statements.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from dateutil.relativedelta import relativedelta
from sqlalchemy import ColumnElement, Select, and_, func, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from store import periods
from store.actor import Actor
from store.models import (
    Activity,
    ActivityKind,
    Address,
    Contact,
    ContactEmail,
    ContactPhone,
    ContactRole,
    Country,
    Customer,
    CustomerKind,
    Industry,
    RelationLevel,
    RelationType,
    Source,
    User,
    Visibility,
    activity_contacts,
)
from store.services.kpi import invoicing_by_period
from store.types import utcnow
from store.visibility import contact_visible, customer_visible, hidden_customer_ids


@dataclass(frozen=True)
class CustomerRow:
    id: int
    customer_number: int
    name: str
    org_number: str | None
    org_country: Country | None
    kind: CustomerKind
    owner: str
    visibility: Visibility
    industry: str | None
    relation_level: RelationLevel | None
    relation_type: RelationType | None
    employees: int | None
    revenue: Decimal | None
    website: str | None
    vat_number: str | None
    rating: int | None
    active: bool
    payment_terms_days: int | None
    street: str | None  # the head office's address lines, joined with ", "
    postcode: str | None
    city: str | None
    country: str | None
    created_at: datetime


@dataclass(frozen=True)
class ContactRow:
    id: int
    first_name: str
    last_name: str
    title: str | None
    customer_number: int | None
    customer: str | None
    emails: list[str]  # the primary first
    phones: list[str]
    roles: list[str]
    owner: str
    visibility: Visibility
    created_at: datetime


@dataclass(frozen=True)
class ActivityRow:
    id: int
    kind: ActivityKind
    subject: str
    body: str | None
    start_at: datetime | None
    end_at: datetime | None
    due_date: date | None
    done: bool
    cancelled: bool
    customer_number: int | None
    customer: str | None
    contacts: list[str]  # names of the contacts the actor may see
    owner: str
    assignee: str | None
    source: Source
    created_at: datetime


@dataclass(frozen=True)
class MonthTotal:
    month: date  # the first day of the month
    amount: Decimal


def _ordered(rows: Sequence[Any], ids: Sequence[int] | None) -> list[Any]:
    """Rows in the order of `ids` (a search's ranking), or as read."""
    if ids is None:
        return list(rows)
    by_id = {r.id: r for r in rows}
    return [by_id[i] for i in ids if i in by_id]


async def customer_rows(
    session: AsyncSession, actor: Actor, *, ids: Sequence[int] | None = None, limit: int | None = None
) -> list[CustomerRow]:
    """The customers the actor may see (or those of `ids` among them, in that order), by customer number."""
    owner = aliased(User)
    stmt = (
        select(
            Customer.id,
            Customer.customer_number,
            Customer.name,
            Customer.org_number,
            Customer.org_country,
            Customer.kind,
            owner.name.label("owner"),
            Customer.visibility,
            Industry.name.label("industry"),
            Customer.relation_level,
            Customer.relation_type,
            Customer.employees,
            Customer.revenue,
            Customer.website,
            Customer.vat_number,
            Customer.rating,
            Customer.active,
            Customer.payment_terms_days,
            Address.line1,
            Address.line2,
            Address.line3,
            Address.postcode,
            Address.city,
            Address.country,
            Customer.created_at,
        )
        .join(owner, owner.id == Customer.owner_id)
        .outerjoin(Industry, Industry.id == Customer.industry_id)
        .outerjoin(Address, and_(Address.customer_id == Customer.id, Address.is_head_office.is_(True)))
        .where(customer_visible(actor))
        .order_by(Customer.customer_number)
    )
    if ids is not None:
        stmt = stmt.where(Customer.id.in_(list(ids)))
    if limit is not None:
        stmt = stmt.limit(limit)
    rows = []
    for r in await session.execute(stmt):
        fields = dict(r._mapping)
        lines = (fields.pop("line1"), fields.pop("line2"), fields.pop("line3"))
        fields["street"] = ", ".join(x for x in lines if x) or None
        fields["active"] = bool(fields["active"])
        rows.append(CustomerRow(**fields))
    return _ordered(rows, ids)


async def contact_rows(
    session: AsyncSession,
    actor: Actor,
    *,
    ids: Sequence[int] | None = None,
    customer_id: int | None = None,
    limit: int | None = None,
) -> list[ContactRow]:
    """The contacts the actor may see (of one customer, or those of `ids`), by last and first name."""
    visible: list[ColumnElement[bool]] = [contact_visible(actor)]
    if ids is not None:
        visible.append(Contact.id.in_(list(ids)))
    if customer_id is not None:
        visible.append(Contact.customer_id == customer_id)
    owner = aliased(User)
    stmt = (
        select(
            Contact.id,
            Contact.first_name,
            Contact.last_name,
            Contact.title,
            Customer.customer_number,
            Customer.name,
            owner.name,
            Contact.visibility,
            Contact.created_at,
        )
        .join(owner, owner.id == Contact.owner_id)
        .outerjoin(Customer, Customer.id == Contact.customer_id)
        .where(*visible)
        .order_by(func.lower(Contact.last_name), func.lower(Contact.first_name), Contact.id)
    )
    if limit is not None:
        stmt = stmt.limit(limit)
    found = (await session.execute(stmt)).all()
    chosen: Select[Any] = select(Contact.id).where(*visible)
    if limit is not None:
        chosen = select(Contact.id).where(Contact.id.in_([r[0] for r in found]))
    emails = await _grouped(
        session,
        select(ContactEmail.contact_id, ContactEmail.email)
        .where(ContactEmail.contact_id.in_(chosen))
        .order_by(ContactEmail.contact_id, ContactEmail.is_primary.desc(), ContactEmail.id),
    )
    phones = await _grouped(
        session,
        select(ContactPhone.contact_id, ContactPhone.number)
        .where(ContactPhone.contact_id.in_(chosen))
        .order_by(ContactPhone.contact_id, ContactPhone.id),
    )
    roles = await _grouped(
        session,
        select(ContactRole.contact_id, ContactRole.role)
        .where(ContactRole.contact_id.in_(chosen))
        .order_by(ContactRole.contact_id, ContactRole.role),
    )
    rows = [
        ContactRow(
            r[0],
            r[1],
            r[2],
            r[3],
            r[4],
            r[5],
            emails.get(r[0], []),
            phones.get(r[0], []),
            roles.get(r[0], []),
            r[6],
            r[7],
            r[8],
        )
        for r in found
    ]
    return _ordered(rows, ids)


async def _grouped(session: AsyncSession, stmt: Select[int, str]) -> dict[int, list[str]]:
    grouped: dict[int, list[str]] = defaultdict(list)
    for key, value in await session.execute(stmt):
        grouped[key].append(value)
    return grouped


def activity_visible(actor: Actor) -> ColumnElement[bool]:
    """Live activities on customers the actor may see; an activity without a customer only for its owner
    and assignee (and admins)."""
    without_customer = (
        true()
        if actor.is_admin
        else or_(Activity.owner_id == actor.user_id, Activity.assignee_id == actor.user_id)
    )
    return and_(
        Activity.deleted_at.is_(None),
        or_(
            and_(Activity.customer_id.is_(None), without_customer),
            Activity.customer_id.not_in(hidden_customer_ids(actor)),
        ),
    )


async def activity_rows(
    session: AsyncSession,
    actor: Actor,
    *,
    customer_id: int | None = None,
    since: datetime | None = None,
    limit: int | None = None,
) -> list[ActivityRow]:
    """The activities the actor may see (of one customer), newest first."""
    conditions = [activity_visible(actor)]
    if customer_id is not None:
        conditions.append(Activity.customer_id == customer_id)
    when = func.coalesce(Activity.start_at, Activity.created_at)
    if since is not None:
        conditions.append(when >= since)
    owner, assignee = aliased(User), aliased(User)
    stmt = (
        select(
            Activity.id,
            Activity.kind,
            Activity.subject,
            Activity.body,
            Activity.start_at,
            Activity.end_at,
            Activity.due_date,
            Activity.done,
            Activity.cancelled,
            Customer.customer_number,
            Customer.name,
            owner.name,
            assignee.name,
            Activity.source,
            Activity.created_at,
        )
        .join(owner, owner.id == Activity.owner_id)
        .outerjoin(assignee, assignee.id == Activity.assignee_id)
        .outerjoin(Customer, Customer.id == Activity.customer_id)
        .where(*conditions)
        .order_by(when.desc(), Activity.id.desc())
    )
    if limit is not None:
        stmt = stmt.limit(limit)
    found = (await session.execute(stmt)).all()
    chosen: Select[Any] = select(Activity.id).where(*conditions)
    if limit is not None:
        chosen = select(Activity.id).where(Activity.id.in_([r[0] for r in found]))
    names: dict[int, list[str]] = defaultdict(list)
    people = await session.execute(
        select(activity_contacts.c.activity_id, Contact.first_name, Contact.last_name)
        .join(Contact, Contact.id == activity_contacts.c.contact_id)
        .where(activity_contacts.c.activity_id.in_(chosen), contact_visible(actor))
        .order_by(activity_contacts.c.activity_id, Contact.last_name, Contact.first_name)
    )
    for activity_id, first, last in people:
        names[activity_id].append(f"{first} {last}".strip())
    return [
        ActivityRow(
            r[0],
            r[1],
            r[2],
            r[3],
            r[4],
            r[5],
            r[6],
            bool(r[7]),
            bool(r[8]),
            r[9],
            r[10],
            names.get(r[0], []),
            r[11],
            r[12],
            r[13],
            r[14],
        )
        for r in found
    ]


def last_months(today: date, count: int = 12) -> list[periods.Period]:
    """The `count` calendar months up to and including today's, oldest first."""
    first = periods.month(today).start
    return [periods.month(first - relativedelta(months=n)) for n in range(count - 1, -1, -1)]


async def invoicing_by_month(
    session: AsyncSession, actor: Actor, *, now: datetime | None = None, months: int = 12
) -> list[MonthTotal]:
    """Invoicing (as the KPIs count it) in each of the last `months` months, this month included."""
    today = periods.local_today(now or utcnow(), actor.tz)
    spans = last_months(today, months)
    amounts = await invoicing_by_period(session, actor, spans)
    return [MonthTotal(p.start, amount) for p, amount in zip(spans, amounts, strict=True)]
