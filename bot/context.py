"""What a handler gets: the store, the acting user, and the conversation to ask follow-up questions in."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from bot.replies import Choice, Confirm, Reply
from registry.lookup import Registers
from store.actor import Actor
from store.db import Store

YES = frozenset({"yes", "y", "ja", "j", "ok", "okay"})
NO = frozenset({"no", "n", "nei", "nej", "cancel", "avbryt", "stop"})


@dataclass
class Pending:
    """A question waiting for the user's next message."""

    question: Confirm | Choice
    on_answer: Callable[[int], Awaitable[list[Reply]]]  # 1-based choice, or 1 for "yes"


@dataclass
class Context:
    store: Store
    actor: Actor
    registers: Registers = field(default_factory=Registers.from_env)
    pending: Pending | None = field(default=None)

    @property
    def lang(self) -> str:
        """The user's language ("en", "nb", "sv"): the handlers answer in it (bot.i18n.say)."""
        return self.actor.language.value

    def ask_yes_no(self, question: str, on_yes: Callable[[], Awaitable[list[Reply]]]) -> Confirm:
        confirm = Confirm(question)

        async def answer(_: int) -> list[Reply]:
            return await on_yes()

        self.pending = Pending(confirm, answer)
        return confirm

    def ask_choice(
        self, question: str, options: list[tuple[int, str]], on_pick: Callable[[int], Awaitable[list[Reply]]]
    ) -> Choice:
        """Offer numbered options; `on_pick` receives the chosen option's id."""
        choice = Choice(question, [label for _, label in options])

        async def answer(index: int) -> list[Reply]:
            return await on_pick(options[index - 1][0])

        self.pending = Pending(choice, answer)
        return choice
