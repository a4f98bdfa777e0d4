"""Norway's Enhetsregisteret (Brønnøysund) open API: look-up, name search and change feed (SPEC §4).

Shapes follow the register's OpenAPI description (https://data.brreg.no/enhetsregisteret/api/dokumentasjon):
- GET /enheter/{orgnr}: 200 with the unit; a *deleted* unit also answers 200, with fewer fields and
  `slettedato` (respons_klasse "SlettetEnhet"); 404 without a body for a number the register never had;
  410 with `organisasjonsnummer` and `slettedato` for a unit *removed* from the open data (legal reasons).
- A number that is not a main unit may be a sub-unit (GET /underenheter/{orgnr}, same status codes).
- GET /enheter?navn=..&size=..: units under `_embedded.enheter` (key absent when nothing matched),
  the total under `page.totalElements`.
- GET /oppdateringer/enheter?dato=..&oppdateringsid=..&size=..: changes under `_embedded.oppdaterteEnheter`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import aiohttp

from registry.http import JsonClient, mapping, normalise_website, parse_date, text
from registry.model import LookupResult, LookupStatus, RegisterAddress, RegisterUnit, SearchPage
from registry.orgnr import validate

NAME = "the Norwegian register (Brønnøysund)"
API = "/enhetsregisteret/api"
CHANGE_TYPES = ("Ny", "Endring", "Sletting", "Fjernet", "Ukjent")  # the feed's `endringstype` values


@dataclass(frozen=True)
class ChangeEntry:
    update_id: int  # `oppdateringsid`, increasing across the whole feed
    number: str
    change_type: str  # one of CHANGE_TYPES; "Fjernet" means copies must drop the unit
    at: datetime  # when the change was published in the API (UTC)


@dataclass(frozen=True)
class ChangePage:
    entries: list[ChangeEntry] = field(default_factory=list)
    last_id: int | None = (
        None  # highest update id seen (or the after_id asked with); pass it back as after_id
    )


class BrregProvider:
    country = "NO"
    name = NAME

    def __init__(
        self,
        base_url: str = "https://data.brreg.no",
        *,
        timeout: float = 5.0,
        retries: int = 2,
        session: aiohttp.ClientSession | None = None,
        backoff: float = 0.2,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._http = JsonClient(NAME, timeout=timeout, retries=retries, backoff=backoff, session=session)

    async def lookup(self, number: str) -> LookupResult:
        """Main unit first, then sub-unit: most numbers people type are companies, not branches."""
        orgnr = validate(number, "NO").number  # InvalidOrgNumber before any request
        for kind in ("enheter", "underenheter"):
            status, body = await self._http.get(f"{self.base_url}{API}/{kind}/{orgnr}")
            if status == 200:
                return LookupResult(LookupStatus.FOUND, "NO", orgnr, unit=self._unit(body))
            if status == 410:
                removed_on = parse_date(mapping(body).get("slettedato"))
                return LookupResult(LookupStatus.REMOVED, "NO", orgnr, removed_on=removed_on)
        return LookupResult(LookupStatus.UNKNOWN, "NO", orgnr)

    async def search(self, name: str, *, limit: int = 10) -> SearchPage:
        if not name.strip() or limit < 1:
            return SearchPage()
        params = {"navn": name.strip()[:180], "size": str(limit)}  # the API takes 1-180 characters
        _, body = await self._http.get(f"{self.base_url}{API}/enheter", params)
        page = self._object(body)
        found = mapping(page.get("_embedded")).get("enheter") or []
        if not isinstance(found, list):
            raise self._http.unreadable()
        units = [self._unit(item) for item in found[:limit]]
        total = mapping(page.get("page")).get("totalElements")
        return SearchPage(units=units, total=total if isinstance(total, int) else len(units))

    async def changes(self, *, since: datetime, after_id: int | None = None, size: int = 1000) -> ChangePage:
        """One page of the change feed. Start with `since`; continue with `after_id=page.last_id`."""
        params = {"dato": _feed_timestamp(since), "size": str(size)}
        if after_id is not None:
            params["oppdateringsid"] = str(after_id + 1)  # the API filters "from and including"
        _, body = await self._http.get(f"{self.base_url}{API}/oppdateringer/enheter", params)
        items = mapping(self._object(body).get("_embedded")).get("oppdaterteEnheter") or []
        if not isinstance(items, list):
            raise self._http.unreadable()
        entries = [self._change(item) for item in items]
        last_id = max((e.update_id for e in entries), default=after_id)
        return ChangePage(entries=entries, last_id=last_id)

    async def close(self) -> None:
        await self._http.close()

    def _object(self, body: Any) -> Mapping[str, Any]:
        if not isinstance(body, Mapping):
            raise self._http.unreadable()
        return body

    def _unit(self, body: Any) -> RegisterUnit:
        try:
            return unit_from_brreg(self._object(body))
        except ValueError as exc:
            raise self._http.unreadable() from exc

    def _change(self, item: Any) -> ChangeEntry:
        entry = mapping(item)
        update_id, number, at = (
            entry.get("oppdateringsid"),
            text(entry.get("organisasjonsnummer")),
            entry.get("dato"),
        )
        if not isinstance(update_id, int) or number is None or not isinstance(at, str):
            raise self._http.unreadable()
        try:
            published = datetime.fromisoformat(at)
        except ValueError as exc:
            raise self._http.unreadable() from exc
        change_type = text(entry.get("endringstype")) or "Ukjent"
        return ChangeEntry(update_id, number, change_type, published)


def unit_from_brreg(data: Mapping[str, Any]) -> RegisterUnit:
    """Map one Enhetsregisteret unit (API answer, sub-unit or bulk-download element) to a RegisterUnit.

    Only `organisasjonsnummer` is required (ValueError without it); everything else may be missing,
    as it is for many units in the bulk file.
    """
    number = text(data.get("organisasjonsnummer"))
    if number is None:
        raise ValueError("unit without organisasjonsnummer")
    form, industry = mapping(data.get("organisasjonsform")), mapping(data.get("naeringskode1"))
    # Sub-units have a location (beliggenhetsadresse) where main units have a business address.
    business = data.get("forretningsadresse") or data.get("beliggenhetsadresse")
    return RegisterUnit(
        country="NO",
        number=number,
        name=text(data.get("navn")) or "",
        org_form=text(form.get("kode")),
        org_form_name=text(form.get("beskrivelse")),
        business_address=_address(business),
        postal_address=_address(data.get("postadresse")),
        industry_code=text(industry.get("kode")),
        industry_name=text(industry.get("beskrivelse")),
        employees=_count(data.get("antallAnsatte")),
        website=normalise_website(data.get("hjemmeside")),
        bankrupt=data.get("konkurs") is True,
        # Compulsory dissolution ends the same way as voluntary winding-up; users need the same warning.
        under_liquidation=data.get("underAvvikling") is True
        or data.get("underTvangsavviklingEllerTvangsopplosning") is True,
        deleted_on=parse_date(data.get("slettedato")),
        source="brreg",
    )


def _address(value: object) -> RegisterAddress | None:
    raw = mapping(value)
    lines = raw.get("adresse")
    address = RegisterAddress(
        lines=tuple(t for t in (text(x) for x in lines) if t) if isinstance(lines, list) else (),
        postcode=text(raw.get("postnummer")),
        city=text(raw.get("poststed")),
        country_code=text(raw.get("landkode")),
        country=text(raw.get("land")),
    )
    return None if address == RegisterAddress() else address


def _count(value: object) -> int | None:
    # antallAnsatte is a JSON number, absent for units with fewer than five employees (API v2).
    # Streaming parsers (ijson, for the bulk file) hand non-integers over as Decimal.
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return None
    return int(value)


def _feed_timestamp(moment: datetime) -> str:
    """yyyy-MM-dd'T'HH:mm:ss.SSS'Z', the only form the feed documents. Naive datetimes are taken as UTC."""
    utc = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"
