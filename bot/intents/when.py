"""Dates and times as people write them in English, Norwegian and Swedish, resolved relative to "now".

Conventions (tests/data/nlu/README.md): a date without a time is 09:00 local; a time without a date is today
if still ahead, else tomorrow; a weekday ("fredag", "next tuesday", "nästa tisdag") is its next occurrence
after today; "end of the month" is the month's last day; "next week" is next week's Monday. Explicit dates
with month names go through dateparser in the message's language; the rest are rules dateparser misses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import dateparser

from bot.intents.text import blank_out

DEFAULT_TIME = time(9, 0)

_NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "en": 1, "ett": 1, "et": 1, "ei": 1, "two": 2, "to": 2, "tva": 2,
    "three": 3, "tre": 3, "four": 4, "fire": 4, "fyra": 4, "five": 5, "fem": 5, "six": 6, "seks": 6, "sex": 6,
    "seven": 7, "sju": 7, "syv": 7, "eight": 8, "atte": 8, "atta": 8, "nine": 9, "ni": 9, "nio": 9,
    "ten": 10, "ti": 10, "tio": 10, "fourteen": 14, "fjorten": 14, "fjorton": 14,
}  # fmt: skip
# Clock hours in words ("at ten", "half past ten", "halv elleve", "halv elva"): read like the digits.
_HOUR_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "eleven": 11, "twelve": 12,
    "ett": 1, "to": 2, "tva": 2, "tre": 3, "fire": 4, "fyra": 4, "fem": 5, "seks": 6, "sex": 6, "sju": 7, "syv": 7,
    "atte": 8, "atta": 8, "ni": 9, "nio": 9, "ti": 10, "tio": 10, "elleve": 11, "elva": 11, "tolv": 12,
}  # fmt: skip
_HOUR_WORD = r"(" + "|".join(sorted(_HOUR_WORDS, key=len, reverse=True)) + r")"
_NUMBER = r"(\d{1,2}|" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)) + r")"

_WEEKDAYS = {
    "monday": 0, "mon": 0, "mandag": 0, "man": 0,
    "tuesday": 1, "tue": 1, "tues": 1, "tirsdag": 1, "tisdag": 1, "tir": 1, "tis": 1,
    "wednesday": 2, "wed": 2, "onsdag": 2, "ons": 2,
    "thursday": 3, "thu": 3, "thur": 3, "thurs": 3, "torsdag": 3, "tor": 3, "tors": 3,
    "friday": 4, "fri": 4, "fredag": 4, "fre": 4,
    "saturday": 5, "sat": 5, "lordag": 5, "lor": 5,
    "sunday": 6, "sun": 6, "sondag": 6, "son": 6,
}  # fmt: skip
# Abbreviations only count after a word that makes them a day ("on fri", "pa fre"), never alone.
_WEEKDAY_FULL = [w for w in _WEEKDAYS if len(w) > 4 or w in {"tues", "thur", "tors"}]
# Abbreviations that are also everyday words or names ("hur gör man", "ring Tor", "sat down") need a word
# before them that makes them a day ("pa man", "by sat").
_WEEKDAY_WORDLIKE = ["man", "tor", "son", "sat", "sun", "wed"]
_WEEKDAY_ABBR = [w for w in _WEEKDAYS if w not in _WEEKDAY_FULL and w not in _WEEKDAY_WORDLIKE]

_MONTHS = (
    r"jan(?:uar|uari|uary)?|feb(?:ruar|ruari|ruary)?|mar(?:s|ch)?|apr(?:il)?|mai|maj|may|jun(?:i|e)?"
    r"|jul(?:i|y)?|aug(?:ust|usti)?|sep(?:t|tember)?|okt(?:ober)?|oct(?:ober)?|nov(?:ember)?"
    r"|des(?:ember)?|dec(?:ember)?"
)


# Spelled-out ordinals before a month ("den tredje december", "the first of march"), folded: read as the number.
_ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
    "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12,
    "forste": 1, "andre": 2, "tredje": 3, "fjerde": 4, "femte": 5, "sjette": 6, "sjuende": 7, "syvende": 7,
    "attende": 8, "niende": 9, "tiende": 10, "ellevte": 11, "tolvte": 12,
    "forsta": 1, "andra": 2, "fjarde": 4, "sjatte": 6, "sjunde": 7, "attonde": 8, "nionde": 9, "tionde": 10,
    "elfte": 11, "tolfte": 12,
}  # fmt: skip


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


_DAY_AFTER_TOMORROW = _rx(r"\b(?:the\s+)?day\s+after\s+tomorrow\b|\bi\s*overmorg[eo]n\b|\bovermorg[eo]n\b")
_TOMORROW = _rx(
    r"\b(?:tomorrow|tmrw|tmr|i\s*morgen|i\s*morgon|i\s*morn|i\s*morron|i\s*morra|i\s*mora)(?:\b|(?=bitti\b))"
)  # ("imorgonbitti": the part of the day written on)
_TODAY = _rx(
    r"\b(?:(?:earlier\s+|later\s+)?today|(?:tidligere\s+|senere\s+|tidigare\s+|senare\s+)?i\s*dag|tonight|i\s*kveld|i\s*kvall|i\s*eftermiddags?|i\s*ettermiddag|i\s*formiddag|i\s*morges|i\s*morse"
    r"|i\s*formiddags|this\s+(?:afternoon|morning|evening))\b"
)
_YESTERDAY = _rx(r"\b(?:yesterday|yday|ystd|yest|i\s*gar|igar)\b")  # ("met w/ X yday": shortened)
_NEXT_WEEK = _rx(
    r"\b(?:(?:early\s+|earlier\s+in\s+|(?:at\s+)?the\s+(?:beginning|start)\s+of\s+|tidlig\s+|i\s+starten\s+av\s+|"
    r"(?:i\s+)?begynnelsen\s+av\s+|(?:i\s+)?borjan\s+(?:av|pa)\s+)?"  # ("early next week": its Monday)
    r"(?:next\s*week|next\s*wk|neste\s*uke|neste\s*veke|nasta\s*vecka|i\s+neste\s*uke|nesta\s*uke))\b"
)
_NEXT_MONTH = _rx(r"\b(?:next\s+month|neste\s+maned|nasta\s+manad)\b")
_END_OF_MONTH = _rx(
    r"\b(?:(?:by\s+|at\s+)?(?:the\s+)?end\s+of\s+(?:the\s+|this\s+)?month|eom|(?:i\s+|innen\s+)?slutten\s+av\s+"
    r"(?:maneden|mnd|denne\s+maneden)|(?:i\s+)?slutet\s+av\s+(?:manaden|mnd)|(?:ved\s+)?manedsslutt|"
    r"(?:vid\s+)?manadsskiftet|(?:til\s+)?manedsskiftet)\b"
)
_END_OF_WEEK = _rx(
    r"\b(?:(?:by\s+)?(?:the\s+)?end\s+of\s+(?:the\s+)?week|(?:i\s+)?slutten\s+av\s+uka|(?:i\s+)?slutet\s+av\s+veckan)\b"
)
_IN_N = _rx(
    r"\b(?:in|om|innen|inom)\s+" + _NUMBER + r"\s+(days?|dager|dagar|dag|weeks?|uker|uke|veckor|vecka|"
    r"months?|maneder|maned|manader|manad|fortnights?)\b"
)  # ("in a fortnight", "om fjorten dager", "om fjorton dagar": two weeks)
# "the week after next", "uka etter neste", "veckan efter nästa": Monday of the week after next week.
_WEEK_AFTER_NEXT = _rx(
    r"\b(?:the\s+)?week\s+after\s+next\b|\b(?:i\s+)?(?:uka|uken|veka)\s+(?:etter|over)\s+neste\b"
    r"|\b(?:i\s+|om\s+)?veckan\s+efter\s+nasta\b"
)
# "next week thursday", "neste uke torsdag", "nästa vecka torsdag": that weekday in next week.
_NEXT_WEEK_WEEKDAY = _rx(
    r"\b(next\s*week|next\s*wk|neste\s*uke|nasta\s*vecka)\s+(?:on\s+|pa\s+)?()("
    + "|".join(_WEEKDAY_FULL)
    + r")\b"
)
# "tuesday last week", "tirsdag forrige uke", "tisdag förra veckan": that weekday of the week before this one.
_WEEKDAY_LAST_WEEK = _rx(
    r"\b(?:on\s+|pa\s+)?(" + "|".join(_WEEKDAY_FULL) + r")\s+(?:last\s+week|forrige\s+uke|forra\s+veckan)\b"
)
_WEEKDAY = _rx(
    r"\b(?:(next|neste|nasta|this|denne|kommende|kommande|on|pa|til|till|last|forrige|forra|sist)\s+)?"
    r"(?:(?<=\s)(" + "|".join(_WEEKDAY_ABBR) + r")\.?(?=\s|$|[,:])|(" + "|".join(_WEEKDAY_FULL) + r"))"
    r"(?:\s+(?:next\s+week|neste\s+uke|nasta\s+vecka))?\b"
)
# "onsdag neste uke", "wednesday next week", "onsdag nästa vecka": that weekday in next week (before "next week"
# alone takes the Monday).
_WEEKDAY_NEXT_WEEK = _rx(
    r"\b()(?:(?<=\s)(" + "|".join([*_WEEKDAY_ABBR, "wed"]) + r")\.?|(" + "|".join(_WEEKDAY_FULL) + r"))"
    r"\s+(?:next\s*week|next\s*wk|neste\s*uke|neste\s*veke|nasta\s*vecka|nesta\s*uke|i\s+neste\s*uke)\b"
)
_WORDLIKE_WEEKDAY = _rx(
    r"\b(next|neste|nasta|this|denne|kommende|kommande|on|pa|til|till|last|forrige|forra|sist|by|innen|senast|"
    r"fore|for|until|due)\s+(" + "|".join(_WEEKDAY_WORDLIKE) + r")\.?(?=\s|$|[,:])()"
)
# "chase signed engagement letter wed": the one word-like abbreviation that closes a to-do as its day.
_LAST_WORD_WEEKDAY = _rx(r"(?<=\s)()(wed)\.?()[\s.!]*$")
# "book kickoff w/ X wed 9:30": an English word-like abbreviation followed by a clock time is that day.
_TIMED_WEEKDAY = _rx(
    r"(?<=\s)()(wed|sat|sun)\.?()(?=\s+(?:\d{1,2}[:.]\d{2}\b|\d{1,2}\s*(?:am|pm)\b|at\s+\d))"
)
_WEEK_NUMBER = _rx(
    r"\b(?:i\s+|in\s+|by\s+|til\s+|till\s+|innen\s+)?(?:week|wk|uke|veke|vecka|v\.)\s*(\d{1,2})\b"
)
_PAST_WEEKDAY_SV = _rx(r"\bi\s*(mandags|tisdags|onsdags|torsdags|fredags|lordags|sondags)\b")
_ORDINAL_DATE = re.compile(r"\b(" + "|".join(_ORDINALS) + r")(?=\s+(?:of\s+)?(?:" + _MONTHS + r")\b)")
# Words that may follow "the 3rd" as a date ("the 3rd at 11", "on the 1st about the renewal").
_AFTER_A_DAY = (
    r"(?:at|about|re|regarding|to|for|with|and|or|then|pls|please|plz|if|so|but|is|would|works|around|by|before|"
    r"after|morning|afternoon|evening|in|on|instead|latest|kl|from|when|as|ok|thanks|thx|that|which)"
)
# "den 18:e", "den 3.", "den 3de", "the 3rd" with no month: that day's next occurrence (this month or next).
_DAY_ALONE = _rx(
    r"\b(?:den|the)\s+(\d{1,2})(?::e|:a|:de|:te|\.|de|te|st|nd|rd|th)(?!\d|[./:]\d|\s*(?:of\s+)?(?:"
    + _MONTHS
    + r")\b)(?!(?<=st|nd|rd|th)\s+(?!"
    + _AFTER_A_DAY
    + r"\b)[a-z])"
)  # (not "the 2nd draft": an English ordinal before a noun)
# "monday after next", "mandag over neste", "måndag efter nästa": next such day a week later.
_AFTER_NEXT = _rx(
    r"\b(?:on\s+|pa\s+)?("
    + "|".join(_WEEKDAY_FULL)
    + r")\s+(?:after\s+next|over\s+neste|etter\s+neste|efter\s+nasta)\b"
)
# "wednesday in two weeks", "onsdag om to uker", "onsdag om två veckor": that day of the week n weeks ahead
# ("wednesday two weeks from now", "onsdag to uker fra nå", "onsdag två veckor från nu" alike).
_WEEKDAY_IN_WEEKS = _rx(
    r"\b(?:on\s+|pa\s+)?("
    + "|".join(_WEEKDAY_FULL)
    + r")\s+(?:(?:in|om)\s+"
    + _NUMBER
    + r"\s+(?:weeks?|uker?|veckor|vecka)|"
    + _NUMBER
    + r"\s+(?:weeks?|uker?|veckor)\s+(?:from\s+now|fra\s+na|fran\s+nu))\b"
)
# "by the end of next week", "i slutten av neste uke", "i slutet av nästa vecka": Friday of next week.
_END_OF_NEXT_WEEK = _rx(
    r"\b(?:(?:by\s+)?(?:the\s+)?end\s+of\s+next\s+week|(?:i\s+|innen\s+)?slutten\s+av\s+neste\s+uke|"
    r"(?:i\s+)?slutet\s+av\s+nasta\s+vecka)\b"
)
# "end of january", "i slutten av januar", "i slutet av januari": that month's last day.
_END_OF_NAMED_MONTH = _rx(
    r"\b(?:(?:by\s+|at\s+|innen\s+|i\s+|til\s+|till\s+)?(?:the\s+)?(?:end\s+of|slutten\s+av|slutet\s+av)\s+)("
    + _MONTHS
    + r")\b"
)
_ISO_DATE = _rx(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b")
_NUMERIC_DATE = _rx(
    r"(?<![\d.,:])(\d{1,2})[./](\d{1,2})(?:[./](\d{4}|\d{2}))?(?![\d%]|[.,]\d|\s*(?:k|m|mill|%))"
)
_MONTH_DATE = _rx(
    r"\b(?:the\s+|den\s+)?(\d{1,2})(?:\.|st|nd|rd|th|:e|:a|:de|de)?\s*(?:of\s+)?("
    + _MONTHS
    + r")\.?(?:\s+(\d{4}))?\b"
    r"|\b(" + _MONTHS + r")\.?\s+(\d{1,2})(?:st|nd|rd|th)?(?:,?\s+(\d{4}))?\b"
)
_TIME = _rx(
    r"(?:\b(?:kl|klokka|klokken|klockan|klocka|at|@)\.?\s*(\d{1,2})(?!\d|[.,]\d{3}|\s*k\b|[.,]\d(?!\d)|[.,]\d+\s*(?:m|k|mill|mnok|msek)\b)(?:[:.](\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?"
    r"|\b(\d{1,2}):(\d{2})\s*(am|pm)?|\b(\d{1,2})\s*(am|pm|a\.m\.|p\.m\.)"
    r"|(?<![\d.,/])\b(\d{1,2})\.(\d{2})\b(?![.,/]\d)"
    r"|\b(?:kl|klokka|klokken|klockan|klocka)\.?\s*([01]\d|2[0-3])([0-5]\d)\b)(?:\s*-\s*\d{1,2}(?:[:.]\d{2})?)?"
)  # (the last: "kl1430", the hour and minutes written together)
# "2-3pm", "10–11am": a range gives its start, with the end's am/pm ("11-1pm" starts before noon).
_CLOCK_RANGE = _rx(r"\b(\d{1,2})(?:[:.](\d{2}))?\s*(?:-|–|to)\s*(\d{1,2})(?:[:.]\d{2})?\s*(am|pm)\b")
# A clock time in words: "half past ten", "quarter to three", "halv elleve" (10:30), "kvart over ni", "kvart i
# tre", "at ten", "kl ti", "klockan tio".
_WORD_CLOCK = _rx(
    r"\b(?:(?:at|kl|klokka|klokken|klockan|klocka|@)\.?\s+)?(half\s+past|quarter\s+past|quarter\s+to|halv|"
    r"kvart\s+over|kvart\s+pa|kvart\s+i|kvart\s+over)\s+" + _HOUR_WORD + r"\b"
    r"|\b(?:at|kl|klokka|klokken|klockan|klocka)\.?\s+" + _HOUR_WORD + r"(?:\s+o'?clock)?"
    r"(?=\s*(?:$|[,.!?;)]|am\b|pm\b|o'?clock|on\b|about|re\b|to\b|for\b|with\b|and\b|tomorrow|today|next\b|"
    r"this\b|instead|sharp|please|pls|thanks|then\b|if\b|om\b|med\b|hos\b|i\s*morgen|i\s*dag|i\s*morgon|"
    r"angaende|ang\b|for\b|til\b|till\b|pa\b))"
)
_WORD_CLOCK_NEEDS = re.compile(r"half|halv|kvart|quarter|at |kl|@")
_BARE_HOUR = re.compile(r"\s+(\d{1,2})(?![\d.:/,]|\s*(?:%|k\b|kr|nok|sek|eur|min|dag|day|uke|week))")
# Times of day in words: alone they are today ("this afternoon", "i ettermiddag"), after a day that day
# ("tomorrow morning", "i går ettermiddag", "imorgon bitti", "på fredag förmiddag").
_PART_OF_DAY = {
    "morning": time(8), "tidlig": time(8), "bitti": time(8),
    "formiddag": time(9), "morges": time(9),
    "afternoon": time(13), "ettermiddag": time(13), "eftermiddag": time(13), "eftermiddags": time(13),
    "evening": time(18), "night": time(18), "tonight": time(18), "kveld": time(18), "kvall": time(18),
}  # fmt: skip
_PART_AFTER_DAY = _rx(
    r"\s*(?:in\s+the\s+)?(morning|afternoon|evening|night|formiddag|ettermiddag|eftermiddags?|kveld|kvall|tidlig|"
    r"bitti)\b"
)
_FIRST_THING = _rx(r"\bfirst\s+thing(?:\s+in\s+the\s+morning)?\b|\bearly(?=\s+(?:tomorrow|tmrw)\b)")
# "at lunch", "til lunsj", "till lunch": noon in English, half past eleven in Norway and Sweden ("lunch with X",
# "a lunch meeting" are a kind of meeting, not a time).
_AT_LUNCH = _rx(
    r"\b(?:at|til|till|ved|vid|by|around|rundt|runt)\s+(?:lunsj|lunch)(?:time|tid)?\b|\b(?:at\s+|by\s+)?(?:noon|midday)\b"
)
# "in an hour", "om en halvtime", "om 2 timmar": from now.
_IN_HOURS = _rx(
    r"\b(?:in|om|within|innen|inom)\s+(?:(half\s+an|a\s+half|en\s+halv|ein\s+halv)\s*|" + _NUMBER + r"\s+)"
    r"(hours?|timer?|timmar|timme|halvtimen?|halvtimmen?|minutes?|mins?|minutter|minuter)\b"
)


# Words some patterns cannot match without: looked for first, since most messages have none of them.
_GUARDS: tuple[tuple[re.Pattern[str], re.Pattern[str]], ...] = (
    (_WEEK_AFTER_NEXT, re.compile(r"after next|etter neste|over neste|efter nasta")),
    (_NEXT_WEEK_WEEKDAY, re.compile(r"next|neste|nasta")),
    (_WEEKDAY_LAST_WEEK, re.compile(r"last week|forrige uke|forra veckan")),
)


# The rules that read a weekday (a date or a bare hour may follow it: "fre 20/11", "tue 10").
_WEEKDAY_RULES = frozenset(
    id(p)
    for p in (
        _WEEKDAY, _WORDLIKE_WEEKDAY, _LAST_WORD_WEEKDAY, _TIMED_WEEKDAY, _WEEKDAY_NEXT_WEEK, _NEXT_WEEK_WEEKDAY,
        _WEEKDAY_LAST_WEEK,
    )
)  # fmt: skip


@dataclass(frozen=True)
class Found:
    start: int
    end: int


@dataclass
class WhenResult:
    value: datetime
    spans: list[Found]
    day_alone: bool = False  # a day of the month without its month ("the 3rd", "den 3:e")
    clock_span: Found | None = None  # where the time of day was written ("kl 10"), if it was
    time_only: bool = False  # a time with no day ("kl 11", "at 11")


def _number(word: str) -> int:
    return int(word) if word.isdigit() else _NUMBER_WORDS[word.lower()]


def _next_weekday(today: date, weekday: int, *, past: bool = False) -> date:
    if past:
        return today - timedelta(days=(today.weekday() - weekday - 1) % 7 + 1)
    return today + timedelta(days=(weekday - today.weekday() - 1) % 7 + 1)


def _end_of_month(today: date) -> date:
    first_next = date(today.year + today.month // 12, today.month % 12 + 1, 1)
    return first_next - timedelta(days=1)


def _add_months(day: date, months: int) -> date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(day.day, _end_of_month(date(year, month, 1)).day))


def _future_date(day: int, month: int, year: int | None, today: date) -> date | None:
    try:
        if year is not None:
            return date(year if year > 100 else 2000 + year, month, day)
        candidate = date(today.year, month, day)
    except ValueError:
        return None
    if candidate < today - timedelta(days=60):  # "5/1" in November is next January, last week stays
        candidate = candidate.replace(year=today.year + 1)
    return candidate


def _month_date(match: re.Match[str], lang: str, now: datetime) -> date | None:
    text = match.group(0)
    settings: Any = {
        "RELATIVE_BASE": now.replace(tzinfo=None),
        "PREFER_DATES_FROM": "future",
        "DATE_ORDER": "DMY",
        "PREFER_DAY_OF_MONTH": "first",
    }
    languages = [lang, "en"] if lang != "en" else ["en"]
    cleaned = re.sub(
        r"^(?:the|den)\s+|(?<=\d)(?:st|nd|rd|th|:e|:a|:de|de)\b|\bof\s+", "", text.strip(), flags=re.I
    )
    parsed = dateparser.parse(cleaned, languages=languages, settings=settings)
    if parsed is None:
        return None
    has_year = bool(match.group(3) or match.group(6))
    return _future_date(parsed.day, parsed.month, parsed.year if has_year else None, now.date())


def _time_of(match: re.Match[str]) -> time | None:
    g = match.groups()
    if g[0] is not None:
        hour, minute, ampm = int(g[0]), int(g[1] or 0), g[2]
    elif g[3] is not None:
        hour, minute, ampm = int(g[3]), int(g[4]), g[5]
    elif g[6] is not None:
        hour, minute, ampm = int(g[6]), 0, g[7]
    elif g[10] is not None:
        hour, minute, ampm = int(g[10]), int(g[11]), None
    else:
        hour, minute, ampm = int(g[8]), int(g[9]), None
        if 1 <= hour <= 31 and 1 <= minute <= 12:
            return None  # "15.12" without "kl." is a date (15 December), not 15:12
    if not ampm and g[0] is not None and 1 <= hour <= 6 and match.group(0).lstrip().startswith(("at", "@")):
        hour += 12  # "next wednesday at 2": in working hours, the afternoon
    if ampm:
        pm = ampm.lower().startswith("p")
        if hour > 12:
            return None
        hour = hour % 12 + (12 if pm else 0)
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def find_when(folded: str, lang: str, now: datetime) -> WhenResult | None:
    """The first date and time the (folded) message mentions, combined, in now's time zone."""
    today = now.date()
    text = _ORDINAL_DATE.sub(lambda m: str(_ORDINALS[m[1]]).ljust(len(m[1])), folded)  # (offsets kept)
    day: date | None = None
    clock: time | None = None
    weekday_end: int | None = None
    spans: list[Found] = []
    day_alone = False

    def take(match: re.Match[str]) -> None:
        nonlocal text
        start, end = match.start(), match.end()
        while end > start and text[end - 1].isspace():  # keep the spaces around: they separate words
            end -= 1
        while start < end and text[start].isspace():
            start += 1
        spans.append(Found(start, end))
        text = blank_out(text, start, end)

    unread = text
    hours = _IN_HOURS.search(text)
    if hours is not None:  # "om en time", "in half an hour": from now, to the minute
        take(hours)
        return WhenResult(_from_now(hours, now), spans)
    guarded = {
        id(p): p if g.search(text) else None for p, g in _GUARDS
    }  # (three looks instead of three rules)
    rules: list[tuple[re.Pattern[str] | None, Any]] = [
        (_DAY_AFTER_TOMORROW, lambda m: today + timedelta(days=2)),
        (_END_OF_NAMED_MONTH, lambda m: _month_end(m[1], today)),
        (_END_OF_MONTH, lambda m: _end_of_month(today)),
        (_END_OF_WEEK, lambda m: today + timedelta(days=(4 - today.weekday()) % 7)),
        (_END_OF_NEXT_WEEK, lambda m: _monday(today) + timedelta(days=11)),
        (guarded[id(_WEEK_AFTER_NEXT)], lambda m: _monday(today) + timedelta(weeks=2)),
        (_WEEKDAY_NEXT_WEEK, _weekday(today)),
        (guarded[id(_NEXT_WEEK_WEEKDAY)], _weekday(today)),
        (
            guarded[id(_WEEKDAY_LAST_WEEK)],
            lambda m: _monday(today) - timedelta(weeks=1) + timedelta(days=_WEEKDAYS[m[1].lower()]),
        ),
        (_NEXT_WEEK, lambda m: today + timedelta(days=7 - today.weekday())),
        (_NEXT_MONTH, lambda m: _add_months(today.replace(day=1), 1)),
        (
            _WEEKDAY_IN_WEEKS,
            lambda m: _monday(today) + timedelta(weeks=_number(m[2] or m[3]), days=_WEEKDAYS[m[1].lower()]),
        ),
        (_IN_N, _in_n(today)),
        (_WEEK_NUMBER, lambda m: _week_monday(int(m[1]), today)),
        (_TOMORROW, lambda m: today + timedelta(days=1)),
        (_YESTERDAY, lambda m: today - timedelta(days=1)),
        (_ISO_DATE, lambda m: _future_date(int(m[3]), int(m[2]), int(m[1]), today)),
        (_MONTH_DATE, lambda m: _month_date(m, lang, now)),
        (_AFTER_NEXT, lambda m: _next_weekday(today, _WEEKDAYS[m[1].lower()]) + timedelta(days=7)),
        (_PAST_WEEKDAY_SV, lambda m: _next_weekday(today, _WEEKDAYS[m[1][:-1]], past=True)),
        (_WEEKDAY, _weekday(today)),
        (_WORDLIKE_WEEKDAY, _weekday(today)),
        (_LAST_WORD_WEEKDAY, _weekday(today)),
        (_TIMED_WEEKDAY, _weekday(today)),
        (_TODAY, lambda m: today),
        (_DAY_ALONE, lambda m: nearest_day(int(m[1]), today)),
    ]
    for pattern, resolve in rules:
        if pattern is None:
            continue  # (a guarded rule whose word the message lacks)
        match = pattern.search(text)
        if match is None:
            continue
        resolved = resolve(match)
        if resolved is None:
            continue
        take(match)
        if pattern is _TODAY:  # "this afternoon", "i kveld" ("this morning" is nine, like "i formiddag")
            part = match.group(0).split()[-1]
            clock = time(9) if part in ("morning", "morges") else _PART_OF_DAY.get(part.removeprefix("i"))
        if id(pattern) in _WEEKDAY_RULES:
            weekday_end = match.end()
        day_alone = pattern is _DAY_ALONE
        part_after = _PART_AFTER_DAY.match(text, match.end())
        if part_after is not None:  # "tomorrow afternoon", "i går ettermiddag", "imorgon bitti"
            clock = _PART_OF_DAY[part_after[1]]
            take(part_after)
        day = resolved
        break
    for early in (_FIRST_THING, _AT_LUNCH):  # "first thing monday", "tomorrow at lunch"
        said = early.search(unread if early is _FIRST_THING else text)  # ("early tomorrow": before the day)
        if said is not None:
            noon = lang == "en" or said.group(0).endswith(("noon", "midday"))
            clock = time(8) if early is _FIRST_THING else time(12) if noon else time(11, 30)
            take(said)
    if weekday_end is not None:  # "fre 20/11", "torsdag 3/12": a weekday and a date agree; the date says more
        dated = _NUMERIC_DATE.match(text, weekday_end) or _NUMERIC_DATE.match(text, weekday_end + 1)
        if dated is not None and text[weekday_end : dated.start()].strip() == "":
            candidate = _future_date(int(dated[1]), int(dated[2]), int(dated[3]) if dated[3] else None, today)
            if candidate is not None:
                day = candidate
                take(dated)
        alone = _DAY_ALONE.match(text, weekday_end + 1)  # "tirsdag den 1.", "tisdag den 1:a": the day counts
        if alone is not None and text[weekday_end : alone.start()].strip() == "":
            ahead = nearest_day(int(alone[1]), today)
            if ahead is not None:
                day = ahead
                take(alone)
    clock_span: Found | None = None
    ranged = _CLOCK_RANGE.search(text) if "pm" in text or "am" in text else None  # ("2-3pm")
    for match in _TIME.finditer(text):
        found = _time_of(match)
        if found is not None:
            if ranged is not None and ranged.start() <= match.start():
                break
            ranged = None
            clock = found
            take(match)
            clock_span = spans[-1]
            break
    if ranged is not None and clock_span is None:
        start_hour, end_hour, pm = int(ranged[1]), int(ranged[3]), ranged[4].lower() == "pm"
        if 1 <= start_hour <= 12 and 1 <= end_hour <= 12:
            hour = start_hour % 12 + (12 if pm and start_hour <= end_hour else 0)
            clock = time(hour, int(ranged[2] or 0))
            take(ranged)
            clock_span = spans[-1]
    if clock_span is None and _WORD_CLOCK_NEEDS.search(text):
        worded = _WORD_CLOCK.search(text)
        if worded is not None:
            clock = _word_clock(worded)
            take(worded)
            clock_span = spans[-1]
    if clock is None and weekday_end is not None:
        bare = _BARE_HOUR.match(text, weekday_end)  # "tue 10", "fredag 14": a weekday and an hour
        if bare is not None and 7 <= int(bare[1]) <= 20:
            clock = time(int(bare[1]))
            take(bare)
    if day is None:
        for match in _NUMERIC_DATE.finditer(text):
            year = int(match[3]) if match[3] else None
            candidate = _future_date(int(match[1]), int(match[2]), year, today)
            if candidate is not None:
                day = candidate
                take(match)
                break
    if day is None and clock is None:
        return None
    zone = now.tzinfo or ZoneInfo("UTC")
    time_only = day is None
    if day is None:
        assert clock is not None
        day = today if clock > now.time().replace(tzinfo=None) else today + timedelta(days=1)
    value = datetime.combine(day, clock or DEFAULT_TIME).replace(tzinfo=zone)
    # Normalise the offset for the date (summer time) by a round trip through the zone.
    if isinstance(zone, ZoneInfo):
        value = value.replace(tzinfo=None).replace(tzinfo=zone)
    return WhenResult(value, sorted(spans, key=lambda f: f.start), day_alone, clock_span, time_only)


def _word_clock(match: re.Match[str]) -> time:
    """ "half past ten" 10:30, "halv elleve" 10:30 (half *to* eleven), "kvart over ni" 9:15, "at two" 14:00."""
    how = " ".join((match[1] or "").lower().split())
    hour = _HOUR_WORDS[(match[2] or match[3]).lower()]
    minute = 0
    if how in ("half past",):
        minute = 30
    elif how in ("quarter past", "kvart over"):
        minute = 15
    elif how in ("halv",):
        hour, minute = hour - 1, 30
    elif how in ("quarter to", "kvart pa", "kvart i"):
        hour, minute = hour - 1, 45
    if hour == 0:
        hour = 12  # ("halv ett", "quarter to one": after noon)
    elif 1 <= hour <= 6:
        hour += 12  # ("at two", "half past three": in working hours, the afternoon)
    return time(hour % 24, minute)


def _from_now(match: re.Match[str], now: datetime) -> datetime:
    unit = match[3].lower()
    count = 1 if match[1] else _number(match[2])
    if match[1] or unit.startswith("halv"):
        minutes = 30 * count
    elif unit.startswith(("hour", "tim")):
        minutes = 60 * count
    else:
        minutes = count
    zone = now.tzinfo or ZoneInfo("UTC")
    later = (now.astimezone(ZoneInfo("UTC")) + timedelta(minutes=minutes)).astimezone(zone)
    return later.replace(second=0, microsecond=0)


def nearest_day(day: int, today: date, *, past: bool = False) -> date | None:
    """Day `day` of this month, or of the nearest month that has it, on or after today ("the 3rd" in a request)
    or, with `past`, on or before today ("den 3:e" in a log)."""
    first, step = today.replace(day=1), -1 if past else 1
    for months in range(0, 3 * step, step):
        try:
            candidate = _add_months(first, months).replace(day=day)
        except ValueError:
            continue
        if (candidate <= today) if past else (candidate >= today):
            return candidate
    return None


_MONTH_NUMBERS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "mai": 5, "maj": 5, "may": 5, "jun": 6, "jul": 7, "aug": 8, "sep": 9,
    "okt": 10, "oct": 10, "nov": 11, "des": 12, "dec": 12,
}  # fmt: skip


def _monday(today: date) -> date:
    return today - timedelta(days=today.weekday())


def _month_end(month: str, today: date) -> date | None:
    """The last day of a named month, this year or (when it is over) next year."""
    number = _MONTH_NUMBERS.get(month.lower()[:3])
    if number is None:
        return None
    first = date(today.year, number, 1)
    end = _end_of_month(first)
    return end if end >= today else _end_of_month(first.replace(year=today.year + 1))


def _week_monday(week: int, today: date) -> date | None:
    """Monday of ISO week `week`, this year or (when that week is over) next year."""
    for year in (today.isocalendar().year, today.isocalendar().year + 1):
        try:
            monday = date.fromisocalendar(year, week, 1)
        except ValueError:
            continue
        if monday + timedelta(days=6) >= today:
            return monday
    return None


def _in_n(today: date) -> Any:
    def resolve(m: re.Match[str]) -> date:
        n, unit = _number(m[1]), m[2].lower()
        if unit.startswith("fortnight"):
            return today + timedelta(weeks=2 * n)
        if unit.startswith(("w", "uke", "uker", "veck")):
            return today + timedelta(weeks=n)
        if unit.startswith(("mon", "man")):
            return _add_months(today, n)
        return today + timedelta(days=n)

    return resolve


def _weekday(today: date) -> Any:
    def resolve(m: re.Match[str]) -> date:
        word = (m[2] or m[3]).lower()
        prefix = (m[1] or "").lower()
        day = _next_weekday(today, _WEEKDAYS[word], past=prefix in {"last", "forrige", "forra", "sist"})
        if "week" in m[0] or "uke" in m[0] or "vecka" in m[0]:
            day = today + timedelta(days=7 - today.weekday() + _WEEKDAYS[word])
        return day

    return resolve
