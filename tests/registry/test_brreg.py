"""The Norwegian register (Brønnøysund) over real HTTP against the fake register on 127.0.0.1."""

from __future__ import annotations

import gzip
import io
import socket
import time
from datetime import UTC, date, datetime, timedelta, timezone

import aiohttp
import ijson
import pytest

from registry.brreg import BrregProvider, ChangeEntry, unit_from_brreg
from registry.model import LookupStatus, RegisterAddress, RegisterUnavailable
from registry.orgnr import InvalidOrgNumber
from tests.registry.conftest import RETRIES
from tests.servers.registers import FakeRegisters

ENHETER = "/enhetsregisteret/api/enheter"
UNDERENHETER = "/enhetsregisteret/api/underenheter"
FEED = "/enhetsregisteret/api/oppdateringer/enheter"
FJORDLYS = "912345688"


async def test_a_unit_is_mapped_field_by_field(brreg: BrregProvider) -> None:
    result = await brreg.lookup(FJORDLYS)

    assert result.status is LookupStatus.FOUND
    assert (result.country, result.number, result.removed_on) == ("NO", FJORDLYS, None)
    unit = result.unit
    assert unit is not None
    assert (unit.country, unit.number, unit.name) == ("NO", FJORDLYS, "FJORDLYS RÅDGIVNING AS")
    assert (unit.org_form, unit.org_form_name) == ("AS", "Aksjeselskap")
    assert unit.business_address == RegisterAddress(
        lines=("Kongens gate 12", "3. etasje"),
        postcode="0150",
        city="OSLO",
        country_code="NO",
        country="Norge",
    )
    assert unit.postal_address == RegisterAddress(
        lines=("Postboks 1234 Sentrum",), postcode="0105", city="OSLO", country_code="NO", country="Norge"
    )
    assert (unit.industry_code, unit.industry_name) == (
        "70.220",
        "Bedriftsrådgivning og annen administrativ rådgivning",
    )
    assert unit.employees == 42
    assert unit.website == "https://www.fjordlys-radgivning.no"
    assert (unit.bankrupt, unit.under_liquidation, unit.deleted_on) == (False, False, None)
    assert (unit.status, unit.source) == ("active", "brreg")


async def test_a_found_unit_takes_one_request_to_the_units_endpoint(
    brreg: BrregProvider, fake_registers: FakeRegisters
) -> None:
    await brreg.lookup("912 345 688")

    assert [r.path for r in fake_registers.requests] == [f"{ENHETER}/{FJORDLYS}"]


async def test_an_unknown_number_is_unknown_after_asking_units_and_sub_units(
    brreg: BrregProvider, fake_registers: FakeRegisters
) -> None:
    result = await brreg.lookup("999123457")

    assert (result.status, result.number, result.unit) == (LookupStatus.UNKNOWN, "999123457", None)
    assert [r.path for r in fake_registers.requests] == [f"{ENHETER}/999123457", f"{UNDERENHETER}/999123457"]


async def test_a_removed_unit_is_removed_with_the_date_from_the_410_answer(brreg: BrregProvider) -> None:
    result = await brreg.lookup("978901239")

    assert result.status is LookupStatus.REMOVED
    assert (result.unit, result.removed_on) == (None, date(2024, 3, 9))


async def test_a_410_without_a_body_is_still_removed(
    brreg: BrregProvider, fake_registers: FakeRegisters
) -> None:
    fake_registers.answer(f"{ENHETER}/{FJORDLYS}", 410)

    result = await brreg.lookup(FJORDLYS)

    assert (result.status, result.removed_on) == (LookupStatus.REMOVED, None)


async def test_a_deleted_unit_is_found_with_its_deletion_date(brreg: BrregProvider) -> None:
    result = await brreg.lookup("945678909")

    assert result.status is LookupStatus.FOUND and result.unit is not None
    assert (result.unit.name, result.unit.deleted_on) == ("LYSAKER KONSULT AS", date(2023, 11, 30))
    assert result.unit.status == "deleted"
    assert (result.unit.business_address, result.unit.postal_address, result.unit.employees) == (
        None,
        None,
        None,
    )


async def test_a_bankrupt_unit_is_bankrupt(brreg: BrregProvider) -> None:
    unit = (await brreg.lookup("923456783")).unit

    assert unit is not None and unit.bankrupt and unit.status == "bankrupt"
    assert unit.employees is None  # fewer than five employees: the register leaves the number out


async def test_a_unit_being_wound_up_is_under_liquidation(brreg: BrregProvider) -> None:
    unit = (await brreg.lookup("934567897")).unit

    assert unit is not None and unit.under_liquidation and not unit.bankrupt
    assert unit.status == "under liquidation"


async def test_a_unit_under_compulsory_dissolution_is_under_liquidation_too(brreg: BrregProvider) -> None:
    unit = (await brreg.lookup("812345672")).unit

    assert unit is not None and unit.under_liquidation and unit.status == "under liquidation"


async def test_a_sub_unit_is_found_through_underenheter_with_its_location_as_business_address(
    brreg: BrregProvider, fake_registers: FakeRegisters
) -> None:
    result = await brreg.lookup("989012347")

    assert result.status is LookupStatus.FOUND and result.unit is not None
    unit = result.unit
    assert (unit.name, unit.org_form, unit.employees) == ("FJORDLYS RÅDGIVNING AS AVD BERGEN", "BEDR", 9)
    assert unit.business_address == RegisterAddress(
        lines=("Olav Kyrres gate 9",), postcode="5014", city="BERGEN", country_code="NO", country="Norge"
    )
    assert unit.postal_address is None
    assert [r.path for r in fake_registers.requests] == [f"{ENHETER}/989012347", f"{UNDERENHETER}/989012347"]


async def test_a_name_search_returns_units_and_the_registers_total(
    brreg: BrregProvider, fake_registers: FakeRegisters
) -> None:
    page = await brreg.search(" Fjordlys ", limit=2)

    assert [u.number for u in page.units] == [FJORDLYS, "918765433"]
    assert page.total == 3  # page.totalElements, not the length of this page
    minimal = page.units[1]
    assert (minimal.org_form, minimal.business_address, minimal.industry_code, minimal.website) == (
        "ENK",
        None,
        None,
        None,
    )
    assert fake_registers.requests_to(ENHETER)[0].query == {"navn": "Fjordlys", "size": "2"}


async def test_a_name_search_without_hits_is_empty(brreg: BrregProvider) -> None:
    page = await brreg.search("finnes ikke")

    assert (page.units, page.total) == ([], 0)


async def test_a_blank_name_search_asks_the_register_nothing(
    brreg: BrregProvider, fake_registers: FakeRegisters
) -> None:
    page = await brreg.search("   ")

    assert (page.units, page.total, fake_registers.requests) == ([], 0, [])


async def test_the_change_feed_lists_changes_published_since_a_moment(
    brreg: BrregProvider, fake_registers: FakeRegisters
) -> None:
    oslo_morning = datetime(2024, 5, 2, 2, 0, tzinfo=timezone(timedelta(hours=2)))

    page = await brreg.changes(since=oslo_morning, size=3)

    assert page.entries == [
        ChangeEntry(23017590, "927654326", "Ny", datetime(2024, 5, 2, 5, 1, 2, 345000, tzinfo=UTC)),
        ChangeEntry(23017591, FJORDLYS, "Endring", datetime(2024, 5, 2, 5, 1, 2, 345000, tzinfo=UTC)),
        ChangeEntry(23017592, "945678909", "Sletting", datetime(2024, 5, 2, 5, 3, 41, 120000, tzinfo=UTC)),
    ]
    assert page.last_id == 23017592
    assert fake_registers.requests_to(FEED)[0].query == {"dato": "2024-05-02T00:00:00.000Z", "size": "3"}


async def test_the_change_feed_continues_after_the_last_update_id(
    brreg: BrregProvider, fake_registers: FakeRegisters
) -> None:
    page = await brreg.changes(since=datetime(2024, 5, 2, tzinfo=UTC), after_id=23017592)

    assert [(e.update_id, e.change_type) for e in page.entries] == [
        (23017593, "Fjernet"),
        (23017594, "Ukjent"),
    ]
    assert page.last_id == 23017594
    assert fake_registers.requests_to(FEED)[0].query["oppdateringsid"] == "23017593"


async def test_an_empty_change_feed_keeps_the_last_update_id(brreg: BrregProvider) -> None:
    page = await brreg.changes(since=datetime(2024, 5, 2, tzinfo=UTC), after_id=23017594)

    assert (page.entries, page.last_id) == ([], 23017594)


async def test_a_server_error_once_is_retried_and_then_answers(
    brreg: BrregProvider, fake_registers: FakeRegisters
) -> None:
    fake_registers.answer(f"{ENHETER}/{FJORDLYS}", 500, times=1)

    result = await brreg.lookup(FJORDLYS)

    assert result.status is LookupStatus.FOUND
    assert len(fake_registers.requests_to(f"{ENHETER}/{FJORDLYS}")) == 2


async def test_a_lasting_server_error_makes_the_register_unavailable_after_bounded_retries(
    brreg: BrregProvider, fake_registers: FakeRegisters
) -> None:
    fake_registers.answer(f"{ENHETER}/{FJORDLYS}", 500)

    with pytest.raises(RegisterUnavailable) as raised:
        await brreg.lookup(FJORDLYS)

    assert str(raised.value) == "The Norwegian register (Brønnøysund) answered with an error (HTTP 500)."
    assert len(fake_registers.requests_to(f"{ENHETER}/{FJORDLYS}")) == 1 + RETRIES


async def test_too_many_requests_with_a_short_retry_after_is_retried(
    brreg: BrregProvider, fake_registers: FakeRegisters
) -> None:
    fake_registers.answer(f"{ENHETER}/{FJORDLYS}", 429, headers={"Retry-After": "0"}, times=1)

    assert (await brreg.lookup(FJORDLYS)).status is LookupStatus.FOUND
    assert len(fake_registers.requests) == 2


async def test_a_retry_after_longer_than_anyone_waits_gives_up_at_once(
    brreg: BrregProvider, fake_registers: FakeRegisters
) -> None:
    fake_registers.answer(f"{ENHETER}/{FJORDLYS}", 429, headers={"Retry-After": "120"})

    with pytest.raises(RegisterUnavailable, match=r"HTTP 429"):
        await brreg.lookup(FJORDLYS)
    assert len(fake_registers.requests) == 1


async def test_a_bad_request_is_not_retried(brreg: BrregProvider, fake_registers: FakeRegisters) -> None:
    fake_registers.answer(ENHETER, 400, json_body={"status": 400, "feilmelding": "Feilaktig forespørsel"})

    with pytest.raises(RegisterUnavailable, match=r"HTTP 400"):
        await brreg.search("fjordlys")
    assert len(fake_registers.requests) == 1


async def test_a_slow_register_is_unavailable_within_about_a_second(
    brreg: BrregProvider, fake_registers: FakeRegisters
) -> None:
    fake_registers.slow(f"{ENHETER}/{FJORDLYS}", delay=5.0)
    started = time.monotonic()

    with pytest.raises(RegisterUnavailable) as raised:
        await brreg.lookup(FJORDLYS)

    assert str(raised.value) == "The Norwegian register (Brønnøysund) did not answer in time."
    assert time.monotonic() - started < 2.0  # three 0.3 s attempts and two short pauses
    assert len(fake_registers.requests) == 1 + RETRIES


async def test_a_slow_answer_once_is_retried(brreg: BrregProvider, fake_registers: FakeRegisters) -> None:
    fake_registers.slow(f"{ENHETER}/{FJORDLYS}", delay=5.0, times=1)

    assert (await brreg.lookup(FJORDLYS)).status is LookupStatus.FOUND
    assert len(fake_registers.requests) == 2


async def test_a_malformed_answer_makes_the_register_unavailable_without_retrying(
    brreg: BrregProvider, fake_registers: FakeRegisters
) -> None:
    fake_registers.malformed(f"{ENHETER}/{FJORDLYS}")

    with pytest.raises(RegisterUnavailable) as raised:
        await brreg.lookup(FJORDLYS)

    assert str(raised.value) == "The Norwegian register (Brønnøysund) sent an answer kundebot could not read."
    assert len(fake_registers.requests) == 1


async def test_json_of_the_wrong_shape_is_unreadable_too(
    brreg: BrregProvider, fake_registers: FakeRegisters
) -> None:
    fake_registers.answer(f"{ENHETER}/{FJORDLYS}", 200, json_body=["not", "a", "unit"])

    with pytest.raises(RegisterUnavailable, match="could not read"):
        await brreg.lookup(FJORDLYS)


async def test_a_register_nobody_listens_on_cannot_be_reached() -> None:
    with socket.socket() as s:  # a port that was free a moment ago and has no listener
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    provider = BrregProvider(f"http://127.0.0.1:{port}", timeout=0.3, retries=1, backoff=0.01)

    with pytest.raises(RegisterUnavailable) as raised:
        await provider.lookup(FJORDLYS)
    await provider.close()

    assert str(raised.value) == "The Norwegian register (Brønnøysund) could not be reached."


@pytest.mark.parametrize("number", ["912345689", "91234568", "9123456880", "91234568A", ""])
async def test_an_invalid_number_raises_without_asking_the_register(
    brreg: BrregProvider, fake_registers: FakeRegisters, number: str
) -> None:
    with pytest.raises(InvalidOrgNumber):
        await brreg.lookup(number)
    assert fake_registers.requests == []


async def test_a_shared_session_stays_open_when_the_provider_closes(fake_registers: FakeRegisters) -> None:
    async with aiohttp.ClientSession() as session:
        provider = BrregProvider(fake_registers.base_url, session=session)
        assert (await provider.lookup(FJORDLYS)).status is LookupStatus.FOUND
        await provider.close()

        assert not session.closed


def test_unit_from_brreg_tolerates_a_unit_with_almost_nothing() -> None:
    unit = unit_from_brreg({"organisasjonsnummer": "918765433", "postadresse": None, "naeringskode1": {}})

    assert (unit.number, unit.name, unit.org_form, unit.business_address, unit.postal_address) == (
        "918765433",
        "",
        None,
        None,
        None,
    )
    assert (unit.employees, unit.website, unit.status) == (None, None, "active")


def test_unit_from_brreg_needs_an_organisation_number() -> None:
    with pytest.raises(ValueError):
        unit_from_brreg({"navn": "UTEN NUMMER AS"})


@pytest.mark.parametrize(
    ("hjemmeside", "website"),
    [
        ("www.firma.no", "https://www.firma.no"),
        ("http://firma.no/om-oss", "http://firma.no/om-oss"),
        ("HTTPS://FIRMA.NO", "HTTPS://FIRMA.NO"),
        ("  ", None),
    ],
)
def test_a_website_without_a_scheme_gets_https(hjemmeside: str, website: str | None) -> None:
    assert unit_from_brreg({"organisasjonsnummer": FJORDLYS, "hjemmeside": hjemmeside}).website == website


async def test_every_unit_of_the_bulk_download_maps_while_streaming(fake_registers: FakeRegisters) -> None:
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"{fake_registers.base_url}{ENHETER}/lastned") as response,
    ):
        compressed = await response.read()

    units = [unit_from_brreg(item) for item in ijson.items(io.BytesIO(gzip.decompress(compressed)), "item")]

    assert {u.number for u in units} >= {FJORDLYS, "923456783", "934567897", "918765433"}
    assert all(u.source == "brreg" and u.name for u in units)
