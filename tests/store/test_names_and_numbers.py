"""Property-based tests for the parsers at the store's edge: name keys and organisation numbers."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.no import orgnr as no_orgnr

from registry.orgnr import InvalidOrgNumber, candidates, format_number, validate
from store.names import name_key

names = st.text(alphabet=st.characters(categories=("L", "N", "P", "Zs")), max_size=60)


@given(names)
def test_name_key_is_idempotent(name: str) -> None:
    assert name_key(name_key(name)) == name_key(name)


@given(names, st.sampled_from(["AS", "as.", "ASA", "AB", "Oy", "ApS", "Ltd", "A/S"]))
def test_a_legal_form_suffix_never_changes_the_key(name: str, suffix: str) -> None:
    if name_key(name) and name_key(name).split()[-1] not in {"as", "asa", "ab", "oy", "aps", "ltd", "a", "s"}:
        assert name_key(f"{name} {suffix}") == name_key(name)


@pytest.mark.parametrize(
    ("a", "b"),
    [("Acme AS", "ACME as."), ("Acme AS", "Acme"), ("AB Volvo", "Volvo AB"), ("Mærsk A/S", "MÆRSK")],
)
def test_spellings_of_one_company_share_a_key(a: str, b: str) -> None:
    assert name_key(a) == name_key(b)


@given(st.integers(min_value=80_000_000, max_value=99_999_999))
def test_every_valid_norwegian_number_round_trips_through_its_display_form(base: int) -> None:
    valid = [str(base) + d for d in "0123456789" if no_orgnr.is_valid(str(base) + d)]
    for number in valid:  # MOD11 leaves some bases without any valid check digit
        org = validate(format_number(number, "NO"), "NO")
        assert org.number == number
        assert org.formatted == f"{number[:3]} {number[3:6]} {number[6:]}"


@given(st.text(max_size=20))
def test_validation_either_returns_a_number_or_says_why(text: str) -> None:
    for country in ("NO", "SE", "FI", "DK"):
        try:
            org = validate(text, country)
        except InvalidOrgNumber as exc:
            assert str(exc)
        else:
            assert org.country == country and org.number


def test_known_numbers_are_detected_in_their_country() -> None:
    assert [o.country for o in candidates("923 609 016")] == ["NO"]
    assert [o.country for o in candidates("556036-0793")] == ["SE"]
    assert validate("0112038-9", "FI").formatted == "0112038-9"
    assert validate("13585628", "DK").number == "13585628"
