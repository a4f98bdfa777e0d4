"""`org NUMBER`: the register card, then "Add as customer" (prefilled, through the duplicate check) or
"Open existing customer" (SPEC §3, §4)."""

from __future__ import annotations

from bot.commands import Command
from bot.context import Context
from bot.handlers.customers import card
from bot.i18n import error_text, say
from bot.replies import RegisterCard, Reply, Text, Tone
from registry.lookup import lookup
from registry.model import LookupStatus, RegisterUnavailable, RegisterUnit
from registry.orgnr import OrgNumber
from store import validation
from store.errors import DuplicateCustomer, InvalidInput, SimilarCustomersExist
from store.services import customers, prefill


async def show(ctx: Context, command: Command) -> list[Reply]:
    if not command.rest:
        raise InvalidInput(say(ctx.lang, "org.usage"))
    org = validation.org_number(command.rest)
    async with ctx.store.reading() as s:
        check = await customers.check_duplicates(s, ctx.actor, None, org)
    if check.existing is not None:
        existing = check.existing.id

        async def open_existing() -> list[Reply]:
            return await card(ctx, existing)

        taken = say(
            ctx.lang,
            "org.taken",
            name=check.existing.name,
            number=check.existing.customer_number,
            org=org.formatted,
        )
        return [Text(taken), ctx.ask_yes_no(say(ctx.lang, "customer.open_existing"), open_existing)]
    if check.existing_hidden:
        return [Text(say(ctx.lang, "org.hidden", org=org.formatted), Tone.ERROR)]
    try:
        found = await lookup(ctx.store, ctx.registers, org)
    except RegisterUnavailable as exc:
        return [
            Text(
                say(ctx.lang, "org.unavailable", error=error_text(ctx.lang, exc), org=org.formatted),
                Tone.ERROR,
            )
        ]
    result = found.result
    if result.status is LookupStatus.REMOVED:
        if result.removed_on:
            return [Text(say(ctx.lang, "org.removed_on", org=org.formatted, date=result.removed_on))]
        return [Text(say(ctx.lang, "org.removed", org=org.formatted))]
    if result.unit is None:
        if found.source == "none":
            return [Text(say(ctx.lang, "org.no_register", org=org.formatted, country=org.country))]
        return [Text(say(ctx.lang, "org.unknown", org=org.formatted))]
    unit = result.unit
    replies: list[Reply] = [RegisterCard(unit, org.formatted, found.source)]
    if unit.deleted_on is None:
        replies.append(ctx.ask_yes_no(say(ctx.lang, "org.add", name=unit.name), lambda: _add(ctx, unit, org)))
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
            Text(error_text(ctx.lang, exc)),
            ctx.ask_yes_no(
                say(ctx.lang, "org.add_anyway", name=unit.name),
                lambda: _add(ctx, unit, org, allow_similar=True),
            ),
        ]
    except DuplicateCustomer as exc:
        return [Text(error_text(ctx.lang, exc), Tone.ERROR)]
    done = say(ctx.lang, "org.created", name=created.name, number=created.customer_number, org=org.formatted)
    return [Text(done, Tone.SUCCESS), *await card(ctx, created.id)]
