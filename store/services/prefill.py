"""A customer from a register entry (SPEC §3 register prefill): name, organisation number, addresses,
industry, size and website, through the same duplicate check as any other new customer."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from registry.model import RegisterAddress, RegisterUnit
from store.actor import Actor
from store.errors import InvalidInput
from store.models import Customer, Industry
from store.services import addresses, customers


async def industry_for(session: AsyncSession, code: str | None, name: str | None) -> int | None:
    """The industry-list entry with the register's code, added to the list when it is not there yet."""
    if not code:
        return None
    found = (await session.execute(select(Industry).where(Industry.code == code))).scalar_one_or_none()
    if found is None:
        label = name or code
        if (await session.execute(select(Industry.id).where(Industry.name == label))).first():
            label = f"{label} ({code})"
        found = Industry(code=code, name=label)
        session.add(found)
        await session.flush()
    return found.id


def _lines(address: RegisterAddress) -> list[str]:
    return [line for line in address.lines if line][:3]


async def create_customer_from_register(
    session: AsyncSession, actor: Actor, unit: RegisterUnit, *, allow_similar: bool = False
) -> Customer:
    if unit.deleted_on is not None:
        raise InvalidInput(
            f"{unit.name} was deleted from the register on {unit.deleted_on:%d.%m.%Y}.",
            key="org.deleted_unit",
            name=unit.name,
            date=unit.deleted_on,
        )
    customer = await customers.create_customer(
        session,
        actor,
        unit.name,
        org_number=unit.number,
        country=unit.country,
        allow_similar=allow_similar,
        website=unit.website,
        employees=unit.employees,
        industry=await industry_for(session, unit.industry_code, unit.industry_name),
    )
    business, postal = unit.business_address, unit.postal_address
    # The business address is the head office (a visiting address); a different postal address is added.
    wanted = [(business, "visiting"), (postal if postal != business else None, "postal")]
    for address, role in wanted:
        if address is not None and (address.lines or address.city):
            await addresses.add_address(
                session,
                actor,
                customer.id,
                lines=_lines(address),
                postcode=address.postcode,
                city=address.city,
                country=address.country_code or unit.country,
                roles=(role,),
                head_office=role == "visiting",
            )
    return customer
