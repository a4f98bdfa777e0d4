"""Finland's PRH open-data API (YTJ, v3): look-up by Business ID and name search (SPEC §4).

Shapes follow the OpenAPI description at https://avoindata.prh.fi/opendata-ytj-api/v3/schema?lang=en:
GET /opendata-ytj-api/v3/companies?businessId=..|name=.. answers {"totalResults", "companies": [...]}.
Every list in a company (names, companyForms, addresses, companySituations) keeps history: the current
entry is the one without `endDate`. Language codes in `descriptions` and `postOffices`: 1 Finnish,
2 Swedish, 3 English. Address type 1 is the street (visiting) address, 2 the postal address.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

import aiohttp

from registry.http import JsonClient, mapping, normalise_website, parse_date, text
from registry.model import LookupResult, LookupStatus, RegisterAddress, RegisterUnit, SearchPage
from registry.orgnr import validate

NAME = "the Finnish register (PRH)"
API = "/opendata-ytj-api/v3/companies"
MAIN_NAME = "1"  # names[].type of the registered trade name; others are parallel and auxiliary names
STREET, POSTAL = 1, 2  # addresses[].type
BANKRUPTCY = "KONK"
# SELTILA is liquidation; SANE is restructuring, which RegisterUnit has no word for and which warrants the
# same caution before new business, so it is reported as under liquidation too.
WINDING_UP = frozenset({"SELTILA", "SANE"})
_LANGUAGES = ("1", "3", "2")  # Finnish first, like the Norwegian provider's Norwegian texts; then English


class PrhProvider:
    country = "FI"
    name = NAME

    def __init__(
        self,
        base_url: str = "https://avoindata.prh.fi",
        *,
        timeout: float = 5.0,
        retries: int = 2,
        session: aiohttp.ClientSession | None = None,
        backoff: float = 0.2,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._http = JsonClient(NAME, timeout=timeout, retries=retries, backoff=backoff, session=session)

    async def lookup(self, number: str) -> LookupResult:
        business_id = validate(number, "FI")  # InvalidOrgNumber before any request
        # The API matches the Business ID as written in the register, with its dash.
        status, body = await self._http.get(f"{self.base_url}{API}", {"businessId": business_id.formatted})
        companies = self._companies(body) if status == 200 else []
        for company in companies:
            unit = self._unit(company)
            if unit.number == business_id.number:
                return LookupResult(LookupStatus.FOUND, "FI", business_id.number, unit=unit)
        # PRH has no "removed" answer; ceased companies are found, with deleted_on.
        return LookupResult(LookupStatus.UNKNOWN, "FI", business_id.number)

    async def search(self, name: str, *, limit: int = 10) -> SearchPage:
        if not name.strip() or limit < 1:
            return SearchPage()
        # The API has no page size (it pages by 100), so the limit is applied here.
        status, body = await self._http.get(f"{self.base_url}{API}", {"name": name.strip()})
        if status != 200:
            return SearchPage()
        units = [self._unit(company) for company in self._companies(body)[:limit]]
        total = mapping(body).get("totalResults")
        return SearchPage(units=units, total=total if isinstance(total, int) else len(units))

    async def close(self) -> None:
        await self._http.close()

    def _companies(self, body: Any) -> list[Any]:
        companies = mapping(body).get("companies")
        if not isinstance(body, Mapping) or not isinstance(companies, list | None):
            raise self._http.unreadable()
        return companies or []

    def _unit(self, company: Any) -> RegisterUnit:
        if not isinstance(company, Mapping):
            raise self._http.unreadable()
        try:
            return unit_from_prh(company)
        except ValueError as exc:
            raise self._http.unreadable() from exc


def unit_from_prh(company: Mapping[str, Any]) -> RegisterUnit:
    """Map one company of a YTJ v3 answer. Only `businessId.value` is required (ValueError without it)."""
    number = re.sub(r"\D", "", text(mapping(company.get("businessId")).get("value")) or "")
    if not number:
        raise ValueError("company without businessId")
    form = _current(company.get("companyForms"))
    line = mapping(company.get("mainBusinessLine"))
    situations = {
        text(s.get("type")) for s in _entries(company.get("companySituations")) if not s.get("endDate")
    }
    return RegisterUnit(
        country="FI",
        number=number,
        name=_current_name(company.get("names")),
        org_form=text(form.get("type")),
        org_form_name=_description(form.get("descriptions")),
        business_address=_address(company.get("addresses"), STREET),
        postal_address=_address(company.get("addresses"), POSTAL),
        industry_code=text(line.get("type")),
        industry_name=_description(line.get("descriptions")),
        website=normalise_website(mapping(company.get("website")).get("url")),
        bankrupt=BANKRUPTCY in situations,
        under_liquidation=bool(situations & WINDING_UP),
        deleted_on=parse_date(company.get("endDate")),
        source="prh",
    )


def _entries(value: object) -> list[Mapping[str, Any]]:
    return [item for item in value if isinstance(item, Mapping)] if isinstance(value, list) else []


def _current(value: object) -> Mapping[str, Any]:
    """The entry without endDate (the latest registered one if several); else the most recent one."""
    entries = _entries(value)
    open_entries = [e for e in entries if not e.get("endDate")]
    if open_entries:
        return max(open_entries, key=lambda e: str(e.get("registrationDate") or ""))
    return max(entries, key=lambda e: str(e.get("endDate") or ""), default={})


def _current_name(value: object) -> str:
    names = _entries(value)
    main = [n for n in names if text(n.get("type")) == MAIN_NAME]
    return text(_current(main or names).get("name")) or ""


def _description(value: object) -> str | None:
    texts = {text(d.get("languageCode")): text(d.get("description")) for d in _entries(value)}
    for code in _LANGUAGES:
        if texts.get(code):
            return texts[code]
    return next((t for t in texts.values() if t), None)


def _address(value: object, kind: int) -> RegisterAddress | None:
    matching = [a for a in _entries(value) if str(a.get("type")) == str(kind)]
    if not matching:
        return None
    raw = _current(matching)
    country = text(raw.get("country"))
    is_code = country is not None and len(country) == 2 and country.isalpha()
    address = RegisterAddress(
        lines=tuple(_lines(raw)),
        postcode=text(raw.get("postCode")),
        city=_city(raw.get("postOffices")),
        country_code=country.upper() if country and is_code else (None if country else "FI"),
        country=None if is_code else country,
    )
    return None if not (address.lines or address.postcode or address.city) else address


def _lines(raw: Mapping[str, Any]) -> Iterable[str]:
    co = text(raw.get("co"))
    if co:
        yield co if co.lower().startswith("c/o") else f"c/o {co}"
    apartment = "".join(
        t for t in (text(raw.get("apartmentNumber")), text(raw.get("apartmentIdSuffix"))) if t
    )
    parts = (text(raw.get("street")), text(raw.get("buildingNumber")), text(raw.get("entrance")), apartment)
    street = " ".join(p for p in parts if p)
    box = text(raw.get("postOfficeBox"))
    if street:
        yield street
    elif box:
        yield f"PL {box}"  # postilokero, the Finnish post-office box
    elif free := text(raw.get("freeAddressLine")):
        yield free


def _city(value: object) -> str | None:
    by_language = {text(p.get("languageCode")): text(p.get("city")) for p in _entries(value)}
    return by_language.get("1") or next((c for c in by_language.values() if c), None)
