"""The local company register (SPEC §4): bulk import, change-feed updates, exact look-up by number and fuzzy
search by name, plus the short cache of online look-ups. Index-backed on both databases: SQLite FTS5 with the
trigram tokenizer, PostgreSQL pg_trgm."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import fields
from datetime import datetime, timedelta
from functools import cache
from types import SimpleNamespace
from typing import Any

from rapidfuzz import fuzz, process
from sqlalchemy import Dialect, Row, String, Table, bindparam, delete, func, insert, select, text
from sqlalchemy.dialects import sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from registry.model import LookupResult, LookupStatus, RegisterAddress
from registry.model import RegisterUnit as Unit
from store import name_index
from store.db import Store
from store.models import RegisterFeedState, RegisterLookup
from store.models import RegisterUnit as UnitRow
from store.names import name_key
from store.types import utcnow

LOOKUP_TTL = timedelta(minutes=15)
_ADDRESS_FIELDS = tuple(f.name for f in fields(RegisterAddress))


def _address(value: dict[str, Any] | None) -> RegisterAddress | None:
    if not value:
        return None
    return RegisterAddress(
        lines=tuple(value.get("lines") or ()),
        postcode=value.get("postcode"),
        city=value.get("city"),
        country_code=value.get("country_code"),
        country=value.get("country"),
    )


def _address_json(address: RegisterAddress | None) -> dict[str, Any] | None:
    if address is None:
        return None
    # What dataclasses.asdict gives, without its deep copy (this runs for every unit of a bulk import).
    data = {f: getattr(address, f) for f in _ADDRESS_FIELDS}
    data["lines"] = list(address.lines)
    return data


def unit_from_row(row: UnitRow | Row[Any]) -> Unit:
    return Unit(
        country=row.country,
        number=row.number,
        name=row.name,
        org_form=row.org_form,
        org_form_name=row.org_form_name,
        business_address=_address(row.business_address),
        postal_address=_address(row.postal_address),
        industry_code=row.industry_code,
        industry_name=row.industry_name,
        employees=row.employees,
        website=row.website,
        bankrupt=row.bankrupt,
        under_liquidation=row.under_liquidation,
        deleted_on=row.deleted_on,
        # Rows from the bulk copy and its change feed are the local register; "api" rows are cached answers.
        source="local" if row.source in ("bulk", "feed") else row.source,
    )


_UNITS: Table = UnitRow.__table__  # type: ignore[assignment]

# The columns a unit is written to, in the order of the rows `row_builder` makes (the id is the database's).
UNIT_COLUMNS = (
    "country",
    "number",
    "name",
    "name_key",
    "org_form",
    "org_form_name",
    "business_address",
    "postal_address",
    "industry_code",
    "industry_name",
    "employees",
    "website",
    "bankrupt",
    "under_liquidation",
    "deleted_on",
    "source",
    "refreshed_at",
)
_KEY_COLUMNS = ("country", "number")
# Columns whose values the row builder passes through the column type's bind processor.
_PROCESSED = ("business_address", "postal_address", "bankrupt", "under_liquidation", "deleted_on")
_CONSTANT = ("source", "refreshed_at")


def _same(value: Any) -> Any:
    return value


def row_builder(dialect: Dialect, source: str, now: datetime) -> Callable[[Unit], tuple[Any, ...]]:
    """Unit -> its row (UNIT_COLUMNS) as the dialect's driver takes it: a plain tuple, cheap to pickle (the
    bulk import builds rows in its parsing process). Values go through the column types' own bind processors
    (JSON text, dates, booleans, UTC timestamps), so they are stored exactly as a Core insert stores them."""
    process: dict[str, Callable[[Any], Any]] = {}
    for column in UNIT_COLUMNS:
        processor = _UNITS.c[column].type.dialect_impl(dialect).bind_processor(dialect)
        if processor is not None and column not in _PROCESSED + _CONSTANT:
            raise TypeError(f"register_units.{column} needs a bind processor: add it to row_builder")
        process[column] = processor or _same
    business, postal = process["business_address"], process["postal_address"]
    bankrupt, liquidation, deleted_on = (
        process["bankrupt"],
        process["under_liquidation"],
        process["deleted_on"],
    )
    source_value, refreshed_at = process["source"](source), process["refreshed_at"](now)

    def row(unit: Unit) -> tuple[Any, ...]:
        return (
            unit.country,
            unit.number,
            unit.name[:500],
            name_key(unit.name)[:500],
            unit.org_form,
            unit.org_form_name,
            business(_address_json(unit.business_address)),
            postal(_address_json(unit.postal_address)),
            unit.industry_code,
            unit.industry_name,
            unit.employees,
            unit.website,
            bankrupt(unit.bankrupt),
            liquidation(unit.under_liquidation),
            deleted_on(unit.deleted_on),
            source_value,
            refreshed_at,
        )

    return row


def _dialect(session: AsyncSession) -> str:
    return session.get_bind().dialect.name


async def upsert_units(session: AsyncSession, units: Sequence[Unit], *, source: str) -> int:
    """Insert or update units by (country, number); keeps the name index in step. Returns rows written."""
    if not units:
        return 0
    connection = await session.connection()
    row = row_builder(connection.dialect, source, utcnow())
    return await upsert_rows(connection, [row(u) for u in units])


async def upsert_rows(
    connection: AsyncConnection, rows: Sequence[tuple[Any, ...]], *, bulk: bool = False
) -> int:
    """`upsert_units` for rows from `row_builder` (for this connection's dialect), in the connection's
    transaction: a fixed number of statements whatever the number of rows. Returns the rows written.
    `bulk`: a bulk import, which calls `tidy_name_index` with the `name_words` of its rows when it is done
    (on PostgreSQL the words are then added once, instead of batch by batch; an import stopped half way
    leaves its units' words out until the next one, so their names are found but not yet through a corrected
    typo)."""
    if not rows:
        return 0
    # The last occurrence of a number wins, as it would row by row (and PostgreSQL refuses to update one
    # row twice in a statement).
    unique = list({(r[0], r[1]): r for r in rows}.values())
    if connection.dialect.name == "sqlite":
        await _upsert_sqlite(connection, unique)
    else:
        await _upsert_postgres(connection, unique, with_words=not bulk)
    return len(unique)


_COLUMN_LIST = ", ".join(UNIT_COLUMNS)
_UPDATE_LIST = ", ".join(f"{c} = excluded.{c}" for c in UNIT_COLUMNS if c not in _KEY_COLUMNS)
# SQLite: the rows go to a temporary table first, so that finding the renamed units, the upsert and the
# name index are each one set-based statement. Temporary tables belong to the connection; their contents
# follow the transaction.
_SQLITE_PREPARE = (
    f"CREATE TEMP TABLE IF NOT EXISTS register_upsert_rows ({_COLUMN_LIST})",
    "CREATE TEMP TABLE IF NOT EXISTS register_upsert_renamed (id INTEGER PRIMARY KEY)",
    "DELETE FROM temp.register_upsert_rows",
    "DELETE FROM temp.register_upsert_renamed",
)
_SQLITE_STAGE = f"INSERT INTO temp.register_upsert_rows VALUES ({', '.join('?' for _ in UNIT_COLUMNS)})"
# CROSS JOIN keeps the batch as the outer loop (SQLite has no statistics for a temporary table).
_SQLITE_RENAMED = (
    "INSERT INTO temp.register_upsert_renamed (id) SELECT u.id FROM temp.register_upsert_rows AS r "
    "CROSS JOIN register_units AS u ON u.country = r.country AND u.number = r.number "
    "WHERE u.name_key IS NOT r.name_key"
)
_SQLITE_UNINDEX = "DELETE FROM register_names WHERE rowid IN (SELECT id FROM temp.register_upsert_renamed)"
_SQLITE_UPSERT = (
    f"INSERT INTO register_units ({_COLUMN_LIST}) SELECT {_COLUMN_LIST} FROM temp.register_upsert_rows "
    f"WHERE true ON CONFLICT (country, number) DO UPDATE SET {_UPDATE_LIST}"
)
# New units get ids above the highest before the upsert (SQLite gives a new row max(rowid) + 1).
_SQLITE_INDEX = (
    "INSERT INTO register_names (rowid, name_key) SELECT id, name_key FROM register_units WHERE id > ? "
    "UNION ALL SELECT u.id, u.name_key FROM temp.register_upsert_renamed AS r "
    "CROSS JOIN register_units AS u ON u.id = r.id"
)


async def _upsert_sqlite(connection: AsyncConnection, rows: list[tuple[Any, ...]]) -> None:
    for statement in _SQLITE_PREPARE:
        await connection.exec_driver_sql(statement)
    await connection.exec_driver_sql(_SQLITE_STAGE, rows)
    highest = (await connection.exec_driver_sql("SELECT coalesce(max(id), 0) FROM register_units")).scalar()
    # Only units whose name key changes leave and re-enter the name index: re-importing an unchanged unit
    # rewrites no FTS entry.
    await connection.exec_driver_sql(_SQLITE_RENAMED)
    await connection.exec_driver_sql(_SQLITE_UNINDEX)
    await connection.exec_driver_sql(_SQLITE_UPSERT)
    await connection.exec_driver_sql(_SQLITE_INDEX, (highest,))
    await connection.exec_driver_sql("DELETE FROM temp.register_upsert_rows")  # the memory, not the rows


async def tidy_name_index(connection: AsyncConnection, words: Iterable[str] = ()) -> None:
    """After a bulk upsert, with the `name_words` of what it wrote. SQLite: the FTS index merged into one
    segment (the incremental merges leave many behind, and every search looks in each; at 1.1M units this
    takes about a second and cuts the search times by a tenth or more). PostgreSQL: the words join the
    register's words in one statement, their index's pending entries are merged into it (searching them is a
    linear scan) and the planner learns the new sizes."""
    if connection.dialect.name == "sqlite":
        await connection.exec_driver_sql("INSERT INTO register_names (register_names) VALUES ('optimize')")
        return
    await _add_name_words(connection, words)
    await connection.exec_driver_sql("SELECT gin_clean_pending_list('ix_register_name_words_trgm')")
    await connection.exec_driver_sql("ANALYZE register_units, register_name_words")


def name_words(name_keys: Iterable[str]) -> set[str]:
    """The words of name keys that the register's words keep (name_index.postgres_word_candidates corrects a
    misspelt word against them): those a trigram index can find."""
    return {w for key in name_keys for w in key.split(" ") if len(w) >= name_index.MIN_KEY}


NAME_KEY_AT = UNIT_COLUMNS.index("name_key")  # in a row of `row_builder`


async def _add_name_words(connection: AsyncConnection, words: Iterable[str]) -> None:
    # Sorted, so two writers take the rows' locks in one order and never wait on each other crosswise. A
    # word no unit has any more stays: it only costs a look-up that finds nothing.
    await connection.exec_driver_sql(_POSTGRES_ADD_WORDS, (sorted(words),))


@cache
def _postgres_upsert(dialect: Dialect) -> str:
    """One statement for any number of rows: each column is one array parameter, unnested. pg_trgm's index
    follows the table by itself."""

    def array(column: str) -> str:
        column_type = _UNITS.c[column].type
        # Strings as plain varchar: a cast to varchar(n) would cut a long value silently, where the insert's
        # own assignment refuses it, as it always has.
        plain = String() if isinstance(column_type, String) else column_type
        return f"{plain.compile(dialect=dialect)}[]"

    arrays = ", ".join(f"${i}::{array(c)}" for i, c in enumerate(UNIT_COLUMNS, start=1))
    return (
        f"INSERT INTO register_units ({_COLUMN_LIST}) SELECT * FROM unnest({arrays}) "
        f"ON CONFLICT (country, number) DO UPDATE SET {_UPDATE_LIST}"
    )


_POSTGRES_ADD_WORDS = (
    "INSERT INTO register_name_words (word) SELECT w FROM unnest($1::varchar[]) AS w ON CONFLICT DO NOTHING"
)


async def _upsert_postgres(
    connection: AsyncConnection, rows: list[tuple[Any, ...]], *, with_words: bool
) -> None:
    columns = tuple(list(values) for values in zip(*rows, strict=True))
    await connection.exec_driver_sql(_postgres_upsert(connection.dialect), columns)
    if with_words:
        await _add_name_words(connection, name_words(columns[NAME_KEY_AT]))


async def local_unit(session: AsyncSession, country: str, number: str) -> Unit | None:
    # A plain row, not an ORM object: this is the hot exact look-up, and identity-map work is half its cost.
    row = (
        await session.execute(select(_UNITS).where(_UNITS.c.country == country, _UNITS.c.number == number))
    ).first()
    return unit_from_row(row) if row is not None else None


@cache
def _sqlite_lookup() -> tuple[str, list[tuple[str, Any]]]:
    """The exact look-up as SQLite SQL, with each column's own result conversion (JSON, dates, booleans)."""
    dialect = sqlite.dialect()
    statement = select(_UNITS).where(
        _UNITS.c.country == bindparam("country"), _UNITS.c.number == bindparam("number")
    )
    sql = str(statement.compile(dialect=dialect))
    columns = [(c.name, c.type.dialect_impl(dialect).result_processor(dialect, None)) for c in _UNITS.columns]
    return sql, columns


async def find_local_unit(store: Store, country: str, number: str) -> Unit | None:
    """A unit of the local register by number, on its own (the hot path of an org-number look-up in chat):
    on SQLite straight on the driver, converted by the columns' own types; on PostgreSQL one autocommit
    statement."""
    if not store.is_sqlite:
        async with store.autocommit() as connection:  # no BEGIN and COMMIT round trips for one SELECT
            row = (
                await connection.execute(
                    select(_UNITS).where(_UNITS.c.country == country, _UNITS.c.number == number)
                )
            ).first()
        return unit_from_row(row) if row is not None else None
    sql, columns = _sqlite_lookup()
    rows = await store.sqlite_rows(sql, (country, number))
    if not rows:
        return None
    values = {
        name: (convert(v) if convert else v) for (name, convert), v in zip(columns, rows[0], strict=True)
    }
    return unit_from_row(SimpleNamespace(**values))  # type: ignore[arg-type]


async def local_units_count(session: AsyncSession, country: str | None = None) -> int:
    stmt = select(func.count(UnitRow.id))
    if country:
        stmt = stmt.where(UnitRow.country == country)
    return int((await session.execute(stmt)).scalar_one())


async def search_local(
    session: AsyncSession, query: str, *, limit: int = 10, country: str | None = None
) -> list[Unit]:
    """Fuzzy name search: the index narrows to candidates sharing trigrams, rapidfuzz ranks them."""
    key = name_key(query)
    if len(key) < 3:
        return []
    candidates = await (_candidates_sqlite if _dialect(session) == "sqlite" else _candidates_postgres)(
        session, key, country
    )
    if not candidates:
        return []
    ranked = process.extract(
        key, {i: k for i, k in candidates}, scorer=fuzz.WRatio, limit=limit, score_cutoff=60
    )
    ids = [i for _, _, i in ranked]
    rows = {r.id: r for r in (await session.execute(select(UnitRow).where(UnitRow.id.in_(ids)))).scalars()}
    return [unit_from_row(rows[i]) for i in ids]


async def _candidates_sqlite(session: AsyncSession, key: str, country: str | None) -> list[tuple[int, str]]:
    found = await name_index.sqlite_candidates(session, "register_names", key)
    if country and found:
        keep = set(
            (
                await session.execute(
                    select(UnitRow.id).where(UnitRow.id.in_(list(found)), UnitRow.country == country)
                )
            ).scalars()
        )
        found = {i: k for i, k in found.items() if i in keep}
    return list(found.items())


async def _candidates_postgres(session: AsyncSession, key: str, country: str | None) -> list[tuple[int, str]]:
    where = [UnitRow.country == country] if country else []
    found = await name_index.postgres_word_candidates(
        session, UnitRow.id, UnitRow.name_key, "register_name_words", key, *where
    )
    return list(found.items())


async def cached_lookup(
    session: AsyncSession, country: str, number: str, *, now: datetime | None = None
) -> LookupResult | None:
    """A recent online answer for this number, or None when there is none (or it is too old)."""
    row = (
        await session.execute(
            select(RegisterLookup).where(RegisterLookup.country == country, RegisterLookup.number == number)
        )
    ).scalar_one_or_none()
    if row is None or (now or utcnow()) - row.fetched_at > LOOKUP_TTL:
        return None
    status = LookupStatus(row.status)
    unit = await local_unit(session, country, number) if status is LookupStatus.FOUND else None
    if status is LookupStatus.FOUND and unit is None:
        return None
    return LookupResult(status, country, number, unit=unit, removed_on=row.removed_on)


async def remember_lookup(session: AsyncSession, result: LookupResult) -> None:
    """Keep an online answer: the unit in the local register (source "api") and the answer in the cache."""
    if result.unit is not None:
        await upsert_units(session, [result.unit], source="api")
    await session.execute(
        delete(RegisterLookup).where(
            RegisterLookup.country == result.country, RegisterLookup.number == result.number
        )
    )
    await session.execute(
        insert(RegisterLookup).values(
            country=result.country,
            number=result.number,
            status=result.status.value,
            removed_on=result.removed_on,
            fetched_at=utcnow(),
        )
    )


async def feed_state(session: AsyncSession, register: str) -> RegisterFeedState:
    state = await session.get(RegisterFeedState, register)
    if state is None:
        state = RegisterFeedState(register=register)
        session.add(state)
        await session.flush()
    return state


async def drop_unit(session: AsyncSession, country: str, number: str) -> bool:
    """Remove a unit the register withdrew from its open data ("Fjernet", HTTP 410): copies must drop it."""
    row_id = (
        await session.execute(select(UnitRow.id).where(UnitRow.country == country, UnitRow.number == number))
    ).scalar_one_or_none()
    if row_id is None:
        return False
    if _dialect(session) == "sqlite":
        await session.execute(text("DELETE FROM register_names WHERE rowid = :id"), {"id": row_id})
    await session.execute(delete(UnitRow).where(UnitRow.id == row_id))
    return True
