"""Language understanding (SPEC §5.2): from a chat message in English, Norwegian or Swedish to an intent and
its slots. `parse` is pure (no store); the dialogue manager resolves customers and asks for what is missing."""

from bot.intents.model import INTENTS, SLOT_NAMES, Parse
from bot.intents.parser import parse

__all__ = ["INTENTS", "SLOT_NAMES", "Parse", "parse"]
