"""The app's start-up: what it built is frozen out of the collector's passes, which then run
at the app's own thresholds; a start-up that fails stops what it started; one server does not
load what several need."""

from __future__ import annotations

import gc
import os
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError

from openchat.app import COLLECTOR_THRESHOLDS, create_app
from openchat.settings import Settings


async def test_start_up_freezes_what_it_built(tmp_path: Path):
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'app.db'}", _env_file=None)  # type: ignore[call-arg]
    app = create_app(settings)
    gc.unfreeze()
    before = gc.get_threshold()
    try:
        async with app.router.lifespan_context(app):
            assert gc.get_freeze_count() > 0
            assert gc.get_threshold() == COLLECTOR_THRESHOLDS != before
        assert gc.get_threshold() == before
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)


async def test_a_failed_start_up_stops_what_it_had_started(tmp_path: Path):
    path = tmp_path / "app.db"
    with sqlite3.connect(path) as connection:  # a table in the way of the first migration
        connection.execute("CREATE TABLE conversations (unrelated TEXT)")
    connection.close()
    settings = Settings(database_url=f"sqlite:///{path}", _env_file=None)  # type: ignore[call-arg]
    app = create_app(settings)
    with pytest.raises(OperationalError):
        async with app.router.lifespan_context(app):
            pass
    assert not [thread for thread in threading.enumerate() if thread.name == "sqlite-wal"]


async def test_a_shared_sqlite_database_is_warned_about(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
):
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'app.db'}",
        shared_database=True,
        _env_file=None,  # type: ignore[call-arg]
    )
    app = create_app(settings)
    before = gc.get_threshold()
    try:
        async with app.router.lifespan_context(app):
            pass
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)
    assert "SHARED_DATABASE and REDIS_URL are for several servers on PostgreSQL" in caplog.text


def test_one_server_does_not_load_the_redis_client(tmp_path: Path):
    """Redis's client takes some 150 ms and 20 MB to load: only REDIS_URL loads it."""
    script = f"""
import asyncio, sys
from openchat.app import create_app
from openchat.settings import Settings

async def main():
    app = create_app(Settings(database_url="sqlite:///{tmp_path / "app.db"}", _env_file=None))
    async with app.router.lifespan_context(app):
        pass

asyncio.run(main())
print(sorted(name for name in sys.modules if name.split(".")[0] == "redis"))
"""
    env = {key: value for key, value in os.environ.items() if key != "REDIS_URL"}
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[]"
