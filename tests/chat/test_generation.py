"""The event log of one answer: fan-out, exact resume by position, pings while idle."""

import asyncio
from datetime import UTC, datetime

from openchat.chat.events import done_payload
from openchat.chat.generation import Generation, GenerationRegistry


def new_generation() -> Generation:
    return Generation("c1", "m1", "a/b", datetime.now(UTC))


async def collect(generation: Generation, last_id: int, ping: float = 10.0) -> list[bytes]:
    return [frame async for frame in generation.frames_after(last_id, ping)]


async def test_every_subscriber_gets_every_frame_and_resume_is_a_slice():
    generation = new_generation()
    readers = [asyncio.create_task(collect(generation, 0)) for _ in range(3)]
    late = None
    for index in range(10):
        generation.add_text(f"t{index}")
        if index == 4:
            late = asyncio.create_task(collect(generation, 3))
        await asyncio.sleep(0)
    generation.finish(done_payload("m1", "stop", None, "complete"))
    outputs = [b"".join(await reader) for reader in readers]
    assert outputs[0] == outputs[1] == outputs[2]
    assert outputs[0].count(b"\n\n") == 11
    assert late is not None
    resumed = b"".join(await late)
    assert resumed.startswith(b"id: 4\n") and resumed == outputs[0][outputs[0].index(b"id: 4\n") :]
    assert generation.text == "".join(f"t{i}" for i in range(10))


async def test_idle_subscribers_are_pinged():
    generation = new_generation()
    reader = asyncio.create_task(collect(generation, 0, ping=0.02))
    await asyncio.sleep(0.07)
    generation.finish(done_payload("m1", "stop", None, "complete"))
    frames = await reader
    assert frames.count(b": ping\n\n") >= 2
    assert frames[-1].startswith(b"id: 1\n")


async def test_a_frame_moves_the_next_ping_a_whole_interval_on():
    generation = new_generation()
    loop = asyncio.get_running_loop()
    started = loop.time()
    seen: list[tuple[float, bytes]] = []

    async def read() -> None:
        async for frame in generation.frames_after(0, 0.2):
            seen.append((loop.time() - started, frame))

    reader = asyncio.create_task(read())
    await asyncio.sleep(0.22)  # just after the first ping
    generation.add_text("x")
    await asyncio.sleep(0.5)
    generation.finish(done_payload("m1", "stop", None, "complete"))
    await reader
    pings = [moment for moment, frame in seen if frame == b": ping\n\n"]
    chunk = next(moment for moment, frame in seen if frame.startswith(b"id: 1\n"))
    after = [moment for moment in pings if moment > chunk]
    assert pings[0] < chunk  # a silent start is pinged after one interval
    assert after and after[0] - chunk < 0.3  # one interval after the frame, not two


async def test_a_vanished_subscriber_leaves_no_waiter_behind():
    generation = new_generation()
    reader = asyncio.create_task(collect(generation, 0))
    await asyncio.sleep(0)
    reader.cancel()
    await asyncio.gather(reader, return_exceptions=True)
    generation.add_text("x")  # must not fail on the cancelled waiter
    assert generation.last_event_id == 1


async def test_registry_holds_finished_answers_for_a_grace_period():
    registry = GenerationRegistry(grace_seconds=0.05)
    generation = new_generation()
    registry.add(generation)
    generation.task = asyncio.create_task(asyncio.sleep(0))
    for token in ("Hel", "lo", "!"):
        generation.add_text(token)
    generation.add_reasoning("Greet")
    generation.finish(done_payload("m1", "stop", None, "complete"))
    assert registry.running("c1") is generation
    registry.release(generation)
    assert registry.running("c1") is None
    assert registry.recent("c1", "m1") is generation
    # Held for its log: the task and the text's pieces go at once.
    assert generation.task is None
    assert generation.text_parts == ["Hello!"] and generation.reasoning_parts == ["Greet"]
    resumed = b"".join(await collect(generation, 2))  # the log, as before
    assert resumed.startswith(b"id: 3\n") and b'"content":"!"' in resumed
    await asyncio.sleep(0.08)
    assert registry.recent("c1", "m1") is None
