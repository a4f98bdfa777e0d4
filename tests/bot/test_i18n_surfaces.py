"""The surfaces speak the user's language too: the renderers' labels and buttons (console and Block Kit), the
Slack modals, the app's own messages and the import report take their words from bot/i18n.py."""

from __future__ import annotations

import ast
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from rich.console import Console

from bot import i18n, modals, slack_import
from bot.conversation import Conversation
from bot.i18n import CATALOGUE, value_name
from bot.render import blocks, console
from bot.replies import CaptureNotice, Choice, Confirm, RegisterCard, Reply, Text, WaitingEmails
from store.db import Store
from store.models import ActivityKind, CustomerKind, RelationLevel, Visibility
from store.services import customers
from store.services.importing import ImportOptions, ImportReport, Kind, RowProblem
from tests.bot.test_blocks import EVERY_REPLY, a_card, a_customer, a_list, a_unit, strings, within_limits
from tests.bot.test_i18n import user_speaking

ROOT = Path(__file__).parents[2]
SURFACES = sorted(
    [
        *(ROOT / "bot" / "render").glob("*.py"),
        ROOT / "bot" / "app.py",
        ROOT / "bot" / "modals.py",
        ROOT / "bot" / "slack_import.py",
        ROOT / "bot" / "dialogue.py",
        ROOT / "bot" / "capture_notices.py",
    ]
)
LANGUAGES = ("en", "nb", "sv")
DEFAULT_STAGES = ("lead", "qualified", "proposal", "negotiation", "won", "lost")  # migration 0001


# --- every key the surfaces use exists in every language ----------------------------------------------


def _call_name(node: ast.Call) -> str | None:
    return getattr(node.func, "id", None) or getattr(node.func, "attr", None)


def _prefix(node: ast.expr) -> str | None:
    """The constant start of an f-string key (`f"card.{key}"` -> "card.")."""
    if isinstance(node, ast.JoinedStr) and node.values and isinstance(node.values[0], ast.Constant):
        return str(node.values[0].value)
    return None


def _label_prefixes(tree: ast.AST) -> Iterator[tuple[ast.FunctionDef, str]]:
    """Functions holding a `label(key)` helper that returns `say(lang, f"PREFIX{key}")`, with PREFIX."""
    for outer in ast.walk(tree):
        if not isinstance(outer, ast.FunctionDef):
            continue
        for inner in outer.body:
            if isinstance(inner, ast.FunctionDef) and inner.name == "label":
                for call in ast.walk(inner):
                    if isinstance(call, ast.Call) and _call_name(call) == "say" and len(call.args) > 1:
                        prefix = _prefix(call.args[1])
                        if prefix:
                            yield outer, prefix


def surface_keys() -> tuple[set[str], set[str]]:
    """The catalogue keys the surfaces name: whole keys (`say(lang, "button.yes")`, `label("owner")` in a
    function whose `label` says "card." + key, the "and N more" nouns of `_list_section`/`_more`, a
    DownloadFailed's key), and the prefixes of keys built at run time (`say(lang, f"col.{col}")`)."""
    keys: set[str] = set()
    prefixes: set[str] = set()
    for path in SURFACES:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for outer, prefix in _label_prefixes(tree):
            for call in ast.walk(outer):
                if isinstance(call, ast.Call) and _call_name(call) == "label" and call.args:
                    if isinstance(key := call.args[0], ast.Constant):
                        keys.add(prefix + str(key.value))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            name, args = _call_name(node), node.args
            if name == "say" and len(args) > 1:
                if isinstance(args[1], ast.Constant):
                    keys.add(str(args[1].value))
                elif prefix := _prefix(args[1]):
                    prefixes.add(prefix)
            elif name == "_list_section" and len(args) > 3 and isinstance(args[3], ast.Constant):
                keys.add(f"more.{args[3].value}")
            elif name == "_more" and len(args) > 1 and isinstance(args[1], ast.Constant):
                keys.add(f"more.{args[1].value}")
            elif name == "DownloadFailed" and isinstance(args[0], ast.Constant):
                keys.add(f"import.{args[0].value}")
    return keys, prefixes


def test_every_key_the_surfaces_use_exists_in_every_language() -> None:
    keys, _ = surface_keys()
    # the scan finds them: the card's labels, a modal's, a button, a "more" noun, a download problem
    assert {
        "card.owner",
        "modal.add_customer",
        "button.add_contact",
        "more.contacts",
        "import.no_scope",
    } <= keys
    assert len(keys) > 150
    for lang in LANGUAGES:
        missing = sorted(key for key in keys if key not in CATALOGUE[lang])
        assert missing == [], (lang, missing)


def test_the_keys_built_at_run_time_are_only_those_the_tests_know() -> None:
    """A new f-string key needs its keys checked here (or in the rendering tests below, which fail on a key
    missing in Norwegian or Swedish)."""
    _, prefixes = surface_keys()
    assert prefixes == {
        "card.", "modal.", "kpi.", "col.", "more.", "country.", "kind.", "import.", "import.kind.", "import.csv.", "ask.",
    }  # fmt: skip


def test_every_value_shown_to_users_has_a_name_in_every_language() -> None:
    values = {
        "customer_kind": [k.value for k in CustomerKind],
        "kind": [k.value for k in ActivityKind],
        "relation_level": [r.value for r in RelationLevel],
        "stage": list(DEFAULT_STAGES),
        "status": ["active", "deleted", "bankrupt", "under_liquidation"],
        "capture.rule": ["plus_address", "contact_email", "thread", "domain", "manual"],
        "country": list(modals.COUNTRIES),
        "import.kind": [k.value for k in Kind] + ["rows", "file"],
        "import.delimiter": ["semicolon", "comma", "tab", "pipe"],
    }
    for lang in LANGUAGES:
        missing = [f"{p}.{v}" for p, vs in values.items() for v in vs if f"{p}.{v}" not in CATALOGUE[lang]]
        assert missing == [], lang


def test_button_texts_and_modal_titles_fit_slacks_limits_in_every_language() -> None:
    for lang in LANGUAGES:
        for key, text in CATALOGUE[lang].items():
            if key.startswith("button.") or key in ("import.button", "import.allow_similar"):
                assert len(text) <= 75 - 40, (lang, key)  # room for a customer's name in "Link to {label}"
        for key in ("add_customer", "edit_customer", "add_contact", "log_activity", "save_to_crm", "create",
                    "create_anyway", "save", "cancel", "add", "log"):  # fmt: skip
            assert len(CATALOGUE[lang][f"modal.{key}"]) <= modals.TITLE, (lang, key)


# --- strict: a key missing in the user's language fails instead of falling back to English -------------


@pytest.fixture
def strict(monkeypatch: pytest.MonkeyPatch) -> None:
    def template(lang: str, key: str) -> str:
        return CATALOGUE[lang][key]

    monkeypatch.setattr(i18n, "template", template)


NOTICES: list[Reply] = [
    CaptureNotice(5, "Renewal", "kari@acme.no", customer_id=7, customer_name="Acme AS", rule="domain"),
    CaptureNotice(6, "Offer", "ola@fjord.no", candidates=[(7, "Acme AS (#10001)"), (8, "Fjord AS (#10002)")]),
    WaitingEmails([CaptureNotice(6, "Offer", "ola@fjord.no")]),
    WaitingEmails([]),
]


@pytest.mark.parametrize("lang", ["nb", "sv"])
@pytest.mark.usefixtures("strict")
def test_every_reply_renders_in_norwegian_and_swedish_from_their_own_catalogue(lang: str) -> None:
    for reply in [*EVERY_REPLY, *NOTICES, a_list(hits=60, register_hits=2, more=True)]:
        within_limits(blocks.render(reply, lang))
        console.render(Console(record=True, width=140), reply, lang)


@pytest.mark.parametrize("lang", ["nb", "sv"])
@pytest.mark.usefixtures("strict")
def test_every_modal_and_import_report_is_built_from_the_users_catalogue(lang: str) -> None:
    customer = a_customer(id=7, version=1)
    views = [
        modals.add_customer_view(lang=lang),
        modals.edit_customer_view(customer, lang),
        modals.add_contact_view(7, "Acme AS", lang),
        modals.log_activity_view(7, "Acme AS", lang),
        modals.save_message_view(
            modals.SavedMessage("C1", "1.2", "https://x.slack.com/p1"), "Acme", [], lang
        ),
        modals.save_message_view(modals.SavedMessage("C1", "1.2"), "Acme", [(7, "Acme AS (#10001)")], lang),
    ]
    assert all(view["close"]["text"] == CATALOGUE[lang]["modal.cancel"] for view in views)
    modals.edit_choices_message("Which?", [(7, "Acme AS")], lang)
    modals.notice("Saved.", 7, lang=lang)
    modals.open_existing_message("Taken.", 7, lang)
    request = slack_import.ImportRequest("F1", Kind.CUSTOMERS, "0" * 16)
    for report in (a_report(dry_run=True), a_report(dry_run=False), a_report(dry_run=True, rejected=0)):
        slack_import.report_message(report, request, lang)
    slack_import.working_message(request.value(), lang)
    slack_import.cancelled_message(request.value(), lang)
    assert slack_import.DownloadFailed("http", name="kunder.csv", status=500).text(lang)
    header = slack_import.rejections_csv(a_report(dry_run=True), lang).decode("utf-8-sig").splitlines()[0]
    assert header == ";".join(CATALOGUE[lang][f"import.csv.{column}"] for column in ("line", "row", "reason"))


def a_report(*, dry_run: bool, rejected: int = 2) -> ImportReport:
    return ImportReport(
        Kind.CUSTOMERS, "kunder.csv", "utf-8", ";", ImportOptions(dry_run=dry_run), rows=5 + rejected,
        created=3, updated=1, unchanged=1, unknown_columns=["Fax"], written=not dry_run,
        rejected=[
            RowProblem(3 + i, "similar to Nordlys AS (#10001)", "Nordlys AS", "import.reason.similar_existing",
                       {"customer": "Nordlys AS (#10001)"})
            for i in range(rejected)
        ],
    )  # fmt: skip


# --- what a Norwegian and a Swedish user see -----------------------------------------------------------


def block_text(reply: Reply, lang: str) -> str:
    """Every text of the rendered message's blocks, one a line."""
    return "\n".join(strings(blocks.render(reply, lang).blocks))


def console_text(reply: Reply, lang: str) -> str:
    out = Console(record=True, width=160)
    console.render(out, reply, lang)
    return out.export_text()


def test_a_norwegian_user_sees_the_customer_card_in_norwegian_in_slack() -> None:
    text = block_text(a_card(), "nb")
    for expected in (
        "*Kundenr.*\n#10001", "*Org.nr.*\n923 609 016 (NO)", "*Kundetype*\nprospekt", "*Eier*\nKari Selger",
        "*Hovedkontor*", "*Kontaktpersoner*", "*Åpne salgsmuligheter*", "Tilbud", "forventet 2025-03-01",
        "*Siste aktiviteter*", "samtale", "Legg til kontaktperson", "Logg aktivitet", "Rediger",
        "Åpne i registeret",
    ):  # fmt: skip
        assert expected in text, expected
    assert "Customer no." not in text and "Add contact" not in text and "call" not in text


def test_a_swedish_user_sees_the_customer_card_in_swedish_in_slack() -> None:
    text = block_text(a_card(a_customer(visibility=Visibility.OWNER)), "sv")
    for expected in (
        "*Kundnr*\n#10001", "*Org.nr*\n923 609 016 (NO)", "*Kundtyp*\nprospekt · :lock: endast ägaren",
        "*Ägare*\nKari Selger", "*Huvudkontor*", "*Kontaktpersoner*", "*Öppna affärsmöjligheter*", "Offert",
        "*Senaste aktiviteterna*", "samtal", "Lägg till kontaktperson", "Logga aktivitet", "Öppna i registret",
    ):  # fmt: skip
        assert expected in text, expected


def test_a_long_card_says_how_many_more_in_the_users_language() -> None:
    assert "_og 190 kontaktpersoner til_" in block_text(a_card(contacts=200), "nb")
    assert "_och 90 aktiviteter till_" in block_text(a_card(activities=100), "sv")


def test_a_norwegian_user_sees_the_customer_card_in_norwegian_in_the_console() -> None:
    text = console_text(a_card(), "nb")
    for expected in ("Kundenr.", "Kundetype", "prospekt", "Eier", "Hovedkontor", "Kontaktpersoner", "Navn",
                     "Åpne salgsmuligheter", "Fase", "Tilbud", "Siste aktiviteter", "Når", "samtale"):  # fmt: skip
        assert expected in text, expected
    assert "Customer no." not in text and "Latest activities" not in text


def test_a_swedish_user_sees_the_customer_card_in_swedish_in_the_console() -> None:
    text = console_text(a_card(), "sv")
    for expected in ("Kundnr", "Kundtyp", "Ägare", "Huvudkontor", "Kontaktpersoner", "Namn", "Steg", "Offert",
                     "Öppna affärsmöjligheter", "Senaste aktiviteterna", "samtal"):  # fmt: skip
        assert expected in text, expected


def test_the_english_card_is_unchanged() -> None:
    text = block_text(a_card(), "en")
    assert "*Customer no.*\n#10001" in text and "*Kind*\nprospect" in text and "Open in register" in text
    assert "Kind" in console_text(a_card(), "en") and "Latest activities" in console_text(a_card(), "en")


def test_a_yes_no_question_and_a_choice_are_answered_in_the_users_words() -> None:
    confirm = blocks.render(Confirm("Opprette kunden Acme AS?"), "nb")
    assert confirm.text == "Opprette kunden Acme AS? (ja/nei)"
    assert "Svara med numret." in console_text(Choice("Vilken?", ["A", "B"]), "sv")


def test_a_question_asked_in_another_language_keeps_its_buttons_and_hint_in_it() -> None:
    # (the dialogue answers in the language a message was written in: a Norwegian user who wrote in English)
    confirm = blocks.render(Confirm("Log email with Nordlys IT AS: the revised fee proposal?", "en"), "nb")
    assert confirm.text.endswith("(yes/no)")
    buttons = [e["text"]["text"] for b in confirm.blocks if b["type"] == "actions" for e in b["elements"]]
    assert buttons == ["Yes", "No"]
    assert console_text(Confirm("Logge e-post?", "nb"), "en").strip().endswith("(ja/nei)")


def test_the_register_card_names_the_register_in_the_users_language() -> None:
    unit = a_unit()
    text = block_text(RegisterCard(unit, "923 609 016", "the Norwegian register (Brønnøysund)"), "nb")
    assert "*Status*\naktiv" in text and "*Organisasjonsform*" in text and "fra Brønnøysundregistrene" in text
    assert "från den lokala kopian av registret" in block_text(RegisterCard(unit, "9", "local"), "sv")


def test_the_add_customer_modals_choices_are_named_in_norwegian() -> None:
    # Its title, buttons and labels are checked over HTTP in tests/bot/test_slack_modals.py.
    view = modals.add_customer_view(lang="nb")
    country = next(b for b in view["blocks"] if b.get("block_id") == "country")["element"]
    assert [o["text"]["text"] for o in country["options"]] == ["Norge", "Sverige", "Finland", "Danmark"]
    kind = next(b for b in view["blocks"] if b.get("block_id") == "kind")["element"]
    assert kind["initial_option"]["text"]["text"] == "Kunde"


def test_a_swedish_user_sees_the_log_activity_modal_in_swedish() -> None:
    view = modals.log_activity_view(7, "Acme AB", "sv")
    assert (view["title"]["text"], view["submit"]["text"]) == ("Logga aktivitet", "Logga")
    assert view["blocks"][0]["text"]["text"] == "Logga en aktivitet på *Acme AB*"
    kinds = next(b for b in view["blocks"] if b.get("block_id") == "kind")["element"]["options"]
    assert [o["text"]["text"] for o in kinds] == ["Samtal", "Möte", "Anteckning", "Mejl"]
    assert [o["value"] for o in kinds] == [
        "call",
        "meeting",
        "note",
        "email",
    ]  # what is stored stays the same


def test_the_import_report_is_in_the_users_language() -> None:
    message = slack_import.report_message(
        a_report(dry_run=True), slack_import.ImportRequest("F1", Kind.CUSTOMERS, "0" * 16), "nb"
    )
    text = json.dumps(message.blocks, ensure_ascii=False)
    assert "Importsjekk: kunder.csv" in text
    assert "*7* rader med kunder: vil opprette *3*, vil oppdatere *1*, 1 uendret, *2* avvist." in text
    assert "`linje 3` Nordlys AS" in text and "utf-8, semikolonseparert" in text
    assert "Importer de 4 gode radene" in text and "Ikke ennå" in text
    assert message.text == "Importsjekk: kunder.csv: vil opprette 3, vil oppdatere 1, 1 uendret, 2 avvist"


def test_the_english_import_report_is_unchanged() -> None:
    message = slack_import.report_message(a_report(dry_run=True), None)
    text = json.dumps(message.blocks, ensure_ascii=False)
    assert "*7* rows of customers: would create *3*, would update *1*, 1 unchanged, *2* rejected." in text
    assert "utf-8, semicolon-separated" in text
    report = a_report(dry_run=False)
    assert slack_import.report_message(report, None).text == f"Imported: kunder.csv: {report.counts()}"


# --- the activity kind inside texts ---------------------------------------------------------------------


async def logged_and_undone(
    store: Store, lang: str, message: str, *, yes: str = "ja", undo: str | None = None
) -> list[str]:
    talk = Conversation(store, await user_speaking(store, lang))
    async with store.transaction() as s:
        await customers.create_customer(s, talk.context.actor, "Acme AS")
    await talk.handle(message)
    await talk.handle(yes)
    said = await talk.handle(undo or {"nb": "angre", "sv": "ångra"}[lang])
    return [r.message for r in said if isinstance(r, Text)]


async def test_the_undo_names_the_activity_kind_in_norwegian(store: Store) -> None:
    assert await logged_and_undone(store, "nb", "logg samtale med Acme om fornyelsen") == [
        "Angret: samtale: fornyelsen."
    ]


async def test_the_undo_names_the_activity_kind_in_swedish(store: Store) -> None:
    assert await logged_and_undone(store, "sv", "logga ett möte med Acme om offerten") == [
        "Ångrat: möte: offerten."
    ]


async def test_undo_answers_in_the_language_of_the_word_asking_for_it(store: Store) -> None:
    # a Norwegian user who wrote in English and says "undo" is answered in English, and the other way round
    assert await logged_and_undone(
        store, "nb", "log a call with Acme about the renewal", yes="yes", undo="undo"
    ) == ["Undone: call: the renewal."]


async def test_a_swedish_undo_word_gets_a_swedish_answer_from_an_english_user(store: Store) -> None:
    assert await logged_and_undone(store, "en", "logga ett möte med Acme om offerten", undo="ångra det") == [
        "Ångrat: möte: offerten."
    ]


def test_value_names_fall_back_to_the_stored_value() -> None:
    assert value_name("nb", "stage", "proposal") == "tilbud"
    assert value_name("sv", "stage", "Pilot") == "Pilot"  # a stage an administrator named
    assert value_name("de", "customer_kind", CustomerKind.SUPPLIER) == "supplier"
