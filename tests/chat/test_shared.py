"""SharedAnswers on a real Redis: claims across servers, the copy of an answer's events and its
reading elsewhere, stops passed on, and two ChatServices (two servers) on one database."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime
from pathlib import Path

import pytest
import redis.asyncio as redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from openchat.chat.events import PING_FRAME, done_payload, start_payload
from openchat.chat.generation import Generation
from openchat.chat.service import ChatService
from openchat.chat.shared import Claim, SharedAnswers, connect, events_key
from openchat.domain import Turn
from openchat.errors import Unavailable
from openchat.storage.database import migrate, open_database
from openchat.storage.sql import SqlChatStore
from openchat.upstream.openrouter import Delta, Finished, TextDelta
from tests.servers import REDIS_PASSWORD


@pytest.fixture
async def servers(redis_url: str) -> AsyncIterator[tuple[SharedAnswers, SharedAnswers]]:
    """What two servers share, each with its own connections."""
    pair = (SharedAnswers(connect(redis_url)), SharedAnswers(connect(redis_url)))
    yield pair
    for shared in pair:
        await shared.close()


def conversation() -> str:
    return f"test-{uuid.uuid4().hex}"


async def collect(frames: AsyncIterator[bytes]) -> bytes:
    return b"".join([frame async for frame in frames])


def running_generation(conversation_id: str, first_id: int = 0) -> Generation:
    generation = Generation(
        conversation_id, uuid.uuid4().hex, "m/x", datetime.now(UTC), first_id=first_id
    )
    generation.publish(start_payload(generation.message_id, "m/x"))
    return generation


async def test_one_claim_per_conversation_across_servers(servers):
    one, other = servers
    chat = conversation()
    assert await one.claim(chat)
    assert not await other.claim(chat)
    assert (await other.holder(chat)) == Claim(one.server_id)
    await other.release(chat)  # not its claim: nothing happens
    assert (await one.holder(chat)) == Claim(one.server_id)
    await one.release(chat)
    assert await one.holder(chat) is None
    assert await other.claim(chat)
    await other.release(chat)


async def test_a_claim_lapses_unless_renewed(redis_url: str):
    brief = SharedAnswers(connect(redis_url), lease=0.3)
    renewed, lapsing = conversation(), conversation()
    try:
        assert await brief.claim(renewed) and await brief.claim(lapsing)
        for _ in range(4):
            await asyncio.sleep(0.15)
            await brief.renew([renewed])
        assert await brief.holder(renewed) is not None
        assert await brief.holder(lapsing) is None
    finally:
        await brief.release(renewed)
        await brief.close()


async def test_the_copy_names_the_claim_and_is_read_elsewhere_event_for_event(servers):
    one, other = servers
    chat = conversation()
    assert await one.claim(chat)
    generation = running_generation(chat, first_id=3_000_000)
    one.copy(generation)
    claim = await other.named_holder(chat)
    assert claim == Claim(one.server_id, generation.message_id, 3_000_000)
    reader = other.reader(chat, claim)
    whole = asyncio.create_task(collect(reader.frames_after(0, 5.0)))
    for piece in ("Hel", "lo", " there"):
        await asyncio.sleep(0.01)
        generation.add_text(piece)
    await one.release(chat)
    generation.finish(done_payload(generation.message_id, "stop", None, "complete"))
    local = await collect(generation.frames_after(0, 5.0))
    assert await asyncio.wait_for(whole, 5) == local
    assert local.count(b"\n\n") == 5 and local.startswith(b"id: 3000001\n")
    # A reader that saw up to the second event gets exactly the rest, in one batch.
    rest = await collect(reader.frames_after(3_000_002, 5.0))
    assert rest == generation.frames_from(2)


async def test_a_reader_skips_what_a_retried_copy_repeats(servers, redis_url):
    one, other = servers
    chat = conversation()
    assert await one.claim(chat)
    generation = running_generation(chat)
    for piece in ("a", "b", "c"):
        generation.add_text(piece)
    one.copy(generation)
    claim = await other.named_holder(chat)
    assert claim is not None
    # A copy retried after a fault that had reached Redis: events 2 to 4 again, then 5.
    generation.add_text("d")
    raw = redis.Redis.from_url(redis_url)
    await raw.xadd(
        events_key(generation.message_id),
        {"first": 2, "last": 5, "frames": generation.frames_from(1)},
    )
    await raw.aclose()
    await one.release(chat)
    generation.finish(done_payload(generation.message_id, "stop", None, "complete"))
    relayed = await asyncio.wait_for(collect(other.reader(chat, claim).frames_after(0, 5.0)), 5)
    assert relayed == generation.frames_from(0)
    resumed = other.reader(chat, claim).frames_after(3, 5.0)
    assert await asyncio.wait_for(collect(resumed), 5) == generation.frames_from(3)


async def test_a_reader_pings_while_silent_and_ends_when_the_writer_is_gone(redis_url, servers):
    _, other = servers
    dying = SharedAnswers(connect(redis_url), lease=0.4)  # a server that stops renewing
    chat = conversation()
    assert await dying.claim(chat)
    generation = running_generation(chat)
    dying.copy(generation)
    claim = await other.named_holder(chat)
    assert claim is not None
    frames = [frame async for frame in other.reader(chat, claim).frames_after(0, 0.15)]
    assert frames[0].startswith(b"id: 1\n") and PING_FRAME in frames
    assert not any(b'"type":"done"' in frame for frame in frames)  # it never ended
    generation.finish(done_payload(generation.message_id, "stop", None, "complete"))
    await dying.close()


async def test_a_stop_reaches_only_the_server_that_writes(servers):
    one, other = servers
    asked: dict[str, list[str]] = {"one": [], "other": []}
    await one.start(asked["one"].append)
    await other.start(asked["other"].append)
    await other.ask_to_stop(Claim(one.server_id, "m", 0), "chat-1")
    for _ in range(100):
        if asked["one"]:
            break
        await asyncio.sleep(0.01)
    assert asked == {"one": ["chat-1"], "other": []}


async def test_stops_reach_a_server_again_once_redis_is_back(private_redis, caplog):
    listening, asking = (
        SharedAnswers(connect(private_redis.url)),
        SharedAnswers(connect(private_redis.url)),
    )
    caplog.set_level(logging.INFO, logger="openchat.chat.shared")
    asked: list[str] = []
    await listening.start(asked.append)
    private_redis.stop()
    await asyncio.sleep(0.3)
    private_redis.start()
    claim = Claim(listening.server_id, "m", 0)
    for _ in range(60):  # it subscribes again within a second or so
        await asking.ask_to_stop(claim, "chat-1")
        if asked:
            break
        await asyncio.sleep(0.1)
    assert asked[:1] == ["chat-1"]
    assert "Listening for stops in Redis failed (ConnectionError)" in caplog.text
    assert "Listening for stops in Redis again" in caplog.text
    assert REDIS_PASSWORD not in caplog.text
    for shared in (listening, asking):
        await shared.close()


async def test_an_unreachable_redis_is_a_clear_503():
    closed = SharedAnswers(
        redis.Redis(port=1, socket_connect_timeout=1, retry=Retry(NoBackoff(), 0))
    )
    with pytest.raises(Unavailable) as refused:
        await closed.claim(conversation())
    assert refused.value.status_code == 503
    assert "Redis" in refused.value.detail and "port" not in refused.value.detail
    await closed.close()


# Two servers: two ChatServices on one database and one Redis ------------------------------


async def steady(_model: str, _turns: Sequence[Turn]) -> AsyncIterator[Delta]:
    for _ in range(40):
        await asyncio.sleep(0.01)
        yield TextDelta("x")
    yield Finished("stop", None)


@pytest.fixture
async def two_servers(
    tmp_path: Path, redis_url: str
) -> AsyncIterator[tuple[ChatService, ChatService]]:
    database = open_database(f"sqlite:///{tmp_path / 'chat.db'}")
    await migrate(database)
    pair = tuple(
        ChatService(
            SqlChatStore(database),
            steady,
            "m/default",
            shared_answers=SharedAnswers(connect(redis_url)),
        )
        for _ in range(2)
    )
    for chat in pair:
        await chat.start()
    yield pair[0], pair[1]
    for chat in pair:
        await chat.close()
        await chat._answers.close()  # type: ignore[union-attr]
    await database.dispose()


async def test_two_servers_one_answer(two_servers):
    one, other = two_servers
    conversation_ = await one.create_conversation("me", None, None, None)
    await one.send(conversation_, "hi", None, None)
    source = await other.open_stream("me", conversation_.id, None)
    assert type(source).__name__ == "RemoteAnswer"
    there = asyncio.create_task(collect(source.frames_after(0, 5.0)))
    here_source = await one.open_stream("me", conversation_.id, None)
    assert isinstance(here_source, Generation)
    here = await collect(here_source.frames_after(0, 5.0))
    assert await asyncio.wait_for(there, 5) == here
    # The claim is gone with the answer: the next question may go to either server.
    await other.send(conversation_, "again", None, None)
    stopped = await one.stop(conversation_)
    assert stopped.status == "cancelled"
    assert (await other.messages(conversation_))[-1].status == "cancelled"
