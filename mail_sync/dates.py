"""Dates of email headers and of the "Date:/Sent:/Dato:/Skickat:" lines mail clients write into forwards.

Header dates are RFC 5322 (``email.utils``). Forward lines are whatever the forwarder's client and language
produced: "Mon, Nov 16, 2026 at 2:05 PM", "mandag 16. november 2026 14:05", "den 16 november 2026 14:05",
"16. nov. 2026 kl. 14:05", "16 November 2026 at 14:05:32 CET", "16.11.2026 14:05". They are read best effort by
a small tokenizer with English, Norwegian, Danish, Swedish and German month names; anything it cannot place
gives None. A forward line without a zone is in the forwarder's local time, so the caller passes the zone of
the forwarding message's own Date header as the default.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from email.utils import parsedate_tz

MONTHS: dict[str, int] = {}
for _number, _names in enumerate(
    (
        "january jan januar januari janv",
        "february feb februar februari febr",
        "march mar mars märz maerz mär",
        "april apr",
        "may mai maj",
        "june jun juni",
        "july jul juli",
        "august aug augusti",
        "september sep sept",
        "october oct oktober okt",
        "november nov",
        "december dec desember dez dezember",
    ),
    start=1,
):
    for _name in _names.split():
        MONTHS[_name] = _number

# Zone abbreviations mail clients print (Apple Mail: "CET", "GMT+1"; Outlook web: "UTC+01:00").
ZONES = {
    "utc": 0, "gmt": 0, "z": 0, "ut": 0, "wet": 0, "west": 60, "bst": 60, "cet": 60, "met": 60,
    "cest": 120, "mest": 120, "eet": 120, "eest": 180, "msk": 180,
    "est": -300, "edt": -240, "cst": -360, "cdt": -300, "mst": -420, "mdt": -360, "pst": -480, "pdt": -420,
}  # fmt: skip

_TOKEN = re.compile(
    r"(?P<iso>\d{4})-(?P<iso_m>\d{1,2})-(?P<iso_d>\d{1,2})"
    r"|(?P<num_a>\d{1,2})(?P<num_sep>[./])(?P<num_b>\d{1,2})(?P=num_sep)(?P<num_y>\d{4}|\d{2})(?!\d)"
    r"|(?P<hour>\d{1,2})[:.](?P<minute>\d{2})(?:[:.](?P<second>\d{2}))?(?!\d)"
    r"|(?P<zone_name>gmt|utc)?\s*(?P<offset>[+-]\d{1,2}(?::?\d{2})?)(?!\d)"
    r"|(?P<ampm>[ap])\.?\s?m\b\.?"
    r"|(?P<number>\d+)"
    r"|(?P<word>[^\W\d_]+)",
    re.IGNORECASE,
)


def parse_header_date(value: str) -> datetime | None:
    """An RFC 5322 Date header as an aware datetime (``-0000`` and missing zones as UTC), or None."""
    if not value or len(value) > 200:
        return None
    try:
        parts = parsedate_tz(value)
        if parts is None:
            return parse_loose_date(value, UTC)
        year, month, day, hour, minute, second = parts[:6]
        offset = parts[9] or 0
        return datetime(year, month, day, hour, minute, second, tzinfo=timezone(timedelta(seconds=offset)))
    except (ValueError, OverflowError, TypeError, IndexError):
        return None


def parse_loose_date(value: str, default_zone: tzinfo | None = None) -> datetime | None:
    """A date line from a forward, in any of the supported languages; None when it cannot be placed."""
    if not value or len(value) > 200:
        return None
    try:
        return _parse_loose(value, default_zone or UTC)
    except (ValueError, OverflowError, TypeError, IndexError):
        return None


def _parse_loose(value: str, default_zone: tzinfo) -> datetime | None:
    year = month = day = None
    hour = minute = second = None
    pm: bool | None = None
    zone: tzinfo | None = None
    loose_numbers: list[int] = []
    for match in _TOKEN.finditer(value.lower()):
        kind = match.lastgroup
        if match.group("iso"):
            year, month, day = int(match.group("iso")), int(match.group("iso_m")), int(match.group("iso_d"))
        elif match.group("num_a"):
            first, second_number = int(match.group("num_a")), int(match.group("num_b"))
            year = int(match.group("num_y"))
            year += 2000 if year < 100 else 0
            if match.group("num_sep") == "/" and first <= 12 and second_number > 12:
                month, day = first, second_number  # US: 11/16/2026
            elif match.group("num_sep") == "/" and first <= 12 and second_number <= 12:
                month, day = first, second_number  # ambiguous slashes: US clients are the ones writing them
            else:
                day, month = first, second_number
        elif match.group("hour") is not None and hour is None:
            hour, minute = int(match.group("hour")), int(match.group("minute"))
            second = int(match.group("second") or 0)
        elif match.group("offset") is not None:
            if hour is None and match.group("zone_name") is None:
                continue  # a sign before a number without a time first is not a zone
            zone = _offset_zone(match.group("offset"))
        elif match.group("ampm"):
            pm = match.group("ampm") == "p"
        elif kind == "number":
            loose_numbers.append(int(match.group("number")))
        elif kind == "word" or kind == "zone_name":
            word = match.group(0).strip().rstrip(".")
            if word in MONTHS and month is None:
                month = MONTHS[word]
            elif word in ZONES and zone is None:
                zone = timezone(timedelta(minutes=ZONES[word]))
    for number in loose_numbers:
        if number >= 1000 and year is None:
            year = number
        elif 1 <= number <= 31 and day is None:
            day = number
    if year is None or month is None or day is None:
        return None
    if hour is None:
        hour = minute = second = 0
    elif pm is not None:
        if pm and hour < 12:
            hour += 12
        elif not pm and hour == 12:
            hour = 0
    return datetime(year, month, day, hour, minute or 0, second or 0, tzinfo=zone or default_zone)


def _offset_zone(text: str) -> tzinfo:
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    if len(digits) <= 2:
        hours, minutes = int(digits), 0
    else:
        hours, minutes = int(digits[:-2]), int(digits[-2:])
    return timezone(sign * timedelta(hours=hours, minutes=minutes))
