"""`contact add`: thin handler over store.services.contacts."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.commands import Command
from bot.context import Context
from bot.handlers.customers import with_customer
from bot.i18n import say
from bot.replies import Reply, Text, Tone
from store import validation
from store.errors import InvalidInput
from store.services import contacts, customers

PHONE_LIKE = re.compile(r"^\+?[\d\s\-()]{5,}$")


@dataclass
class ContactDraft:
    customer_ref: str
    full_name: str
    emails: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    title: str | None = None


def parse_add(command: Command, lang: str) -> ContactDraft:
    if len(command.fields) < 2 or not command.fields[1]:
        raise InvalidInput(say(lang, "contact.add_usage"))
    draft = ContactDraft(command.fields[0], command.fields[1])
    for raw in command.fields[2:]:
        text = raw.strip()
        if not text:
            continue
        if "@" in text:
            draft.emails.append(text)
        elif PHONE_LIKE.match(text):
            draft.phones.append(text)
        elif draft.title is None:
            draft.title = text
        else:
            raise InvalidInput(say(lang, "contact.add_unclear", text=text))
    return draft


async def add(ctx: Context, command: Command) -> list[Reply]:
    draft = parse_add(command, ctx.lang)
    first, last = contacts.split_name(draft.full_name)
    # Check the details before asking which customer, so a typo is reported at once.
    for email in draft.emails:
        validation.email_address(email)
    for phone in draft.phones:
        validation.phone_number(phone)

    async def create(customer_id: int) -> list[Reply]:
        async with ctx.store.transaction() as s:
            contact = await contacts.add_contact(
                s,
                ctx.actor,
                customer_id=customer_id,
                first_name=first,
                last_name=last,
                title=draft.title,
                emails=draft.emails,
                phones=draft.phones,
            )
            customer_name = (await customers.get_customer(s, ctx.actor, customer_id)).name
        who = f"{contact.full_name} <{contact.primary_email}>" if contact.primary_email else contact.full_name
        return [Text(say(ctx.lang, "contact.added", contact=who, customer=customer_name), Tone.SUCCESS)]

    return await with_customer(ctx, draft.customer_ref, create)
