"""SharedAnswers on a real Redis: claims across servers, the copy of an answer's events and its
relay elsewhere, stops passed on, and two ChatServices (two servers) on one database."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

import pytest
import redis.asyncio as redis

from openchat.chat.events import PING_FRAME, done_payload, start_payload
from openchat.chat.generation import Generation
from openchat.chat.service import ChatService, StoredAnswer
from openchat.chat.shared import Claim, SharedAnswers, claim_key
from openchat.chat.shared_events import events_key
from openchat.domain import Sampling, Turn
from openchat.errors import Conflict, NotFound, Unavailable
from openchat.storage.database import migrate, open_database
from openchat.storage.sql import SqlChatStore
from openchat.storage.store import MessageDraft
from openchat.upstream.openrouter import DeltaSink, Finished
from tests.servers import REDIS_PASSWORD

WAIT = 10.0  # seconds: the longest any step may take, on the slowest machine


@pytest.fixture
async def servers(redis_url: str) -> AsyncIterator[tuple[SharedAnswers, SharedAnswers]]:
    """What two servers share, each with its own connections."""
    pair = (SharedAnswers(redis_url), SharedAnswers(redis_url))
    yield pair
    for shared in pair:
        await shared.close()


def conversation() -> str:
    return f"test-{uuid.uuid4().hex}"


async def collect(frames: AsyncIterator[bytes]) -> bytes:
    async def read() -> bytes:
        return b"".join([frame async for frame in frames])

    return await asyncio.wait_for(read(), WAIT)


def running_generation(conversation_id: str, first_id: int = 0) -> Generation:
    generation = Generation(
        conversation_id, uuid.uuid4().hex, "m/x", datetime.now(UTC), "me", first_id
    )
    generation.publish(start_payload(generation.message_id, "m/x"))
    return generation


def finish(generation: Generation) -> None:
    generation.finish(done_payload(generation.message_id, "stop", None, "complete"))


async def test_one_claim_per_conversation_across_servers(servers):
    one, other = servers
    chat = conversation()
    assert await one.claim(chat)
    assert not await other.claim(chat)
    generation = running_generation(chat)
    one.copy(generation)  # which names it
    claim = await other.holder(chat)
    assert claim is not None and one.is_mine(claim) and not other.is_mine(claim)
    await one.release(chat)
    assert await one.holder(chat) is None
    assert await other.claim(chat)
    await other.release(chat)
    finish(generation)


async def test_a_late_drop_naming_or_renewal_leaves_a_newer_claim_alone(servers, redis_url):
    one, other = servers
    chat, raw = conversation(), redis.Redis.from_url(redis_url)
    key = claim_key(chat)
    assert await one.claim(chat)
    stale = one._held[chat].holder
    await one.release(chat)
    assert await other.claim(chat)
    newer = other._held[chat].holder
    # The first claim's drop, naming and renewal, reaching Redis late, change nothing.
    assert await one._drop(keys=[key], args=[stale]) == 0
    assert await one._name(keys=[key], args=[stale, "m-old 0"]) is None
    assert await one._renew(keys=[key], args=[stale, 30_000, stale]) == 0
    assert await raw.get(key) == newer.encode()
    # Nor does a naming that reaches Redis after its own claim's drop bring it back.
    await other.release(chat)
    assert await other._name(keys=[key], args=[newer, "m-new 0"]) is None
    assert await raw.get(key) is None
    await raw.aclose()


async def test_a_claim_whose_reply_was_lost_is_dropped_at_once(servers, monkeypatch):
    one, other = servers
    chat = conversation()
    taking = one._client.set

    async def taken_but_reply_lost(*args: object, **kwargs: object) -> None:
        await taking(*args, **kwargs)
        raise redis.ConnectionError("the reply was lost")

    monkeypatch.setattr(one._client, "set", taken_but_reply_lost)
    with pytest.raises(Unavailable):
        await one.claim(chat)
    assert await other.claim(chat), "a claim no server knows of held the conversation"
    # The renewals drop it again, should the SET land late: the other's claim stays.
    await one._renew_all()
    assert chat not in one._dropping
    claim = await other.holder(chat)
    assert claim is not None and other.is_mine(claim)
    await other.release(chat)


@pytest.fixture
async def restarting(
    redis_url: str,
) -> AsyncIterator[tuple[SharedAnswers, SharedAnswers, redis.Redis]]:
    """A writing server that renews every half second, a reading one, and Redis itself, to
    empty as a restart would."""
    writer, reader = SharedAnswers(redis_url, lease_ms=1500), SharedAnswers(redis_url)
    raw = redis.Redis.from_url(redis_url)
    await writer.start(lambda *_: None)
    yield writer, reader, raw
    await raw.aclose()
    for shared in (writer, reader):
        await shared.close()


async def relayed_to_its_end(
    writer: SharedAnswers, reader: SharedAnswers, chat: str, generation: Generation
) -> bytes:
    """What the reading server relays of the answer, once the writer ends it."""
    claim = await reader.holder(chat)
    assert claim is not None and claim.message_id == generation.message_id
    copy = await reader.follow(claim, chat, "me")
    await writer.release(chat)
    finish(generation)
    return await collect(copy.frames_after(0, 5.0))


async def test_renewals_put_back_the_claim_and_the_copy_redis_lost(restarting):
    writer, reader, raw = restarting
    chat = conversation()
    assert await writer.claim(chat)
    generation = running_generation(chat, first_id=1_000_000)
    writer.copy(generation)
    generation.add_text("before")
    named = f"{writer._held[chat].holder} {generation.message_id} 1000000".encode()
    await _until(lambda: raw.get(claim_key(chat)), named)
    await raw.delete(claim_key(chat), events_key(generation.message_id))  # a restart
    await _until(lambda: raw.get(claim_key(chat)), named)
    assert 0 < await raw.pttl(claim_key(chat)) <= 1500
    generation.add_text("after")
    relayed = await relayed_to_its_end(writer, reader, chat, generation)
    assert relayed == generation.frames_from(0)


async def test_a_claim_released_while_a_renewal_is_on_its_way_stays_released(redis_url):
    shared, raw = SharedAnswers(redis_url), redis.Redis.from_url(redis_url)
    try:
        for turns in range(12):  # the release lands at each point of the renewal's way
            chat = conversation()
            assert await shared.claim(chat)
            renewal = asyncio.create_task(shared._renew_all())
            for _ in range(turns):
                await asyncio.sleep(0)
            await shared.release(chat)
            await renewal
            assert await raw.get(claim_key(chat)) is None, f"put back after {turns} turns"
    finally:
        await raw.aclose()
        await shared.close()


async def test_a_busy_answer_whose_copy_redis_lost_is_copied_again(restarting):
    writer, reader, raw = restarting
    chat = conversation()
    assert await writer.claim(chat)
    generation = running_generation(chat)
    writer.copy(generation)
    generation.add_text("before")
    await _until(lambda: raw.exists(events_key(generation.message_id)), 1)
    await raw.delete(claim_key(chat), events_key(generation.message_id))  # a restart
    for piece in ("during", " the", " restart"):  # copied as they come, to a new stream
        generation.add_text(piece)
        await asyncio.sleep(0.05)
    await _until(lambda: raw.exists(claim_key(chat)), 1)
    relayed = await relayed_to_its_end(writer, reader, chat, generation)
    assert relayed == generation.frames_from(0)


async def _until(read: Callable[[], Awaitable[object]], expected: object) -> None:
    for _ in range(int(WAIT / 0.05)):
        if await read() == expected:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"never {expected!r}")


async def test_a_copy_with_events_missing_ends_for_its_readers_to_reconnect(servers, redis_url):
    _, other = servers
    chat, message, raw = conversation(), uuid.uuid4().hex, redis.Redis.from_url(redis_url)
    frame = b'id: 1\ndata: {"type":"start"}\n\n'
    await raw.set(claim_key(chat), f"gone/x {message} 0", px=30_000)
    await raw.xadd(events_key(message), {"first": 1, "last": 1, "frames": frame})
    await raw.xadd(events_key(message), {"first": 4, "last": 4, "frames": b"id: 4\n..."})
    claim = await other.holder(chat)
    assert claim is not None
    copy = await other.follow(claim, chat, "me")
    assert await collect(copy.frames_after(0, 5.0)) == frame  # then it ends, with no gap filled
    await raw.delete(claim_key(chat), events_key(message))
    await raw.aclose()


async def test_a_claim_is_renewed_while_held_and_lapses_when_its_server_is_gone(redis_url):
    alive = SharedAnswers(redis_url, lease_ms=1500)
    gone = SharedAnswers(redis_url, lease_ms=1500)  # never started: it renews nothing
    kept, lapsing = conversation(), conversation()
    await alive.start(lambda *_: None)
    try:
        assert await alive.claim(kept) and await gone.claim(lapsing)
        generation = running_generation(kept)
        alive.copy(generation)  # named: a reader need not wait for it
        await asyncio.sleep(2.5)
        assert await alive.holder(kept) is not None
        assert await alive.holder(lapsing) is None
        finish(generation)
    finally:
        await alive.release(kept)
        for shared in (alive, gone):
            await shared.close()


async def test_the_copy_names_the_claim_and_is_relayed_elsewhere_event_for_event(servers):
    one, other = servers
    chat = conversation()
    assert await one.claim(chat)
    generation = running_generation(chat, first_id=3_000_000)
    one.copy(generation)
    claim = await other.holder(chat)
    assert claim is not None and one.is_mine(claim)
    assert (claim.message_id, claim.first_id) == (generation.message_id, 3_000_000)
    copy = await other.follow(claim, chat, "me")
    assert await other.follow(claim, chat, "me") is copy  # one copy per answer and server
    whole = asyncio.create_task(collect(copy.frames_after(0, 5.0)))
    for piece in ("Hel", "lo", " there"):
        await asyncio.sleep(0.01)
        generation.add_text(piece)
    await one.release(chat)
    finish(generation)
    local = await collect(generation.frames_after(0, 5.0))
    assert await whole == local
    assert local.count(b"\n\n") == 5 and local.startswith(b"id: 3000001\n")
    # A reader that saw up to the second event gets exactly the rest.
    assert await collect(copy.frames_after(3_000_002, 5.0)) == generation.frames_from(2)


async def test_the_relay_skips_what_a_retried_copy_repeats_or_a_reader_saw(servers, redis_url):
    one, other = servers
    chat = conversation()
    assert await one.claim(chat)
    generation = running_generation(chat)
    for piece in ("a", "b", "c"):
        generation.add_text(piece)
    one.copy(generation)
    claim = await other.holder(chat)
    assert claim is not None and claim.message_id == generation.message_id
    copy = await other.follow(claim, chat, "me")
    # A reader that saw event 3 on the writing server, before this copy holds anything.
    resumed = asyncio.create_task(collect(copy.frames_after(3, 5.0)))
    # A copy retried after a fault that had reached Redis: events 2 to 5 again.
    generation.add_text("d")
    raw = redis.Redis.from_url(redis_url)
    await raw.xadd(
        events_key(generation.message_id),
        {"first": 2, "last": 5, "frames": generation.frames_from(1)},
    )
    await raw.aclose()
    await one.release(chat)
    finish(generation)
    assert await collect(copy.frames_after(0, 5.0)) == generation.frames_from(0)
    assert await resumed == generation.frames_from(3)


async def test_a_copy_pings_while_silent_and_ends_when_its_writer_is_gone(redis_url):
    dying = SharedAnswers(redis_url, lease_ms=1500)  # never started: it renews nothing
    other = SharedAnswers(redis_url, relay_block_ms=200)
    chat = conversation()
    try:
        assert await dying.claim(chat)
        generation = running_generation(chat)
        dying.copy(generation)
        claim = await other.holder(chat)
        assert claim is not None
        copy = await other.follow(claim, chat, "me")
        frames = await asyncio.wait_for(_frames(copy.frames_after(0, 0.15)), WAIT)
        assert frames[0].startswith(b"id: 1\n") and PING_FRAME in frames
        assert not any(b'"type":"done"' in frame for frame in frames)  # it never ended
        finish(generation)
    finally:
        for shared in (dying, other):
            await shared.close()


async def _frames(frames: AsyncIterator[bytes]) -> list[bytes]:
    return [frame async for frame in frames]


async def test_a_stop_reaches_only_the_server_that_writes(servers):
    one, other = servers
    asked: dict[str, list[tuple[str, str]]] = {"one": [], "other": []}
    await one.start(lambda *stop: asked["one"].append(stop))
    await other.start(lambda *stop: asked["other"].append(stop))
    await other.ask_to_stop(Claim(f"{one.server_id}/x", "m-1", 0), "chat-1")
    for _ in range(200):
        if asked["one"]:
            break
        await asyncio.sleep(0.01)
    assert asked == {"one": [("chat-1", "m-1")], "other": []}
    with pytest.raises(Unavailable, match="did not take the stop"):  # nobody listens there
        await other.ask_to_stop(Claim("gone/x", "m-2", 0), "chat-2")


async def test_stops_reach_a_server_again_once_redis_is_back(private_redis, caplog):
    caplog.set_level(logging.INFO, logger="openchat.chat.shared")
    listening, asking = SharedAnswers(private_redis.url), SharedAnswers(private_redis.url)
    asked: list[tuple[str, str]] = []
    try:
        await listening.start(lambda *stop: asked.append(stop))
        private_redis.stop()
        await asyncio.sleep(1.5)  # longer than the client's own retries
        private_redis.start()
        claim = Claim(f"{listening.server_id}/x", "m-1", 0)
        for _ in range(100):  # it subscribes again within a second or so
            try:
                await asking.ask_to_stop(claim, "chat-1")
            except Unavailable:  # not listening yet
                await asyncio.sleep(0.1)
                continue
            break
        for _ in range(100):
            if asked:
                break
            await asyncio.sleep(0.02)
        assert asked == [("chat-1", "m-1")]
        assert "Listening for stops in Redis failed (ConnectionError)" in caplog.text
        assert "Listening for stops in Redis again" in caplog.text
        assert REDIS_PASSWORD not in caplog.text
    finally:
        for shared in (listening, asking):
            await shared.close()


async def test_an_unreachable_redis_is_a_clear_503_soon():
    closed = SharedAnswers("redis://127.0.0.1:1/0")
    loop = asyncio.get_running_loop()
    started = loop.time()
    with pytest.raises(Unavailable) as refused:
        await closed.claim(conversation())
    assert loop.time() - started < 3  # a few quick retries, not a long wait
    assert refused.value.status_code == 503
    assert refused.value.detail == (
        "Redis, which the servers share, cannot be reached. Try again shortly."
    )
    await closed.close()


# Two servers: two ChatServices on one database and one Redis ------------------------------


async def steady(
    _model: str, _turns: Sequence[Turn], sink: DeltaSink, _sampling: Sampling
) -> Finished:
    for _ in range(100):
        await asyncio.sleep(0.01)
        sink.add_text("x")
    return Finished("stop", None)


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[SqlChatStore]:
    database = open_database(f"sqlite:///{tmp_path / 'chat.db'}")
    await migrate(database)
    yield SqlChatStore(database)
    await database.dispose()


async def two_services(
    store: SqlChatStore, redis_url: str, stream_chat: object
) -> tuple[ChatService, ChatService]:
    pair = tuple(
        ChatService(
            store,
            stream_chat,  # type: ignore[arg-type]
            "m/default",
            shared_answers=SharedAnswers(redis_url),
        )
        for _ in range(2)
    )
    for chat in pair:
        await chat.start()
    return pair[0], pair[1]


async def close(*services: ChatService) -> None:
    for chat in services:
        await chat.close()
        await chat._answers.close()  # type: ignore[union-attr]


async def test_two_servers_one_answer(database, redis_url):
    one, other = await two_services(database, redis_url, steady)
    try:
        chat = await one.create_conversation("me", None, None, None)
        await one.send(chat, "hi", None, None)
        copy = await other.open_stream("me", chat.id, None)
        assert isinstance(copy, Generation) and other._registry.running(chat.id) is None
        there = asyncio.create_task(collect(copy.frames_after(0, 5.0)))
        here = await one.open_stream("me", chat.id, None)
        assert isinstance(here, Generation) and one._registry.running(chat.id) is here
        assert await collect(here.frames_after(0, 5.0)) == await there
        # The claim goes with the answer: the next question may go to either server.
        question = await other.send(chat, "again", None, None)
        with pytest.raises(Conflict):
            await one.send(chat, "too soon", None, None)
        with pytest.raises(Conflict):  # a question of the thread: its answer runs elsewhere
            await one.edit(chat, question.id, "edited", None, None)
        with pytest.raises(NotFound):  # no such message, whatever runs
            await one.edit(chat, uuid.uuid4().hex, "edited", None, None)
        copy = await one.open_stream("me", chat.id, None)
        assert isinstance(copy, Generation)
        await asyncio.wait_for(_first_chunk(copy), WAIT)
        stopped = await one.stop(chat)  # asked of the server that does not write it
        assert stopped.status == "cancelled" and stopped.content.startswith("x")
        assert (await other.messages(chat))[-1].status == "cancelled"
    finally:
        await close(one, other)


async def _first_chunk(answer: Generation) -> None:
    frames = answer.frames_after(0, 5.0)
    async for frame in frames:
        if b'"type":"chunk"' in frame:
            break
    await frames.aclose()  # type: ignore[attr-defined]


async def test_an_answer_no_server_writes_is_replayed_as_interrupted(database, redis_url):
    one, other = await two_services(database, redis_url, steady)
    try:
        chat = await one.create_conversation("me", None, None, None)
        await database.add_exchange(  # rows a server left streaming, with no claim in Redis
            chat.id,
            MessageDraft(role="user", content="hi", model="m/x"),
            MessageDraft(role="assistant", content="", model="m/x", status="streaming"),
            None,
        )
        replay = await other.open_stream("me", chat.id, None)
        assert isinstance(replay, StoredAnswer) and replay.message.status == "interrupted"
        assert replay.message.error is not None and "cannot be reached" in replay.message.error
        assert (await other.messages(chat))[-1].status == "streaming"  # stored as it was
    finally:
        await close(one, other)


async def test_an_answer_that_fails_at_once_leaves_no_claim_behind(database, redis_url):
    one, other = await two_services(database, redis_url, None)  # no key: each answer fails
    try:
        chat = await one.create_conversation("me", None, None, None)
        for turn in range(20):
            service = (one, other)[turn % 2]
            await service.send(chat, f"question {turn}", None, None)
            source = await service.open_stream("me", chat.id, None)
            assert isinstance(source, Generation)
            assert b'"type":"error"' in await collect(source.frames_after(0, 5.0))
        assert len(await one.messages(chat)) == 40
    finally:
        await close(one, other)
