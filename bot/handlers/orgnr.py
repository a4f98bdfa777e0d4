"""`org NUMBER`: the register card, then "Add as customer" (prefilled, through the duplicate check) or
"Open existing customer" (SPEC §3, §4)."""

from __future__ import annotations

from bot.commands import Command
from bot.context import Context
from bot.handlers.customers import card
from bot.replies import RegisterCard, Reply, Text, Tone
from registry.lookup import lookup
from registry.model import LookupStatus, RegisterUnavailable, RegisterUnit
from registry.orgnr import OrgNumber
from store import validation
from store.errors import DuplicateCustomer, InvalidInput, SimilarCustomersExist
from store.services import customers, prefill


async def show(ctx: Context, command: Command) -> list[Reply]:
    if not command.rest:
        raise InvalidInput("Give an organisation number: `org 923 609 016`.")
    org = validation.org_number(command.rest)
    async with ctx.store.reading() as s:
        check = await customers.check_duplicates(s, ctx.actor, None, org)
    if check.existing is not None:
        existing = check.existing.id

        async def open_existing() -> list[Reply]:
            return await card(ctx, existing)

        return [
            Text(f"{check.existing.name} (#{check.existing.customer_number}) already has {org.formatted}."),
            ctx.ask_yes_no("Open the existing customer?", open_existing),
        ]
    if check.existing_hidden:
        return [Text(f"{org.formatted} is already registered on a customer you cannot see.", Tone.ERROR)]
    try:
        found = await lookup(ctx.store, ctx.registers, org)
    except RegisterUnavailable as exc:
        return [
            Text(
                f"{exc} Try again later, or add it by hand: `customer add NAME, {org.formatted}`.", Tone.ERROR
            )
        ]
    result = found.result
    if result.status is LookupStatus.REMOVED:
        when = f" on {result.removed_on:%d.%m.%Y}" if result.removed_on else ""
        return [Text(f"{org.formatted} was removed from the register{when}.")]
    if result.unit is None:
        if found.source == "none":
            return [
                Text(
                    f"{org.formatted} is a valid {org.country} number; there is no online register for "
                    f"{org.country}, and the local register does not have it."
                )
            ]
        return [Text(f"{org.formatted} is a valid number, but the register does not know it.")]
    unit = result.unit
    replies: list[Reply] = [RegisterCard(unit, org.formatted, found.source)]
    if unit.deleted_on is None:
        replies.append(ctx.ask_yes_no(f"Add {unit.name} as a customer?", lambda: _add(ctx, unit, org)))
    return replies


async def _add(
    ctx: Context, unit: RegisterUnit, org: OrgNumber, *, allow_similar: bool = False
) -> list[Reply]:
    try:
        async with ctx.store.transaction() as s:
            created = await prefill.create_customer_from_register(
                s, ctx.actor, unit, allow_similar=allow_similar
            )
    except SimilarCustomersExist as exc:
        return [
            Text(str(exc)),
            ctx.ask_yes_no(f"Add {unit.name} anyway?", lambda: _add(ctx, unit, org, allow_similar=True)),
        ]
    except DuplicateCustomer as exc:
        return [Text(str(exc), Tone.ERROR)]
    return [
        Text(
            f"Created {created.name} (#{created.customer_number}, org {org.formatted}) from the register.",
            Tone.SUCCESS,
        ),
        *await card(ctx, created.id),
    ]
