"""`log` and `task`: thin handlers over store.services.activities."""

from __future__ import annotations

from bot.commands import Command
from bot.context import Context
from bot.handlers.customers import with_customer
from bot.i18n import say
from bot.replies import Reply, Text, Tone
from store.errors import InvalidInput
from store.models import ActivityKind, Source
from store.services import activities, customers
from store.types import utcnow

LOGGABLE = ("call", "meeting", "note", "email")


def _customer_and_subject(text: str, lang: str, usage_key: str) -> tuple[str, str]:
    customer_ref, _, subject = text.partition(",")
    if not customer_ref.strip() or not subject.strip():
        raise InvalidInput(say(lang, usage_key))
    return customer_ref.strip(), subject.strip()


async def log(ctx: Context, command: Command) -> list[Reply]:
    kind, _, rest = command.rest.partition(" ")
    if kind.lower() not in LOGGABLE:
        raise InvalidInput(say(ctx.lang, "activity.log_kind", kinds=", ".join(LOGGABLE)))
    customer_ref, subject = _customer_and_subject(rest, ctx.lang, "activity.log_usage")
    return await _record(ctx, ActivityKind(kind.lower()), customer_ref, subject)


async def task(ctx: Context, command: Command) -> list[Reply]:
    customer_ref, subject = _customer_and_subject(command.rest, ctx.lang, "activity.task_usage")
    return await _record(ctx, ActivityKind.TASK, customer_ref, subject)


async def _record(ctx: Context, kind: ActivityKind, customer_ref: str, subject: str) -> list[Reply]:
    async def create(customer_id: int) -> list[Reply]:
        async with ctx.store.transaction() as s:
            activity = await activities.log_activity(
                s,
                ctx.actor,
                kind=kind,
                subject=subject,
                customer_id=customer_id,
                start_at=utcnow() if kind is not ActivityKind.TASK else None,
                source=Source.CONSOLE,
            )
            customer_name = (await customers.get_customer(s, ctx.actor, customer_id)).name
        if kind is ActivityKind.TASK:
            done = say(ctx.lang, "activity.task_created", customer=customer_name, subject=activity.subject)
        else:
            what = say(ctx.lang, f"kind.{kind.value}")
            done = say(
                ctx.lang, "activity.logged", kind=what, customer=customer_name, subject=activity.subject
            )
        return [Text(done, Tone.SUCCESS)]

    return await with_customer(ctx, customer_ref, create)
