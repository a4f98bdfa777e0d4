"""SQLite under asyncio with one thread hop per statement.

aiosqlite runs each call on the connection's own thread, and SQLAlchemy's adapter makes four calls per
statement (open a cursor, execute, fetch all rows, close). Each call is a round trip between the event loop
and that thread: a queue put, a thread wake-up and a self-pipe write back. For the short indexed reads a chat
command makes, the round trips cost several times the query (a customer card: 25 hops for 0.3 ms of SQL).

`OneHopSQLite` is the same DB-API adapter with a cursor that does all four steps in one call on the
connection's thread and keeps the description, row count, last row id and rows it got. Everything else
(the dialect, connections, transactions, errors, server-side cursors) is SQLAlchemy's aiosqlite support,
unchanged. Pass it as `module=` to `create_async_engine`.
"""

from __future__ import annotations

import collections
import sqlite3
from collections.abc import Sequence
from threading import Thread
from typing import Any

import aiosqlite
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
)
from sqlalchemy.util import EMPTY_DICT
from sqlalchemy.util.concurrency import await_

# What one statement left behind: description, rowcount, lastrowid, rows (None for no result set).
_Outcome = tuple[Any, int, int | None, list[Any] | None]


def _run(connection: sqlite3.Connection, operation: str, parameters: Any) -> _Outcome:
    """On the connection's thread: the whole statement, start to finish."""
    cursor = connection.cursor()
    try:
        cursor.execute(operation, parameters if parameters is not None else ())
        rows = cursor.fetchall() if cursor.description else None
        return cursor.description, cursor.rowcount, cursor.lastrowid, rows
    finally:
        cursor.close()


def _run_many(connection: sqlite3.Connection, operation: str, seq_of_parameters: Any) -> _Outcome:
    cursor = connection.cursor()
    try:
        cursor.executemany(operation, seq_of_parameters)
        return cursor.description, cursor.rowcount, cursor.lastrowid, None
    finally:
        cursor.close()


class OneHopCursor(AsyncAdapt_aiosqlite_cursor):
    """A buffered cursor with no aiosqlite cursor behind it: each execute is one call on the thread."""

    __slots__ = ("_description", "_rowcount", "_lastrowid")
    _awaitable_cursor_close = False  # nothing to close on the thread

    def __init__(self, adapt_connection: Any) -> None:  # no cursor to open: that was a round trip
        self._adapt_connection = adapt_connection
        self._connection = adapt_connection._connection
        self._cursor = None  # type: ignore[assignment]
        self._soft_closed_memoized = EMPTY_DICT
        self._rows = collections.deque()
        self._description: Any = None
        self._rowcount = -1
        self._lastrowid: int | None = None

    @property
    def description(self) -> Any:
        return self._description

    @property
    def rowcount(self) -> int:
        return self._rowcount

    @property
    def lastrowid(self) -> int:
        return self._lastrowid  # type: ignore[return-value]

    @property
    def arraysize(self) -> int:
        return 1

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        pass

    async def _async_soft_close(self) -> None:
        return

    async def _execute_async(self, operation: Any, parameters: Any) -> Any:
        async with self._adapt_connection._execute_mutex:
            outcome = await self._on_thread(_run, operation, parameters)
        self._keep(outcome)

    async def _executemany_async(self, operation: Any, seq_of_parameters: Any) -> Any:
        async with self._adapt_connection._execute_mutex:
            outcome = await self._on_thread(_run_many, operation, seq_of_parameters)
        self._keep(outcome)

    async def _on_thread(self, step: Any, operation: Any, parameters: Any) -> _Outcome:
        driver: aiosqlite.Connection = self._connection  # type: ignore[assignment]
        # aiosqlite's own way of running a function on the connection's thread (its cursors use it too).
        outcome: _Outcome = await driver._execute(step, driver._conn, operation, parameters)
        return outcome

    def _keep(self, outcome: _Outcome) -> None:
        self._description, self._rowcount, self._lastrowid, rows = outcome
        self._rows = collections.deque(rows) if rows is not None else collections.deque()

    def nextset(self) -> None:
        return None

    def setinputsizes(self, *inputsizes: Sequence[Any]) -> None:
        return None


class OneHopConnection(AsyncAdapt_aiosqlite_connection):
    __slots__ = ()
    _cursor_cls = OneHopCursor


class OneHopSQLite(AsyncAdapt_aiosqlite_dbapi):
    """SQLAlchemy's aiosqlite DB-API adapter, handing out `OneHopConnection`s."""

    def __init__(self) -> None:
        super().__init__(aiosqlite, sqlite3)

    def connect(self, *arg: Any, **kw: Any) -> OneHopConnection:
        kw.pop("async_creator_fn", None)
        connection = self.aiosqlite.connect(*arg, **kw)
        # aiosqlite's thread must not keep the process alive at exit (SQLAlchemy's adapter does the same).
        thread = connection if isinstance(connection, Thread) else connection._thread
        thread.daemon = True
        return OneHopConnection(self, await_(connection))
