"""One conversation: takes the user's messages one at a time and answers with replies.

The console, Slack DMs, mentions and `/crm` all drive this. Subcommand syntax (`customer add Acme AS, ...`)
goes to the command handlers; everything else goes through the language engine and its dialogue manager.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from rapidfuzz.distance import OSA

from bot.commands import SUBCOMMANDS, Command, UnknownCommand, nearest, parse
from bot.context import NO, YES, Context
from bot.dialogue import Dialogue
from bot.handlers import activities, contacts, customers, digest, emails, files, help, kpi, orgnr
from bot.i18n import error_text, say
from bot.intents import Parse
from bot.replies import Choice, Reply, Text, Tone
from registry.lookup import Registers
from store.actor import Actor
from store.db import Store
from store.errors import StoreError

Handler = Callable[[Context, Command], Awaitable[list[Reply]]]

HANDLERS: dict[str, Handler] = {
    "help": help.show,
    "customer add": customers.add,
    "customer show": customers.show,
    "customer find": customers.find,
    "customer edit": customers.edit,
    "contact add": contacts.add,
    "log": activities.log,
    "task": activities.task,
    "kpi": kpi.summary,
    "pipeline": kpi.pipeline,
    "org": orgnr.show,
    "link": emails.link,
    "digest": digest.preview,
    "settings": digest.settings,
    "export": files.export,
    "chart": files.chart,
}


# Verbs that always mean subcommand syntax; "log" and "task" only with their comma-separated fields.
COMMAND_VERBS = frozenset(
    {
        "crm",
        "customer",
        "contact",
        "kpi",
        "pipeline",
        "org",
        "help",
        "link",
        "digest",
        "settings",
        "export",
        "chart",
    }
)


def is_command(text: str) -> bool:
    """Subcommand syntax, also misspelt ("custmer fnd acme" gets "Did you mean `customer find`?")."""
    words = text.strip().lower().lstrip("/").split()
    if not words:
        return False
    verb = words[0]
    for name, subs in SUBCOMMANDS.items():
        if (
            len(words) > 1
            and OSA.distance(verb, name) <= 2
            and min(OSA.distance(words[1], sub) for sub in subs) <= 1
        ):
            return True
    if verb in ("log", "task"):
        return "," in text
    return verb in COMMAND_VERBS and (verb != "help" or len(words) <= 2)


class Reads:
    """Answers to the intents that only read: they reuse the command handlers."""

    def __init__(self, context: Context, text: Callable[[], str]) -> None:
        self.context = context
        self._text = text

    async def card(self, customer_id: int) -> list[Reply]:
        return await customers.card(self.context, customer_id)

    async def answer(self, parsed: Parse) -> list[Reply]:
        ctx, slots, lang = self.context, parsed.slots, parsed.lang
        reference = str(slots.get("customer") or slots.get("org_number") or "")
        match parsed.intent:
            case "find_customer" if reference:
                return await customers.find(ctx, parse(f"customer find {reference}"))
            case "show_customer" if reference:
                return await customers.show(ctx, parse(f"customer show {reference}"))
            case "find_customer" | "show_customer":
                return [
                    Text(say(lang, "ask.customer")),
                    help.help_for(f"customer {parsed.intent.split('_')[0]}", lang),
                ]
            case "lookup_org" if slots.get("org_number"):
                return await orgnr.show(ctx, parse(f"org {slots['org_number']}"))
            case "lookup_org":
                return [Text(say(lang, "ask.org_number")), help.help_for("org", lang)]
            case "kpi_summary":
                return await kpi.summary(ctx, parse("kpi"))
            case "pipeline_summary":
                return await kpi.pipeline(ctx, parse("pipeline"))
            case "help":
                return [help.help_for(None, lang)]
            case "cancel":
                return [Text(say(lang, "nothing_to_cancel"))]
            case "small_talk":
                return [Text(say(lang, "small_talk"))]
        guess = nearest(self._text())
        if guess:
            return [Text(say(lang, "unknown") + f" (`{guess}`?)"), help.help_for(guess, lang)]
        return [Text(say(lang, "unknown"))]


class Conversation:
    def __init__(
        self, store: Store, actor: Actor, registers: Registers | None = None, *, key: str = "console"
    ) -> None:
        self.context = Context(store, actor, registers or Registers.from_env())
        self._last_text = ""
        self.dialogue = Dialogue(self.context, key, Reads(self.context, lambda: self._last_text))

    async def show_customer(self, customer_id: int) -> list[Reply]:
        """The card of a customer picked by id (an "Open" button), under the same visibility rule."""
        try:
            return await customers.card(self.context, customer_id)
        except StoreError as exc:
            return [Text(error_text(self.context.lang, exc), Tone.ERROR)]

    async def link_email(self, email_id: int, customer_id: int, *, contact: bool = False) -> list[Reply]:
        """A "Link to ..." or "New contact at ..." button on a captured email's notice."""
        try:
            return await emails.link_to(self.context, email_id, customer_id, contact=contact)
        except StoreError as exc:
            return [Text(error_text(self.context.lang, exc), Tone.ERROR)]

    async def ignore_email(self, email_id: int) -> list[Reply]:
        try:
            return await emails.ignore(self.context, email_id)
        except StoreError as exc:
            return [Text(error_text(self.context.lang, exc), Tone.ERROR)]

    async def find_more(self, query: str, offset: int) -> list[Reply]:
        """The next page of a customer search (a "More" button)."""
        try:
            return await customers.find(self.context, parse(f"customer find {query}"), offset=offset)
        except StoreError as exc:
            return [Text(error_text(self.context.lang, exc), Tone.ERROR)]

    async def close(self) -> None:
        await self.context.registers.close()

    async def handle(self, text: str) -> list[Reply]:
        text = text.strip()
        if not text:
            return []
        try:
            pending = self.context.pending
            if pending is not None:
                self.context.pending = None
                answer = await self._answer(pending.question, pending.on_answer, text)
                if answer is not None:
                    return answer
            if is_command(text):
                return await self._dispatch(text)
            self._last_text = text
            return await self.dialogue.handle(text)
        except StoreError as exc:
            return [Text(error_text(self.context.lang, exc), Tone.ERROR)]

    async def _answer(
        self, question: object, on_answer: Callable[[int], Awaitable[list[Reply]]], text: str
    ) -> list[Reply] | None:
        """The reply to a pending question, or None when the message is a new command instead."""
        word = text.lower().rstrip(".!")
        if isinstance(question, Choice):
            if word.isdigit() and 1 <= int(word) <= len(question.options):
                return await on_answer(int(word))
            if word in NO:
                return [Text(say(self.context.lang, "cancelled"))]
            return None
        if word in YES:
            return await on_answer(1)
        if word in NO:
            return [Text(say(self.context.lang, "cancelled"))]
        return None

    async def _dispatch(self, text: str) -> list[Reply]:
        try:
            command = parse(text)
        except UnknownCommand as exc:
            lang = self.context.lang
            hint = say(lang, "command.did_you_mean", suggestion=exc.suggestion) if exc.suggestion else ""
            replies: list[Reply] = [Text(say(lang, "command.unknown", text=exc.text, hint=hint), Tone.ERROR)]
            replies.append(help.help_for(exc.suggestion, lang))
            return replies
        return await HANDLERS[command.name](self.context, command)
