"""What a company register says about a unit, independent of which register said it (SPEC §4)."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol


@dataclass(frozen=True)
class RegisterAddress:
    lines: tuple[str, ...] = ()
    postcode: str | None = None
    city: str | None = None
    country_code: str | None = None  # ISO 3166-1 alpha-2, e.g. "NO"
    country: str | None = None  # the register's own country name, e.g. "Norge"

    def one_line(self) -> str:
        place = " ".join(x for x in (self.postcode, self.city) if x)
        return ", ".join([*self.lines, place] if place else list(self.lines))


@dataclass(frozen=True)
class RegisterUnit:
    country: str  # NO, FI, ...
    number: str  # compact organisation number (digits only)
    name: str
    org_form: str | None = None  # code, e.g. "AS", "ASA", "ENK"; FI: the company-form code
    org_form_name: str | None = None  # e.g. "Aksjeselskap"
    business_address: RegisterAddress | None = None  # forretningsadresse / visiting address
    postal_address: RegisterAddress | None = None
    industry_code: str | None = None  # NACE / SN2007, e.g. "62.010"
    industry_name: str | None = None
    employees: int | None = None
    website: str | None = None
    bankrupt: bool = False
    under_liquidation: bool = False
    deleted_on: date | None = None
    source: str = ""  # "brreg", "prh" or "local"

    @property
    def status(self) -> str:
        """What a user should know first: deleted, bankrupt, under liquidation, or active."""
        if self.deleted_on is not None:
            return "deleted"
        if self.bankrupt:
            return "bankrupt"
        if self.under_liquidation:
            return "under liquidation"
        return "active"


class LookupStatus(enum.StrEnum):
    FOUND = "found"
    UNKNOWN = "unknown"  # the register has never heard of the number (HTTP 404)
    REMOVED = "removed"  # the unit was removed from the register (HTTP 410)


@dataclass(frozen=True)
class LookupResult:
    status: LookupStatus
    country: str
    number: str
    unit: RegisterUnit | None = None
    removed_on: date | None = None


class RegisterUnavailable(Exception):
    """The register could not answer (timeout, server error, malformed answer) after bounded retries.

    The message is short and user-facing: "The Norwegian register (Brønnøysund) did not answer in time."
    `key` and `values` say the same in a chat user's language (bot/i18n.py, "error." + key; the register's
    name is the value `what`), as the store's errors do.
    """

    def __init__(self, message: str, *, key: str | None = None, **values: Any) -> None:
        super().__init__(message)
        self.key = key
        self.values = values


@dataclass
class SearchPage:
    units: list[RegisterUnit] = field(default_factory=list)
    total: int = 0


class RegisterProvider(Protocol):
    """One online register. Base URLs are configurable so tests (and proxies) can stand in for them."""

    country: str
    name: str  # for messages, e.g. "the Norwegian register (Brønnøysund)"

    async def lookup(self, number: str) -> LookupResult: ...

    async def search(self, name: str, *, limit: int = 10) -> SearchPage: ...

    async def close(self) -> None: ...
