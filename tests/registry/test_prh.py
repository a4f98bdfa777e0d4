"""The Finnish register (PRH, YTJ v3) over real HTTP against the fake register on 127.0.0.1."""

from __future__ import annotations

import time
from datetime import date

import pytest

from registry.brreg import BrregProvider
from registry.model import LookupStatus, RegisterAddress, RegisterProvider, RegisterUnavailable
from registry.orgnr import InvalidOrgNumber
from registry.prh import PrhProvider, unit_from_prh
from tests.registry.conftest import RETRIES
from tests.servers.registers import FakeRegisters

COMPANIES = "/opendata-ytj-api/v3/companies"
REVONTULI = "2345678-0"


async def test_a_company_is_mapped_field_by_field(prh: PrhProvider) -> None:
    result = await prh.lookup(REVONTULI)

    assert result.status is LookupStatus.FOUND
    assert (result.country, result.number) == ("FI", "23456780")
    unit = result.unit
    assert unit is not None
    assert (unit.country, unit.number, unit.name) == ("FI", "23456780", "Revontuli Consulting Oy")
    assert (unit.org_form, unit.org_form_name) == ("16", "Osakeyhtiö")
    assert unit.business_address == RegisterAddress(
        lines=("Mannerheimintie 12 B 7",), postcode="00100", city="HELSINKI", country_code="FI"
    )
    assert unit.postal_address == RegisterAddress(
        lines=("c/o Tilitoimisto Kuusi Oy", "Annankatu 5"),
        postcode="00120",
        city="HELSINKI",
        country_code="FI",
    )
    assert (unit.industry_code, unit.industry_name) == ("70220", "Muu liikkeenjohdon konsultointi")
    assert unit.employees is None  # the open data has no head count
    assert unit.website == "https://www.revontuli-consulting.fi"
    assert (unit.bankrupt, unit.under_liquidation, unit.deleted_on) == (False, False, None)
    assert (unit.status, unit.source) == ("active", "prh")


async def test_the_lookup_asks_by_the_business_id_with_its_dash(
    prh: PrhProvider, fake_registers: FakeRegisters
) -> None:
    await prh.lookup("23456780")

    assert fake_registers.requests_to(COMPANIES)[0].query == {"businessId": REVONTULI}
    assert len(fake_registers.requests) == 1


async def test_the_current_name_is_the_main_name_without_an_end_date(prh: PrhProvider) -> None:
    unit = (await prh.lookup(REVONTULI)).unit

    # Also in the answer: "Revontuli Solutions Oy" (ended 2021) and the parallel Swedish "Norrsken Consulting Ab".
    assert unit is not None and unit.name == "Revontuli Consulting Oy"


async def test_a_bankrupt_company_is_bankrupt_and_an_ended_restructuring_no_longer_counts(
    prh: PrhProvider,
) -> None:
    unit = (await prh.lookup("1234567-1")).unit

    assert unit is not None and unit.bankrupt and not unit.under_liquidation
    assert unit.status == "bankrupt"
    assert unit.business_address is None
    assert unit.postal_address == RegisterAddress(
        lines=("PL 226",), postcode="90101", city="OULU", country_code="FI"
    )


async def test_a_company_in_liquidation_is_under_liquidation(prh: PrhProvider) -> None:
    unit = (await prh.lookup("2987654-0")).unit

    assert unit is not None and unit.under_liquidation and unit.status == "under liquidation"


async def test_a_ceased_company_is_found_with_its_end_date_as_deletion(prh: PrhProvider) -> None:
    result = await prh.lookup("3123456-3")

    assert result.status is LookupStatus.FOUND and result.unit is not None
    assert (result.unit.deleted_on, result.unit.status) == (date(2022, 12, 31), "deleted")


async def test_an_empty_answer_is_unknown(prh: PrhProvider, fake_registers: FakeRegisters) -> None:
    result = await prh.lookup("2678901-1")

    assert (result.status, result.number, result.unit) == (LookupStatus.UNKNOWN, "26789011", None)
    assert len(fake_registers.requests) == 1


async def test_a_404_is_unknown_too(prh: PrhProvider, fake_registers: FakeRegisters) -> None:
    fake_registers.answer(COMPANIES, 404)

    assert (await prh.lookup(REVONTULI)).status is LookupStatus.UNKNOWN


async def test_a_name_search_returns_companies_and_the_registers_total(
    prh: PrhProvider, fake_registers: FakeRegisters
) -> None:
    page = await prh.search("Revontuli")

    assert [(u.number, u.name) for u in page.units] == [
        ("23456780", "Revontuli Consulting Oy"),
        ("24567896", "Revontuli Design Oy"),
    ]
    assert page.total == 2
    assert fake_registers.requests_to(COMPANIES)[0].query == {"name": "Revontuli"}


async def test_a_name_search_keeps_to_the_limit_but_reports_the_total(prh: PrhProvider) -> None:
    page = await prh.search("revontuli", limit=1)

    assert ([u.name for u in page.units], page.total) == (["Revontuli Consulting Oy"], 2)


async def test_a_name_search_without_hits_is_empty(prh: PrhProvider) -> None:
    page = await prh.search("ei ole olemassa")

    assert (page.units, page.total) == ([], 0)


async def test_a_server_error_once_is_retried_and_then_answers(
    prh: PrhProvider, fake_registers: FakeRegisters
) -> None:
    fake_registers.answer(COMPANIES, 500, times=1)

    assert (await prh.lookup(REVONTULI)).status is LookupStatus.FOUND
    assert len(fake_registers.requests_to(COMPANIES)) == 2


async def test_a_lasting_server_error_makes_the_register_unavailable_after_bounded_retries(
    prh: PrhProvider, fake_registers: FakeRegisters
) -> None:
    fake_registers.answer(COMPANIES, 503)

    with pytest.raises(RegisterUnavailable) as raised:
        await prh.search("revontuli")

    assert str(raised.value) == "The Finnish register (PRH) answered with an error (HTTP 503)."
    assert len(fake_registers.requests) == 1 + RETRIES


async def test_a_slow_register_is_unavailable_within_about_a_second(
    prh: PrhProvider, fake_registers: FakeRegisters
) -> None:
    fake_registers.slow(COMPANIES, delay=5.0)
    started = time.monotonic()

    with pytest.raises(RegisterUnavailable, match=r"^The Finnish register \(PRH\) did not answer in time\.$"):
        await prh.lookup(REVONTULI)

    assert time.monotonic() - started < 2.0


async def test_a_malformed_answer_makes_the_register_unavailable(
    prh: PrhProvider, fake_registers: FakeRegisters
) -> None:
    fake_registers.malformed(COMPANIES)

    with pytest.raises(RegisterUnavailable, match="sent an answer kundebot could not read"):
        await prh.lookup(REVONTULI)
    assert len(fake_registers.requests) == 1


@pytest.mark.parametrize("number", ["2345678-1", "234567-0", "2345678X", "923609016"])
async def test_an_invalid_business_id_raises_without_asking_the_register(
    prh: PrhProvider, fake_registers: FakeRegisters, number: str
) -> None:
    with pytest.raises(InvalidOrgNumber):
        await prh.lookup(number)
    assert fake_registers.requests == []


def test_unit_from_prh_tolerates_a_company_with_almost_nothing() -> None:
    unit = unit_from_prh({"businessId": {"value": "2678901-1"}, "names": [], "addresses": None})

    assert (unit.number, unit.name, unit.org_form, unit.business_address, unit.industry_code) == (
        "26789011",
        "",
        None,
        None,
        None,
    )
    assert unit.status == "active"


def test_unit_from_prh_prefers_english_when_there_is_no_finnish_text() -> None:
    company = {
        "businessId": {"value": "2678901-1"},
        "companyForms": [
            {
                "type": "16",
                "descriptions": [
                    {"languageCode": "2", "description": "Aktiebolag"},
                    {"languageCode": "3", "description": "Limited company"},
                ],
            }
        ],
    }

    assert unit_from_prh(company).org_form_name == "Limited company"


def test_unit_from_prh_needs_a_business_id() -> None:
    with pytest.raises(ValueError):
        unit_from_prh({"names": [{"name": "Nimetön Oy", "type": "1"}]})


def test_both_providers_are_register_providers_with_the_real_registers_as_default() -> None:
    providers: list[RegisterProvider] = [BrregProvider(), PrhProvider()]  # mypy checks the protocol

    assert [(p.country, p.name) for p in providers] == [
        ("NO", "the Norwegian register (Brønnøysund)"),
        ("FI", "the Finnish register (PRH)"),
    ]
    assert [p.base_url for p in (BrregProvider(), PrhProvider())] == [
        "https://data.brreg.no",
        "https://avoindata.prh.fi",
    ]
