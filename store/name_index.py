"""Fuzzy name search without a scan: a trigram index narrows a name to a few hundred candidates, which the
caller ranks with rapidfuzz. SQLite uses FTS5 with the trigram tokenizer, PostgreSQL pg_trgm; the
migrations create both (customers: `customer_names` / `ix_customers_name_trgm`; the register:
`register_names` / `ix_register_units_name_trgm`, and on PostgreSQL the register's words,
`register_name_words`)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from rapidfuzz.distance import OSA
from sqlalchemy import ColumnElement, Executable, TextClause, and_, func, or_, select, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

CANDIDATES = 300
MIN_KEY = 3  # trigram indexes cannot find anything shorter
MAX_EDITS = 2  # a word this far from every known word is taken as written
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


def sqlite_matches(fts_table: str) -> TextClause:
    """The rowids of `fts_table` matching the FTS5 query `:q`, at most `:n` of them."""
    return text(f"SELECT rowid FROM {fts_table} WHERE {fts_table} MATCH :q LIMIT :n")


async def sqlite_candidates(
    session: AsyncSession,
    fts_table: str,
    key: str,
    *,
    among: Executable | None = None,
    values: Mapping[str, Any] | None = None,
) -> dict[int, str]:
    """rowid -> name key; each step runs only while the earlier ones found too little, so common words
    never flood the candidates. `among` selects (id, name key) of the rows whose id is in
    `sqlite_matches(fts_table)`, with `values` for its other parameters: a filter (such as visibility) in
    the same statement, and the steps then count only the rows that pass it."""
    found: dict[int, str] = {}
    statement = (
        among
        if among is not None
        else text(f"SELECT rowid, name_key FROM {fts_table} WHERE {fts_table} MATCH :q LIMIT :n")
    )
    for match in fts_queries(key):
        if len(found) >= CANDIDATES // 3:
            break
        rows = await session.execute(statement, {**(values or {}), "q": match, "n": CANDIDATES})
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
    rows = await session.execute(
        select(id_column, key_column)
        .where(or_(key_column.op("%")(key), _contains(key_column, key)), *where)
        .order_by(func.similarity(key_column, key).desc())
        .limit(CANDIDATES)
    )
    return {int(r[0]): str(r[1]) for r in rows}


def _contains(column: InstrumentedAttribute[str], part: str) -> ColumnElement[bool]:
    escaped = part.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return column.like(f"%{escaped}%")


def _contains_any(column: InstrumentedAttribute[str], parts: list[str]) -> ColumnElement[bool]:
    """One condition, so that the planner keeps it in the trigram index scan (an OR of LIKEs ANDed with
    another word made it scan for the other word alone and filter thousands of rows)."""
    if len(parts) == 1:
        return _contains(column, parts[0])
    return column.op("~")("|".join(re.escape(p) for p in parts))  # name keys are letters and digits


# For each word that begins no known word: the known words nearest it by trigrams. The range on the C-collated
# key is "some known word starts with it", one index probe.
_SPELLINGS = (
    "SELECT typed.w, near.word FROM unnest(CAST(:words AS varchar[])) AS typed(w) CROSS JOIN LATERAL ("
    " SELECT known.word FROM {words} AS known WHERE known.word % typed.w AND NOT EXISTS ("
    "  SELECT 1 FROM {words} AS k WHERE k.word >= typed.w AND k.word < typed.w || chr(1114111))"
    " ORDER BY known.word <-> typed.w LIMIT 20) AS near"
)


# Trigram similarity of a typo to its word is mostly above 0.4, and at 0.4 the index hands over about half
# as many words to check as at pg_trgm's default 0.3; words with no match within two edits look again at 0.3
# ("muskier" is 0.33 from "musiker").
SIMILARITY_STEPS = ("0.4", "0.3")
_THRESHOLD = "pg_trgm.similarity_threshold"


async def _spellings(session: AsyncSession, words_table: str, words: list[str]) -> dict[str, list[str]]:
    """word -> the known words one or two edits away (the nearest only) for each word that is no known word
    nor the beginning of one: a typo, corrected against the register's own words."""
    typed = [w for w in words if len(w) > MIN_KEY]
    if not typed:
        return {}
    statement = text(_SPELLINGS.format(words=words_table))
    setting = text("SELECT set_config(:name, :value, true)")  # for this transaction only
    previous = (await session.execute(text("SELECT current_setting(:name)"), {"name": _THRESHOLD})).scalar()
    corrected: dict[str, list[str]] = {}
    try:
        for threshold in SIMILARITY_STEPS:
            pending = [w for w in typed if w not in corrected]
            if not pending:
                break
            await session.execute(setting, {"name": _THRESHOLD, "value": threshold})
            near: dict[str, list[str]] = {}
            for word, known in await session.execute(statement, {"words": pending}):
                near.setdefault(str(word), []).append(str(known))
            for word, knowns in near.items():
                edits = {k: OSA.distance(word, k) for k in knowns}
                fewest = min(edits.values())
                if fewest <= MAX_EDITS:
                    corrected[word] = [k for k in knowns if edits[k] == fewest]
    finally:
        await session.execute(setting, {"name": _THRESHOLD, "value": previous})
    return corrected


async def postgres_word_candidates(
    session: AsyncSession,
    id_column: InstrumentedAttribute[int],
    key_column: InstrumentedAttribute[str],
    words_table: str,
    key: str,
    *where: ColumnElement[bool],
) -> dict[int, str]:
    """id -> name key, for a table too large for `postgres_candidates` (the register): like
    `sqlite_candidates`, steps from most to least selective (the whole key, every word, every word with its
    misspellings corrected against `words_table`, which holds each word of the names once, then any one word),
    each a LIKE served by the pg_trgm index and stopped by a LIMIT instead of ranked by similarity."""
    words = [w for w in key.split() if len(w) >= MIN_KEY]
    found: dict[int, str] = {}

    async def enough(condition: ColumnElement[bool]) -> bool:
        rows = await session.execute(select(id_column, key_column).where(condition, *where).limit(CANDIDATES))
        found.update((int(r[0]), str(r[1])) for r in rows)
        return len(found) >= CANDIDATES // 3

    if await enough(_contains(key_column, key)):
        return found
    if len(words) > 1 and await enough(and_(*(_contains(key_column, w) for w in words))):
        return found
    spelled = {w: [w] for w in words} | await _spellings(session, words_table, words)
    if any(spelled[w] != [w] for w in words) and await enough(
        and_(*(_contains_any(key_column, spelled[w]) for w in words))
    ):
        return found
    # Last, any one word, the longest (most telling) first, only while nothing at all was found.
    for word in sorted(words, key=len, reverse=True):
        if found:
            break
        await enough(_contains_any(key_column, spelled[word]))
    return found
