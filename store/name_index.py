"""Fuzzy name search without a scan: a trigram index narrows a name to a few hundred candidates, which the
caller ranks with rapidfuzz. SQLite uses FTS5 with the trigram tokenizer, PostgreSQL pg_trgm; the
migrations create both (customers: `customer_names` / `ix_customers_name_trgm`; the register:
`register_names` / `ix_register_units_name_trgm`)."""

from __future__ import annotations

import re

from sqlalchemy import ColumnElement, func, or_, select, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

CANDIDATES = 300
MIN_KEY = 3  # trigram indexes cannot find anything shorter
_FTS_SAFE = re.compile(r'["]')


def _phrase(part: str) -> str:
    return '"' + _FTS_SAFE.sub("", part) + '"'


def _word_or_halves(word: str) -> str:
    """A word, or either half of it: a typo spoils one half, rarely both ("equnor" still has "equ")."""
    if len(word) < 6:
        return _phrase(word)
    middle = len(word) // 2
    return f"({_phrase(word)} OR {_phrase(word[: middle + 1])} OR {_phrase(word[middle - 1 :])})"


def fts_queries(key: str) -> list[str]:
    """FTS5 queries from most to least selective: every word (or a half of it); the whole key as a
    substring; any single word; any trigram of the longest word."""
    words = [w for w in key.split() if len(w) >= MIN_KEY]
    steps = []
    if words:
        steps.append(" AND ".join(_word_or_halves(w) for w in words))
    steps.append(_phrase(key))
    steps += [_phrase(w) for w in words if w != key]
    longest = max(words, key=len, default=key)
    trigrams = sorted({longest[i : i + 3] for i in range(len(longest) - 2)})
    steps.append(" OR ".join(_phrase(t) for t in trigrams))
    return steps


async def sqlite_candidates(session: AsyncSession, fts_table: str, key: str) -> dict[int, str]:
    """rowid -> name key; each step runs only while the earlier ones found too little, so common words
    never flood the candidates."""
    found: dict[int, str] = {}
    statement = text(f"SELECT rowid, name_key FROM {fts_table} WHERE {fts_table} MATCH :q LIMIT :n")
    for match in fts_queries(key):
        if len(found) >= CANDIDATES // 3:
            break
        rows = await session.execute(statement, {"q": match, "n": CANDIDATES})
        found.update((int(r[0]), str(r[1])) for r in rows)
    return found


async def postgres_candidates(
    session: AsyncSession,
    id_column: InstrumentedAttribute[int],
    key_column: InstrumentedAttribute[str],
    key: str,
    *where: ColumnElement[bool],
) -> dict[int, str]:
    """id -> name key of rows similar to `key` or containing it (both served by the pg_trgm GIN index)."""
    escaped = key.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    rows = await session.execute(
        select(id_column, key_column)
        .where(or_(key_column.op("%")(key), key_column.like(f"%{escaped}%")), *where)
        .order_by(func.similarity(key_column, key).desc())
        .limit(CANDIDATES)
    )
    return {int(r[0]): str(r[1]) for r in rows}
