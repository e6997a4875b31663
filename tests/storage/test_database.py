"""The SQLite database runs on the event loop's thread, one transaction at a time."""

from __future__ import annotations

import asyncio
import logging
import shutil
import sqlite3
import threading
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from openchat.storage import database, sqlite_wal
from openchat.storage.database import UnsupportedDatabase, open_database


async def test_sqlite_statements_run_on_the_loop_thread_and_never_interleave(tmp_path: Path):
    database = open_database(f"sqlite+aiosqlite:///{tmp_path / 'x.db'}")  # older URLs still work
    threads: set[int] = set()
    try:
        async with database.begin() as connection:
            await connection.execute(text("CREATE TABLE t (n INTEGER)"))

        async def add(n: int) -> None:
            async with database.begin() as connection:
                threads.add(threading.get_ident())
                await connection.execute(text("INSERT INTO t VALUES (:n)"), {"n": n})

        await asyncio.gather(*(add(n) for n in range(50)))
        async with database.connect() as connection:
            count = (await connection.execute(text("SELECT count(*) FROM t"))).scalar()
        assert count == 50
        assert threads == {threading.get_ident()}

        # Waiting inside a transaction would let another caller onto the same connection:
        # it fails loudly instead of deadlocking.
        async with database.begin():
            with pytest.raises(RuntimeError, match="already in use"):
                async with database.begin():
                    pass
    finally:
        await database.dispose()


async def test_a_failure_inside_a_transaction_undoes_its_writes_and_frees_the_connection(
    tmp_path: Path,
):
    database = open_database(f"sqlite:///{tmp_path / 'x.db'}")
    try:
        async with database.begin() as connection:
            await connection.execute(text("CREATE TABLE t (n INTEGER PRIMARY KEY)"))
            await connection.execute(text("INSERT INTO t VALUES (1)"))
        with pytest.raises(IntegrityError):
            async with database.begin() as connection:
                await connection.execute(text("INSERT INTO t VALUES (2)"))
                await connection.execute(text("INSERT INTO t VALUES (1)"))  # a duplicate key
        async with database.connect() as connection:
            rows = (await connection.execute(text("SELECT n FROM t"))).scalars().all()
        assert rows == [1]
    finally:
        await database.dispose()


async def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path: Path):
    database = open_database(f"sqlite:///{tmp_path / 'x.db'}")
    try:
        async with database.connect() as connection:
            mode = (await connection.execute(text("PRAGMA journal_mode"))).scalar()
            keys = (await connection.execute(text("PRAGMA foreign_keys"))).scalar()
        assert (mode, keys) == ("wal", 1)
    finally:
        await database.dispose()


async def test_the_log_reaches_the_database_file_from_a_thread_not_from_commits(
    tmp_path: Path,
):
    """Commits on the loop only append to the log; the checkpoint thread copies it over."""
    path = tmp_path / "x.db"
    database = open_database(f"sqlite:///{path}")
    try:
        async with database.begin() as connection:
            backstop = (await connection.execute(text("PRAGMA wal_autocheckpoint"))).scalar()
            await connection.execute(text("CREATE TABLE t (n INTEGER)"))
        assert backstop == sqlite_wal.BACKSTOP_PAGES
        assert _checkpoint_threads() == 1
        async with database.begin() as connection:
            for n in range(50):
                await connection.execute(text("INSERT INTO t VALUES (:n)"), {"n": n})

        # The database file alone, without its log, holds the rows once a checkpoint ran.
        for _ in range(100):
            await asyncio.sleep(0.05)
            if _rows_in_file_alone(path, tmp_path / "copy.db") == 50:
                break
        assert _rows_in_file_alone(path, tmp_path / "copy.db") == 50
    finally:
        await database.dispose()
    assert _checkpoint_threads() == 0


def _checkpoint_threads() -> int:
    return sum(thread.name == "sqlite-wal" for thread in threading.enumerate())


def _rows_in_file_alone(path: Path, copy: Path) -> int:
    shutil.copyfile(path, copy)
    connection = sqlite3.connect(copy)
    try:
        return int(connection.execute("SELECT count(*) FROM t").fetchone()[0])
    except sqlite3.OperationalError:  # the table itself is still only in the log
        return 0
    finally:
        connection.close()
        copy.unlink()


def test_checkpoints_never_create_a_missing_file_and_say_once_why_they_fail(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
):
    caplog.set_level(logging.INFO, logger=sqlite_wal.__name__)
    path = tmp_path / "moved.db"
    checkpointer = sqlite_wal.WalCheckpointer(str(path), interval=0.01)
    checkpointer.start()
    try:
        for _ in range(100):
            if checkpointer.failures >= 3:
                break
            threading.Event().wait(0.01)
        assert checkpointer.failures >= 3 and not path.exists()
        warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
        assert warnings == ["SQLite log checkpoints failed (SQLITE_CANTOPEN); retrying"]

        sqlite3.connect(path).close()  # the file is back: checkpoints resume, and say so
        for _ in range(100):
            if checkpointer.checkpoints:
                break
            threading.Event().wait(0.01)
        assert checkpointer.checkpoints > 0
        assert "SQLite log checkpoints work again" in caplog.text
    finally:
        checkpointer.stop()


async def test_database_errors_never_show_the_values_of_their_parameters(tmp_path: Path):
    database = open_database(f"sqlite:///{tmp_path / 'x.db'}")
    try:
        async with database.begin() as connection:
            await connection.execute(text("CREATE TABLE t (v TEXT PRIMARY KEY)"))
            await connection.execute(text("INSERT INTO t VALUES (:v)"), {"v": "secret words"})
        with pytest.raises(IntegrityError) as caught:
            async with database.begin() as connection:
                await connection.execute(text("INSERT INTO t VALUES (:v)"), {"v": "secret words"})
        assert "secret words" not in str(caught.value)
    finally:
        await database.dispose()


def test_a_sqlite_too_old_for_returning_is_refused_with_a_clear_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(database.sqlite3, "sqlite_version_info", (3, 34, 1))
    monkeypatch.setattr(database.sqlite3, "sqlite_version", "3.34.1")
    with pytest.raises(UnsupportedDatabase, match=r"SQLite 3\.34\.1 is too old"):
        open_database(f"sqlite:///{tmp_path / 'x.db'}")
