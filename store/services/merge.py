"""Merging duplicate customers and contacts (SPEC §3): every link moves to the survivor, nothing is lost,
and a MergeRecord says what moved."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from store.actor import Actor
from store.errors import InvalidInput
from store.models import (
    Activity,
    Address,
    Contact,
    ContactEmail,
    ContactPhone,
    ContactRole,
    Email,
    Invoice,
    MergeKind,
    MergeRecord,
    Project,
    SalesCase,
    activity_contacts,
    contact_keywords,
    customer_groupings,
    customer_keywords,
    email_contacts,
)
from store.services.contacts import get_contact
from store.services.customers import get_customer, require_writer
from store.types import utcnow

_CUSTOMER_FILLABLE = (
    "first_name",
    "industry_id",
    "employees",
    "revenue",
    "website",
    "vat_number",
    "rating",
    "description",
    "payment_terms_days",
    "invoice_template",
    "price_list",
    "e_invoice_address",
    "relation_level",
    "relation_type",
)


def _snapshot(obj: Any, names: tuple[str, ...]) -> dict[str, Any]:
    out = {}
    for n in names:
        v = getattr(obj, n)
        out[n] = v if v is None or isinstance(v, int | str | bool) else str(v)
    return out


async def _move(session: AsyncSession, model: Any, column: str, old: int, new: int) -> list[int]:
    col = getattr(model, column)
    ids = list((await session.execute(select(model.id).where(col == old))).scalars())
    if ids:
        await session.execute(
            update(model).where(col == old).values({column: new}).execution_options(synchronize_session=False)
        )
    return ids


async def _move_links(
    session: AsyncSession, table: Table, key: str, other: str, old: int, new: int
) -> list[int]:
    """Move rows of a link table from `old` to `new`, skipping links the survivor already has."""
    k, o = table.c[key], table.c[other]
    moving = list((await session.execute(select(o).where(k == old))).scalars())
    have = set((await session.execute(select(o).where(k == new))).scalars())
    fresh = [x for x in moving if x not in have]
    if fresh:
        await session.execute(insert(table), [{key: new, other: x} for x in fresh])
    await session.execute(delete(table).where(k == old))
    return moving


async def merge_customers(
    session: AsyncSession, actor: Actor, survivor_id: int, merged_id: int
) -> MergeRecord:
    require_writer(actor)
    if survivor_id == merged_id:
        raise InvalidInput("A customer cannot be merged into itself.", key="customer.merge_self")
    survivor = await get_customer(session, actor, survivor_id)
    merged = await get_customer(session, actor, merged_id)
    snapshot = _snapshot(
        merged,
        ("customer_number", "name", "org_number", "org_country", "kind", "owner_id", *_CUSTOMER_FILLABLE),
    )
    moved: dict[str, list[int]] = {}
    for model, name in (
        (Contact, "contacts"),
        (Activity, "activities"),
        (Email, "emails"),
        (SalesCase, "sales_cases"),
        (Project, "projects"),
        (Invoice, "invoices"),
    ):
        moved[name] = await _move(session, model, "customer_id", merged.id, survivor.id)
    # The merged customer's head office becomes an ordinary address of the survivor.
    await session.execute(
        update(Address)
        .where(Address.customer_id == merged.id)
        .values(is_head_office=False)
        .execution_options(synchronize_session=False)
    )
    moved["addresses"] = await _move(session, Address, "customer_id", merged.id, survivor.id)
    moved["keywords"] = await _move_links(
        session, customer_keywords, "customer_id", "keyword_id", merged.id, survivor.id
    )
    moved["groupings"] = await _move_links(
        session, customer_groupings, "customer_id", "choice_id", merged.id, survivor.id
    )

    for name in _CUSTOMER_FILLABLE:
        if getattr(survivor, name) in (None, "") and getattr(merged, name) not in (None, ""):
            setattr(survivor, name, getattr(merged, name))
    take_org = survivor.org_number is None and merged.org_number is not None
    org = (merged.org_number, merged.org_country)
    merged.org_number, merged.org_country = None, None  # frees the unique (country, number) for the survivor
    merged.deleted_at = utcnow()
    merged.merged_into_id = survivor.id
    await session.flush()
    if take_org:
        survivor.org_number, survivor.org_country = org
    record = MergeRecord(
        kind=MergeKind.CUSTOMER,
        survivor_id=survivor.id,
        merged_id=merged.id,
        merged_snapshot=snapshot,
        moved=moved,
        created_by_id=actor.user_id,
    )
    session.add(record)
    await session.flush()
    await session.refresh(survivor, ["addresses"])
    if not any(a.is_head_office for a in survivor.addresses) and survivor.addresses:
        survivor.addresses[0].is_head_office = True  # survivor had no address: keep exactly one head office
        await session.flush()
    return record


async def merge_contacts(
    session: AsyncSession, actor: Actor, survivor_id: int, merged_id: int
) -> MergeRecord:
    require_writer(actor)
    if survivor_id == merged_id:
        raise InvalidInput("A contact cannot be merged into itself.", key="contact.merge_self")
    survivor = await get_contact(session, actor, survivor_id)
    merged = await get_contact(session, actor, merged_id)
    snapshot = _snapshot(merged, ("first_name", "last_name", "title", "customer_id", "owner_id"))
    snapshot["emails"] = [e.email for e in merged.emails]
    snapshot["phones"] = [p.number for p in merged.phones]
    moved: dict[str, list[int]] = {}

    have_emails = {e.email for e in survivor.emails}
    moved["contact_emails"] = []
    for e in list(merged.emails):
        if e.email not in have_emails:
            survivor.emails.append(ContactEmail(email=e.email, is_primary=False))
            moved["contact_emails"].append(e.id)
    have_phones = {p.number for p in survivor.phones}
    for p in merged.phones:
        if p.number not in have_phones:
            survivor.phones.append(ContactPhone(number=p.number, kind=p.kind))
    have_roles = {r.role for r in survivor.roles}
    for r in merged.roles:
        if r.role not in have_roles:
            survivor.roles.append(ContactRole(role=r.role))
    if not survivor.title and merged.title:
        survivor.title = merged.title
    if survivor.customer_id is None and merged.customer_id is not None:
        survivor.customer_id, survivor.address_id = merged.customer_id, merged.address_id
    moved["activities"] = await _move_links(
        session, activity_contacts, "contact_id", "activity_id", merged.id, survivor.id
    )
    moved["emails"] = await _move_links(
        session, email_contacts, "contact_id", "email_id", merged.id, survivor.id
    )
    moved["keywords"] = await _move_links(
        session, contact_keywords, "contact_id", "keyword_id", merged.id, survivor.id
    )
    merged.deleted_at = utcnow()
    merged.merged_into_id = survivor.id
    record = MergeRecord(
        kind=MergeKind.CONTACT,
        survivor_id=survivor.id,
        merged_id=merged.id,
        merged_snapshot=snapshot,
        moved=moved,
        created_by_id=actor.user_id,
    )
    session.add(record)
    await session.flush()
    return record
