"""Organisation-number look-up (SPEC §4): the local register first, then a recent cached answer, then the
country's online register. Sweden and Denmark have validation and the local register only."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from registry.brreg import BrregProvider
from registry.model import LookupResult, LookupStatus, RegisterProvider, RegisterUnit
from registry.orgnr import OrgNumber
from registry.prh import PrhProvider
from store.db import Store
from store.services import register


@dataclass
class Registers:
    """The online registers, by country; base URLs from BRREG_BASE_URL and PRH_BASE_URL."""

    providers: dict[str, RegisterProvider] = field(default_factory=dict)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Registers:
        env = os.environ if env is None else env
        return cls(
            {
                "NO": BrregProvider(env.get("BRREG_BASE_URL", "https://data.brreg.no")),
                "FI": PrhProvider(env.get("PRH_BASE_URL", "https://avoindata.prh.fi")),
            }
        )

    async def close(self) -> None:
        for provider in self.providers.values():
            await provider.close()


@dataclass(frozen=True)
class Lookup:
    result: LookupResult
    source: str  # "local", "cache", a provider's name, or "none" (no online register for the country)


async def lookup(store: Store, registers: Registers, org: OrgNumber) -> Lookup:
    """What the registers know about a validated number. Raises RegisterUnavailable when the online
    register cannot answer and nothing local is known."""
    # The hot path, a unit of the local register, is one statement and needs no transaction of its own.
    local = await register.find_local_unit(store, org.country, org.number)
    if local is not None and local.source == "local":
        return Lookup(_from_local(org, local), "local")
    async with store.reading() as session:
        cached = await register.cached_lookup(session, org.country, org.number)
    if cached is not None:
        return Lookup(cached, "cache")
    provider = registers.providers.get(org.country)
    if provider is None:
        return Lookup(LookupResult(LookupStatus.UNKNOWN, org.country, org.number), "none")
    result = await provider.lookup(org.number)
    async with store.transaction() as session:
        await register.remember_lookup(session, result)
    return Lookup(result, provider.name)


def _from_local(org: OrgNumber, unit: RegisterUnit) -> LookupResult:
    # As online: a deleted unit is still found, with its deletion date (unit.status says "deleted").
    return LookupResult(LookupStatus.FOUND, org.country, org.number, unit=unit)
