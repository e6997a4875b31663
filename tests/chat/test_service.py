"""ChatService interleavings on the real store with a scripted upstream: stop during the final
save, a double stop, and a stop before the answer's task ran."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from pathlib import Path

import pytest
from sqlalchemy import text

from openchat.chat.service import CHECKPOINT_BATCH, ChatService
from openchat.domain import Message, Sampling, Turn, Usage
from openchat.storage.database import migrate, open_database
from openchat.storage.sql import SqlChatStore
from openchat.storage.store import AnswerUpdate
from openchat.upstream.openrouter import DeltaSink, Finished


class SlowFinalSave(SqlChatStore):
    """The real store, with a final save that takes a while (a busy database)."""

    in_final_save: asyncio.Event

    async def finish_answer(self, update_: AnswerUpdate) -> Message:
        self.in_final_save.set()
        await asyncio.sleep(0.2)
        return await super().finish_answer(update_)


async def scripted(
    _model: str, _turns: Sequence[Turn], sink: DeltaSink, _sampling: Sampling
) -> Finished:
    for piece in ("Hel", "lo ", "there"):
        await asyncio.sleep(0.01)
        sink.add_text(piece)
    return Finished("stop", Usage(1, 3, 4, 0.001))


async def endless(
    _model: str, _turns: Sequence[Turn], sink: DeltaSink, _sampling: Sampling
) -> Finished:
    while True:
        await asyncio.sleep(0.01)
        sink.add_text("x")


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SlowFinalSave]:
    database = open_database(f"sqlite:///{tmp_path / 'chat.db'}")
    await migrate(database)
    slow = SlowFinalSave(database)
    slow.in_final_save = asyncio.Event()
    yield slow
    await database.dispose()


async def stored_answer(store: SqlChatStore, conversation_id: str) -> Message:
    return (await store.list_messages(conversation_id))[-1]


async def test_stop_during_the_final_save_keeps_the_whole_answer(store: SlowFinalSave):
    chat = ChatService(store, scripted, "m/default")
    await chat.start()
    conversation = await chat.create_conversation("me", None, None, None)
    await chat.send(conversation, "hi", None, None)
    await asyncio.wait_for(store.in_final_save.wait(), 5)
    first, second = await asyncio.gather(chat.stop(conversation), chat.stop(conversation))
    assert first.status == second.status == "complete"
    assert first.content == "Hello there" and first.usage is not None
    answer = await stored_answer(store, conversation.id)
    assert (answer.status, answer.content) == ("complete", "Hello there")
    await chat.close()


async def test_a_double_stop_stores_the_partial_text_once(store: SlowFinalSave):
    chat = ChatService(store, endless, "m/default")
    await chat.start()
    conversation = await chat.create_conversation("me", None, None, None)
    await chat.send(conversation, "go", None, None)
    await asyncio.sleep(0.1)
    first, second = await asyncio.gather(chat.stop(conversation), chat.stop(conversation))
    assert first.status == second.status == "cancelled"
    assert first.content == second.content and first.content.startswith("xxx")
    answer = await stored_answer(store, conversation.id)
    assert (answer.status, answer.content) == ("cancelled", first.content)
    await chat.close()


async def test_stop_before_the_task_ran(store: SlowFinalSave):
    chat = ChatService(store, endless, "m/default")
    await chat.start()
    conversation = await chat.create_conversation("me", None, None, None)
    await chat.send(conversation, "go", None, None)
    stopped = await chat.stop(conversation)  # no await between send and stop: the task never ran
    assert stopped.status == "cancelled" and stopped.content == ""
    await chat.close()


async def test_shutdown_before_the_task_ran_stores_the_answer_interrupted(store: SlowFinalSave):
    chat = ChatService(store, endless, "m/default")
    await chat.start()
    conversation = await chat.create_conversation("me", None, None, None)
    await chat.send(conversation, "go", None, None)
    await chat.close()  # no await between send and close: the task never ran
    answer = await stored_answer(store, conversation.id)
    assert (answer.status, answer.content) == ("interrupted", "")
    assert answer.error is not None and "server" in answer.error.lower()


async def test_shutdown_during_the_final_save_waits_for_it(store: SlowFinalSave):
    chat = ChatService(store, scripted, "m/default")
    await chat.start()
    conversation = await chat.create_conversation("me", None, None, None)
    await chat.send(conversation, "hi", None, None)
    await asyncio.wait_for(store.in_final_save.wait(), 5)
    await chat.close()
    answer = await stored_answer(store, conversation.id)
    assert (answer.status, answer.content) == ("complete", "Hello there")


async def test_checkpoints_reach_every_running_answer_batch_by_batch(store: SlowFinalSave):
    chat = ChatService(store, endless, "m/default", checkpoint_interval=0.05)
    await chat.start()
    conversations = [
        await chat.create_conversation("me", None, None, None)
        for _ in range(CHECKPOINT_BATCH * 2 + 3)
    ]
    for conversation in conversations:
        await chat.send(conversation, "go", None, None)
    await asyncio.sleep(0.5)
    for conversation in conversations:
        answer = await stored_answer(store, conversation.id)
        assert answer.status == "streaming" and answer.content.startswith("x"), conversation.id
    await chat.close()


async def silent(
    _model: str, _turns: Sequence[Turn], _sink: DeltaSink, _sampling: Sampling
) -> Finished:
    await asyncio.Event().wait()  # a model thinking for a long time, saying nothing
    raise AssertionError("never")


async def test_on_a_shared_database_servers_interrupt_only_the_answers_of_a_dead_one(
    store: SlowFinalSave,
):
    """Two servers on one database: one starting does not interrupt the other's answers,
    even a silent one, as long as the other keeps checkpointing; once it stops, it does."""
    shared = {"checkpoint_interval": 0.02, "shared_database": True, "stale_after": 0.6}
    first = ChatService(store, silent, "m/default", **shared)  # type: ignore[arg-type]
    await first.start()
    conversation = await first.create_conversation("me", None, None, None)
    await first.send(conversation, "think hard", None, None)

    second = ChatService(store, scripted, "m/default", **shared)  # type: ignore[arg-type]
    await second.start()  # a restart elsewhere
    await asyncio.sleep(1.0)  # past the stale time, with sweeps by both
    assert (await stored_answer(store, conversation.id)).status == "streaming"

    # The first server dies: no more checkpoints, nor a final save.
    assert first._checkpoints is not None
    first._checkpoints.cancel()
    for _ in range(100):
        await asyncio.sleep(0.05)
        if (await stored_answer(store, conversation.id)).status != "streaming":
            break
    assert (await stored_answer(store, conversation.id)).status == "interrupted"
    await second.close()
    await first.close()


async def test_on_its_own_database_a_server_interrupts_every_answer_left_streaming(
    store: SlowFinalSave,
):
    first = ChatService(store, silent, "m/default")
    await first.start()
    conversation = await first.create_conversation("me", None, None, None)
    await first.send(conversation, "think hard", None, None)
    await asyncio.sleep(0.05)
    restarted = ChatService(store, scripted, "m/default")  # the same database, after a crash
    await restarted.start()
    assert (await stored_answer(store, conversation.id)).status == "interrupted"
    await restarted.close()
    await first.close()


async def test_a_shared_server_keeps_its_silent_answers_alive_whatever_its_checkpoint_interval(
    store: SlowFinalSave,
):
    # Text is saved every 2 s, yet the silent answer is kept alive within the 0.6 s.
    settings = {"checkpoint_interval": 2.0, "shared_database": True, "stale_after": 0.6}
    first = ChatService(store, silent, "m/default", **settings)  # type: ignore[arg-type]
    await first.start()
    conversation = await first.create_conversation("me", None, None, None)
    await first.send(conversation, "think hard", None, None)
    quick = {**settings, "checkpoint_interval": 0.02}
    other = ChatService(store, scripted, "m/default", **quick)  # type: ignore[arg-type]
    await other.start()
    await asyncio.sleep(1.2)  # three sweeps by the other
    assert (await stored_answer(store, conversation.id)).status == "streaming"
    await other.close()
    await first.close()


async def test_a_server_alone_never_sweeps_while_it_runs(store: SlowFinalSave):
    chat = ChatService(store, silent, "m/default", checkpoint_interval=0.02, stale_after=0.2)
    await chat.start()
    conversation = await chat.create_conversation("me", None, None, None)
    await chat.send(conversation, "think hard", None, None)
    await asyncio.sleep(0.6)  # three times the stale time, with no heartbeat at all
    assert (await stored_answer(store, conversation.id)).status == "streaming"
    await chat.close()


async def test_finished_messages_reach_the_search_index_without_a_search(tmp_path: Path):
    database = open_database(f"sqlite:///{tmp_path / 'index.db'}")
    await migrate(database)

    async def waiting() -> int:
        async with database.connect() as connection:
            count = text("SELECT count(*) FROM messages_unindexed")
            return int((await connection.execute(count)).first()[0])

    chat_store = SqlChatStore(database)
    chat = ChatService(chat_store, scripted, "m/default", checkpoint_interval=0.05)
    await chat.start()
    try:
        conversations = [await chat.create_conversation("me", None, None, None) for _ in range(3)]
        for conversation in conversations:
            await chat.send(conversation, "go", None, None)
        assert await waiting() == 3  # the questions, until the next tick
        for _ in range(250):  # the answers end, and the next tick indexes them
            answers = [await stored_answer(chat_store, c.id) for c in conversations]
            if all(a.status == "complete" for a in answers) and await waiting() == 0:
                break
            await asyncio.sleep(0.02)
        else:
            pytest.fail("the finished messages were not indexed")
        fts = text("SELECT count(*) FROM messages_fts WHERE messages_fts MATCH 'hello'")
        async with database.connect() as connection:
            assert (await connection.execute(fts)).first()[0] == 3  # the answers
    finally:
        await chat.close()
        await database.dispose()
