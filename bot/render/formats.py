"""Number formats shared by every surface (console, Slack, charts, exports), in the user's language.

Babel's CLDR data for the locale of each language: nb → nb_NO, sv → sv_SE, en → en_GB (the firms are
Nordic; en_US groups numbers the same way). Overviews show whole units:

    money(Decimal("1234567"), "NOK", "nb")  "1 234 567 kr"
    money(Decimal("1234567"), "SEK", "sv")  "1 234 567 kr"
    money(Decimal("1234567"), "NOK", "sv")  "1 234 567 Nkr"   (CLDR: a Swede reads "kr" as kronor)
    money(Decimal("1234567"), "NOK", "en")  "NOK 1,234,567"
    number(1234567, "nb") "1 234 567"; percent(Decimal("0.125"), "nb") "12 %"; percent(..., "en") "12%"

CLDR separates groups with a no-break space (U+00A0 or U+202F) and writes minus as U+2212 in some locales;
the results here use a plain space and "-" so that they read, search and copy the same everywhere (Slack's
search, terminals, tests). Unknown languages fall back to English.
"""

from __future__ import annotations

import functools
from datetime import date
from decimal import Decimal

from babel import Locale
from babel.dates import format_date
from babel.numbers import (
    format_compact_decimal,
    format_currency,
    format_decimal,
    format_percent,
    get_currency_symbol,
)

LOCALES = {"en": "en_GB", "nb": "nb_NO", "sv": "sv_SE"}
DEFAULT_LANG = "nb"  # the format every reply had before languages were honoured
DEFAULT_CURRENCY = "NOK"  # the organisation's currency: KPIs and pipelines are sums in it

Number = Decimal | int | float

_SPACES = str.maketrans({"\u00a0": " ", "\u202f": " ", "\u2212": "-"})


def locale_for(lang: str | None) -> str:
    """The Babel locale of a user's language ("nb" → "nb_NO"); English for anything unknown."""
    return LOCALES.get(str(lang or "").lower()[:2], LOCALES["en"])


def _plain(text: str) -> str:
    return text.translate(_SPACES)


def _fraction(digits: int) -> str:
    return "." + "0" * digits if digits > 0 else ""


@functools.cache
def _currency_pattern(locale: str, currency: str, digits: int) -> str:
    """The locale's standard currency pattern with `digits` decimals and CLDR's currency spacing (a space
    between a letter symbol such as "NOK" and the digits), which Babel does not apply itself."""
    pattern = Locale.parse(locale).currency_formats["standard"].pattern
    parts = []
    for part in pattern.split(";"):
        part = part.replace("#,##0.00", "#,##0" + _fraction(digits))
        symbol = get_currency_symbol(currency, locale)
        if symbol[-1:].isalpha():
            part = part.replace("¤#", "¤\u00a0#").replace("¤-#", "¤\u00a0-#")
        if symbol[:1].isalpha():
            part = part.replace("0¤", "0\u00a0¤")
        parts.append(part)
    return ";".join(parts)


def money(
    amount: Number, currency: str = DEFAULT_CURRENCY, lang: str = DEFAULT_LANG, *, digits: int = 0
) -> str:
    """An amount in the user's format, whole units unless `digits` says otherwise."""
    locale = locale_for(lang)
    code = (currency or DEFAULT_CURRENCY).upper()
    pattern = _currency_pattern(locale, code, digits)
    return _plain(format_currency(Decimal(str(amount)), code, pattern, locale=locale, currency_digits=False))


def number(value: Number, lang: str = DEFAULT_LANG, *, digits: int = 0) -> str:
    """A plain number with the language's grouping and decimal separator."""
    pattern = "#,##0" + _fraction(digits)
    return _plain(format_decimal(Decimal(str(value)), pattern, locale=locale_for(lang)))


@functools.cache
def _percent_pattern(locale: str, signed: bool, digits: int) -> str:
    pattern = Locale.parse(locale).percent_formats[None].pattern.split(";")[0]
    pattern = pattern.replace("#,##0", "#,##0" + _fraction(digits), 1)
    return f"+{pattern};-{pattern}" if signed else pattern


def percent(fraction: Number, lang: str = DEFAULT_LANG, *, signed: bool = False, digits: int = 0) -> str:
    """A fraction as a percentage: 0.125 → "12 %" (nb, sv) or "12%" (en); `signed` shows "+" too."""
    locale = locale_for(lang)
    value = Decimal(str(fraction))
    return _plain(format_percent(value, _percent_pattern(locale, signed, digits), locale=locale))


def compact(value: Number, lang: str = DEFAULT_LANG) -> str:
    """A short number for chart labels: 1 250 000 → "1,2 mill." (nb), "1,2 mn" (sv), "1.2M" (en)."""
    return _plain(format_compact_decimal(Decimal(str(value)), locale=locale_for(lang), fraction_digits=1))


def decimal_separator(lang: str = DEFAULT_LANG) -> str:
    """ "," for nb and sv, "." for en: what a spreadsheet in that language reads as a decimal point."""
    return str(Locale.parse(locale_for(lang)).number_symbols["latn"]["decimal"])


def month_label(day: date, lang: str = DEFAULT_LANG, *, with_year: bool = True) -> str:
    """A short month name in the language: "jan. 2025" (nb), "jan. 2025" (sv), "Jan 2025" (en)."""
    pattern = "LLL y" if with_year else "LLL"
    return _plain(format_date(day, pattern, locale=locale_for(lang)))
