"""Start-up migrations: Alembic brings any database to the newest revision, and a database
already there is recognised without importing Alembic."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import text

from openchat.domain import ConversationDraft
from openchat.storage.database import (
    HEAD_REVISION,
    MIGRATIONS,
    Database,
    migrate,
    open_database,
    stored_revisions,
)
from openchat.storage.search import INDEXED_CHARACTERS
from openchat.storage.sql import SqlChatStore
from openchat.storage.store import MessageDraft
from tests.servers import fresh_database

# Migrates the database named by argv[1], then says whether Alembic was imported to do it.
MIGRATE_AND_REPORT = """
import asyncio, sys
from openchat.storage.database import migrate, open_database

async def main():
    database = open_database(sys.argv[1])
    try:
        await migrate(database)
    finally:
        await database.dispose()

asyncio.run(main())
print("alembic imported" if "alembic" in sys.modules else "alembic not imported")
"""


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


async def _downgrade(database: Database, revision: str) -> None:
    def downgrade(connection: object) -> None:
        config = _config()
        config.attributes["connection"] = connection
        command.downgrade(config, revision)

    await database.run_sync(downgrade)


def _migrate_in_a_new_process(database_url: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", MIGRATE_AND_REPORT, database_url],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_the_head_revision_is_alembics_newest():
    assert ScriptDirectory.from_config(_config()).get_current_head() == HEAD_REVISION


def test_a_database_at_the_newest_revision_starts_without_alembic(tmp_path: Path):
    with fresh_database(tmp_path) as database_url:
        assert _migrate_in_a_new_process(database_url) == "alembic imported"  # a new database
        assert _migrate_in_a_new_process(database_url) == "alembic not imported"


async def test_an_older_database_is_brought_to_the_newest_revision(tmp_path: Path):
    with fresh_database(tmp_path) as database_url:
        database = open_database(database_url)
        try:
            assert await database.run_sync(stored_revisions) == []
            await migrate(database)
            assert await database.run_sync(stored_revisions) == [HEAD_REVISION]
            await _downgrade(database, "0001")
            assert await database.run_sync(stored_revisions) == ["0001"]
            await migrate(database)
            assert await database.run_sync(stored_revisions) == [HEAD_REVISION]
            async with database.connect() as connection:  # 0002's column is back
                await connection.execute(text("SELECT alive_at FROM messages"))
        finally:
            await database.dispose()


async def test_messages_stored_before_the_search_index_are_found_after_it(tmp_path: Path):
    with fresh_database(tmp_path) as database_url:
        database = open_database(database_url)
        try:
            await migrate(database)
            store = SqlChatStore(database)
            conversation = await store.create_conversation("me", ConversationDraft("t", "m"))
            await store.add_exchange(
                conversation.id,
                MessageDraft(role="user", content="Where do puffins nest?"),
                MessageDraft(role="assistant", content="", status="streaming"),
                None,
            )
            await _downgrade(database, "0002")  # as if stored before the index existed
            await migrate(database)
            page = await store.list_conversations("me", 10, None, "puffin")
            assert [item.id for item in page.items] == [conversation.id]
            assert page.matches[conversation.id].snippet == "Where do puffins nest?"
        finally:
            await database.dispose()


async def test_adding_attachments_keeps_the_messages_and_their_search(tmp_path: Path):
    """0004 adds a column to `messages`: recreating the table (as a batch migration does on
    SQLite) would drop the search triggers, and what is written next would not be found."""
    with fresh_database(tmp_path) as database_url:
        database = open_database(database_url)
        try:
            await migrate(database)
            await _downgrade(database, "0003")
            async with database.begin() as connection:
                await connection.execute(
                    text(
                        "INSERT INTO conversations (id, owner_id, title, default_model,"
                        " system_prompt, created_at, updated_at) VALUES ('c', 'me', 't', 'm',"
                        " '', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
                    )
                )
            await migrate(database)
            store = SqlChatStore(database)
            await store.add_exchange(
                "c",
                MessageDraft(role="user", content="Where do gannets dive?"),
                MessageDraft(role="assistant", content="", status="streaming"),
                None,
            )
            page = await store.list_conversations("me", 10, None, "gannets")
            assert [item.id for item in page.items] == ["c"]
            assert [message.attachments for message in await store.list_messages("c")] == [(), ()]
        finally:
            await database.dispose()


def test_postgresql_indexes_as_much_of_a_message_as_its_search_reads():
    migration = (MIGRATIONS / "versions" / "0003_message_search.py").read_text()
    assert f"left(content, {INDEXED_CHARACTERS})" in migration
