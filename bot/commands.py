"""Parsing of `/crm`-style subcommands (SPEC §5.1), shared by the console and the Slack slash command.

A command is a verb (and sub-verb) followed by comma-separated fields:
    customer add Acme AS, 923 609 016, prospect
    contact add Acme AS, Kari Nordmann, kari@acme.no, +47 912 34 567, CTO
    log call Acme AS, talked about the renewal
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

# verb -> usage; sub-verbs are part of the key. What each does is `command.about.<verb>` in bot.i18n (with
# "_" for the space), in the user's language; the usage is command syntax and stays English.
COMMANDS: dict[str, str] = {
    "help": "help [command]",
    "customer add": "customer add NAME[, ORG NUMBER][, country SE][, KIND][, owner-only][, WEBSITE]",
    "customer show": "customer show NAME | #NUMBER | ORG NUMBER",
    "customer edit": (
        "customer edit NAME | #NUMBER[, name NEW NAME][, org NUMBER | org none][, KIND][, owner-only | shared]"
        "[, WEBSITE]"
    ),
    "customer find": "customer find TEXT",
    "contact add": "contact add CUSTOMER, FULL NAME[, EMAIL][, PHONE][, TITLE]",
    "log": "log call|meeting|note|email CUSTOMER, SUBJECT",
    "task": "task CUSTOMER, SUBJECT",
    "kpi": "kpi",
    "pipeline": "pipeline",
    "digest": "digest",
    "settings": "settings [digest 07:30 | channels slack,email | language en|nb|sv | timezone Europe/Oslo]",
    "export": "export customers|contacts|activities|kpi [csv|xlsx] [SEARCH]",
    "chart": "chart pipeline|invoicing",
    "link": "link [NUMBER CUSTOMER | NUMBER contact CUSTOMER | NUMBER ignore]",
    "org": "org NUMBER",
}
SUBCOMMANDS = {"customer": ("add", "show", "find", "edit"), "contact": ("add",)}


@dataclass
class Command:
    name: str  # a key of COMMANDS
    rest: str  # everything after the verb(s), stripped
    fields: list[str] = field(default_factory=list)


class UnknownCommand(ValueError):
    def __init__(self, text: str, suggestion: str | None) -> None:
        super().__init__(text)
        self.text = text
        self.suggestion = suggestion


def parse(text: str) -> Command:
    words = text.strip().split(None, 2)
    if not words:
        return Command("help", "")
    verb = words[0].lower().lstrip("/")
    if verb == "crm":  # "/crm customer find x" typed into the console
        return parse(text.strip().split(None, 1)[1] if len(words) > 1 else "")
    if verb in SUBCOMMANDS:
        sub = words[1].lower() if len(words) > 1 else ""
        name = f"{verb} {sub}"
        if name not in COMMANDS:
            raise UnknownCommand(text.strip(), nearest(text))
        rest = words[2] if len(words) > 2 else ""
    elif verb in COMMANDS:
        name = verb
        rest = text.strip().split(None, 1)[1] if len(words) > 1 else ""
    else:
        raise UnknownCommand(text.strip(), nearest(text))
    rest = rest.strip()
    return Command(name, rest, [f.strip() for f in rest.split(",")] if rest else [])


def nearest(text: str) -> str | None:
    """The command the user most likely meant ("custmer fnd acme" -> "customer find")."""
    head = " ".join(text.lower().split()[:2])
    match = process.extractOne(head, list(COMMANDS), scorer=fuzz.WRatio, score_cutoff=60)
    return match[0] if match else None
