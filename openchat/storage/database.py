"""The database behind the store, and the Alembic migrations applied on start-up.

Two implementations of one small interface:
- SQLite (the default) runs on the event loop's own thread, through one connection.
  Its statements take tens of microseconds. Handing each to a worker thread cost more
  than the statement, and under load every hand-off waited for the GIL (up to its 5 ms
  switch interval), which made a busy server's writes queue for seconds. Only the
  checkpoints of its write-ahead log, which sync to disk, run on a thread, through a second
  connection (see sqlite_wal).
- PostgreSQL runs through asyncpg on SQLAlchemy's async engine, with a pool.
"""

from __future__ import annotations

import sqlite3
import weakref
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol, TypeVar

import sqlalchemy
from sqlalchemy import event, text
from sqlalchemy.engine import URL, Connection, RootTransaction, make_url
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.sql import Executable

from openchat.storage.prepared import plan_of
from openchat.storage.sqlite_wal import BACKSTOP_PAGES, WalCheckpointer

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# The newest migration (a test holds it to Alembic's own reading of MIGRATIONS). A database
# already there starts without importing Alembic, a sixth of the server's start-up.
HEAD_REVISION = "0005"
# Only another process writing the same file can make a statement wait, and the whole server
# waits with it: give up soon (the final save retries). Several servers need PostgreSQL.
SQLITE_BUSY_TIMEOUT_MS = 250
SQLITE_MINIMUM = (3, 35)  # UPDATE … RETURNING


class UnsupportedDatabase(Exception):
    """The database cannot run Open Chat; the message says why and is safe to log."""


T = TypeVar("T")
Parameters = Mapping[str, Any] | Sequence[Mapping[str, Any]] | None


class Rows(Protocol):
    """What the store reads of a statement's result."""

    @property
    def rowcount(self) -> int: ...

    def first(self) -> Any: ...

    def all(self) -> Sequence[Any]: ...


class DbConnection(Protocol):
    async def execute(self, statement: Executable, parameters: Parameters = None) -> Rows: ...


class Database(Protocol):
    """Connections for the store: `connect()` to read, `begin()` for one transaction."""

    dialect: str  # SQLAlchemy's name for it: "sqlite" or "postgresql"

    def connect(self) -> AbstractAsyncContextManager[DbConnection]: ...

    def begin(self) -> AbstractAsyncContextManager[DbConnection]: ...

    async def run_sync(self, work: Callable[[Connection], T]) -> T:
        """Run blocking SQLAlchemy code (migrations) in one transaction."""
        ...

    async def dispose(self) -> None: ...


def open_database(database_url: str) -> Database:
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        return SqliteDatabase(url)
    return PooledDatabase(url)


class _SqliteTransaction:
    """One transaction on the shared SQLite connection, entered by the store with `async with`.

    `execute` returns at once: nothing suspends inside. A class, not a generator-based context
    manager: an answer opens four transactions, and two generators and a wrapper for each were
    2.5 % of its instructions.
    """

    __slots__ = ("_database", "_driver", "_transaction")

    def __init__(self, database: SqliteDatabase) -> None:
        self._database = database
        self._transaction: RootTransaction | None = None
        self._driver: Any = None  # the sqlite3 connection beneath, for prepared statements

    async def __aenter__(self) -> _SqliteTransaction:
        connection = self._database.acquire()
        try:  # the transaction's own context, entered and left as `with` would
            self._transaction = connection.begin().__enter__()
            self._driver = connection.connection.driver_connection
        except BaseException:
            self._database.release()
            raise
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        assert self._transaction is not None
        self._driver = None  # a prepared statement after the end would join the next one
        try:  # commits, or rolls back on an error
            self._transaction.__exit__(kind, error, trace)
        finally:
            self._database.release()

    @property
    def connection(self) -> Connection:
        assert self._transaction is not None, "entered with `async with` first"
        return self._transaction.connection

    async def execute(self, statement: Executable, parameters: Parameters = None) -> Rows:
        plan = plan_of(statement)
        if plan is not None:  # straight to the driver, inside the same transaction
            assert self._driver is not None, "inside `async with` only"
            return plan.run(self._driver, parameters)
        return self.connection.execute(statement, parameters)


class SqliteDatabase:
    """SQLite in WAL mode on one connection, used from the event loop's thread only (the
    log's checkpoints have a second, on a thread of their own: see WalCheckpointer).

    Nothing awaits inside a transaction (every `execute` returns at once), so two callers
    can never interleave on the connection; `_busy` turns a future mistake into an error
    instead of a deadlock.
    """

    dialect = "sqlite"

    def __init__(self, url: URL) -> None:
        if sqlite3.sqlite_version_info < SQLITE_MINIMUM:
            raise UnsupportedDatabase(
                f"SQLite {sqlite3.sqlite_version} is too old: Open Chat needs 3.35 or newer"
                " (or PostgreSQL)."
            )
        url = url.set(drivername="sqlite")  # the standard library's driver, no thread
        self._file: str | None = None  # the file whose log a thread checkpoints, if any
        if url.database and url.database != ":memory:" and not url.query.get("uri"):
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
            self._file = url.database
        self._checkpointer: WalCheckpointer | None = None
        self._engine = sqlalchemy.create_engine(
            url, poolclass=sqlalchemy.StaticPool, hide_parameters=True
        )
        event.listen(self._engine, "connect", _tune_sqlite)
        if self._file is not None:
            event.listen(self._engine, "connect", _leave_checkpoints_to_a_thread)
        self._connection: Connection | None = None
        self._busy = False

    def acquire(self) -> Connection:
        """The connection, for one transaction at a time."""
        if self._busy:
            raise RuntimeError("the SQLite connection is already in use by this thread")
        if self._connection is None:
            self._connection = self._engine.connect()  # in WAL mode from here on
            if self._file is not None:
                self._checkpointer = WalCheckpointer(self._file)
                self._checkpointer.start()
                # Stopped by dispose(); and, should that never be called, with this object.
                weakref.finalize(self, self._checkpointer.stop)
        self._busy = True
        return self._connection

    def release(self) -> None:
        self._busy = False

    def begin(self) -> _SqliteTransaction:
        return _SqliteTransaction(self)

    connect = begin  # a read is a transaction that writes nothing; it ends at once

    async def run_sync(self, work: Callable[[Connection], T]) -> T:
        async with self.begin() as transaction:
            return work(transaction.connection)

    async def dispose(self) -> None:
        if self._checkpointer is not None:
            self._checkpointer.stop()  # before the last close, which checkpoints one last time
            self._checkpointer = None
        if self._connection is not None:
            self._connection.close()
            self._connection = None
        self._engine.dispose()


class PooledDatabase:
    """A server database (PostgreSQL) through SQLAlchemy's async engine and a pool."""

    def __init__(self, url: URL) -> None:
        self._engine = create_async_engine(
            url, pool_size=10, max_overflow=20, pool_pre_ping=True, hide_parameters=True
        )
        self.dialect = self._engine.dialect.name

    def connect(self) -> AbstractAsyncContextManager[DbConnection]:
        return self._engine.connect()

    def begin(self) -> AbstractAsyncContextManager[DbConnection]:
        return self._engine.begin()

    async def run_sync(self, work: Callable[[Connection], T]) -> T:
        async with self._engine.begin() as connection:
            return await connection.run_sync(work)

    async def dispose(self) -> None:
        await self._engine.dispose()


def _lower(text: object) -> object:
    return text.lower() if isinstance(text, str) else text


def _tune_sqlite(dbapi_connection: Any, _record: Any) -> None:
    # SQLite's own lower() changes only A to Z: a title search for "Привет" found no "Привет".
    dbapi_connection.create_function("lower", 1, _lower, deterministic=True)
    cursor = dbapi_connection.cursor()
    for pragma in (
        "PRAGMA journal_mode=WAL",
        "PRAGMA synchronous=NORMAL",  # with WAL: durable across crashes of the process
        f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}",
        "PRAGMA foreign_keys=ON",
    ):
        cursor.execute(pragma)
    cursor.close()


def _leave_checkpoints_to_a_thread(dbapi_connection: Any, _record: Any) -> None:
    """The loop's connection checkpoints only past the backstop (see WalCheckpointer)."""
    dbapi_connection.execute(f"PRAGMA wal_autocheckpoint={BACKSTOP_PAGES}")


async def migrate(database: Database) -> None:
    """Bring the schema to the newest revision."""
    await database.run_sync(_upgrade)


def _upgrade(connection: Connection) -> None:
    if stored_revisions(connection) == [HEAD_REVISION]:
        return
    from alembic import command  # only a database to migrate needs Alembic
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    command.upgrade(config, "head")


def stored_revisions(connection: Connection) -> list[str]:
    """The revisions Alembic recorded in the database: none for a new one."""
    if not sqlalchemy.inspect(connection).has_table("alembic_version"):
        return []
    return list(connection.execute(text("SELECT version_num FROM alembic_version")).scalars())
