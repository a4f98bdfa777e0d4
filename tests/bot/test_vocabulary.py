from __future__ import annotations

from bot.intents.vocabulary import common_english, zipf


def test_everyday_english_words_are_common_english() -> None:
    assert all(common_english(w) for w in ("pricing", "charter", "dashboard", "timetable"))


def test_a_nordic_company_word_is_not_common_english() -> None:
    assert not any(common_english(w) for w in ("fjordcruise", "trelast", "fergeservice", "bygg"))


def test_a_word_as_common_in_swedish_as_in_english_is_not_counted_as_english() -> None:
    en, _, sv = zipf("marina")
    assert sv >= en
    assert not common_english("marina")


def test_numbers_and_codes_are_never_common_english() -> None:
    assert not common_english("250k")
    assert not common_english("#when")
