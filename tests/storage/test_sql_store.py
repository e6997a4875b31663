"""SqlChatStore on the real database (SQLite here; PostgreSQL when DATABASE_URL says so)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import update

from openchat.domain import ConversationDraft, ConversationPatch
from openchat.errors import Conflict, NotFound
from openchat.storage.database import migrate, open_database
from openchat.storage.sql import SqlChatStore, messages
from openchat.storage.store import AnswerUpdate, Checkpoint, MessageDraft
from tests.servers import fresh_database


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SqlChatStore]:
    with fresh_database(tmp_path) as url:
        database = open_database(url)
        await migrate(database)
        await migrate(database)  # applying twice is harmless: start-up does it every time
        yield SqlChatStore(database)
        await database.dispose()


async def test_owner_scoping(store: SqlChatStore):
    mine = await store.create_conversation("alice", ConversationDraft("t", "m"))
    with pytest.raises(NotFound):
        await store.get_conversation("bob", mine.id)
    with pytest.raises(NotFound):
        await store.update_conversation("bob", mine.id, ConversationPatch(title="x"))
    with pytest.raises(NotFound):
        await store.delete_conversation("bob", mine.id)
    assert (await store.list_conversations("bob", 10, None, None)).items == []


async def test_client_id_is_unique_per_conversation(store: SqlChatStore):
    conversation = await store.create_conversation("me", ConversationDraft("t", "m"))
    draft = MessageDraft(role="user", content="hi", client_message_id="abc")
    answer = MessageDraft(role="assistant", content="", status="streaming")
    first, first_answer = await store.add_exchange(conversation.id, draft, answer, "Title")
    assert first_answer.parent_id == first.id
    with pytest.raises(Conflict):
        await store.add_exchange(conversation.id, draft, answer, None)
    assert len(await store.list_messages(conversation.id)) == 2
    assert (await store.get_conversation("me", conversation.id)).title == "Title"
    found = await store.find_by_client_id(conversation.id, "abc")
    assert found is not None and found.id == first.id


async def test_a_late_checkpoint_never_undoes_the_final_state(store: SqlChatStore):
    conversation = await store.create_conversation("me", ConversationDraft("t", "m"))
    answer = await store.add_answer(
        conversation.id, MessageDraft(role="assistant", content="", status="streaming")
    )
    await store.checkpoint_answers([Checkpoint(answer.id, "partial", None)])
    await store.finish_answer(AnswerUpdate(answer.id, "partial and whole", None, "complete"))
    await store.checkpoint_answers([Checkpoint(answer.id, "partial", None)])
    [stored] = await store.list_messages(conversation.id)
    assert (stored.status, stored.content) == ("complete", "partial and whole")


async def test_streaming_rows_become_interrupted(store: SqlChatStore):
    conversation = await store.create_conversation("me", ConversationDraft("t", "m"))
    await store.add_answer(
        conversation.id, MessageDraft(role="assistant", content="", status="streaming")
    )
    assert await store.mark_streaming_interrupted() == 1
    [stored] = await store.list_messages(conversation.id)
    assert stored.status == "interrupted"
    assert await store.mark_streaming_interrupted() == 0


async def test_with_a_cutoff_only_answers_no_server_kept_alive_become_interrupted(
    store: SqlChatStore,
):
    """Several servers on one database: an answer checkpointed lately is still being written."""
    conversation = await store.create_conversation("me", ConversationDraft("t", "m"))
    draft = MessageDraft(role="assistant", content="", status="streaming")
    alive = await store.add_answer(conversation.id, draft)
    orphan = await store.add_answer(conversation.id, draft)
    finished = await store.add_answer(conversation.id, draft)
    await store.finish_answer(AnswerUpdate(finished.id, "done", None, "complete"))
    await asyncio.sleep(0.05)
    cutoff = datetime.now(UTC)
    await store.checkpoint_answers([Checkpoint(alive.id, "still going", None)])

    assert await store.mark_streaming_interrupted(stale_before=cutoff) == 1
    fresh = await store.add_answer(conversation.id, draft)  # alive from its creation
    assert await store.mark_streaming_interrupted(stale_before=cutoff) == 0
    statuses = {m.id: m.status for m in await store.list_messages(conversation.id)}
    assert statuses == {
        alive.id: "streaming",
        orphan.id: "interrupted",
        finished.id: "complete",  # a final state is never touched
        fresh.id: "streaming",
    }
    assert await store.mark_streaming_interrupted() == 2  # alone on its database: all of them


async def test_an_answer_from_a_server_that_predates_alive_at_counts_from_its_creation(
    store: SqlChatStore,
):
    """During a rolling upgrade, older servers insert answers without `alive_at`."""
    conversation = await store.create_conversation("me", ConversationDraft("t", "m"))
    draft = MessageDraft(role="assistant", content="", status="streaming")
    answer = await store.add_answer(conversation.id, draft)
    async with store._db.begin() as connection:  # as an older server would have stored it
        await connection.execute(update(messages).values(alive_at=None))

    assert await store.mark_streaming_interrupted(answer.created_at - timedelta(seconds=1)) == 0
    assert await store.mark_streaming_interrupted(answer.created_at + timedelta(seconds=1)) == 1
