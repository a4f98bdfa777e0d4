"""The Enhetsregisteret bulk download into the local register (SPEC §4), on SQLite and PostgreSQL.

The files are synthetic (bench/registry_data.py) but in the register's own schema: 10,000 units with valid
organisation numbers, and a second file with the same numbers where 1,000 units were renamed and moved.
"""

from __future__ import annotations

import asyncio
import gzip
import json
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert, text
from sqlalchemy.exc import DBAPIError

from bench.registry_data import BulkSpec
from registry import bulk
from registry.brreg import unit_from_brreg
from registry.bulk import import_file
from registry.model import RegisterUnit
from store.db import Store
from store.names import name_key
from store.services import register
from store.types import utcnow

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


async def _add_units(store: Store, *names: str) -> list[str]:
    numbers = [FIRST.number(COUNT + i) for i in range(len(names))]
    async with store.transaction() as session:
        await register.upsert_units(
            session,
            [RegisterUnit("NO", n, name) for n, name in zip(numbers, names, strict=True)],
            source="api",
        )
    return numbers


async def test_two_letters_swapped_in_the_middle_of_a_word_still_find_the_unit(store: Store) -> None:
    # Both halves of "ovesretter" are spoilt, so finding it takes correcting the word, not a piece of it.
    [translator, _] = await _add_units(store, "Oversetter Elias Kristensen", "Petter Eliassen Regnskap AS")

    assert (await _search(store, "ovesretter elias kristensen"))[0] == translator


async def test_a_misspelt_word_is_corrected_against_units_added_after_the_import(
    store: Store, bulk_files: BulkFiles
) -> None:
    await _import(store, bulk_files.first)
    [late] = await _add_units(store, "Kvitbjørnvika Akvakultur AS")
    async with store.transaction() as session:  # and a rename: the new words are known as well
        await register.upsert_units(
            session, [RegisterUnit("NO", late, "Kvitbjørnvika Havbruk AS")], source="api"
        )

    assert late in await _search(store, "kvitbjørvnika")
    assert late in await _search(store, "kvitbjørnvika havbrk")


async def test_upgrading_a_postgresql_register_gathers_the_words_of_the_names_it_has(store: Store) -> None:
    if store.is_sqlite:
        pytest.skip("the register's words are PostgreSQL's (SQLite's FTS5 index needs none)")
    [unit] = await _add_units(store, "Ravnsborgåsen Maskinutleie AS")
    async with store.transaction() as session:  # as a register imported before revision 0011 was
        await session.execute(text("DROP TABLE register_name_words"))
        await session.execute(text("UPDATE alembic_version SET version_num = '0010'"))

    await store.upgrade()

    assert await _search(store, "ravnsborgåsne") == [unit]  # found only by correcting the word


async def test_a_name_of_common_words_with_a_typo_is_ranked_first(store: Store) -> None:
    numbers = await _add_units(
        store,
        "Nordic Data Solutions AS",
        "Nordic Data Services AS",
        "Data Solutions Norge AS",
        "Nordic Data AS",
    )

    assert (await _search(store, "nordic data solutons"))[0] == numbers[0]


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
    await _assert_name_index_in_step(store)


# --- the import's own machinery: upserts into a register that has units, duplicates, interruptions ----------


def _write(path: Path, elements: list[Any], *, compress: bool = True) -> Path:
    data = json.dumps(elements, ensure_ascii=False).encode()
    path.write_bytes(gzip.compress(data) if compress else data)
    return path


async def _assert_name_index_in_step(store: Store) -> None:
    """Every unit is in the name index exactly once, under its current name key (SQLite's FTS table is kept
    by the store; PostgreSQL's trigram index follows the table by itself)."""
    if not store.is_sqlite:
        return
    async with store.reading() as session:
        units = Counter(
            tuple(r) for r in await session.execute(text("SELECT id, name_key FROM register_units"))
        )
        names = Counter(
            tuple(r) for r in await session.execute(text("SELECT rowid, name_key FROM register_names"))
        )
    assert names == units


async def _ids(store: Store) -> dict[tuple[str, str], int]:
    async with store.reading() as session:
        rows = await session.execute(text("SELECT country, number, id FROM register_units"))
        return {(r[0], r[1]): r[2] for r in rows}


async def test_importing_into_a_register_with_units_updates_them_in_place_and_keeps_the_others(
    store: Store, tmp_path: Path
) -> None:
    elements = [FIRST.unit(i) for i in range(1_200)]
    renamed, same = elements[10], elements[700]
    finnish = RegisterUnit("FI", "0112038-9", "Nokia Oyj", source="prh")
    async with store.transaction() as session:  # online look-ups cached earlier
        await register.upsert_units(
            session,
            [
                finnish,
                RegisterUnit("NO", renamed["organisasjonsnummer"], "GAMMELTNAVN HOLDING AS", source="brreg"),
                RegisterUnit("NO", same["organisasjonsnummer"], same["navn"], source="brreg"),
            ],
            source="api",
        )
    before = await _ids(store)

    assert await _import(store, _write(tmp_path / "enheter.json.gz", elements)) == 1_200

    after = await _ids(store)
    assert len(after) == 1_201
    assert all(after[key] == before[key] for key in before)  # updated in place
    _assert_mapped(await _look_up(store, renamed["organisasjonsnummer"]), renamed)
    _assert_mapped(await _look_up(store, same["organisasjonsnummer"]), same)
    async with store.reading() as session:
        assert await register.local_unit(session, "FI", "0112038-9") == replace(finnish, source="api")
        assert await register.local_units_count(session, "NO") == 1_200
    assert renamed["organisasjonsnummer"] in await _search(store, renamed["navn"])
    assert renamed["organisasjonsnummer"] not in await _search(store, "gammeltnavn holding")
    assert "0112038-9" in await _search(store, "nokia")
    await _assert_name_index_in_step(store)


async def test_a_number_twice_in_the_file_is_one_unit_with_the_last_name(
    store: Store, tmp_path: Path
) -> None:
    elements = [FIRST.unit(i) for i in range(1_000)]
    same_batch = {**elements[5], "navn": "TVILLINGBRUKET FØRSTE AS"}
    other_batch = {**elements[20], "navn": "TVILLINGBRUKET ANDRE AS"}
    unchanged = dict(elements[30])
    # elements[5] comes again in its batch (500 units), elements[20] and [30] again in the next one.
    elements[7:7] = [same_batch]
    elements[800:800] = [other_batch, unchanged]

    # Rows written: the repeat within a batch is written once, the ones in a later batch again.
    assert await _import(store, _write(tmp_path / "enheter.json.gz", elements)) == 1_002

    async with store.reading() as session:
        assert await register.local_units_count(session, "NO") == 1_000
    assert (await _look_up(store, same_batch["organisasjonsnummer"])).name == "TVILLINGBRUKET FØRSTE AS"
    assert (await _look_up(store, other_batch["organisasjonsnummer"])).name == "TVILLINGBRUKET ANDRE AS"
    _assert_mapped(await _look_up(store, unchanged["organisasjonsnummer"]), unchanged)
    assert other_batch["organisasjonsnummer"] in await _search(store, "tvillingbruket andre")
    assert other_batch["organisasjonsnummer"] not in await _search(store, FIRST.unit(20)["navn"])
    await _assert_name_index_in_step(store)


async def test_an_import_that_fails_half_way_leaves_what_it_committed_consistent(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bulk, "COMMIT_EVERY", 200)
    monkeypatch.setattr(bulk._Parser, "ready", lambda self: True)  # as if always ahead: full transactions
    monkeypatch.chdir(tmp_path)  # the parsing process finds its code from anywhere
    elements = [FIRST.unit(i) for i in range(1_100)]
    good = json.dumps(elements[:1_060], ensure_ascii=False)
    broken = tmp_path / "enheter-broken.json"
    broken.write_text(good[:-1] + ', {"organisasjonsnummer": "9', encoding="utf-8")  # cut off mid-unit

    with pytest.raises(ValueError):
        await import_file(store, broken, batch_size=50)

    # Five transactions of 200 were committed; the sixth (one batch of 50) was rolled back, and the last
    # ten units never left the parser.
    async with store.reading() as session:
        assert await register.local_units_count(session, "NO") == 1_000
    await _assert_name_index_in_step(store)
    assert await _import(store, _write(tmp_path / "enheter.json", elements, compress=False)) == 1_100
    async with store.reading() as session:
        assert await register.local_units_count(session, "NO") == 1_100
    await _assert_name_index_in_step(store)


async def test_a_cancelled_import_stops_its_parser_and_rolls_back_the_open_transaction(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bulk, "COMMIT_EVERY", 300)
    monkeypatch.setattr(bulk._Parser, "ready", lambda self: True)
    parsers: list[Any] = []
    original = bulk._Parser.__init__

    def remember(self: Any, *args: Any) -> None:
        original(self, *args)
        parsers.append(self)

    monkeypatch.setattr(bulk._Parser, "__init__", remember)
    path = _write(tmp_path / "enheter.json.gz", [FIRST.unit(i) for i in range(2_000)])
    seen: list[int] = []
    task: asyncio.Task[Any] | None = None

    def progress(done: int, total: int) -> None:
        seen.append(done)
        if len(seen) == 4 and task is not None:  # 400 units: one transaction committed, one open
            task.cancel()

    task = asyncio.create_task(import_file(store, path, batch_size=100, on_progress=progress))
    with pytest.raises(asyncio.CancelledError):
        await task

    assert parsers and parsers[0]._process.poll() is not None
    async with store.reading() as session:
        assert await register.local_units_count(session, "NO") == 300
    await _assert_name_index_in_step(store)


async def test_a_file_that_is_not_a_json_array_fails_with_the_parsers_error(
    store: Store, tmp_path: Path
) -> None:
    path = tmp_path / "enheter.json"
    path.write_text('{"_embedded": {"enheter": []}}')
    with pytest.raises(ValueError, match="not a JSON array"):
        await import_file(store, path)
    async with store.reading() as session:
        assert await register.local_units_count(session) == 0


async def test_a_unit_is_stored_as_a_core_insert_would_store_it(store: Store) -> None:
    """The bulk rows bypass SQLAlchemy's type processing, so they are built with the columns' own bind
    processors: JSON text (empty addresses included), dates, booleans and UTC timestamps as before."""
    unit = unit_from_brreg({**SECOND.unit(3), "slettedato": "2024-05-06", "konkurs": True})
    bare = RegisterUnit("NO", "999999999", "Tom AS")  # no addresses, no industry, nothing
    table = register._UNITS
    now = utcnow()

    def values(u: RegisterUnit, number: str) -> dict[str, Any]:
        return {
            "country": u.country,
            "number": number,
            "name": u.name,
            "name_key": name_key(u.name),
            "org_form": u.org_form,
            "org_form_name": u.org_form_name,
            "business_address": register._address_json(u.business_address),
            "postal_address": register._address_json(u.postal_address),
            "industry_code": u.industry_code,
            "industry_name": u.industry_name,
            "employees": u.employees,
            "website": u.website,
            "bankrupt": u.bankrupt,
            "under_liquidation": u.under_liquidation,
            "deleted_on": u.deleted_on,
            "source": "bulk",
            "refreshed_at": now,
        }

    async with store.transaction() as session:
        connection = await session.connection()
        row = register.row_builder(connection.dialect, "bulk", now)
        await register.upsert_rows(connection, [row(unit), row(bare)])
        for u in (unit, bare):
            await session.execute(insert(table).values(values(u, "core-" + u.number)))
    async with store.reading() as session:
        columns = ", ".join(register.UNIT_COLUMNS)
        stored = {r[1]: r for r in await session.execute(text(f"SELECT {columns} FROM register_units"))}
    for u in (unit, bare):
        assert stored[u.number][2:] == stored["core-" + u.number][2:]
    assert (await _look_up(store, unit.number)).deleted_on == unit.deleted_on


async def test_the_import_settings_of_the_connection_are_put_back(store: Store, tmp_path: Path) -> None:
    if not store.is_sqlite:
        pytest.skip("SQLite's PRAGMAs")

    async def cache_size() -> int:
        async with store.engine.connect() as connection:
            return int((await connection.exec_driver_sql("PRAGMA cache_size")).scalar_one())

    before = await cache_size()
    await _import(store, _write(tmp_path / "enheter.json.gz", [FIRST.unit(i) for i in range(10)]))
    assert await cache_size() == before != bulk.SQLITE_IMPORT_PRAGMAS["cache_size"]


async def test_a_value_too_long_for_its_column_is_still_refused_on_postgresql(store: Store) -> None:
    if store.is_sqlite:
        pytest.skip("SQLite does not enforce lengths")
    with pytest.raises(DBAPIError, match="too long"):
        async with store.transaction() as session:
            await register.upsert_units(
                session, [RegisterUnit("NO", "999999999", "X AS", org_form="A" * 21)], source="api"
            )
