"""Parsing of `/crm`-style subcommands (SPEC §5.1), shared by the console and the Slack slash command.

A command is a verb (and sub-verb) followed by comma-separated fields:
    customer add Acme AS, 923 609 016, prospect
    contact add Acme AS, Kari Nordmann, kari@acme.no, +47 912 34 567, CTO
    log call Acme AS, talked about the renewal
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

# verb -> (usage, one-line description); sub-verbs are part of the key.
COMMANDS: dict[str, tuple[str, str]] = {
    "help": ("help [command]", "Show what kundebot can do, or the details of one command."),
    "customer add": (
        "customer add NAME[, ORG NUMBER][, country SE][, KIND][, owner-only][, WEBSITE]",
        "Create a customer (after checking for duplicates). KIND: customer, prospect, partner, supplier, private.",
    ),
    "customer show": ("customer show NAME | #NUMBER | ORG NUMBER", "Show the customer card."),
    "customer edit": (
        "customer edit NAME | #NUMBER[, name NEW NAME][, org NUMBER | org none][, KIND][, owner-only | shared]"
        "[, WEBSITE]",
        "Change a customer's name, organisation number, kind, visibility or website (in Slack, without changes:"
        " the edit form).",
    ),
    "customer find": (
        "customer find TEXT",
        "Search customers by name, customer number or organisation number.",
    ),
    "contact add": (
        "contact add CUSTOMER, FULL NAME[, EMAIL][, PHONE][, TITLE]",
        "Add a contact person to a customer.",
    ),
    "log": (
        "log call|meeting|note|email CUSTOMER, SUBJECT",
        "Log an activity on a customer.",
    ),
    "task": ("task CUSTOMER, SUBJECT", "Create a task on a customer, assigned to you."),
    "kpi": ("kpi", "Key figures: margin, invoicing, active customers, prospects, and your dashboard."),
    "pipeline": ("pipeline", "Open sales cases by stage, and your pipeline this month and quarter."),
    "digest": (
        "digest",
        "Your daily digest, now: meetings, tasks, emails waiting, overdue sales cases, news.",
    ),
    "settings": (
        "settings [digest 07:30 | channels slack,email | language en|nb|sv | timezone Europe/Oslo]",
        "Your digest time and channels, language and time zone.",
    ),
    "export": (
        "export customers|contacts|activities|kpi [csv|xlsx] [SEARCH]",
        "The list as a spreadsheet (a file in Slack, saved next to you in the console).",
    ),
    "chart": (
        "chart pipeline|invoicing",
        "Pipeline by stage, or invoicing over the last 12 months, as a picture.",
    ),
    "link": (
        "link [NUMBER CUSTOMER | NUMBER contact CUSTOMER | NUMBER ignore]",
        "Captured emails waiting for you; link one to a customer (or add its sender as a contact), or ignore it.",
    ),
    "org": (
        "org NUMBER",
        "Look an organisation number up in the register, and add it as a customer in one step.",
    ),
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
