"""Engines and sessions for SQLite (the embedded default) and PostgreSQL (scale-out), same code for both."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import QueuePool

from store.config import async_url, database_url
from store.sqlite_driver import OneHopSQLite


def _tune_sqlite(engine: AsyncEngine) -> None:
    """WAL, foreign keys, a busy timeout, and explicit BEGINs.

    pysqlite's own transaction handling defers BEGIN until the first write, so two writers that both read
    first fail with "database is locked" instead of waiting. We emit BEGIN ourselves: write sessions use
    BEGIN IMMEDIATE (they queue on the write lock, honouring busy_timeout), read sessions plain BEGIN.
    """

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        options = conn.get_execution_options()
        if options.get("isolation_level") == "AUTOCOMMIT":
            return  # Store.autocommit(): each statement on its own
        conn.exec_driver_sql(f"BEGIN {options.get('sqlite_begin', 'IMMEDIATE')}")


POOL_SIZE = 10  # database connections kept open per process


class Store:
    """One database: an engine, write and read session factories, and migrations."""

    def __init__(self, url: str | None = None, *, echo: bool = False) -> None:
        self.url = async_url(url) if url else database_url()
        parsed = make_url(self.url)
        self.dialect = parsed.get_backend_name()
        kwargs: dict[str, Any] = {"echo": echo}
        if self.dialect == "postgresql":
            kwargs.update(pool_size=POOL_SIZE, max_overflow=POOL_SIZE, pool_pre_ping=True)
        if self.dialect == "sqlite":
            # One thread hop per statement instead of four. Ten connections stay open (five did): opening one
            # costs a thread, the PRAGMAs and a read of the schema, and a burst of chat commands that needed
            # more than five opened and closed the extra ones again and again.
            kwargs.update(module=OneHopSQLite())
            if parsed.database not in (None, "", ":memory:"):  # one shared connection otherwise
                kwargs.update(pool_size=POOL_SIZE, max_overflow=POOL_SIZE)
        self.engine = create_async_engine(self.url, **kwargs)
        if self.dialect == "sqlite":
            _tune_sqlite(self.engine)
            reader = self.engine.execution_options(sqlite_begin="DEFERRED")
        else:
            reader = self.engine
        self._writer = async_sessionmaker(self.engine, expire_on_commit=False)
        self._reader = async_sessionmaker(reader, expire_on_commit=False)

    @property
    def is_sqlite(self) -> bool:
        return self.dialect == "sqlite"

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A session for writing: committed when the block ends, rolled back if it raises."""
        async with self._writer() as session, session.begin():
            yield session

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[AsyncSession]:
        """A session for reading only; never takes SQLite's write lock."""
        async with self._reader() as session, session.begin():
            yield session

    @asynccontextmanager
    async def autocommit(self) -> AsyncIterator[AsyncConnection]:
        """A connection whose statements each commit on their own: for a single hot read, without the BEGIN
        and COMMIT round trips of a transaction."""
        async with self.engine.connect() as connection:
            yield await connection.execution_options(isolation_level="AUTOCOMMIT")

    async def sqlite_rows(self, sql: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        """One read statement straight on the SQLite driver, outside any transaction: for the hottest
        look-ups, where a session's bookkeeping costs several times the query. The caller converts the raw
        values; SQLite only."""
        assert self.is_sqlite
        async with self.engine.connect() as connection:
            raw = await connection.get_raw_connection()
            driver: Any = raw.driver_connection
            return list(await driver.execute_fetchall(sql, params))

    async def open_pool(self) -> None:
        """Open the pool's connections now, together, for a server about to take requests: the first burst
        of requests would otherwise wait while each opens its own (on SQLite about 10 ms each, with the
        schema read, and they queue on the GIL: 65-75 ms for eight at once)."""
        if not isinstance(self.engine.pool, QueuePool):
            return
        connections = [self.engine.connect() for _ in range(self.engine.pool.size())]
        try:
            opened = await asyncio.gather(*(c.start() for c in connections))
            if self.is_sqlite:  # SQLite reads the schema at a connection's first statement that needs it
                for connection in opened:
                    raw = await connection.get_raw_connection()
                    driver: Any = raw.driver_connection
                    await driver.execute_fetchall("SELECT count(*) FROM sqlite_master")
        finally:
            await asyncio.gather(*(c.close() for c in connections))

    async def upgrade(self) -> None:
        from store.migrate import upgrade

        await upgrade(self.engine)

    async def dispose(self) -> None:
        await self.engine.dispose()

    async def __aenter__(self) -> Store:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.dispose()
