"""The subcommand handlers answer in the user's language, from the catalogue in bot/i18n.py."""

from __future__ import annotations

import ast
import string
from pathlib import Path

from bot.commands import COMMANDS
from bot.conversation import Conversation
from bot.i18n import CATALOGUE, DETAIL_VALUES, say
from bot.replies import Confirm, Help, Text, Tone
from store.actor import Actor
from store.db import Store
from store.models import ActivityKind
from store.services.users import create_user

HANDLERS = Path(__file__).parents[2] / "bot" / "handlers"
LANGUAGES = ("en", "nb", "sv")
# Keys whose example in backticks has translated free text (`log call Acme AS, fornyelse`) or values
# (`settings timezone Europe/Stockholm`): only the command itself must be the same.
EXAMPLES = frozenset({"activity.log_kind", "activity.log_usage", "activity.task_usage", "settings.usage"})


async def user_speaking(store: Store, lang: str) -> Actor:
    async with store.transaction() as s:
        return Actor.of(
            await create_user(s, name=f"User {lang}", email=f"{lang}@firm.example", language=lang)
        )


async def said(talk: Conversation, text: str) -> list[str]:
    """What the bot answers, as text: messages and yes/no questions."""
    out = []
    for reply in await talk.handle(text):
        if isinstance(reply, Text):
            out.append(reply.message)
        elif isinstance(reply, Confirm):
            out.append(reply.question)
    return out


async def test_a_norwegian_user_gets_the_subcommand_replies_in_norwegian(store: Store) -> None:
    talk = Conversation(store, await user_speaking(store, "nb"))
    assert await said(talk, "customer add Acme AS, 923 609 016") == [
        "Opprettet Acme AS (#10001, org.nr. 923 609 016)."
    ]
    assert await said(talk, "contact add Acme AS, Kari Nordmann, kari@acme.no") == [
        "La til Kari Nordmann <kari@acme.no> hos Acme AS."
    ]
    assert await said(talk, "log call Acme AS, snakket om fornyelsen") == [
        "Logget samtale på Acme AS: snakket om fornyelsen"
    ]
    assert await said(talk, "task Acme AS, send tilbudet") == ["Opprettet oppgave for Acme AS: send tilbudet"]
    assert await said(talk, "customer edit Acme AS, name Acme Norge AS, partner") == [
        "Oppdaterte Acme Norge AS (#10001) (tidligere Acme AS): navn, kundetype."
    ]
    assert (await said(talk, "customer add Acme Norge"))[-1] == "Opprette «Acme Norge» likevel?"
    assert await said(talk, "org 923 609 016") == [
        "Acme Norge AS (#10001) har allerede organisasjonsnummeret 923 609 016.",
        "Åpne den eksisterende kunden?",
    ]
    assert await said(talk, "customer find Fjordlys") == [
        "Ingen kunde passer til «Fjordlys». Legg til en ny med `customer add NAME`."
    ]
    [refused] = await talk.handle("customer add")
    assert isinstance(refused, Text) and refused.tone is Tone.ERROR
    assert refused.message == "Gi kunden et navn: `customer add Acme AS, 923 609 016`."


async def test_a_swedish_user_gets_the_subcommand_replies_in_swedish(store: Store) -> None:
    talk = Conversation(store, await user_speaking(store, "sv"))
    assert await said(talk, "customer add Acme AB") == ["Skapade Acme AB (#10001)."]
    assert await said(talk, "contact add Acme AB, Anna Andersson, anna@acme.se") == [
        "Lade till Anna Andersson <anna@acme.se> hos Acme AB."
    ]
    assert await said(talk, "log meeting Acme AB, genomgång av offerten") == [
        "Loggade möte på Acme AB: genomgång av offerten"
    ]
    assert await said(talk, "task Acme AB, skicka offerten") == [
        "Skapade uppgift för Acme AB: skicka offerten"
    ]
    assert await said(talk, "customer edit Acme AB, partner, acme.se") == [
        "Uppdaterade Acme AB (#10001): kundtyp, webbadress."
    ]
    assert (await said(talk, "customer add ACME ab."))[-1] == "Skapa ”ACME ab.” ändå?"
    [refused] = await talk.handle("log lunch Acme AB, x")
    assert isinstance(refused, Text) and refused.tone is Tone.ERROR
    assert refused.message == (
        "Skriv först vad du vill logga: call, meeting, note, email. T.ex. `log call Acme AS, förnyelse`."
    )
    [unclear] = await talk.handle("contact add Acme AB, Anna Berg, VD, Sälj")
    assert isinstance(unclear, Text) and unclear.tone is Tone.ERROR
    assert unclear.message == (
        "Jag förstår inte ”Sälj”: här kan du ange en e-postadress, ett telefonnummer eller en enda titel."
    )


async def test_a_swedish_users_help_describes_the_commands_in_swedish_with_their_english_syntax(
    store: Store,
) -> None:
    talk = Conversation(store, await user_speaking(store, "sv"))
    (shown,) = [r for r in await talk.handle("hjälp") if isinstance(r, Help)]
    assert (
        "customer find TEXT",
        "Sök kunder på namn, kundnummer eller organisationsnummer.",
    ) in shown.entries
    assert len(shown.entries) == len(COMMANDS)


async def test_after_changing_the_language_the_conversation_answers_in_the_new_one(store: Store) -> None:
    talk = Conversation(store, await user_speaking(store, "nb"))
    assert await said(talk, "customer show #99999") == [
        "Jeg finner ingen kunde som passer til '#99999' blant kundene du kan se."
    ]
    await talk.handle("settings language en")
    assert talk.context.lang == "en"
    assert await said(talk, "customer show #99999") == [
        "I can't find a customer matching '#99999' among the customers you can see."
    ]


# --- the catalogue ------------------------------------------------------------------------------------


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def handler_keys() -> tuple[set[str], set[str]]:
    """The catalogue keys the handlers name (in `say(...)` or kept aside, like `_changed`'s labels): whole
    keys, and the prefixes of keys built at run time (`say(lang, f"kind.{kind.value}")`)."""
    namespaces = {key.split(".")[0] for key in CATALOGUE["en"]}
    keys: set[str] = set()
    prefixes: set[str] = set()
    for path in HANDLERS.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                if (
                    node.value.split(".")[0] in namespaces
                    and "." in node.value.strip(".")
                    and " " not in node.value
                    and not node.value.endswith(".")  # the prefix of a key built at run time
                ):
                    keys.add(node.value)
            elif (
                isinstance(node, ast.Call) and getattr(node.func, "id", None) == "say" and len(node.args) > 1
            ):
                key = node.args[1]
                if isinstance(key, ast.Constant):  # also a key in a namespace the catalogue lacks
                    keys.add(str(key.value))
                elif isinstance(key, ast.JoinedStr) and isinstance(first := key.values[0], ast.Constant):
                    prefixes.add(str(first.value))
    return keys, prefixes


def test_every_key_the_handlers_use_exists_in_every_language() -> None:
    keys, prefixes = handler_keys()
    assert len(keys) > 40 and "customer.created" in keys and "field.website" in keys  # the scan finds them
    assert prefixes == {"kind.", "command.about."}
    keys |= {f"kind.{kind.value}" for kind in ActivityKind}
    keys |= {f"command.about.{name.replace(' ', '_')}" for name in COMMANDS}
    for lang in LANGUAGES:
        missing = sorted(key for key in keys if key not in CATALOGUE[lang])
        assert missing == [], (lang, missing)


def test_the_catalogues_have_the_same_keys_and_placeholders() -> None:
    """Except a store error's or an import reason's library detail (DETAIL_VALUES: English from
    email_validator and the like), which only the English text, the error's own message, shows."""
    for lang in ("nb", "sv"):
        assert set(CATALOGUE[lang]) == set(CATALOGUE["en"]), lang
        for key, english in CATALOGUE["en"].items():
            with_detail = key.startswith(("error.", "import.reason."))
            expected = _fields(english) - (DETAIL_VALUES if with_detail else set())
            assert _fields(CATALOGUE[lang][key]) == expected, (lang, key)


def test_command_syntax_in_backticks_is_the_same_in_every_language() -> None:
    for key, english in CATALOGUE["en"].items():
        for lang in ("nb", "sv"):
            syntax, translated = _in_backticks(english, key), _in_backticks(CATALOGUE[lang][key], key)
            assert translated == syntax, (lang, key)


def _in_backticks(template: str, key: str) -> list[str]:
    quoted = template.split("`")[1::2]
    if key in EXAMPLES:  # the command is the same, the example's free text is translated
        return [" ".join(example.split(",")[0].split()[:2]) for example in quoted]
    return quoted


def test_no_handler_writes_a_reply_or_question_inline() -> None:
    """Text(...), InvalidInput(...), ask_yes_no(...) and ask_choice(...) take their words from the catalogue."""
    inline = []
    for path in HANDLERS.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            if name in ("Text", "InvalidInput", "ask_yes_no", "ask_choice") and isinstance(
                node.args[0], ast.Constant | ast.JoinedStr
            ):
                inline.append(f"{path.name}:{node.lineno}")
    assert inline == []


def test_a_language_without_a_catalogue_gets_english() -> None:
    assert say("de", "customer.created", name="Acme AS", number=10001) == "Created Acme AS (#10001)."


async def test_a_question_to_a_norwegian_user_who_wrote_in_english_is_english_to_its_buttons(
    store: Store,
) -> None:
    talk = Conversation(store, await user_speaking(store, "nb"))
    await said(talk, "customer add Acme AS, 923 609 016")
    [question] = await talk.handle("log a call with Acme AS today about the renewal")
    assert isinstance(question, Confirm) and question.lang == "en"
    assert question.question.startswith("Log call with Acme AS")
