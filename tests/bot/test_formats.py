"""Numbers in the user's language (bot/render/formats.py), and the KPI and pipeline replies that use them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from rich.console import Console

from bot.render import blocks
from bot.render import console as console_render
from bot.render.formats import compact, decimal_separator, locale_for, money, month_label, number, percent
from bot.replies import KpiReply, PipelineReply
from store.periods import month, quarter
from store.services.dashboard import Dashboard, Pipeline, Sales, SellerTotal, StageTotal
from store.services.kpi import KpiSummary

MILLION = Decimal("1234567")


@pytest.mark.parametrize(
    ("amount", "currency", "lang", "expected"),
    [
        (MILLION, "NOK", "nb", "1 234 567 kr"),
        (MILLION, "SEK", "sv", "1 234 567 kr"),
        (MILLION, "NOK", "sv", "1 234 567 Nkr"),  # CLDR: in Swedish, plain "kr" is Swedish kronor
        (MILLION, "NOK", "en", "NOK 1,234,567"),
        (MILLION, "SEK", "en", "SEK 1,234,567"),
        (Decimal("-1234567"), "NOK", "nb", "-1 234 567 kr"),
        (Decimal("-1234567"), "NOK", "en", "-NOK 1,234,567"),
        (Decimal("0"), "NOK", "nb", "0 kr"),
        (Decimal("5"), "NOK", "nb", "5 kr"),
        (Decimal("999.49"), "NOK", "nb", "999 kr"),
        (Decimal("999.50"), "NOK", "nb", "1 000 kr"),
        (Decimal("1234.5"), "EUR", "en", "€1,234"),
        (Decimal("1234.5"), "EUR", "nb", "1 234 €"),
        (1234567, "nok", "nb", "1 234 567 kr"),
    ],
)
def test_money_in_each_language(amount: Decimal, currency: str, lang: str, expected: str) -> None:
    assert money(amount, currency, lang) == expected


def test_money_with_decimals() -> None:
    assert money(Decimal("1234.5"), "NOK", "nb", digits=2) == "1 234,50 kr"
    assert money(Decimal("1234.5"), "NOK", "en", digits=2) == "NOK 1,234.50"


def test_money_defaults_to_the_format_replies_always_had() -> None:
    assert money(MILLION) == "1 234 567 kr"


def test_results_use_plain_spaces_and_hyphen_minus() -> None:
    for lang in ("nb", "sv", "en"):
        for text in (money(-MILLION, "NOK", lang), number(-MILLION, lang), percent(Decimal("-0.5"), lang)):
            assert not {"\u00a0", "\u202f", "\u2212"} & set(text), (lang, text)


@pytest.mark.parametrize(
    ("lang", "whole", "two_decimals"),
    [("nb", "1 234 567", "1 234,50"), ("sv", "1 234 567", "1 234,50"), ("en", "1,234,567", "1,234.50")],
)
def test_plain_numbers(lang: str, whole: str, two_decimals: str) -> None:
    assert number(MILLION, lang) == whole
    assert number(Decimal("1234.5"), lang, digits=2) == two_decimals


@pytest.mark.parametrize(
    ("lang", "plain", "signed_up", "signed_down", "one_decimal"),
    [
        ("nb", "13 %", "+12 %", "-12 %", "12,5 %"),
        ("sv", "13 %", "+12 %", "-12 %", "12,5 %"),
        ("en", "13%", "+12%", "-12%", "12.5%"),
    ],
)
def test_percentages(lang: str, plain: str, signed_up: str, signed_down: str, one_decimal: str) -> None:
    assert percent(Decimal("0.13"), lang) == plain
    assert percent(Decimal("0.12"), lang, signed=True) == signed_up
    assert percent(Decimal("-0.12"), lang, signed=True) == signed_down
    assert percent(Decimal("0.125"), lang, digits=1) == one_decimal


def test_compact_numbers_for_chart_labels() -> None:
    assert compact(1_250_000, "nb") == "1,2 mill."
    assert compact(1_250_000, "en") == "1.2M"
    assert compact(999, "sv") == "999"


def test_locales_separators_and_month_names() -> None:
    assert [locale_for(x) for x in ("nb", "sv", "en", "NB", "fr", None)] == [
        "nb_NO",
        "sv_SE",
        "en_GB",
        "nb_NO",
        "en_GB",
        "en_GB",
    ]
    assert [decimal_separator(x) for x in ("nb", "sv", "en")] == [",", ",", "."]
    assert month_label(date(2025, 5, 1), "nb") == "mai 2025"
    assert month_label(date(2025, 5, 1), "sv", with_year=False) == "maj"
    assert month_label(date(2025, 5, 1), "en", with_year=False) == "May"


def test_an_unknown_language_gets_english_formats() -> None:
    assert money(MILLION, "NOK", "de") == "NOK 1,234,567"


# --- the KPI and pipeline replies in the user's language -----------------------------------------------

TODAY = date(2025, 1, 15)


def a_kpi(lang: str) -> KpiReply:
    summary = KpiSummary(TODAY, MILLION + 2000, Decimal("2000"), Decimal("112000"), Decimal("100000"), 7, 3)
    board = Dashboard(
        todays_meetings=[],
        latest_customers=[],
        top_sellers=[SellerTotal(1, "Kari Selger", Decimal("500000"), 2)],
        pipeline_month=Pipeline(month(TODAY), Decimal("300000"), Decimal("120000"), 2),
        pipeline_quarter=Pipeline(quarter(TODAY), Decimal("900000"), Decimal("360000"), 5),
        sales_this_month=Sales(month(TODAY), Decimal("250000"), 1),
    )
    return KpiReply(summary, board, "Europe/Oslo", lang)


def a_pipeline(lang: str) -> PipelineReply:
    stages = [StageTotal("Proposal", 3, 2, MILLION, Decimal("493827"))]
    return PipelineReply(
        stages,
        Pipeline(month(TODAY), Decimal("300000"), Decimal("120000"), 2),
        Pipeline(quarter(TODAY), Decimal("900000"), Decimal("360000"), 5),
        lang,
    )


def slack_text(reply: KpiReply | PipelineReply) -> str:
    message = blocks.render(reply)
    parts = [message.text]
    for block in message.blocks:
        for text in [block.get("text"), *block.get("fields", [])]:
            if isinstance(text, dict):
                parts.append(text["text"])
    return "\n".join(parts)


def console_text(reply: KpiReply | PipelineReply) -> str:
    out = Console(record=True, width=140, color_system=None)
    console_render.render(out, reply)
    return out.export_text()


@pytest.mark.parametrize(
    ("lang", "margin", "change", "weighted"),
    [
        ("nb", "1 234 567 kr", "(+12 % mot forrige måned)", "vektet 360 000 kr"),
        ("sv", "1 234 567 Nkr", "(+12 % mot förra månaden)", "viktat 360 000 Nkr"),
        ("en", "NOK 1,234,567", "(+12% vs last month)", "weighted NOK 360,000"),
    ],
)
def test_key_figures_use_the_users_number_format_in_slack_and_the_console(
    lang: str, margin: str, change: str, weighted: str
) -> None:
    for text in (slack_text(a_kpi(lang)), console_text(a_kpi(lang))):
        assert margin in text
        assert change in text
        assert weighted in text


def test_the_pipeline_uses_the_users_number_format() -> None:
    assert "• *Proposal* · 2 cases · NOK 1,234,567 · weighted NOK 493,827" in slack_text(a_pipeline("en"))
    assert "1 234 567 kr" in console_text(a_pipeline("nb"))
    assert "NOK 1,234,567" in console_text(a_pipeline("en"))


def test_replies_without_a_language_keep_the_norwegian_format() -> None:
    reply = a_kpi("nb")
    legacy = KpiReply(reply.summary, reply.dashboard, reply.time_zone)
    assert slack_text(legacy) == slack_text(reply)
