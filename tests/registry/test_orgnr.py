"""Organisation numbers of the four countries: checksums, lengths, separators, formatting (SPEC §4)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from registry.orgnr import COUNTRIES, InvalidOrgNumber, OrgNumber, candidates, format_number, validate

VALID = [
    ("NO", "923609016", "923609016"),
    ("NO", "923 609 016", "923609016"),
    ("NO", "923-609-016", "923609016"),
    ("NO", " 923.609.016 ", "923609016"),
    ("SE", "5560360793", "5560360793"),
    ("SE", "556036-0793", "5560360793"),
    ("SE", "556036 0793", "5560360793"),
    ("FI", "0112038-9", "01120389"),
    ("FI", "01120389", "01120389"),
    ("FI", "0112 038-9", "01120389"),
    ("DK", "13585628", "13585628"),
    ("DK", "13 58 56 28", "13585628"),
    ("DK", "13-58-56-28", "13585628"),
]

INVALID = [
    # wrong check digit
    ("NO", "923609017"),
    ("SE", "5560360794"),
    ("FI", "0112038-8"),
    ("DK", "13585627"),
    # wrong length
    ("NO", "92360901"),
    ("NO", "9236090160"),
    ("SE", "556036079"),
    ("SE", "55603607930"),
    ("FI", "112038-9"),
    ("FI", "01120389 0"),
    ("DK", "1358562"),
    ("DK", "135856280"),
    # letters
    ("NO", "92360901A"),
    ("SE", "55603607A3"),
    ("FI", "0112038-X"),
    ("DK", "1358562A"),
    # nothing at all
    ("NO", ""),
    ("FI", "   "),
]


@pytest.mark.parametrize(("country", "written", "compact"), VALID)
def test_a_valid_number_is_accepted_in_any_common_writing_and_kept_compact(
    country: str, written: str, compact: str
) -> None:
    assert validate(written, country) == OrgNumber(country, compact)


@pytest.mark.parametrize(("country", "written"), INVALID)
def test_an_invalid_number_is_refused_with_a_message_naming_the_kind_of_number(
    country: str, written: str
) -> None:
    with pytest.raises(InvalidOrgNumber, match="is not a valid"):
        validate(written, country)


def test_the_country_may_be_written_in_lower_case() -> None:
    assert validate("923609016", "no") == OrgNumber("NO", "923609016")


def test_an_unsupported_country_is_refused() -> None:
    with pytest.raises(InvalidOrgNumber, match="Unsupported country"):
        validate("923609016", "DE")


@pytest.mark.parametrize(
    ("country", "compact", "display"),
    [
        ("NO", "923609016", "923 609 016"),
        ("SE", "5560360793", "556036-0793"),
        ("FI", "01120389", "0112038-9"),
    ],
)
def test_numbers_are_formatted_the_way_each_country_writes_them(
    country: str, compact: str, display: str
) -> None:
    assert format_number(compact, country) == display
    assert validate(compact, country).formatted == display


def test_a_danish_number_is_shown_as_its_eight_digits() -> None:
    assert validate("13 58 56 28", "DK").formatted == "13585628"


def test_a_number_valid_in_one_country_has_one_candidate() -> None:
    assert candidates("923 609 016") == [OrgNumber("NO", "923609016")]
    assert candidates("556036-0793") == [OrgNumber("SE", "5560360793")]


def test_a_number_valid_nowhere_has_no_candidates() -> None:
    assert candidates("12345") == []


def _eight_digit_numbers() -> Iterator[str]:
    return (str(n) for n in range(10_000_000, 100_000_000))


def test_an_eight_digit_number_can_be_both_a_finnish_and_a_danish_one() -> None:
    # Y-tunnus and CVR are both eight digits with a mod-11 check; some strings pass both.
    both = next(n for n in _eight_digit_numbers() if _valid(n, "FI") and _valid(n, "DK"))

    assert candidates(both) == [OrgNumber("FI", both), OrgNumber("DK", both)]
    assert [c.country for c in candidates(both)] == [c for c in COUNTRIES if c in ("FI", "DK")]


def _valid(number: str, country: str) -> bool:
    try:
        validate(number, country)
    except InvalidOrgNumber:
        return False
    return True
