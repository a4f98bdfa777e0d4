"""The slot tagger's training copies with swapped customers (bot/intents/augment.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.intents.augment import in_the_same_style, with_customers_swapped
from bot.intents.evaluate import Example

NOW = datetime.fromisoformat("2026-11-23T10:00:00+01:00")


def line(number: int, text: str, lang: str = "en", **slots: Any) -> Example:
    return Example(text, lang, "log_activity", slots, NOW, "Europe/Oslo", number)


LINES = [
    line(1, "log call with Nordvik Bygg about the offer", customer="Nordvik Bygg", subject="the offer"),
    line(2, "mtg w fjordkraft tmrw", customer="fjordkraft"),
    line(3, "LOG A CALL WITH ACME AS TODAY", customer="ACME AS"),
    line(4, "logg samtale med Eikeli Skoler", lang="nb", customer="Eikeli Skoler"),
    line(5, "logg samtale med Brattli Maskin AS", lang="nb", customer="Brattli Maskin AS"),
]


def test_each_copy_names_another_customer_in_the_text_and_in_the_label() -> None:
    for copy in with_customers_swapped(LINES):
        original = LINES[copy.line - 1]
        assert copy.slots["customer"] != original.slots["customer"]
        assert copy.slots["customer"] in copy.text
        assert original.slots["customer"] not in copy.text


def test_a_copy_keeps_the_other_slots_and_the_words_around_the_name() -> None:
    copies = [c for c in with_customers_swapped(LINES) if c.text.startswith("log call with ")]
    assert copies and all(c.text.endswith(" about the offer") for c in copies)
    assert all(c.slots["subject"] == "the offer" for c in copies)


def test_a_customer_is_swapped_only_for_one_of_the_same_language() -> None:
    norwegian = {"Eikeli Skoler", "Brattli Maskin AS"}
    for copy in with_customers_swapped(LINES):
        assert (copy.slots["customer"] in norwegian) == (copy.lang == "nb")


def test_the_new_name_is_written_in_the_style_of_the_old_one() -> None:
    assert in_the_same_style("Nordvik Bygg AS", "fjordkraft") == "nordvik bygg as"
    assert in_the_same_style("Nordvik Bygg AS", "ACME AS") == "NORDVIK BYGG AS"
    assert in_the_same_style("nordvik bygg", "Acme Consulting") == "Nordvik Bygg"
    assert in_the_same_style("Nordvik Bygg", "H&M") == "Nordvik Bygg"


def test_a_customer_written_twice_or_not_as_labelled_gets_no_copy() -> None:
    lines = [
        line(1, "call Acme, Acme wants a demo", customer="Acme"),
        line(2, "called them", customer="Lysaker Data"),
        line(3, "call Lysaker Data", customer="Lysaker Data"),
    ]
    copies = with_customers_swapped(lines, copies=5)
    assert copies and {c.line for c in copies} == {3}


def test_the_same_lines_give_the_same_copies() -> None:
    assert with_customers_swapped(LINES) == with_customers_swapped(LINES)
