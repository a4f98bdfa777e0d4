"""Slots that have a shape of their own: email addresses, organisation numbers, phone numbers, amounts and
currencies, probabilities and sales stages. Each is found on the folded text and blanked out, so the words
left over are what names and subjects are cut from."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import phonenumbers
from rapidfuzz.distance import OSA

from bot.intents.text import blank_out
from registry.orgnr import candidates

REGION = {"nb": "NO", "sv": "SE", "en": "NO"}
CURRENCY_KR = {"nb": "NOK", "sv": "SEK", "en": "NOK"}


@dataclass
class Extraction:
    """What was found, and the text with it blanked out."""

    text: str
    slots: dict[str, Any] = field(default_factory=dict)
    spans: list[tuple[int, int, str]] = field(default_factory=list)  # (start, end, slot)
    written: str = ""  # the message as written (same length), where case tells a name from a sum

    def take(self, start: int, end: int, slot: str, value: Any) -> None:
        while end > start and self.text[end - 1].isspace():
            end -= 1
        while start < end and self.text[start].isspace():
            start += 1
        self.slots.setdefault(slot, value)
        self.spans.append((start, end, slot))
        self.text = blank_out(self.text, start, end)


_EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}", re.IGNORECASE)
# NO/DK/FI/SE numbers: 9 digits in groups of three, 10 digits with a dash (SE), 7+1 with a dash (FI), or a
# digit run after an "org" word (DK's 8 digits are otherwise a Norwegian phone number).
_ORG_GROUPED = re.compile(r"(?<![\d+])(\d{3})[ .-]?(\d{3})[ .-]?(\d{3})(?![\d])")
_ORG_SE = re.compile(r"(?<![\d+])(\d{6})-?(\d{4})(?![\d])")
_ORG_FI = re.compile(r"(?<![\d+])(\d{7})-(\d)(?![\d])")
_ORG_WORD = re.compile(r"\b(?:org\.?\s*(?:nr|nummer|number|no)?\.?|orgnr|org\.nr|cvr(?:-?nr)?|y-?tunnus|business\s+id|fo-?(?:nr|nummer))"
                       r"[:.\s]*(?:(?:er|is|ar)\s+)?(\d[\d .-]{6,12}\d)", re.IGNORECASE)  # fmt: skip
_DATE_LIKE = re.compile(r"^\d{1,4}[./-]\d{1,2}[./-]\d{2,4}$")
_VAT = re.compile(r"\bse\s?(\d{6}-?\d{4})\s?01\b|\bno\s?(\d{3}\s?\d{3}\s?\d{3})\s?mva\b", re.IGNORECASE)
_PERCENT = re.compile(
    r"(?<![\d.,])(\d{1,3})(?:[.,]\d+)?\s*(?:%|prosent|procent|percent|pct)(?![\w])"
    r"(?:\s+(?:likely|chance|sannsynlig|sannolikt|sjanse|sjans)\b)?"  # ("70% likely", "60 % sjanse")
)
_PROBABILITY_WORD = re.compile(
    r"\b(?:sannsynlighet|sannolikhet|probability|chance|sjanse|sjans)\s*(?:pa|til|of|:)?\s*(\d{1,3})\b"
)
_MULTIPLIER = {
    "milj": 1_000_000, "mnkr": 1_000_000, "k": 1_000, "tusen": 1_000, "thousand": 1_000, "tkr": 1_000, "tnok": 1_000, "tsek": 1_000, "m": 1_000_000, "mill": 1_000_000, "mil": 1_000_000,
    "million": 1_000_000, "millioner": 1_000_000, "miljoner": 1_000_000, "miljon": 1_000_000, "mn": 1_000_000,
    "mnok": 1_000_000, "msek": 1_000_000, "meur": 1_000_000, "mkr": 1_000_000,
}  # fmt: skip
_CURRENCY = {
    "kr": None, "kroner": "NOK", "kronor": "SEK", "nok": "NOK", "sek": "SEK", "dkk": "DKK", "eur": "EUR",
    "euro": "EUR", "euros": "EUR", "€": "EUR", "usd": "USD", "$": "USD", "dollar": "USD", "dollars": "USD",
    "gbp": "GBP", "£": "GBP", ",-": None, "mnok": "NOK", "msek": "SEK", "meur": "EUR", "mkr": None,
    "tkr": "SEK", "tnok": "NOK", "tsek": "SEK",  # ("tkr" is Swedish: tusen kronor)
}  # fmt: skip
_NUM = r"\d{1,3}(?:[ .,']\d{3})+(?:[.,]\d+)?|\d+(?:[.,]\d+)?"  # "250 000", "120.000", "250'000"
_MULT = r"tkr|tnok|tsek|milj|mnkr|k|tusen|thousand|mill(?:ion(?:er)?)?|miljon(?:er)?|mil|mn|mnok|msek|meur|mkr|m(?![a-z])"
_CUR = r"kr\.?|kroner|kronor|nok|sek|dkk|eur(?:os?)?|usd|gbp|dollars?|,-"
_AMOUNT = re.compile(
    r"(?<![\w.,])(?<![a-z]-)(?:(?P<pre>€|\$|£|nok|sek|eur|usd|dkk|kr\.?)\s*)?(?P<num>" + _NUM + r")"
    r"(?:\s*(?P<mult>" + _MULT + r")\b)?(?:\s*(?P<cur>" + _CUR + r"|€|\$|£)(?![\w]))?",
    re.IGNORECASE,
)
_STAGES = {
    "lead": "lead", "leads": "lead", "emne": "lead",
    "qualified": "qualified", "kvalifisert": "qualified", "kvalificerad": "qualified",
    "kvalifisering": "qualified", "kvalificering": "qualified", "qualification": "qualified",
    "proposal": "proposal", "tilbud": "proposal", "offert": "proposal", "offer": "proposal", "quote": "proposal",
    "tilbudsfase": "proposal", "offertfas": "proposal", "proposal sent": "proposal", "tilbud sendt": "proposal",
    "offert skickad": "proposal",
    "negotiation": "negotiation", "negotiating": "negotiation", "negotiations": "negotiation",
    "forhandling": "negotiation", "forhandlinger": "negotiation", "forhandlingar": "negotiation",
    "forhandlingsfase": "negotiation", "forhandlingsfas": "negotiation",
    "won": "won", "vunnet": "won", "vant": "won", "vunnen": "won", "vann": "won", "vunnit": "won",
    "closed won": "won",
    "lost": "lost", "tapt": "lost", "tapte": "lost", "forlorad": "lost", "forlorat": "lost",
    "forlorade": "lost", "tappad": "lost", "tappat": "lost", "closed lost": "lost",
}  # fmt: skip
# The definite form of a phase ("i tilbudsfasen", "i forhandlingsfasen", "i offertfasen") names the same stage.
_STAGES |= {
    k + ("n" if k.endswith("fase") else "en"): v for k, v in _STAGES.items() if k.endswith(("fase", "fas"))
}
_STAGE = re.compile(
    r"\b(" + "|".join(sorted(map(re.escape, _STAGES), key=len, reverse=True)) + r")\b(?!'t\b)"
)  # (not "it won't land this year")
STAGE = _STAGE


def _valid_org(digits: str) -> str | None:
    """The digits when they are a valid number in some Nordic country (several countries is fine here)."""
    found = candidates(digits)
    return found[0].number if found else None


def find_emails(ex: Extraction) -> None:
    for m in list(_EMAIL.finditer(ex.text)):
        ex.take(m.start(), m.end(), "email", m.group(0).lower().rstrip("."))


def find_org_numbers(ex: Extraction) -> None:
    for m in list(_VAT.finditer(ex.text)):  # SE556400376101, NO 990 786 666 MVA
        digits = re.sub(r"\D", "", m.group(1) or m.group(2))
        if (number := _valid_org(digits)) is not None:
            ex.take(m.start(), m.end(), "org_number", re.sub(r"\D", "", number))
    for m in list(_ORG_WORD.finditer(ex.text)):
        digits = re.sub(r"\D", "", m.group(1))
        if (number := _valid_org(digits)) is not None:
            ex.take(m.start(1), m.end(1), "org_number", re.sub(r"\D", "", number))
    for pattern in (_ORG_SE, _ORG_FI, _ORG_GROUPED):
        for m in list(pattern.finditer(ex.text)):
            digits = "".join(g for g in m.groups())
            if pattern is _ORG_SE and "-" not in m.group(0) and digits.startswith("0"):
                continue  # 0701234567 is a Swedish mobile number
            if (number := _valid_org(digits)) is not None:
                ex.take(m.start(), m.end(), "org_number", re.sub(r"\D", "", number))


# "+47 (0) 917 33 482": the trunk zero in parentheses after a country code is not dialled.
_TRUNK_ZERO = re.compile(r"(?<=\+\d)(\d{0,2})(\s*\(0\))")
# "sentralbord 22 86 40 00, mobil …": a company's main number; the contact's own number is the phone.
_SWITCHBOARD = re.compile(
    r"\b(?:sentralbord|sentralbordet|switchboard|main\s+(?:number|line)|vaxel|vaxeln|vaxelnummer|hovednummer|"
    r"huvudnummer|reception|resepsjon|receptionen|sentralen)\b\W*$"
)


_TAKEN_BACK = re.compile(
    r"\b(?:sorry|wrong|actually|use|rather|instead|nei|feil|bruk|heller|nej|fel|anvand|hellre|istallet)\b"
)


def find_phones(ex: Extraction, lang: str) -> None:
    region = REGION.get(lang, "NO")
    text = _TRUNK_ZERO.sub(lambda m: m.group(1) + " " * len(m.group(2)), ex.text)
    found = []
    for match in phonenumbers.PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.VALID):
        if _DATE_LIKE.match(match.raw_string.strip()):
            continue  # "31.01.2027" is a date, not a Norwegian phone number
        number = phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164)
        switchboard = _SWITCHBOARD.search(text[max(0, match.start - 20) : match.start]) is not None
        found.append((switchboard, match.start, match.end, number))
    superseded = {
        a[1] for a in found for b in found if b[1] > a[2] and _TAKEN_BACK.search(text[a[2] : b[1]])
    }  # ("phone 00 46 70 …, sorry, that's her swedish number, use +47 …": the number said instead)
    for _, start, end, number in sorted(found, key=lambda f: (f[0], f[1] in superseded)):
        ex.take(start, end, "phone", number)  # (the contact's own number first)


def find_probability(ex: Extraction) -> None:
    for pattern in (_PERCENT, _PROBABILITY_WORD):
        m = pattern.search(ex.text)
        if m is not None and 0 <= int(m.group(1)) <= 100:
            ex.take(m.start(), m.end(), "probability", int(m.group(1)))
            return


def _number_value(raw: str) -> float:
    """ "250 000", "120.000", "1,5", "1.5", "1,234,567" -> the number they mean."""
    raw = raw.strip()
    if re.fullmatch(r"\d{1,3}(?:[ .,']\d{3})+", raw):
        return float(re.sub(r"\D", "", raw))
    grouped = re.fullmatch(r"(\d{1,3}(?:[ .,']\d{3})+)[.,](\d+)", raw)
    if grouped:
        return float(re.sub(r"\D", "", grouped.group(1)) + "." + grouped.group(2))
    return float(raw.replace(",", "."))


def find_amount(ex: Extraction, lang: str, *, bare_numbers: bool) -> None:
    """The first sum of money: with a currency or multiplier always; a bare number only where a sum is expected.
    A range ("300-400k") is no sum; a total ("TCV 720k") beats a monthly figure; "fra 12k til 18k" is the new one."""
    half = _HALF_A_MILLION.search(ex.text)
    if half is not None and not _AMOUNT.search(ex.text[: half.start()]):
        # "a new opportunity at half a million NOK", "en halv million kroner": 500000
        ex.take(half.start(), half.end(), "amount", 500000)
        if half.group(1):
            code = _CURRENCY[half.group(1).lower()]
            ex.slots.setdefault("currency", code or CURRENCY_KR.get(lang, "NOK"))
        return
    for span in list(
        _RANGE.finditer(ex.text)
    ):  # ("somewhere in the 300-400k range": no sum, and no deal name)
        ex.text = blank_out(ex.text, span.start(), span.end())
    found = [m for m in _AMOUNT.finditer(ex.text) if not _RANGE_BEFORE.search(ex.text, 0, m.start())]
    found = [m for m in found if not _RANGE_AFTER.match(ex.text, m.end())]
    found.sort(key=lambda m: _TOTAL_BEFORE.search(ex.text[max(0, m.start() - 25) : m.start()]) is None)
    before = [ex.text[max(0, m.start() - 8) : m.start()] for m in found]
    if (
        found
        and not _TOTAL_BEFORE.search(ex.text[max(0, found[0].start() - 25) : found[0].start()])
        and any(_MONTHLY.search(b) for b in before)
        and any(_YEARLY.search(b) for b in before)
    ):  # ("MRR 45k, ARR 540k", no total: the yearly figure is the deal's)
        found.sort(key=lambda m: _YEARLY.search(ex.text[max(0, m.start() - 8) : m.start()]) is None)
    if found and (
        found[0] is not min(found, key=lambda m: m.start())
        or _TOTAL_BEFORE.search(ex.text[max(0, found[0].start() - 25) : found[0].start()])
    ):
        for m in found[
            1:
        ]:  # ("MRR 20k, TCV 720k": the monthly figure beside the total is no deal name either)
            if _RECURRING.search(ex.text[max(0, m.start() - 8) : m.start()]) or _AMOUNT_TAIL.match(
                ex.text, m.end()
            ):
                tail = _AMOUNT_TAIL.match(ex.text, m.end())
                ex.text = blank_out(ex.text, m.start(), tail.end() if tail else m.end())
    for m in found:
        if _CHANGED_FROM.search(ex.text[max(0, m.start() - 8) : m.start()]) and _CHANGED_TO.match(
            ex.text, m.end()
        ):
            ex.text = blank_out(ex.text, m.start(), m.end())  # (the old sum is no deal name either)
            ex.spans.append((m.start(), m.end(), "amount"))
            continue
        pre, mult, cur = m.group("pre"), m.group("mult"), m.group("cur")
        if mult and not cur and _BRAND_DIGITS.match(ex.written[m.start("num") : m.end() + 30]):
            continue  # "3M Norge": a company written with a capital M, not three million
        if not (pre or mult or cur):
            digits = re.sub(r"\D", "", m.group("num"))
            if not bare_numbers or len(digits) < 3 or re.fullmatch(r"(19|20)\d\d", digits):
                continue  # too small to be a sum, or a year ("Lisens 2027")
        try:
            value = _number_value(m.group("num"))
        except ValueError:
            continue
        if mult:
            value *= _MULTIPLIER[mult.lower()]
        amount: int | float = int(value) if value == int(value) else value
        tail = _AMOUNT_TAIL.match(
            ex.text, m.end()
        )  # ("20k/mnd eks. mva", "2,5 MNOK over tre år": the same sum)
        ex.take(m.start(), tail.end() if tail else m.end(), "amount", amount)
        code = None
        for word in (cur, pre, mult):
            if word:
                key = word.lower().rstrip(".")
                if key in _CURRENCY:
                    code = _CURRENCY[key] or CURRENCY_KR.get(lang, "NOK")
                    if key == ",-":
                        code = CURRENCY_KR.get(lang, "NOK")
                    break
        if code:
            ex.slots.setdefault("currency", code)
        return


# What may follow a sum without changing it (folded): "/mnd", "per år", "eks. mva", "over tre år".
_AMOUNT_TAIL = re.compile(
    r"(?:\s*(?:/\s*|per\s+|pr\.?\s+|a\s+|i\s+|om\s+)(?:mnd|man|md|month|mo|maned|manad|manaden|ar|year|yr|aret)\b\.?"
    r"|\s*,?\s*(?:excl\.?|ex\.?|eks\.?|exkl\.?|ekskl\.?|inkl\.?|incl\.?|plus|\+)\s*(?:mva|moms|vat)\b\.?"
    r"|\s+(?:over|across)\s+(?:\d+|two|three|four|five|to|tre|fire|fem|tva|fyra)\s+(?:years|yrs|ar|aar)\b)+"
)
_BRAND_DIGITS = re.compile(r"\d+M\s+(?!(?:NOK|SEK|EUR|USD|DKK|kr)\b)[A-ZÆØÅÄÖ]")
_HALF_A_MILLION = re.compile(
    r"\b(?:half\s+a|a\s+half|en\s+halv|ein\s+halv)\s+(?:million|mill|miljon)\b(?:\s+("
    + _CUR
    + r"|€|\$|£)(?![\w]))?",
    re.IGNORECASE,
)
_RECURRING = re.compile(r"\b(?:mrr|arr)\W*$")
_MONTHLY = re.compile(r"\bmrr\W*$")
_YEARLY = re.compile(r"\barr\W*$")
_RANGE = re.compile(
    r"(?<![\w.,])\d+(?:[.,]\d+)?\s*(?:k|m|mill)?[-–]\d+(?:[.,]\d+)?\s*(?:k|m|mill|mnok|msek|tkr)\b(?:\s+(?:range|spann|spenn|spannet))?"
)
_RANGE_BEFORE = re.compile(r"\d[kK]?[-–]$")  # ("300-400k": no spaces around the dash of a range)
_RANGE_AFTER = re.compile(r"[kK]?[-–]\d")
_TOTAL_BEFORE = re.compile(
    r"\b(?:tcv|acv|total\s+contract\s+value|deal\s+value|totalverdi|totalvarde|total(?:t)?)\b\W*$"
)
_CHANGED_FROM = re.compile(r"\b(?:fra|fran|from)\s+$")
_CHANGED_TO = re.compile(r"\s*(?:\S+\s*)?(?:til|till|to)\s+\d")


# "they want us to quote …", "vil ha tilbud på …": an offer wished for is no stage.
_WISHED = re.compile(
    r"\b(?:wants?|asked for|asks for|vil ha|onsker|vill ha|onskar|ber om|bad om)\b[^,.;:]{0,20}$"
)


# Stage words long enough to be recognised with one slip of the thumb ("forhandlnig", "vunen", "kvalifsert"); a
# word that only adds or drops an ending ("tilbudt", "offers") is another word, not a slip.
_MISSPELLABLE = {word: stage for word, stage in _STAGES.items() if len(word) >= 6 and " " not in word}
_WORD = re.compile(r"[a-z]{5,}")


def _one_slip(word: str, target: str) -> bool:
    """Whether `word` is `target` with one letter dropped, added, changed or two neighbours swapped, inside it."""
    if (
        word == target
        or word.startswith(target)
        or target.startswith(word)
        or abs(len(word) - len(target)) > 1
    ):
        return False
    return OSA.distance(word, target, score_cutoff=1) <= 1


_MISSPELLABLE_BY_LETTER: dict[str, list[str]] = {}
for _w in _MISSPELLABLE:
    _MISSPELLABLE_BY_LETTER.setdefault(_w[0], []).append(_w)


def _find_misspelt_stage(ex: Extraction) -> None:
    for m in _WORD.finditer(ex.text):
        word = m.group(0)
        near = _MISSPELLABLE_BY_LETTER.get(word[0], ())
        stage = next((_MISSPELLABLE[w] for w in near if _one_slip(word, w)), None)
        if stage is not None:
            ex.take(m.start(), m.end(), "stage", stage)
            return


def find_stage(ex: Extraction) -> None:
    matches = [
        m
        for m in _STAGE.finditer(ex.text)
        if not (_STAGES[m.group(1)] == "proposal" and _WISHED.search(ex.text[: m.start()]))
    ]
    if not matches:
        _find_misspelt_stage(ex)
        return
    m = matches[0]
    later = [n for n in matches[1:] if _STAGES[n.group(1)] != "proposal"]
    if _STAGES[m.group(1)] == "proposal" and later:
        m = later[0]  # "Norsk Gjenvinnings tilbud er tapt": the offer names the deal, the stage comes after
    ex.take(m.start(), m.end(), "stage", _STAGES[m.group(1)])
