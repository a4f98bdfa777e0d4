"""The store's errors reach a chat user in the user's language: each raise names a catalogue key (bot/i18n.py,
"error." + key) and the values its message uses; `str(error)` stays the English message."""

from __future__ import annotations

import ast
import socket
import string
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import bot.export
import store.demo
import store.services.importing
from bot.conversation import Conversation
from bot.i18n import CATALOGUE, DETAIL_VALUES, error_text
from bot.replies import Confirm, Text, Tone
from registry import brreg, prh
from registry.http import JsonClient
from registry.model import RegisterUnavailable
from store import validation
from store.actor import Actor
from store.db import Store
from store.errors import SimilarCustomersExist, SimilarName, StoreError
from store.services import customers
from store.services.users import create_user

ROOT = Path(__file__).parents[2]
# Where errors a chat user can meet are raised: the store, the Slack forms' own checks, exports and charts.
SCANNED = sorted(
    [
        *(ROOT / "store").rglob("*.py"),
        *(ROOT / "bot" / name for name in ("modals.py", "export.py", "charts.py")),
    ]
)
LANGUAGES = ("en", "nb", "sv")
NOT_VALUES = frozenset({"key", "field_name", "existing_id", "existing_number"})  # constructor arguments


def _subclasses(cls: type) -> set[type]:
    return {cls} | {sub for direct in cls.__subclasses__() for sub in _subclasses(direct)}


# bot.export, store.demo and store.services.importing are imported above for their own subclasses.
ERROR_NAMES = frozenset(cls.__name__ for cls in _subclasses(StoreError))
assert {"DemoDataExists", "ImportFileError", "ExportUsage"} <= ERROR_NAMES, (
    bot.export,
    store.demo,
    store.services.importing,
)


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def _name(call: ast.Call) -> str | None:
    return getattr(call.func, "id", None) or getattr(call.func, "attr", None)


def _where(path: Path, node: ast.AST) -> str:
    return f"{path.relative_to(ROOT)}:{getattr(node, 'lineno', '?')}"


def keyed_errors() -> Iterator[tuple[str, str, set[str]]]:
    """(where, key, names of the values given) for every error built with a key: `NotFound(..., key=...)`,
    and an error class that sets `self.key` itself (with the keys of the dict its values are made of)."""
    for path in SCANNED:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and _name(node) in ERROR_NAMES:
                key = next((k.value for k in node.keywords if k.arg == "key"), None)
                if key is None:
                    continue
                assert isinstance(key, ast.Constant) and isinstance(key.value, str), _where(path, node)
                values = {k.arg for k in node.keywords if k.arg and k.arg not in NOT_VALUES}
                yield _where(path, node), key.value, values
            elif isinstance(node, ast.FunctionDef):
                for statement in ast.walk(node):
                    if (
                        isinstance(statement, ast.Assign)
                        and isinstance(target := statement.targets[0], ast.Attribute)
                        and target.attr == "key"
                        and isinstance(statement.value, ast.Constant)
                    ):
                        dicts = [d for d in ast.walk(node) if isinstance(d, ast.Dict)]
                        names = {str(k.value) for d in dicts for k in d.keys if isinstance(k, ast.Constant)}
                        yield _where(path, statement), str(statement.value.value), names


def unkeyed_raises() -> list[tuple[str, str]]:
    """(file, error class) of every `raise SomeStoreError(...)` without a key."""
    found = []
    for path in SCANNED:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
                name = _name(node.exc)
                if name in ERROR_NAMES and name != "SimilarCustomersExist":  # keyed by its class
                    if not any(k.arg == "key" for k in node.exc.keywords):
                        found.append((str(path.relative_to(ROOT)), str(name)))
    return sorted(found)


def test_every_error_key_the_store_raises_has_a_message_in_every_language() -> None:
    keys = {key for _, key, _ in keyed_errors()}
    assert (
        len(keys) > 70 and {"customer.no_id", "email.invalid", "customer.similar"} <= keys
    )  # the scan works
    for key in sorted(keys):
        english = CATALOGUE["en"].get(f"error.{key}")
        assert english is not None, key
        for lang in ("nb", "sv"):
            assert f"error.{key}" in CATALOGUE[lang], (lang, key)
            assert _fields(CATALOGUE[lang][f"error.{key}"]) == _fields(english) - DETAIL_VALUES, (lang, key)


def test_every_raise_gives_the_values_its_message_uses() -> None:
    for where, key, values in keyed_errors():
        assert values == _fields(CATALOGUE["en"][f"error.{key}"]), (where, key)


def register_keys() -> set[str]:
    """The keys registry/http.py gives RegisterUnavailable (`key="register.timeout"`, `unavailable(..., KEY)`)."""
    tree = ast.parse((ROOT / "registry" / "http.py").read_text(encoding="utf-8"))
    return {
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and node.value.startswith("register.")
    }


def test_every_register_error_key_has_a_message_in_every_language() -> None:
    keys = register_keys()
    assert keys == {"register.timeout", "register.unreachable", "register.http_error", "register.unreadable"}
    for key in keys:
        english = CATALOGUE["en"][f"error.{key}"]
        assert "what" in _fields(english), key  # the register's name
        for lang in ("nb", "sv"):
            assert _fields(CATALOGUE[lang][f"error.{key}"]) == _fields(english), (lang, key)


def test_the_catalogue_has_no_error_message_nothing_raises() -> None:
    keys = {key for _, key, _ in keyed_errors()} | register_keys()
    messages = {k.removeprefix("error.") for k in CATALOGUE["en"] if k.startswith("error.")}
    assert {m for m in messages if not m.startswith("what.")} == keys


def test_only_the_command_line_demo_and_two_import_header_errors_are_raised_without_a_key() -> None:
    """DemoDataExists is only met on the command line; the import's "The header needs a column for ..."
    lists English descriptions of the missing columns, put together at run time."""
    assert unkeyed_raises() == [
        ("store/demo.py", "DemoDataExists"),
        ("store/services/importing.py", "ImportFileError"),
        ("store/services/importing.py", "ImportFileError"),
    ]


def field_words() -> set[str]:
    """The English words a chat user's error can name a field or an action with (the values `what`)."""
    positions = {"required_text": 1, "optional_text": 1, "percentage": 1, "_enum": 2, "_require_admin": 1}
    words = {"probability"}  # percentage()'s default
    for path in SCANNED:
        if path.name in ("importing.py", "demo.py"):  # the import report's words, the demo's data
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and (name := _name(node)) in positions:
                position = positions[str(name)]
                if len(node.args) > position and isinstance(arg := node.args[position], ast.Constant):
                    words.add(str(arg.value))
    # the customer fields named after their column (`key.replace("_", " ")`)
    words |= {key.replace("_", " ") for key in (*customers._TEXT_FIELDS, "employees", "payment_terms_days")}
    registers = {name[:1].upper() + name[1:] for name in (brreg.NAME, prh.NAME)}  # as JsonClient names them
    return words | set(validation.ORG_NUMBER_NAMES.values()) | registers


def test_every_field_word_in_an_error_is_translated() -> None:
    words = field_words()
    assert {"customer name", "first name", "website", "Norwegian organisation number"} <= words
    for lang in LANGUAGES:
        missing = sorted(w for w in words if f"error.what.{w}" not in CATALOGUE[lang])
        assert missing == [], (lang, missing)


# --- the English text is the error's own message ----------------------------------------------------------


def _raised(make: Callable[[], object]) -> StoreError:
    with pytest.raises(StoreError) as caught:
        make()
    return caught.value


ENGLISH_CASES: dict[str, Callable[[], object]] = {
    "empty": lambda: validation.required_text("  ", "customer name"),
    "too long": lambda: validation.required_text("x" * 30, "title", max_length=20),
    "email": lambda: validation.email_address("kari@@acme.no"),
    "phone": lambda: validation.phone_number("12"),
    "org number": lambda: validation.org_number("123 456 789"),
    "org number of a country": lambda: validation.org_number("923 609 017", "NO"),
    "unsupported country": lambda: validation.org_number("923 609 016", "de"),
    "percentage": lambda: validation.percentage(120),
}


@pytest.mark.parametrize("case", ENGLISH_CASES)
def test_the_english_catalogue_text_is_the_errors_own_message(case: str) -> None:
    error = _raised(ENGLISH_CASES[case])
    assert error.key is not None
    assert error_text("en", error) == str(error)


def test_a_similar_names_error_reads_the_same_in_english_and_lists_the_names_in_norwegian() -> None:
    error = SimilarCustomersExist("Acme", [SimilarName(1, 10001, "Acme AS", 91.0)])
    assert (
        error_text("en", error)
        == str(error)
        == "Customers with a similar name already exist: Acme AS (#10001)."
    )
    assert error_text("nb", error) == "Det finnes allerede kunder med lignende navn: Acme AS (#10001)."


def test_an_error_without_a_key_is_shown_as_its_message() -> None:
    assert error_text("nb", StoreError("Already in Norwegian.")) == "Already in Norwegian."


def test_a_field_word_is_translated_in_the_users_language() -> None:
    error = _raised(lambda: validation.required_text("", "first name"))
    assert str(error) == "The first name cannot be empty."
    assert error_text("nb", error) == "Skriv inn fornavn."
    assert error_text("sv", error) == "Ange förnamn."


def test_an_org_number_of_the_wrong_country_names_the_country_in_the_users_language() -> None:
    error = _raised(lambda: validation.org_number("923 609 017", "NO"))
    assert error_text("nb", error) == "«923 609 017» er ikke et gyldig norsk organisasjonsnummer."
    assert error_text("sv", error) == "”923 609 017” är inte ett giltigt norskt organisationsnummer."


async def test_an_unreachable_register_is_reported_in_the_users_language() -> None:
    async with JsonClient(brreg.NAME, timeout=1.0, retries=0) as client:
        with pytest.raises(RegisterUnavailable) as caught:
            await client.get(f"http://127.0.0.1:{unused_port()}/enheter/923609016")
    error = caught.value
    assert (
        error_text("en", error) == str(error) == "The Norwegian register (Brønnøysund) could not be reached."
    )
    assert error_text("nb", error) == "Brønnøysundregistrene kunne ikke nås."
    assert error_text("sv", error) == "Det norska registret (Brønnøysund) gick inte att nå."


def unused_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# --- in the chat ------------------------------------------------------------------------------------------


async def talking(store: Store, lang: str) -> Conversation:
    async with store.transaction() as s:
        user = await create_user(s, name=f"User {lang}", email=f"{lang}@firm.example", language=lang)
    return Conversation(store, Actor.of(user))


async def error_said(talk: Conversation, text: str) -> str:
    replies = await talk.handle(text)
    assert isinstance(replies[0], Text) and replies[0].tone is Tone.ERROR, replies
    return replies[0].message


async def test_a_norwegian_user_is_told_in_norwegian_that_a_contacts_email_is_malformed(store: Store) -> None:
    talk = await talking(store, "nb")
    await talk.handle("customer add Acme AS")
    said = await error_said(talk, "contact add Acme AS, Kari Nordmann, kari@@acme.no")
    assert said == "«kari@@acme.no» er ikke en gyldig e-postadresse."


async def test_a_swedish_user_is_told_in_swedish_that_a_contacts_email_is_malformed(store: Store) -> None:
    talk = await talking(store, "sv")
    await talk.handle("customer add Acme AB")
    said = await error_said(talk, "contact add Acme AB, Anna Andersson, anna@")
    assert said == "”anna@” är inte en giltig e-postadress."


async def test_an_english_user_still_gets_the_english_message_with_its_reason(store: Store) -> None:
    talk = await talking(store, "en")
    await talk.handle("customer add Acme AS")
    said = await error_said(talk, "contact add Acme AS, Kari Nordmann, kari@@acme.no")
    assert said.startswith("'kari@@acme.no' is not a valid email address: ")


async def test_a_norwegian_user_opening_an_unknown_customer_is_told_in_norwegian(store: Store) -> None:
    talk = await talking(store, "nb")
    [reply] = await talk.show_customer(424242)
    assert isinstance(reply, Text) and reply.tone is Tone.ERROR
    assert reply.message == "Finner ingen kunde med id 424242."


async def test_a_swedish_user_opening_an_unknown_customer_is_told_in_swedish(store: Store) -> None:
    talk = await talking(store, "sv")
    [reply] = await talk.show_customer(424242)
    assert isinstance(reply, Text) and reply.message == "Hittar ingen kund med id 424242."


async def test_a_norwegian_user_adding_a_taken_org_number_is_told_in_norwegian_and_offered_the_existing(
    store: Store,
) -> None:
    talk = await talking(store, "nb")
    await talk.handle("customer add Acme AS, 923 609 016")
    taken, offer = await talk.handle("customer add Fjordlys AS, 923 609 016")
    assert isinstance(taken, Text) and taken.tone is Tone.ERROR
    assert taken.message == (
        "Acme AS (#10001) har allerede organisasjonsnummeret 923 609 016. "
        "Åpne den kunden i stedet for å lage et duplikat."
    )
    assert isinstance(offer, Confirm) and offer.question == "Åpne den eksisterende kunden?"


async def test_a_swedish_user_adding_a_taken_org_number_is_told_in_swedish(store: Store) -> None:
    talk = await talking(store, "sv")
    await talk.handle("customer add Volvo Cars AB, 556074-3089")
    said = await error_said(talk, "customer add Fjärran AB, 556074-3089")
    assert said == (
        "Volvo Cars AB (#10001) har redan organisationsnumret 556074-3089. "
        "Öppna den kunden i stället för att skapa en dubblett."
    )


async def test_a_norwegian_user_is_told_in_norwegian_that_there_is_nothing_to_undo(store: Store) -> None:
    talk = await talking(store, "nb")
    said = await error_said(talk, "angre")
    assert said == "Det er ingenting å angre: du kan angre i 10 minutter etter en endring."
