"""One conversation: takes the user's messages one at a time and answers with replies.

The console and (later) Slack DMs both drive this; the language engine plugs in before `commands.parse`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot.commands import Command, UnknownCommand, parse
from bot.context import NO, YES, Context
from bot.handlers import activities, contacts, customers, help, kpi, orgnr
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
    "contact add": contacts.add,
    "log": activities.log,
    "task": activities.task,
    "kpi": kpi.summary,
    "pipeline": kpi.pipeline,
    "org": orgnr.show,
}


class Conversation:
    def __init__(self, store: Store, actor: Actor, registers: Registers | None = None) -> None:
        self.context = Context(store, actor, registers or Registers.from_env())

    async def show_customer(self, customer_id: int) -> list[Reply]:
        """The card of a customer picked by id (an "Open" button), under the same visibility rule."""
        try:
            return await customers.card(self.context, customer_id)
        except StoreError as exc:
            return [Text(str(exc), Tone.ERROR)]

    async def find_more(self, query: str, offset: int) -> list[Reply]:
        """The next page of a customer search (a "More" button)."""
        try:
            return await customers.find(self.context, parse(f"customer find {query}"), offset=offset)
        except StoreError as exc:
            return [Text(str(exc), Tone.ERROR)]

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
            return await self._dispatch(text)
        except StoreError as exc:
            return [Text(str(exc), Tone.ERROR)]

    async def _answer(
        self, question: object, on_answer: Callable[[int], Awaitable[list[Reply]]], text: str
    ) -> list[Reply] | None:
        """The reply to a pending question, or None when the message is a new command instead."""
        word = text.lower().rstrip(".!")
        if isinstance(question, Choice):
            if word.isdigit() and 1 <= int(word) <= len(question.options):
                return await on_answer(int(word))
            if word in NO:
                return [Text("Cancelled.")]
            return None
        if word in YES:
            return await on_answer(1)
        if word in NO:
            return [Text("Cancelled; nothing was changed.")]
        return None

    async def _dispatch(self, text: str) -> list[Reply]:
        try:
            command = parse(text)
        except UnknownCommand as exc:
            hint = f" Did you mean `{exc.suggestion}`?" if exc.suggestion else ""
            replies: list[Reply] = [Text(f"I don't know the command {exc.text!r}.{hint}", Tone.ERROR)]
            replies.append(help.help_for(exc.suggestion))
            return replies
        return await HANDLERS[command.name](self.context, command)
