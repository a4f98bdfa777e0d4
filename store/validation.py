"""Cleaning and checking of user input at the store's edge: every bad value gets a specific message."""

from __future__ import annotations

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from registry.orgnr import _NAMES as ORG_NUMBER_NAMES
from registry.orgnr import COUNTRIES, InvalidOrgNumber, OrgNumber, candidates, validate
from store.errors import InvalidInput


def required_text(value: str | None, what: str, *, max_length: int = 200) -> str:
    text = " ".join((value or "").split())
    if not text:
        raise InvalidInput(f"The {what} cannot be empty.", field_name=what, key="input.empty", what=what)
    if len(text) > max_length:
        raise InvalidInput(
            f"The {what} is too long (at most {max_length} characters).",
            field_name=what,
            key="input.too_long",
            what=what,
            max_length=max_length,
        )
    return text


def optional_text(value: str | None, what: str, *, max_length: int = 200) -> str | None:
    if value is None or not value.strip():
        return None
    return required_text(value, what, max_length=max_length)


def email_address(value: str) -> str:
    """A syntactically valid address, lower-cased (no DNS look-up: nothing here reaches the internet)."""
    try:
        result = validate_email(value.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise InvalidInput(
            f"{value.strip()!r} is not a valid email address: {exc}",
            field_name="email",
            key="email.invalid",
            address=value.strip(),
            reason=str(exc),
        ) from exc
    return str(result.normalized).lower()


def phone_number(value: str, default_region: str = "NO") -> str:
    """E.164, e.g. "+4791234567"; national numbers are read in the user's country."""
    try:
        parsed = phonenumbers.parse(value, default_region)
    except phonenumbers.NumberParseException as exc:
        raise InvalidInput(
            f"{value.strip()!r} is not a phone number.",
            field_name="phone",
            key="phone.unreadable",
            number=value.strip(),
        ) from exc
    if not phonenumbers.is_valid_number(parsed):
        raise InvalidInput(
            f"{value.strip()!r} is not a valid phone number.",
            field_name="phone",
            key="phone.invalid",
            number=value.strip(),
        )
    return str(phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164))


def org_number(value: str, country: str | None = None) -> OrgNumber:
    """Validate by checksum; without a country, the one country where the number is valid."""
    if country:
        if country.upper() not in COUNTRIES:
            raise InvalidInput(
                f"Unsupported country {country.upper()!r}; use one of {', '.join(COUNTRIES)}.",
                field_name="org_number",
                key="org.unsupported_country",
                country=country.upper(),
                countries=", ".join(COUNTRIES),
            )
        try:
            return validate(value, country)
        except InvalidOrgNumber as exc:
            # the register's message: "'123' is not a valid Norwegian organisation number (<why>)."
            raise InvalidInput(
                str(exc),
                field_name="org_number",
                key="org.invalid_in_country",
                number=value.strip(),
                what=ORG_NUMBER_NAMES[country.upper()],
                reason=str(exc.__cause__ or ""),
            ) from exc
    found = candidates(value)
    if not found:
        raise InvalidInput(
            f"{value.strip()!r} is not a valid organisation number in NO, SE, FI or DK.",
            field_name="org_number",
            key="org.invalid",
            number=value.strip(),
        )
    if len(found) > 1:
        countries = [o.country for o in found]
        first, last = " and ".join(countries[:-1]), countries[-1]
        raise InvalidInput(
            f"{value.strip()!r} is valid in both {first} and {last}; say which country.",
            field_name="org_number",
            key="org.several_countries",
            number=value.strip(),
            first=first,
            last=last,
        )
    return found[0]


def percentage(value: int, what: str = "probability") -> int:
    if not 0 <= int(value) <= 100:
        raise InvalidInput(
            f"The {what} must be between 0 and 100.", field_name=what, key="input.percentage", what=what
        )
    return int(value)
