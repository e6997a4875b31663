"""The store on a fresh, migrated database (SQLite here; PostgreSQL when DATABASE_URL says so)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from openchat.storage.database import migrate, open_database
from openchat.storage.sql import SqlChatStore
from tests.servers import fresh_database


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SqlChatStore]:
    with fresh_database(tmp_path) as url:
        database = open_database(url)
        await migrate(database)
        yield SqlChatStore(database)
        await database.dispose()
