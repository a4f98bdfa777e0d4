"""The Enhetsregisteret bulk download into the local register (SPEC §4), on SQLite and PostgreSQL.

The files are synthetic (bench/registry_data.py) but in the register's own schema: 10,000 units with valid
organisation numbers, and a second file with the same numbers where 1,000 units were renamed and moved.
"""

from __future__ import annotations

import gzip
import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bench.registry_data import BulkSpec
from registry.bulk import import_file
from registry.model import RegisterUnit
from store.db import Store
from store.names import name_key
from store.services import register

COUNT = 10_000
CHANGED = 1_000
BATCH = 500
FIRST = BulkSpec(COUNT, seed=7)
SECOND = BulkSpec(COUNT, seed=8, changed=CHANGED, base_seed=7)


@dataclass(frozen=True)
class BulkFiles:
    first: Path
    second: Path
    changed: list[str]  # numbers of the units the second file renames and moves
    units: list[dict[str, Any]]  # the first file's elements, in order


@pytest.fixture(scope="module")
def bulk_files(tmp_path_factory: pytest.TempPathFactory) -> BulkFiles:
    directory = tmp_path_factory.mktemp("bulk")
    first, second = directory / "enheter.json.gz", directory / "enheter-changed.json.gz"
    FIRST.write(first)
    changed = SECOND.write(second)
    with gzip.open(first) as raw:
        units = json.load(raw)  # what was written, without generating it again
    return BulkFiles(first, second, changed, units)


async def _import(store: Store, path: Path, on_progress: Any = None) -> int:
    # Batches smaller than the default keep the test quick (the upsert's cost grows with the batch) and
    # exercise the batch boundaries; bench/registry.py measures the default.
    report = await import_file(store, path, batch_size=BATCH, on_progress=on_progress)
    return report.units


def _first(units: list[dict[str, Any]], wanted: Any) -> dict[str, Any]:
    return next(u for u in units if wanted(u))


async def _look_up(store: Store, number: str) -> RegisterUnit:
    async with store.reading() as session:
        unit = await register.local_unit(session, "NO", number)
    assert unit is not None, number
    return unit


async def _search(store: Store, query: str) -> list[str]:
    async with store.reading() as session:
        return [u.number for u in await register.search_local(session, query)]


def _assert_mapped(unit: RegisterUnit, element: dict[str, Any]) -> None:
    """What the register says about a unit, read independently of registry.brreg's mapping."""
    assert unit.number == element["organisasjonsnummer"]
    assert unit.name == element["navn"]
    assert unit.org_form == element["organisasjonsform"]["kode"]
    assert unit.org_form_name == element["organisasjonsform"]["beskrivelse"]
    for field, key in (("business_address", "forretningsadresse"), ("postal_address", "postadresse")):
        address, expected = getattr(unit, field), element.get(key)
        if expected is None:
            assert address is None
            continue
        assert address is not None
        assert address.lines == tuple(expected["adresse"])
        assert (address.postcode, address.city) == (expected["postnummer"], expected["poststed"])
        assert (address.country_code, address.country) == ("NO", "Norge")
    industry = element.get("naeringskode1") or {}
    assert (unit.industry_code, unit.industry_name) == (industry.get("kode"), industry.get("beskrivelse"))
    assert unit.employees == element.get("antallAnsatte")
    site = element.get("hjemmeside")
    assert unit.website == (f"https://{site}" if site else None)
    assert unit.bankrupt is element["konkurs"]
    winding_up = element["underAvvikling"] or element["underTvangsavviklingEllerTvangsopplosning"]
    assert unit.under_liquidation is winding_up
    assert unit.source == "local"


def _searchable(units: list[dict[str, Any]]) -> dict[str, Any]:
    """A company whose name no other unit in the file shares, with two words long enough to misspell."""
    keys = Counter(name_key(u["navn"]) for u in units)
    return _first(
        units,
        lambda u: (
            u["organisasjonsform"]["kode"] == "AS"
            and keys[name_key(u["navn"])] == 1
            and len(name_key(u["navn"]).split()) == 2
            and all(len(w) >= 5 for w in name_key(u["navn"]).split())
        ),
    )


async def test_imported_units_are_found_by_number_and_by_a_misspelt_or_partial_name(
    store: Store, bulk_files: BulkFiles
) -> None:
    progress: list[tuple[int, int]] = []
    imported = await _import(store, bulk_files.first, lambda done, total: progress.append((done, total)))

    assert imported == COUNT
    async with store.reading() as session:
        assert await register.local_units_count(session, "NO") == COUNT
        assert await register.local_unit(session, "NO", FIRST.number(COUNT)) is None  # valid, not in the file
    assert progress[-1][0] == progress[-1][1] == bulk_files.first.stat().st_size
    units = bulk_files.units
    samples = [
        _first(
            units,
            lambda u: all(
                k in u
                for k in ("forretningsadresse", "postadresse", "naeringskode1", "antallAnsatte", "hjemmeside")
            ),
        ),
        _first(units, lambda u: u["konkurs"]),
        _first(units, lambda u: u["underTvangsavviklingEllerTvangsopplosning"]),
        _first(units, lambda u: "forretningsadresse" not in u and "postadresse" not in u),
        _first(units, lambda u: u["organisasjonsform"]["kode"] == "ENK" and "naeringskode1" not in u),
    ]
    for element in samples:
        _assert_mapped(await _look_up(store, element["organisasjonsnummer"]), element)

    target = _searchable(units)
    number, name = target["organisasjonsnummer"], target["navn"]  # e.g. "FURUHOLMEN REISER AS"
    first, second = name_key(name).split()
    wrong = "e" if first[2] != "e" else "a"
    misspelt = f"{first[:2]}{wrong}{first[3:]} {second}".title()  # one letter wrong: "Fueuholmen Reiser"
    assert number in await _search(store, name)
    assert number in await _search(store, misspelt)
    assert number in await _search(store, f"{first} {second[:3]}")  # "furuholmen rei"
    assert number in await _search(store, f"{first[:-1]} {second}")  # "furuholme reiser"


async def test_re_importing_a_changed_file_updates_the_changed_units_in_place(
    store: Store, bulk_files: BulkFiles
) -> None:
    await _import(store, bulk_files.first)
    imported = await _import(store, bulk_files.second)

    assert imported == COUNT
    assert len(bulk_files.changed) == CHANGED
    async with store.reading() as session:
        assert await register.local_units_count(session, "NO") == COUNT
    changed = SECOND.changed_indices()
    assert [FIRST.number(i) for i in changed] == bulk_files.changed
    for index in changed[:: CHANGED // 25]:
        before, after = bulk_files.units[index], SECOND.unit(index)
        assert after["organisasjonsnummer"] == before["organisasjonsnummer"]
        assert after["navn"] != before["navn"]
        assert after["forretningsadresse"] != before.get("forretningsadresse")
        _assert_mapped(await _look_up(store, after["organisasjonsnummer"]), after)
    unchanged = next(i for i in range(COUNT) if not SECOND.is_changed(i))
    assert SECOND.unit(unchanged) == bulk_files.units[unchanged]
    _assert_mapped(await _look_up(store, FIRST.number(unchanged)), bulk_files.units[unchanged])
    renamed = SECOND.unit(changed[0])
    assert renamed["organisasjonsnummer"] in await _search(store, renamed["navn"])
