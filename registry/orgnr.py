"""Organisation-number validation and formatting for NO, SE, FI and DK (SPEC §4), via python-stdnum."""

from __future__ import annotations

import re
from dataclasses import dataclass

from stdnum.dk import cvr
from stdnum.exceptions import ValidationError
from stdnum.fi import ytunnus
from stdnum.no import orgnr
from stdnum.se import orgnr as se_orgnr

COUNTRIES = ("NO", "SE", "FI", "DK")
_SEPARATORS = re.compile(r"[\s.\-]")
_MODULES = {"NO": orgnr, "SE": se_orgnr, "FI": ytunnus, "DK": cvr}
_NAMES = {
    "NO": "Norwegian organisation number",
    "SE": "Swedish organisationsnummer",
    "FI": "Finnish Y-tunnus",
    "DK": "Danish CVR number",
}


@dataclass(frozen=True)
class OrgNumber:
    country: str
    number: str  # compact: digits only (FI 0112038-9 is stored as 01120389)

    @property
    def formatted(self) -> str:
        return format_number(self.number, self.country)


class InvalidOrgNumber(ValueError):
    pass


def validate(number: str, country: str) -> OrgNumber:
    country = country.upper()
    module = _MODULES.get(country)
    if module is None:
        raise InvalidOrgNumber(f"Unsupported country {country!r}; use one of {', '.join(COUNTRIES)}.")
    try:
        # People write "923 609 016", "923-609-016", "556036-0793" or "0112038-9"; all mean the digits.
        compact = module.validate(_SEPARATORS.sub("", number))
    except ValidationError as exc:
        raise InvalidOrgNumber(f"{number.strip()!r} is not a valid {_NAMES[country]} ({exc}).") from exc
    return OrgNumber(country, compact)


def format_number(number: str, country: str) -> str:
    country = country.upper()
    if country == "NO":
        return f"{number[:3]} {number[3:6]} {number[6:]}"
    if country == "SE":
        return f"{number[:6]}-{number[6:]}"
    if country == "FI":
        return str(ytunnus.format(number))
    return number


def candidates(number: str) -> list[OrgNumber]:
    """Every country in which `number` is valid (a number can be valid in more than one)."""
    found = []
    for country in COUNTRIES:
        try:
            found.append(validate(number, country))
        except InvalidOrgNumber:
            continue
    return found
