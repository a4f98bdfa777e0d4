"""`link`: the captured emails that wait for the user's decision, and the decision (SPEC §6)."""

from __future__ import annotations

import re

from bot.commands import Command
from bot.context import Context
from bot.handlers.customers import with_customer
from bot.i18n import say
from bot.replies import CaptureNotice, Reply, Text, Tone, WaitingEmails
from store.errors import InvalidInput
from store.services import email_capture

USAGE = "link | link NUMBER CUSTOMER | link NUMBER contact CUSTOMER | link NUMBER ignore"
_LINK = re.compile(
    r"^#?(?P<email>\d+)\s+(?:(?P<ignore>ignore|ignorer|ignorera)|(?P<contact>contact|kontakt)\s+(?P<for>.+)|(?P<customer>.+))$",
    re.I,
)


async def link(ctx: Context, command: Command) -> list[Reply]:
    if not command.rest:
        async with ctx.store.reading() as s:
            waiting = await email_capture.waiting_for(s, ctx.actor)
        return [
            WaitingEmails([CaptureNotice(e.id, e.subject, e.from_address) for e in waiting]),
        ]
    match = _LINK.match(command.rest.strip())
    if match is None:
        raise InvalidInput(say(ctx.lang, "email.link_usage", usage=USAGE))
    email_id = int(match["email"])
    if match["ignore"]:
        return await ignore(ctx, email_id)
    return await with_customer(
        ctx,
        match["for"] or match["customer"],
        lambda cid: link_to(ctx, email_id, cid, contact=bool(match["contact"])),
    )


async def link_to(ctx: Context, email_id: int, customer_id: int, *, contact: bool = False) -> list[Reply]:
    """Link the email to the customer (a button or `link N CUSTOMER`); with `contact`, add its sender first."""
    async with ctx.store.transaction() as s:
        made = ""
        if contact:
            person = await email_capture.create_contact_from_sender(s, ctx.actor, email_id, customer_id)
            made = " " + say(
                ctx.lang, "email.new_contact", name=f"{person.first_name} {person.last_name}".strip()
            )
        else:
            await email_capture.link_to_customer(s, ctx.actor, email_id, customer_id)
        email = await email_capture.captured_email(s, ctx.actor, email_id)
        name = await email_capture.customer_name(s, customer_id)
    linked = say(ctx.lang, "email.linked", number=email_id, subject=email.subject, customer=name)
    return [Text(linked + made, Tone.SUCCESS)]


async def ignore(ctx: Context, email_id: int) -> list[Reply]:
    async with ctx.store.transaction() as s:
        email = await email_capture.ignore_email(s, ctx.actor, email_id)
    return [Text(say(ctx.lang, "email.ignored", number=email.id, subject=email.subject), Tone.SUCCESS)]
