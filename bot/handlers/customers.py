"""`customer add|show|find|edit`: thin handlers over store.services.customers."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession

from bot.commands import Command
from bot.context import Context
from bot.i18n import error_text, say
from bot.replies import CustomerCardReply, CustomerList, Reply, Text, Tone
from registry.model import RegisterUnit
from registry.orgnr import OrgNumber
from store.errors import Ambiguous, DuplicateCustomer, InvalidInput, NotFound, SimilarCustomersExist
from store.models import CustomerKind
from store.services import customers, register

PAGE = 10
OWNER_ONLY = frozenset({"owner-only", "owner only", "only me", "hidden"})
SHARED = frozenset({"shared", "everyone", "visible", "public"})
ORG_LIKE = re.compile(r"^(org(nr)?\.?\s*)?[\d][\d \-.]{6,}[\d]$", re.IGNORECASE)


async def with_customer(
    ctx: Context, reference: str, then: Callable[[int], Awaitable[list[Reply]]]
) -> list[Reply]:
    """Resolve a customer the user named; when several match, ask which, then continue with `then`."""
    _require_reference(ctx, reference)
    try:
        async with ctx.store.reading() as s:
            customer = await customers.resolve_customer(s, ctx.actor, reference)
    except (Ambiguous, NotFound) as exc:
        return _unresolved(ctx, reference, exc, then)
    return await then(customer.id)


def _require_reference(ctx: Context, reference: str) -> None:
    if not reference.strip():
        raise InvalidInput(say(ctx.lang, "customer.which"))


def _unresolved(
    ctx: Context, reference: str, exc: Ambiguous | NotFound, then: Callable[[int], Awaitable[list[Reply]]]
) -> list[Reply]:
    """Several customers match (ask which, then `then`), or none does."""
    if isinstance(exc, Ambiguous):
        question = say(ctx.lang, "ask.which_customer", reference=reference.strip())
        return [ctx.ask_choice(question, exc.choices, then)]
    return [Text(say(ctx.lang, "not_found.customer", reference=reference.strip()), Tone.ERROR)]


async def show(ctx: Context, command: Command) -> list[Reply]:
    """`with_customer` then `card`, but in one read transaction: the card is the reply people ask for most."""
    reference = command.rest
    _require_reference(ctx, reference)
    try:
        async with ctx.store.reading() as s:
            customer = await customers.resolve_customer(s, ctx.actor, reference)
            return await _card(ctx, s, customer.id)
    except (Ambiguous, NotFound) as exc:
        return _unresolved(ctx, reference, exc, lambda cid: card(ctx, cid))


async def card(ctx: Context, customer_id: int) -> list[Reply]:
    async with ctx.store.reading() as s:
        return await _card(ctx, s, customer_id)


async def _card(ctx: Context, session: AsyncSession, customer_id: int) -> list[Reply]:
    the_card = await customers.customer_card(session, ctx.actor, customer_id)
    return [CustomerCardReply(the_card, customers.display_org(the_card.customer))]


async def find(ctx: Context, command: Command, *, offset: int = 0) -> list[Reply]:
    """Customers first; units of the local register that are not customers yet after them (SPEC §4)."""
    async with ctx.store.reading() as s:
        hits = await customers.find_customers(s, ctx.actor, command.rest, limit=PAGE + 1, offset=offset)
        known = {(h.customer.org_country, h.customer.org_number) for h in hits}
        units = [
            u
            for u in await register.search_local(s, command.rest, limit=5)
            if (u.country, u.number) not in known
        ]
        taken = await customers.orgs_of_visible_customers(s, ctx.actor, [_org(u) for u in units])
        units = [u for u in units if _org(u) not in taken]
    if not hits and not units:
        return [Text(say(ctx.lang, "customer.none_found", query=command.rest))]
    return [
        CustomerList(command.rest, hits[:PAGE], offset=offset, more=len(hits) > PAGE, register_hits=units)
    ]


def _org(unit: RegisterUnit) -> OrgNumber:
    return OrgNumber(unit.country, unit.number)


def _customer_field(text: str) -> tuple[str, object] | None:
    """One field of `customer add` or `customer edit` as (name, value): a kind, `owner-only`, `country SE`, an
    organisation number or a website; None when it is none of these."""
    low = text.lower()
    if low in {k.value for k in CustomerKind}:
        return "kind", low
    if low in OWNER_ONLY:
        return "visibility", "owner"
    if low.startswith("country "):
        return "country", text.split(None, 1)[1].upper()
    if ORG_LIKE.match(text):
        return "org_number", re.sub(r"^org(nr)?\.?\s*", "", text, flags=re.IGNORECASE)
    if "." in text and " " not in text and "@" not in text:
        return "website", text if low.startswith("http") else f"https://{text}"
    return None


def _kinds() -> str:
    return ", ".join(sorted(k.value for k in CustomerKind))


def parse_add(command: Command, lang: str) -> tuple[str, dict[str, object]]:
    if not command.fields or not command.fields[0]:
        raise InvalidInput(say(lang, "customer.add_usage"))
    name, options = command.fields[0], dict[str, object]()
    for raw in command.fields[1:]:
        text = raw.strip()
        if not text:
            continue
        field = _customer_field(text)
        if field is None:
            raise InvalidInput(say(lang, "customer.add_unclear", text=text, kinds=_kinds()))
        options[field[0]] = field[1]
    return name, options


async def add(ctx: Context, command: Command) -> list[Reply]:
    name, options = parse_add(command, ctx.lang)
    return await _create(ctx, name, options, allow_similar=False)


async def _create(ctx: Context, name: str, options: dict[str, object], *, allow_similar: bool) -> list[Reply]:
    try:
        async with ctx.store.transaction() as s:
            created = await customers.create_customer(
                s,
                ctx.actor,
                name,
                allow_similar=allow_similar,
                **options,  # type: ignore[arg-type]
            )
    except SimilarCustomersExist as exc:

        async def create_anyway() -> list[Reply]:
            return await _create(ctx, name, options, allow_similar=True)

        return [
            Text(error_text(ctx.lang, exc)),
            ctx.ask_yes_no(say(ctx.lang, "customer.create_anyway", name=name), create_anyway),
        ]
    except DuplicateCustomer as exc:
        if exc.existing_id is None:
            return [Text(error_text(ctx.lang, exc), Tone.ERROR)]
        existing = exc.existing_id

        async def open_existing() -> list[Reply]:
            return await card(ctx, existing)

        return [
            Text(error_text(ctx.lang, exc), Tone.ERROR),
            ctx.ask_yes_no(say(ctx.lang, "customer.open_existing"), open_existing),
        ]
    org = customers.display_org(created)
    key = "customer.created_org" if org else "customer.created"
    return [
        Text(say(ctx.lang, key, name=created.name, number=created.customer_number, org=org), Tone.SUCCESS)
    ]


def parse_edit(command: Command, lang: str) -> tuple[str, dict[str, object]]:
    """`customer edit Acme AS, name Acme Group AS, org 923 609 016, partner, shared, acme.no`."""
    if not command.fields or not command.fields[0]:
        raise InvalidInput(say(lang, "customer.edit_usage"))
    reference, changes = command.fields[0], dict[str, object]()
    for raw in command.fields[1:]:
        text = raw.strip()
        low = text.lower()
        if not text:
            continue
        if low.startswith("name "):
            changes["name"] = text[5:].strip()
        elif low in ("org none", "org -", "no org"):
            changes["org_number"] = None
        elif low in SHARED:
            changes["visibility"] = "everyone"
        elif low in ("website none", "no website"):
            changes["website"] = None
        elif (field := _customer_field(text)) is not None:
            changes[field[0]] = field[1]
        else:
            raise InvalidInput(say(lang, "customer.edit_unclear", text=text, kinds=_kinds()))
    return reference, changes


async def edit(ctx: Context, command: Command) -> list[Reply]:
    reference, changes = parse_edit(command, ctx.lang)
    if not changes:
        raise InvalidInput(say(ctx.lang, "customer.edit_nothing"))

    async def apply(customer_id: int) -> list[Reply]:
        try:
            async with ctx.store.transaction() as s:
                before = await customers.get_customer(s, ctx.actor, customer_id)
                old_name = before.name
                updated = await customers.update_customer(s, ctx.actor, customer_id, changes)
                name, number = updated.name, updated.customer_number
        except DuplicateCustomer as exc:
            return [Text(error_text(ctx.lang, exc), Tone.ERROR)]
        key = "customer.updated_renamed" if name != old_name else "customer.updated"
        done = say(
            ctx.lang, key, name=name, number=number, old_name=old_name, changes=_changed(ctx.lang, changes)
        )
        return [Text(done, Tone.SUCCESS)]

    return await with_customer(ctx, reference, apply)


def _changed(lang: str, changes: dict[str, object]) -> str:
    labels = {"name": "field.name", "org_number": "field.org_number", "country": "field.country",
              "kind": "field.kind", "visibility": "field.visibility", "website": "field.website"}  # fmt: skip
    return ", ".join(say(lang, labels[key]) for key in changes if key in labels)
