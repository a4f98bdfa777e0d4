"""The local company register (SPEC §4): bulk import, change-feed updates, exact look-up by number and fuzzy
search by name, plus the short cache of online look-ups. Index-backed on both databases: SQLite FTS5 with the
trigram tokenizer, PostgreSQL pg_trgm."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Any

from rapidfuzz import fuzz, process
from sqlalchemy import Row, Table, delete, func, insert, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from registry.model import LookupResult, LookupStatus, RegisterAddress
from registry.model import RegisterUnit as Unit
from store import name_index
from store.models import RegisterFeedState, RegisterLookup
from store.models import RegisterUnit as UnitRow
from store.names import name_key
from store.types import utcnow

LOOKUP_TTL = timedelta(minutes=15)


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
    data = asdict(address)
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


def _row_values(unit: Unit, source: str, now: datetime) -> dict[str, Any]:
    return {
        "country": unit.country,
        "number": unit.number,
        "name": unit.name[:500],
        "name_key": name_key(unit.name)[:500],
        "org_form": unit.org_form,
        "org_form_name": unit.org_form_name,
        "business_address": _address_json(unit.business_address),
        "postal_address": _address_json(unit.postal_address),
        "industry_code": unit.industry_code,
        "industry_name": unit.industry_name,
        "employees": unit.employees,
        "website": unit.website,
        "bankrupt": unit.bankrupt,
        "under_liquidation": unit.under_liquidation,
        "deleted_on": unit.deleted_on,
        "source": source,
        "refreshed_at": now,
    }


def _dialect(session: AsyncSession) -> str:
    return session.get_bind().dialect.name


async def upsert_units(session: AsyncSession, units: Sequence[Unit], *, source: str) -> int:
    """Insert or update units by (country, number); keeps the name index in step. Returns rows written."""
    if not units:
        return 0
    now = utcnow()
    # The last occurrence of a number in one batch wins, as it would row by row.
    values = list({(u.country, u.number): _row_values(u, source, now) for u in units}.values())
    dialect = _dialect(session)
    # The Core table, not the ORM entity: the ORM's bulk path starts a new statement whenever the set of
    # empty fields changes from one row to the next (11k statements for 20k units); Core sends one batch.
    table: Table = UnitRow.__table__  # type: ignore[assignment]
    stmt: Any = (sqlite.insert if dialect == "sqlite" else postgresql.insert)(table)
    updated = {c: stmt.excluded[c] for c in values[0] if c not in ("country", "number")}
    stmt = stmt.on_conflict_do_update(index_elements=["country", "number"], set_=updated)
    if dialect != "sqlite":
        await session.execute(stmt, values)  # pg_trgm's index follows the table by itself
        return len(values)
    rows = (await session.execute(stmt.returning(table.c.id, table.c.name_key), values)).all()
    ids = [r.id for r in rows]
    await session.execute(
        text("DELETE FROM register_names WHERE rowid IN (SELECT value FROM json_each(:ids))"),
        {"ids": _json_ids(ids)},
    )
    await session.execute(
        text("INSERT INTO register_names (rowid, name_key) VALUES (:id, :name_key)"),
        [{"id": r.id, "name_key": r.name_key} for r in rows],
    )
    return len(values)


def _json_ids(ids: Iterable[int]) -> str:
    return "[" + ",".join(str(int(i)) for i in ids) + "]"


_UNITS: Table = UnitRow.__table__  # type: ignore[assignment]


async def local_unit(session: AsyncSession, country: str, number: str) -> Unit | None:
    # A plain row, not an ORM object: this is the hot exact look-up, and identity-map work is half its cost.
    row = (
        await session.execute(select(_UNITS).where(_UNITS.c.country == country, _UNITS.c.number == number))
    ).first()
    return unit_from_row(row) if row is not None else None


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
    found = await name_index.postgres_candidates(session, UnitRow.id, UnitRow.name_key, key, *where)
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
