"""Why an import rejected a row reaches a Slack user in the user's language: every reason the import gives
names a catalogue key ("import.reason." + key, or a store error's "error." + key) and the values its message
uses; the English text (`RowProblem.reason`: logs, the command line) stays as it was."""

from __future__ import annotations

import ast
from pathlib import Path

from slack_sdk.web.async_client import AsyncWebClient

from bot import slack_import
from bot.i18n import CATALOGUE, DETAIL_VALUES
from store.actor import Actor
from store.db import Store
from store.services import importing
from store.services.customers import create_customer
from store.services.importing import ImportOptions, ImportReport, Kind, RowProblem, run_import
from tests.bot.test_error_messages import LANGUAGES, ROOT, _fields, _name, _where
from tests.bot.test_i18n import user_speaking
from tests.bot.test_import_cli import FakeFiles, buttons, slack_files, text_of

__all__ = ["slack_files"]  # the fixture

DATA = Path(__file__).parent.parent / "data" / "import"
IMPORTING = ROOT / "store" / "services" / "importing.py"
# A customer row with four problems: a name too long (the store's own check), an unknown country, a count
# that is no number and an unknown owner; and a row whose name is close to an existing customer's.
MANY_PROBLEMS = (
    "Navn;Land;Ansatte;Eier\r\n" + "X" * 201 + ";Atlantis;mange;Nobody\r\nNordlys Radgivning;;;\r\n"
).encode()


def reason_keys() -> list[tuple[str, str, set[str]]]:
    """(where, key, names of the values given) of every reason built with a key in the import: `Reject(...,
    key="...")`, `problems.add(..., key="...")`."""
    found = []
    for node in ast.walk(ast.parse(IMPORTING.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and _name(node) in ("Reject", "add"):
            key = next((k.value for k in node.keywords if k.arg == "key"), None)
            if isinstance(key, ast.Constant):
                values = {k.arg for k in node.keywords if k.arg and k.arg != "key"}
                found.append((_where(IMPORTING, node), str(key.value), values))
    return found


def unkeyed_reasons() -> list[str]:
    """Where the import builds a reason from its English text alone (a literal or an f-string)."""
    found = []
    for node in ast.walk(ast.parse(IMPORTING.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and _name(node) in ("Reject", "add") and node.args:
            if isinstance(node.args[0], ast.Constant | ast.JoinedStr):
                if not any(k.arg == "key" for k in node.keywords):
                    found.append(_where(IMPORTING, node))
    return found


async def rejected(store: Store, actor: Actor, kind: str, data: bytes) -> list[RowProblem]:
    report = await run_import(
        store, actor, kind, data, options=ImportOptions(dry_run=True), file_name="x.csv"
    )
    return report.rejected


# --- the catalogue ----------------------------------------------------------------------------------------------


def test_every_reason_key_the_import_gives_has_a_message_in_every_language_with_its_values() -> None:
    found = reason_keys()
    keys = {key for _, key, _ in found}
    assert len(keys) > 40 and {"unknown_country", "similar_existing", "similar_new"} <= keys  # the scan works
    for where, key, values in found:
        english = CATALOGUE["en"].get(f"import.reason.{key}")
        assert english is not None, (where, key)
        assert _fields(english) == values, (where, key)
        for lang in ("nb", "sv"):
            text = CATALOGUE[lang].get(f"import.reason.{key}")
            assert text is not None, (lang, key)
            assert _fields(text) == values - DETAIL_VALUES, (lang, key)


def test_every_reason_the_import_writes_out_has_a_key() -> None:
    assert unkeyed_reasons() == []


def test_the_similar_name_keys_are_keys_the_import_gives() -> None:
    keys = {f"import.reason.{key}" for _, key, _ in reason_keys()}
    assert importing.SIMILAR_NAME_KEYS <= keys


def test_every_english_word_a_reason_names_is_translated() -> None:
    words = {"employees", "head office", "first name", "last name"}
    words |= {f"{nationality} number" for nationality in importing._ORG_NAMES.values()}
    for lang in LANGUAGES:
        missing = [w for w in sorted(words) if f"import.reason.what.{w}" not in CATALOGUE[lang]]
        missing += [
            d
            for d in importing.DELIMITER_NAMES.values()
            if f"import.reason.delimiter.{d}" not in CATALOGUE[lang]
        ]
        assert missing == [], lang


# --- the English text stays -----------------------------------------------------------------------------------


async def test_the_english_report_reads_each_reason_exactly_as_the_import_wrote_it(
    store: Store, alice: Actor
) -> None:
    async with store.transaction() as s:
        await create_customer(s, alice, "Nordlys Rådgivning AS")
        await create_customer(s, alice, "Ærøy Bygg AS", org_number="923609016")
    problems = [
        *await rejected(store, alice, "customers", (DATA / "kunder_feil.csv").read_bytes()),
        *await rejected(store, alice, "customers", MANY_PROBLEMS),
        *await rejected(store, alice, "contacts", (DATA / "kontakter.csv").read_bytes()),
        *await rejected(store, alice, "addresses", (DATA / "adresser.csv").read_bytes()),
    ]
    assert len(problems) == 5 + 2 + 3 + 3
    assert any(len(p.parts) == 4 for p in problems)  # the row with four problems
    for problem in problems:
        assert slack_import.reason_text("en", problem) == problem.reason


async def test_a_row_with_one_problem_carries_its_key_and_values(store: Store, alice: Actor) -> None:
    problems = await rejected(store, alice, "customers", (DATA / "kunder_feil.csv").read_bytes())
    line_7 = next(p for p in problems if p.line == 7)
    assert line_7.reason == "no customer #10999 (leave the customer number empty to create a new customer)"
    assert (line_7.key, dict(line_7.values)) == ("import.reason.no_customer_number", {"number": 10999})


async def test_a_row_with_several_problems_keeps_each_ones_key_and_joins_the_english(
    store: Store, alice: Actor
) -> None:
    many = (await rejected(store, alice, "customers", MANY_PROBLEMS))[0]
    assert many.key is None
    assert [p.key for p in many.parts] == [
        "import.reason.unknown_country",
        "error.input.too_long",
        "import.reason.not_whole_number",
        "import.reason.unknown_owner",
    ]
    assert many.reason == "; ".join(p.text for p in many.parts)
    assert many.reason.startswith("unknown country 'Atlantis' (use a two-letter code")
    assert "the customer name is too long (at most 200 characters)" in many.reason


# --- in Slack -------------------------------------------------------------------------------------------------


async def test_a_norwegian_user_sees_why_rows_were_rejected_in_norwegian(
    store: Store, slack_files: tuple[FakeFiles, AsyncWebClient]
) -> None:
    fake, client = slack_files
    kari = await user_speaking(store, "nb")
    fake.files["F1"] = ("kunder_feil.csv", (DATA / "kunder_feil.csv").read_bytes())
    message, _ = await slack_import.dry_run_message(store, client, kari, "F1")
    text = text_of(message.blocks)
    for expected in (
        "`linje 3` Nordlys Rådgivning AS: ugyldig organisasjonsnummer «923 609 017»: ikke et gyldig norsk nummer",
        "`linje 4` Vestkyst Eiendom AS: organisasjonsnummer 923 609 016 står også på linje 2",
        "navn mangler: en ny kunde trenger et navn",
        "finner ingen kunde #10999 (la kundenummeret stå tomt for å opprette en ny kunde)",
        "ugyldig organisasjonsnummer «abc»: ikke gyldig i NO, SE, FI eller DK",
    ):
        assert expected in text, expected
    assert "invalid organisation number" not in text and "is also on line" not in text


async def test_a_norwegian_user_can_still_import_rows_rejected_for_a_similar_name(
    store: Store, slack_files: tuple[FakeFiles, AsyncWebClient]
) -> None:
    fake, client = slack_files
    kari = await user_speaking(store, "nb")
    async with store.transaction() as s:
        await create_customer(s, kari, "Nordlys Rådgivning AS")
    fake.files["F2"] = ("kunder.csv", b"Navn\nNordlys Radgivning\nHelt Ny Kunde AS\n")
    message, _ = await slack_import.dry_run_message(store, client, kari, "F2")
    assert "ligner en eksisterende kunde, Nordlys Rådgivning AS (#10001): oppgi kundenummeret" in text_of(
        message.blocks
    )
    labels = [(b["text"]["text"], b["action_id"]) for b in buttons(message.blocks)]
    assert ("Importer, tillat lignende navn", "import_run_similar") in labels


async def test_a_swedish_user_sees_every_problem_of_a_row_in_swedish(
    store: Store, slack_files: tuple[FakeFiles, AsyncWebClient]
) -> None:
    fake, client = slack_files
    anna = await user_speaking(store, "sv")
    fake.files["F3"] = ("kunder.csv", MANY_PROBLEMS)
    message, _ = await slack_import.dry_run_message(store, client, anna, "F3")
    text = text_of(message.blocks)
    assert (
        "okänt land ”Atlantis” (använd en landskod med två bokstäver, till exempel NO, SE, FI eller DK); "
        "fältet kundnamn får ha högst 200 tecken; antal anställda ”mange” är inte ett heltal; "
        "okänd ägare ”Nobody” (ingen aktiv användare med den e-postadressen eller det namnet)"
    ) in text
    assert "unknown" not in text and "too long" not in text


async def test_a_swedish_user_gets_the_rejected_rows_file_with_swedish_reasons(
    store: Store, alice: Actor
) -> None:
    report = await run_import(
        store,
        alice,
        Kind.CONTACTS,
        (DATA / "kontakter.csv").read_bytes(),
        options=ImportOptions(dry_run=True),
    )
    lines = slack_import.rejections_csv(report, "sv").decode("utf-8-sig").splitlines()
    assert lines[0] == "Rad;Post;Orsak"
    assert "5;Lise Berg;ogiltig e-postadress ”lise@@aeroy-bygg.no”" in lines
    assert not any("unknown customer" in line or "bad email" in line for line in lines)


def test_a_reason_without_a_key_is_shown_in_its_english_words() -> None:
    report = ImportReport(Kind.CUSTOMERS, "kunder.csv", "UTF-8", ";", ImportOptions(dry_run=True))
    report.rejected = [RowProblem(2, "something only English knows", "Acme AS")]
    assert slack_import.reason_text("nb", report.rejected[0]) == "something only English knows"
