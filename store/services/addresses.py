"""Addresses with the head-office rule: exactly one head office per customer once it has an address."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from store import validation
from store.actor import Actor
from store.errors import InvalidInput, NotFound
from store.models import Address
from store.services.customers import get_customer, require_writer

ROLES = ("postal", "visiting", "billing", "delivery", "attestation")


async def add_address(
    session: AsyncSession,
    actor: Actor,
    customer_id: int,
    *,
    lines: list[str],
    postcode: str | None = None,
    city: str | None = None,
    country: str = "NO",
    roles: tuple[str, ...] = ("postal",),
    head_office: bool = False,
) -> Address:
    """Add an address; the first one becomes the head office, and `head_office=True` moves it here."""
    require_writer(actor)
    customer = await get_customer(session, actor, customer_id)
    clean_lines = [x for x in (validation.optional_text(line, "street line") for line in lines) if x]
    if not clean_lines and not city:
        raise InvalidInput(
            "An address needs at least a street line or a city.", field_name="address", key="address.empty"
        )
    if len(clean_lines) > 3:
        raise InvalidInput(
            "An address has at most three street lines.", field_name="address", key="address.too_many_lines"
        )
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise InvalidInput(
            f"Unknown address role {sorted(unknown)[0]!r}; use {', '.join(ROLES)}.",
            key="address.bad_role",
            role=sorted(unknown)[0],
            roles=", ".join(ROLES),
        )
    country = (country or "NO").upper()
    if len(country) != 2 or not country.isalpha():
        raise InvalidInput(
            f"{country!r} is not a two-letter country code.",
            field_name="country",
            key="address.bad_country",
            country=country,
        )
    first = not customer.addresses
    if head_office and not first:
        await _clear_head_office(session, customer.id)
    padded = [*clean_lines, None, None, None]
    address = Address(
        customer_id=customer.id,
        line1=padded[0],
        line2=padded[1],
        line3=padded[2],
        postcode=validation.optional_text(postcode, "postcode", max_length=20),
        city=validation.optional_text(city, "city", max_length=100),
        country=country,
        is_head_office=first or head_office,
        created_by_id=actor.user_id,
        **{f"is_{r}": True for r in roles},
    )
    session.add(address)
    await session.flush()
    await session.refresh(customer, ["addresses"])
    return address


async def _clear_head_office(session: AsyncSession, customer_id: int) -> None:
    await session.execute(
        update(Address)
        .where(Address.customer_id == customer_id, Address.is_head_office.is_(True))
        .values(is_head_office=False)
        .execution_options(synchronize_session="fetch")
    )


async def set_head_office(session: AsyncSession, actor: Actor, address_id: int) -> Address:
    require_writer(actor)
    address = await session.get(Address, address_id)
    if address is None:
        raise NotFound(f"No address with id {address_id}.", key="address.no_id", address_id=address_id)
    await get_customer(session, actor, address.customer_id)  # visibility
    if not address.is_head_office:
        await _clear_head_office(session, address.customer_id)
        await session.flush()
        address.is_head_office = True
        await session.flush()
    return address


async def remove_address(session: AsyncSession, actor: Actor, address_id: int) -> None:
    """Remove an address; if it was the head office, the oldest remaining address takes over."""
    require_writer(actor)
    address = await session.get(Address, address_id)
    if address is None:
        raise NotFound(f"No address with id {address_id}.", key="address.no_id", address_id=address_id)
    await get_customer(session, actor, address.customer_id)
    was_head, customer_id = address.is_head_office, address.customer_id
    await session.delete(address)
    await session.flush()
    if was_head:
        successor = (
            await session.execute(
                select(Address).where(Address.customer_id == customer_id).order_by(Address.id).limit(1)
            )
        ).scalar_one_or_none()
        if successor is not None:
            successor.is_head_office = True
            await session.flush()
