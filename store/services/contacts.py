"""Contacts: add, link, unlink (keeps the contact), delete (explicit), find (SPEC §2)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rapidfuzz import fuzz, process
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from store import validation
from store.actor import Actor
from store.errors import InvalidInput, NotFound, PermissionDenied
from store.models import Contact, ContactEmail, ContactPhone, ContactRole, Visibility
from store.services.customers import get_customer, require_writer
from store.types import utcnow
from store.visibility import contact_visible


def split_name(full_name: str) -> tuple[str, str]:
    """ "Kari Nordmann" -> ("Kari", "Nordmann"); "Nordmann, Kari" -> ("Kari", "Nordmann")."""
    text = validation.required_text(full_name, "contact name")
    if "," in text:
        last, first = (p.strip() for p in text.split(",", 1))
        if first and last:
            return first, last
    parts = text.split(" ")
    return (parts[0], "") if len(parts) == 1 else (" ".join(parts[:-1]), parts[-1])


async def add_contact(
    session: AsyncSession,
    actor: Actor,
    *,
    customer_id: int | None,
    first_name: str,
    last_name: str = "",
    title: str | None = None,
    emails: Sequence[str] = (),
    phones: Sequence[str] = (),
    roles: Sequence[str] = (),
    visibility: Visibility = Visibility.EVERYONE,
    phone_region: str = "NO",
) -> Contact:
    """Add a contact; the first email is primary, the customer's head office is its default address."""
    require_writer(actor)
    first = validation.required_text(first_name, "first name", max_length=100)
    last = validation.optional_text(last_name, "last name", max_length=100) or ""
    clean_emails = list(dict.fromkeys(validation.email_address(e) for e in emails))
    clean_phones = list(dict.fromkeys(validation.phone_number(p, phone_region) for p in phones))
    contact = Contact(
        first_name=first,
        last_name=last,
        title=validation.optional_text(title, "title"),
        owner_id=actor.user_id,
        visibility=Visibility(visibility),
        created_by_id=actor.user_id,
        emails=[ContactEmail(email=e, is_primary=i == 0) for i, e in enumerate(clean_emails)],
        phones=[ContactPhone(number=p) for p in clean_phones],
        roles=[ContactRole(role=r.casefold().strip()) for r in dict.fromkeys(roles) if r.strip()],
    )
    if customer_id is not None:
        customer = await get_customer(session, actor, customer_id)
        contact.customer_id = customer.id
        contact.address_id = customer.head_office.id if customer.head_office else None
    session.add(contact)
    await session.flush()
    return contact


async def get_contact(session: AsyncSession, actor: Actor, contact_id: int) -> Contact:
    contact = (
        await session.execute(
            select(Contact)
            .where(Contact.id == contact_id, contact_visible(actor))
            .options(selectinload(Contact.emails), selectinload(Contact.phones), selectinload(Contact.roles))
        )
    ).scalar_one_or_none()
    if contact is None:
        raise NotFound(f"No contact with id {contact_id}.", key="contact.no_id", contact_id=contact_id)
    return contact


async def link_contact(session: AsyncSession, actor: Actor, contact_id: int, customer_id: int) -> Contact:
    require_writer(actor)
    contact = await get_contact(session, actor, contact_id)
    customer = await get_customer(session, actor, customer_id)
    contact.customer_id = customer.id
    contact.address_id = customer.head_office.id if customer.head_office else None
    await session.flush()
    return contact


async def unlink_contact(session: AsyncSession, actor: Actor, contact_id: int) -> Contact:
    """Remove the contact from its customer; the contact itself, its emails and history stay."""
    require_writer(actor)
    contact = await get_contact(session, actor, contact_id)
    contact.customer_id = None
    contact.address_id = None
    await session.flush()
    return contact


async def delete_contact(session: AsyncSession, actor: Actor, contact_id: int) -> Contact:
    require_writer(actor)
    contact = await get_contact(session, actor, contact_id)
    if not actor.is_admin and contact.owner_id != actor.user_id and contact.visibility is Visibility.OWNER:
        raise PermissionDenied(
            "Only the owner or an admin can delete this contact.", key="contact.delete_denied"
        )
    contact.deleted_at = utcnow()
    await session.flush()
    return contact


async def add_email(
    session: AsyncSession, actor: Actor, contact_id: int, email: str, *, primary: bool = False
) -> Contact:
    require_writer(actor)
    contact = await get_contact(session, actor, contact_id)
    address = validation.email_address(email)
    if any(e.email == address for e in contact.emails):
        raise InvalidInput(
            f"{contact.full_name} already has {address}.",
            field_name="email",
            key="contact.has_email",
            name=contact.full_name,
            address=address,
        )
    if primary:
        for e in contact.emails:
            e.is_primary = False
        await session.flush()
    contact.emails.append(ContactEmail(email=address, is_primary=primary or not contact.emails))
    await session.flush()
    return contact


async def contacts_by_email(session: AsyncSession, actor: Actor, email: str) -> list[Contact]:
    rows = await session.execute(
        select(Contact)
        .join(ContactEmail, ContactEmail.contact_id == Contact.id)
        .where(ContactEmail.email == email.strip().lower(), contact_visible(actor))
    )
    return list(rows.scalars().unique())


async def find_contacts(
    session: AsyncSession, actor: Actor, query: str, *, customer_id: int | None = None, limit: int = 20
) -> list[Contact]:
    """By email (exact) or name (fuzzy), among contacts the actor may see."""
    query = query.strip()
    if not query:
        raise InvalidInput(
            "Say which contact to look for: a name or an email address.", key="contact.find_what"
        )
    if "@" in query:
        return await contacts_by_email(session, actor, query)
    stmt = select(Contact.id, Contact.first_name, Contact.last_name).where(contact_visible(actor))
    if customer_id is not None:
        stmt = stmt.where(Contact.customer_id == customer_id)
    rows = (await session.execute(stmt)).all()
    names = [f"{r.first_name} {r.last_name}".casefold() for r in rows]
    hits = process.extract(query.casefold(), names, scorer=fuzz.WRatio, score_cutoff=75, limit=limit)
    ids = [rows[i].id for _, _, i in hits]
    if not ids:
        return []
    found = {
        c.id: c
        for c in (
            await session.execute(
                select(Contact).where(Contact.id.in_(ids)).options(selectinload(Contact.emails))
            )
        ).scalars()
    }
    return [found[i] for i in ids]


async def contacts_with_role(session: AsyncSession, actor: Actor, role: str) -> list[Contact]:
    """Contacts across customers with a role, e.g. every "decision maker" (SPEC §2.1)."""
    rows = await session.execute(
        select(Contact)
        .join(ContactRole, ContactRole.contact_id == Contact.id)
        .where(ContactRole.role == role.casefold().strip(), contact_visible(actor))
        .options(selectinload(Contact.emails))
        .order_by(func.lower(Contact.last_name))
    )
    return list(rows.scalars().unique())


def contact_fields(contact: Contact) -> dict[str, Any]:
    return {
        "first_name": contact.first_name,
        "last_name": contact.last_name,
        "title": contact.title,
        "customer_id": contact.customer_id,
        "emails": [e.email for e in contact.emails],
        "phones": [p.number for p in contact.phones],
    }
