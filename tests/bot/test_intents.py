"""The parser: intents and slots in English, Norwegian and Swedish (SPEC §5.2, §5.3)."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.intents import INTENTS, SLOT_NAMES, parse
from bot.intents.evaluate import DATA, evaluate, load_split

NOW = datetime.fromisoformat("2026-11-23T10:00:00+01:00")  # a Monday


def slots(
    text: str, lang: str | None = None, now: datetime = NOW, tz: str = "Europe/Oslo"
) -> dict[str, object]:
    return parse(text, lang=lang, now=now, tz=tz).slots


@pytest.mark.parametrize(
    "written", ["923 609 016", "923609016", "923-609-016", "orgnr 923.609.016", "org nr: 923 609 016"]
)
def test_a_norwegian_org_number_is_found_however_it_is_written(written: str) -> None:
    assert slots(f"slå opp {written}", "nb")["org_number"] == "923609016"


def test_swedish_and_finnish_numbers_are_digits_only() -> None:
    assert slots("kolla orgnr 556036-0793", "sv")["org_number"] == "5560360793"
    assert slots("look up y-tunnus 0112038-9", "en")["org_number"] == "01120389"


def test_an_invalid_org_number_is_not_taken_for_one() -> None:
    assert "org_number" not in slots("slå opp 923 609 017", "nb")


def test_emails_are_lower_cased_and_phones_are_e164_in_the_users_region() -> None:
    found = slots("legg til Kari Nordmann som kontakt hos Acme, Kari@Acme.NO, 912 34 567", "nb")
    assert found["email"] == "kari@acme.no"
    assert found["phone"] == "+4791234567"
    assert slots("lägg till kontakt Anna Berg på Volvo, 070-123 45 67", "sv")["phone"] == "+46701234567"


def test_the_example_of_the_issue_is_a_contact_with_its_customer() -> None:
    result = parse("la til Kari Nordmann som kontakt hos Acme, kari@acme.no", lang="nb", now=NOW)
    assert result.intent == "add_contact"
    assert result.slots == {"contact_name": "Kari Nordmann", "customer": "Acme", "email": "kari@acme.no"}


def test_a_call_logged_in_swedish_has_customer_day_and_subject() -> None:
    result = parse("logg samtal med Volvo idag om förnyelse", lang="sv", now=NOW)
    assert result.intent == "log_activity"
    assert result.lang == "sv"
    assert result.slots == {
        "customer": "Volvo",
        "activity_kind": "call",
        "subject": "förnyelse",
        "when": "2026-11-23T09:00:00+01:00",
    }


@pytest.mark.parametrize(
    ("text", "lang", "when"),
    [
        ("møte med Acme i morgen kl. 10", "nb", "2026-11-24T10:00:00+01:00"),
        ("møte med Acme i overmorgen", "nb", "2026-11-25T09:00:00+01:00"),
        ("boka möte med Volvo nästa tisdag kl 14", "sv", "2026-11-24T14:00:00+01:00"),
        ("møte med Acme på fredag", "nb", "2026-11-27T09:00:00+01:00"),
        ("book a meeting with Acme at 2pm", "en", "2026-11-23T14:00:00+01:00"),
        ("book a meeting with Acme at 9", "en", "2026-11-24T09:00:00+01:00"),
        ("task for Acme: send the offer by the end of the month", "en", "2026-11-30T09:00:00+01:00"),
        ("møte med Acme 5. desember kl 13.30", "nb", "2026-12-05T13:30:00+01:00"),
        ("møte med Acme neste uke", "nb", "2026-11-30T09:00:00+01:00"),
        ("möte med Volvo om 3 dagar", "sv", "2026-11-26T09:00:00+01:00"),
    ],
)
def test_dates_and_times_resolve_relative_to_now_in_the_users_zone(text: str, lang: str, when: str) -> None:
    assert slots(text, lang)["when"] == when


def test_a_date_in_summer_time_carries_the_summer_offset() -> None:
    june = datetime.fromisoformat("2026-06-15T10:00:00+02:00")
    assert slots("møte med Acme i morgen kl 9", "nb", now=june)["when"] == "2026-06-16T09:00:00+02:00"
    assert slots("meeting with Acme tomorrow at 9", "en", now=june, tz="America/New_York")["when"] == (
        "2026-06-16T09:00:00-04:00"
    )


@pytest.mark.parametrize(
    ("text", "lang", "amount", "currency"),
    [
        ("ny salgsmulighet hos Acme på 1,5 mill kr", "nb", 1_500_000, "NOK"),
        ("new deal with Acme worth 50k EUR", "en", 50_000, "EUR"),
        ("ny affärsmöjlighet för Volvo 250 000 kronor", "sv", 250_000, "SEK"),
        ("ny deal med Acme 2 MNOK", "nb", 2_000_000, "NOK"),
    ],
)
def test_amounts_are_numbers_with_their_currency(text: str, lang: str, amount: int, currency: str) -> None:
    found = slots(text, lang)
    assert found["amount"] == amount
    assert found["currency"] == currency


def test_stages_are_normalised_and_probability_is_a_percentage() -> None:
    result = parse("sett Acme-avtalen til forhandling 70%", lang="nb", now=NOW)
    assert result.intent == "update_sales_case"
    assert result.slots == {"customer": "Acme", "stage": "negotiation", "probability": 70}


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("how are we doing this month?", "kpi_summary"),
        ("hvordan ligger vi an med pipelinen", "pipeline_summary"),
        ("hjälp", "help"),
        ("avbryt", "cancel"),
        ("hei!", "small_talk"),
        ("book a flight to bergen", "unknown"),
        ("", "unknown"),
        ("🎉🎉", "unknown"),
    ],
)
def test_requests_without_slots_get_their_intent(text: str, intent: str) -> None:
    assert parse(text, now=NOW).intent == intent


def test_the_message_language_is_detected_with_the_users_language_as_prior() -> None:
    assert parse("visa kunden Volvo", lang="en", now=NOW).lang == "sv"
    assert parse("show me Acme", lang="nb", now=NOW).lang == "en"
    assert parse("Acme", lang="sv", now=NOW).lang == "sv"


def test_slack_mentions_and_emoji_are_ignored() -> None:
    result = parse("<@U012ABC> vis kunde Acme :tada: 🎉", lang="nb", now=NOW)
    assert result.intent == "show_customer"
    assert result.slots == {"customer": "Acme"}


@settings(max_examples=300)
@given(st.text(max_size=300))
def test_any_text_gets_an_intent_and_never_raises(text: str) -> None:
    result = parse(text, now=NOW)
    assert result.intent in INTENTS
    assert set(result.slots) <= set(SLOT_NAMES)
    json.dumps(result.as_json())


@settings(max_examples=200)
@given(st.lists(st.sampled_from(["kl", "14.30", "i", "morgen", "923", "609", "016", "50k", "%", "@", "-", ",", "hos",
                                 "acme", "møte", "kunde", "om", "5.", "des", "next", "friday", "tkr", ":", "as"]),
                max_size=20))  # fmt: skip
def test_chat_shaped_garbage_never_raises(words: list[str]) -> None:
    assert parse(" ".join(words), now=NOW).intent in INTENTS


# --- accuracy on the labelled data --------------------------------------------------------------------------
# The targets of the issue are 95 % intent accuracy and 90 % exact slot match per language on the held-out
# split, and the parser meets them (see bench/nlu.py: held-out 97.2-98.6 % / 91.0-93.2 % over 2,641 lines), so the
# slot floor is the target itself. Dev is 99.8-100 % / 97.9-99.7 % over 5,276 lines; its floors guard against
# regressions (dev17, added last and hardest, is at 93.1 % after training on it). (The rules round on dev17 and
# the tagger's swapped-customer copies took held-out English from 89.6 % to 91.0 %, on the same 2,641 lines.)
HELDOUT_FLOORS = {"intent": 0.965, "slots": 0.90}
DEV_FLOORS = {"intent": 0.99, "slots": 0.975}


@pytest.fixture(scope="module")
def heldout_report():  # type: ignore[no-untyped-def]
    return evaluate(load_split("heldout"))


@pytest.fixture(scope="module")
def dev_report():  # type: ignore[no-untyped-def]
    return evaluate(load_split("dev"))


@pytest.mark.parametrize("lang", ["en", "nb", "sv"])
def test_held_out_accuracy_stays_above_its_floor(heldout_report, lang: str) -> None:  # type: ignore[no-untyped-def]
    assert heldout_report.intent_accuracy(lang) >= HELDOUT_FLOORS["intent"]
    assert heldout_report.slot_accuracy(lang) >= HELDOUT_FLOORS["slots"]


@pytest.mark.parametrize("lang", ["en", "nb", "sv"])
def test_dev_accuracy_meets_the_targets(dev_report, lang: str) -> None:  # type: ignore[no-untyped-def]
    assert dev_report.intent_accuracy(lang) >= DEV_FLOORS["intent"]
    assert dev_report.slot_accuracy(lang) >= DEV_FLOORS["slots"]


def test_the_labelled_data_is_balanced_and_large_enough() -> None:
    dev, heldout = load_split("dev"), load_split("heldout")
    assert len(dev) + len(heldout) >= 400
    assert 3 * len(heldout) >= len(dev) + len(heldout)  # the issue asks for a third, held out
    examples = dev + heldout
    for lang in ("en", "nb", "sv"):
        intents = {e.intent for e in examples if e.lang == lang}
        assert intents == set(INTENTS)


def test_kundebot_parse_prints_exactly_the_stable_json() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "parse", "ny kunde Bergen Bygg AS 923 609 016", "--lang", "nb",
         "--now", "2026-11-23T10:00:00+01:00", "--json"],
        capture_output=True, text=True, timeout=60, check=True, cwd=Path(__file__).resolve().parents[2],
    )  # fmt: skip
    assert json.loads(result.stdout) == {
        "intent": "create_customer",
        "lang": "nb",
        "slots": {"customer": "Bergen Bygg AS", "org_number": "923609016"},
    }
    assert list(json.loads(result.stdout)) == ["intent", "lang", "slots"]


def test_kundebot_parse_refuses_an_unknown_language() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "parse", "hei", "--lang", "de", "--json"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 2
    assert "Unknown language 'de'" in result.stderr


def test_the_classifier_trains_reproducibly_in_seconds(tmp_path: Path) -> None:
    from bot.intents.classifier import classify, train_from_files

    meta = train_from_files([DATA / "dev.jsonl"], out=tmp_path / "first.crfsuite")
    train_from_files([DATA / "dev.jsonl"], out=tmp_path / "second.crfsuite")
    assert meta["examples"] >= 300 and meta["seconds"] < 30
    assert (tmp_path / "first.crfsuite").read_bytes() == (tmp_path / "second.crfsuite").read_bytes()
    guess = classify("hva ligger i pipen", model=tmp_path / "first.crfsuite")
    assert guess is not None and 0.0 < guess[1] <= 1.0


def test_without_a_classifier_model_there_is_no_guess(tmp_path: Path) -> None:
    from bot.intents.classifier import classify

    assert classify("hva ligger i pipen", model=tmp_path / "none.crfsuite") is None


def test_the_shipped_classifier_speaks_when_the_rules_found_nothing() -> None:
    from bot.intents.classifier import classify

    assert classify("how are we doing") is not None  # the model ships with the package
    assert parse("hva ligger i pipen", lang="nb", now=NOW).intent == "pipeline_summary"
    assert parse("show acme", now=NOW).intent == "show_customer"


def test_a_request_put_in_words_is_not_overruled_by_the_classifier(monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.intents import parser

    text = (
        "Vi pratade med Berg Bygg i somras, så kan du boka ett möte med Eva på Sundsvall Energi om budgeten"
    )
    monkeypatch.setattr(parser, "classify", lambda blanked: ("log_activity", 0.99))  # the story: a call made
    assert parse(text, lang="sv", now=NOW).intent == "schedule_meeting"


def test_a_sure_classifier_overrules_misleading_cues(monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.intents import parser
    from bot.intents.classifier import OVERRULE_CONFIDENCE

    text = "emailed the folks at Ernst & Young the revised fee proposal"
    monkeypatch.setattr(parser, "classify", lambda blanked: ("log_activity", OVERRULE_CONFIDENCE))
    assert parse(text, lang="en", now=NOW).intent == "log_activity"
    monkeypatch.setattr(parser, "classify", lambda blanked: ("log_activity", OVERRULE_CONFIDENCE - 0.01))
    assert parse(text, lang="en", now=NOW).intent != "log_activity"  # (the cues: a revised proposal, a deal)


def test_the_slot_tagger_trains_reproducibly_in_seconds(tmp_path: Path) -> None:
    from bot.intents import slot_tagger

    first = slot_tagger.train_from_files([DATA / "dev.jsonl"], tmp_path / "first")
    slot_tagger.train_from_files([DATA / "dev.jsonl"], tmp_path / "second")
    assert first["names"]["messages"] >= 200 and first["seconds"] < 30
    for layer in slot_tagger.LAYERS:
        made = slot_tagger.model_file(layer, tmp_path / "first").read_bytes()
        assert made == slot_tagger.model_file(layer, tmp_path / "second").read_bytes()


def test_a_to_dos_subject_holds_the_names_on_a_layer_of_its_own() -> None:
    from bot.intents.parser import read
    from bot.intents.slot_tagger import gold_tags

    reading = read("minn meg på å ringe Kari Nordmann hos Acme om 3 dager", lang="nb", now=NOW)
    labelled = {"customer": "Acme", "contact_name": "Kari Nordmann", "subject": "ringe Kari Nordmann"}
    words = [w.text for w in reading.words]
    names, subject = gold_tags(reading, labelled, "names"), gold_tags(reading, labelled, "subject")
    assert names is not None and subject is not None
    assert [t for w, t in zip(words, names, strict=True) if w in ("Kari", "Nordmann", "Acme")] == [
        "B-contact_name", "I-contact_name", "B-customer"
    ]  # fmt: skip
    assert [w for w, t in zip(words, subject, strict=True) if t != "O"] == ["ringe", "Kari", "Nordmann"]


def test_a_value_that_is_no_run_of_whole_words_is_not_trained_on() -> None:
    from bot.intents.parser import read
    from bot.intents.slot_tagger import gold_tags

    reading = read("markera Uppsala Datas affär som kvalificerad", lang="sv", now=NOW)
    assert gold_tags(reading, {"customer": "Uppsala Data"}, "names") is None


def test_without_a_tagger_model_the_rules_reading_stands(tmp_path: Path) -> None:
    from bot.intents.parser import read
    from bot.intents.slot_tagger import revise

    reading = read("Move The Fjellheim Hotell Booking Engine Deal To Negotiation", lang="en", now=NOW)
    assert revise(reading, directory=tmp_path) == reading.slots


def test_the_tagger_replaces_a_value_only_where_it_is_sure(monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.intents import slot_tagger
    from bot.intents.parser import read

    reading = read("Move The Fjellheim Hotell Booking Engine Deal To Negotiation", lang="en", now=NOW)
    found = {
        "customer": slot_tagger.Tagged("Fjellheim Hotell", 0.95),
        "subject": slot_tagger.Tagged("Deal", 0.4),
    }
    monkeypatch.setattr(slot_tagger, "disagreements", lambda reading, directory: found)
    revised = slot_tagger.revise(reading)
    assert revised["customer"] == "Fjellheim Hotell"
    assert revised.get("subject") == reading.slots.get("subject")  # not sure enough: the rules' value stays
    assert revised["stage"] == reading.slots["stage"]  # the slots with a shape are the rules' alone


def test_the_tagger_never_takes_a_value_away(monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.intents import slot_tagger
    from bot.intents.parser import read

    reading = read("logg samtale med Acme om fornyelsen i dag", lang="nb", now=NOW)
    monkeypatch.setattr(slot_tagger, "disagreements", lambda reading, directory: {})
    assert slot_tagger.revise(reading) == reading.slots


def test_a_genitive_the_rules_cut_off_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.intents import slot_tagger
    from bot.intents.parser import read

    reading = read("markera Uppsala Datas affär som kvalificerad", lang="sv", now=NOW)
    assert reading.slots["customer"] == "Uppsala Data"
    found = {"customer": slot_tagger.Tagged("Uppsala Datas", 0.99)}
    monkeypatch.setattr(slot_tagger, "disagreements", lambda reading, directory: found)
    assert slot_tagger.revise(reading)["customer"] == "Uppsala Data"


def test_kundebot_nlu_train_refuses_the_held_out_split() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "nlu", "train", "--data", str(DATA / "heldout.jsonl")],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 2 and "held-out" in result.stderr


def test_the_tagger_has_no_say_on_a_customer_read_from_a_marker_that_leaves_no_doubt() -> None:
    from bot.intents.parser import read
    from bot.intents.slot_tagger import disagreements

    for text in (
        "called Vik Elektro's purchasing team yesterday about the panels",
        "Tom Berg moved from Acme AS to Nordlys AS as CFO, add him as a contact",
    ):
        reading = read(text, lang="en", now=NOW)
        assert "customer" in reading.settled
        assert "customer" not in disagreements(reading)


def test_a_tagged_name_that_starts_or_ends_inside_a_hyphenated_word_is_not_taken() -> None:
    from bot.intents.slot_tagger import _inside_a_hyphenated_word

    said = "emailed Ana-Maria López-Fernández at Iberia Foods"
    assert _inside_a_hyphenated_word(said, "Maria López-Fernández")
    assert _inside_a_hyphenated_word(said, "Ana-Maria López")
    assert not _inside_a_hyphenated_word(said, "Ana-Maria López-Fernández")
    assert not _inside_a_hyphenated_word("a call - Iberia Foods", "Iberia Foods")
