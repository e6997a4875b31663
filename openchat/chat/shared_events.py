"""An answer's events in Redis: copied there by the server that writes it (EventCopier),
relayed from there by the others (RemoteRelay).

Each answer's copy is a Redis stream, `openchat:events:<message>`. An entry holds frames as
they were encoded (`frames`, back to back, each ending with the only blank line it holds)
with the ids of the first and last (`first`, `last`); a last entry `end` follows the closing
event. A copy retried after a fault may repeat frames: readers skip ids they have.

Each call into the Redis client costs about as much as relaying a few tokens, so each side
makes one call for all answers at a time: the copier one pipeline per turn, carrying every
answer's new frames; the relay one blocking read of every copy this server's readers follow,
into a local Generation per answer that its readers read as they would a local one.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import redis.asyncio as redis
from redis.exceptions import RedisError

from openchat.chat.generation import Generation

log = logging.getLogger(__name__)

EVENTS_KEPT_MS = 120_000  # an answer's copy outlives its end by this (and is renewed meanwhile)
RETRY_WAIT = 1.0  # seconds between attempts while Redis does not answer
RELAY_BLOCK_MS = 5_000  # the longest blocking read; the relay checks for lost writers between
READ_BATCH = 1_000  # entries per copy and read
GATHER_WAIT = 0.01  # seconds between reads that found something
WAKE_KEPT = 100  # entries kept in a relay's wake-up stream
WAKE_KEPT_MS = 3_600_000


def events_key(message_id: str) -> str:
    return f"openchat:events:{message_id}"


def wake_key(server_id: str) -> str:
    return f"openchat:wake:{server_id}"


class EventCopier:
    """Copies the events of this server's answers to Redis, all answers in one pipeline a turn.

    A publish only notes its answer; `on_first(pipe, generation)` adds what must go with an
    answer's first copy (naming its claim), and says how many commands it added. While Redis does not answer, new frames wait (the
    fault logged once) and are copied when it does.
    """

    def __init__(
        self,
        client: redis.Redis,
        on_first: Callable[[Any, Generation], Awaitable[int]] | None = None,
    ) -> None:
        self._client = client
        self._on_first = on_first
        self._copied: dict[Generation, int] = {}  # answers being copied: frames copied so far
        self._due: dict[Generation, None] = {}  # those with something new, in order
        self._wake = asyncio.Event()
        self._drained = asyncio.Event()  # set while no answer is being copied
        self._drained.set()
        self._task: asyncio.Task[None] | None = None

    @property
    def copying(self) -> list[Generation]:
        return list(self._copied)

    def copy(self, generation: Generation) -> None:
        self._copied[generation] = 0
        self._drained.clear()
        generation.on_publish = self._note
        self._note(generation)
        if self._task is None:
            self._task = asyncio.create_task(self._run())

    async def close(self, wait: float) -> None:
        """Copy what is left, for up to `wait` seconds; then stop."""
        if self._task is None:
            return
        try:
            await asyncio.wait_for(self._drained.wait(), wait)
        except TimeoutError:
            log.warning("Stopped copying %d answers' events to Redis", len(self._copied))
        self._task.cancel()
        await asyncio.gather(self._task, return_exceptions=True)

    def copy_again(self, generation: Generation) -> None:
        """Copy the answer from its first event again (Redis lost the copy); readers skip the
        events they have."""
        if self._copied.get(generation):
            self._copied[generation] = 0
            self._note(generation)
            log.warning("Copying an answer's events to Redis again, from the first")

    def _note(self, generation: Generation) -> None:
        self._due[generation] = None
        self._wake.set()

    async def _run(self) -> None:
        failing = False
        while True:
            await self._wake.wait()
            self._wake.clear()
            due, self._due = self._due, {}
            try:
                await self._copy_new(list(due))
            except Exception as error:  # Redis, or a fault of ours: the copy must go on
                if not failing:
                    log.error("Copying answers' events to Redis failed: %s", type(error).__name__)
                failing = True
                self._due = due | self._due
                await asyncio.sleep(RETRY_WAIT)
                self._wake.set()
                continue
            if failing:
                log.info("Copying answers' events to Redis again")
                failing = False

    async def _copy_new(self, generations: list[Generation]) -> None:
        """One pipeline: each answer's new frames, an `end` after its last, its claim named with
        its first. Past its first entry, an entry is added only to a copy that still exists: a
        copy Redis lost (a restart) is copied again from the start."""
        turns: list[_Turn] = []
        commands = 0
        async with self._client.pipeline(transaction=False) as pipe:
            for generation in generations:
                if generation not in self._copied:  # noted again as its end was copied
                    continue
                done, total = self._copied[generation], generation.frame_count
                turn = _Turn(generation, done, total, generation.finished)
                key = events_key(generation.message_id)
                if done == 0 and self._on_first is not None:
                    commands += await self._on_first(pipe, generation)
                if total > done:
                    first, last = generation.first_id + done + 1, generation.first_id + total
                    frames = generation.frames_from(done)
                    entry = {"first": first, "last": last, "frames": frames}
                    pipe.xadd(key, entry, nomkstream=done > 0)  # type: ignore[arg-type]
                    turn.added = commands
                    commands += 1
                if turn.ended:
                    pipe.xadd(key, {"end": 1}, nomkstream=done > 0)
                    turn.added = commands if turn.added is None else turn.added
                    commands += 1
                if done == 0 or turn.ended:
                    pipe.pexpire(key, EVENTS_KEPT_MS)
                    commands += 1
                turns.append(turn)
            results = await pipe.execute()
        for turn in turns:
            generation = turn.generation
            if self._copied.get(generation) != turn.done:  # copied again meanwhile
                continue
            if turn.added is not None and results[turn.added] is None:  # Redis lost the copy
                self.copy_again(generation)
            elif turn.ended:
                del self._copied[generation]
                generation.on_publish = None
            else:
                self._copied[generation] = turn.total
        if not self._copied:
            self._drained.set()


@dataclass(slots=True)
class _Turn:
    """What one pipeline copies of one answer."""

    generation: Generation
    done: int  # frames copied before
    total: int  # frames copied with this turn
    ended: bool  # its closing event is within `total`
    added: int | None = None  # the place of its first XADD in the pipeline


class RemoteRelay:
    """Follows the copies of other servers' answers that this server's readers read: one
    blocking read for them all, each copy into a local Generation (its mirror).

    A reader joining wakes the read through this server's wake-up stream. A mirror ends at its
    copy's `end`, or, with no closing event, once `still_written(conversation, message)` says
    its writer no longer holds the answer and nothing more came (a server that died).
    """

    def __init__(
        self,
        client: redis.Redis,
        commands: redis.Redis,
        server_id: str,
        still_written: Callable[[list[tuple[str, str]]], Any],
        block_ms: int = RELAY_BLOCK_MS,
        give_up_after: float = 30.0,
    ) -> None:
        self._client = client  # a connection of its own: it blocks
        self._block_ms = block_ms
        self._give_up_after = give_up_after  # seconds without Redis before copies end
        self._commands = commands
        self._wake_key = wake_key(server_id)
        self._wake_position = b"0-0"
        self._still_written = still_written
        self._mirrors: dict[str, Generation] = {}  # by message id
        self._positions: dict[str, bytes] = {}  # by message id: the last entry read
        self._quiet: set[str] = set()  # message ids with nothing new since the last check
        self._joined = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def follow(
        self, conversation_id: str, owner_id: str, message_id: str, first_id: int
    ) -> Generation:
        """The mirror of another server's answer, followed from its first event."""
        mirror = self._mirrors.get(message_id)
        if mirror is not None:
            return mirror
        now = datetime.now(UTC)
        mirror = Generation(conversation_id, message_id, "", now, owner_id, first_id, is_copy=True)
        self._mirrors[message_id] = mirror
        self._positions[message_id] = b"0-0"
        self._joined.set()
        if self._task is None:
            self._task = asyncio.create_task(self._run())
        else:  # end the blocking read under way, so that it reads this copy too
            try:
                async with self._commands.pipeline(transaction=False) as pipe:
                    pipe.xadd(self._wake_key, {"joined": message_id}, maxlen=WAKE_KEPT)
                    pipe.pexpire(self._wake_key, WAKE_KEPT_MS)  # a dead server's goes too
                    await pipe.execute()
            except RedisError as error:  # the next read, within RELAY_BLOCK_MS, includes it
                log.error("Waking the relay in Redis failed: %s", type(error).__name__)
        return mirror

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        self._end_all()
        with contextlib.suppress(RedisError):  # else it expires, with nothing that matters
            await self._commands.delete(self._wake_key)

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        checked = loop.time()
        failing_since: float | None = None
        while True:
            if not self._mirrors:
                self._joined.clear()
                await self._joined.wait()
            streams: dict[Any, Any] = {events_key(m): at for m, at in self._positions.items()}
            streams[self._wake_key] = self._wake_position
            try:
                reply: Any = await self._client.xread(
                    streams, count=READ_BATCH, block=self._block_ms
                )
                if failing_since is not None:
                    log.info("Reading answers' events from Redis again")
                    failing_since = None
                self._relay(_entries_by_key(reply))
                if reply:  # let the next entries gather: one read then carries many answers'
                    await asyncio.sleep(GATHER_WAIT)
                if loop.time() - checked >= self._block_ms / 1000:
                    checked = loop.time()
                    await self._end_abandoned()
            except Exception as error:  # Redis, or a fault of ours: the relay must go on
                if failing_since is None:
                    log.error("Reading answers' events from Redis failed: %s", type(error).__name__)
                    failing_since = loop.time()
                elif loop.time() - failing_since > self._give_up_after:
                    self._end_all()  # their readers reconnect, and read what is stored
                await asyncio.sleep(RETRY_WAIT)

    def _relay(self, entries_by_key: dict[str, list[Any]]) -> None:
        for key, entries in entries_by_key.items():
            if key == self._wake_key:
                self._wake_position = entries[-1][0]
                continue
            message_id = key.removeprefix(events_key(""))
            mirror = self._mirrors.get(message_id)
            if mirror is None:
                continue
            self._quiet.discard(message_id)
            self._positions[message_id] = entries[-1][0]
            for _, fields in entries:
                if b"end" in fields:
                    self._drop(message_id)
                    mirror.end()
                    break
                first, last = int(fields[b"first"]), int(fields[b"last"])
                whole = fields[b"frames"].endswith(b"\n\n")
                if first > mirror.last_event_id + 1 or not whole:  # events lost, or cut short
                    log.warning("An answer's copy in Redis lost events; its readers reconnect")
                    self._drop(message_id)
                    mirror.end()
                    break
                if last > mirror.last_event_id:  # else a retried copy repeats it
                    skipped = mirror.last_event_id - first + 1
                    mirror.append_frames(_after(fields[b"frames"], skipped))

    async def _end_abandoned(self) -> None:
        """End the copies that got nothing since the last check and whose writer no longer
        holds their answer, once what reached Redis meanwhile is relayed."""
        quiet = [
            (mirror.conversation_id, message_id)
            for message_id, mirror in self._mirrors.items()
            if message_id in self._quiet
        ]
        held = await self._still_written(quiet) if quiet else []
        gone = [message for (_, message), written in zip(quiet, held, strict=True) if not written]
        if gone:  # the writer drops its claim just before it copies the closing event
            positions: dict[Any, Any] = {events_key(m): self._positions[m] for m in gone}
            self._relay(_entries_by_key(await self._client.xread(positions, count=READ_BATCH)))
        for message_id in gone:
            if (mirror := self._mirrors.get(message_id)) is not None:
                self._drop(message_id)
                mirror.end()
        self._quiet = set(self._mirrors)

    def _end_all(self) -> None:
        for message_id, mirror in list(self._mirrors.items()):
            self._drop(message_id)
            mirror.end()

    def _drop(self, message_id: str) -> None:
        del self._mirrors[message_id]
        del self._positions[message_id]
        self._quiet.discard(message_id)


def _entries_by_key(reply: Any) -> dict[str, list[Any]]:
    """XREAD's reply, as RESP2 (a list of pairs) or RESP3 (a map) gives it."""
    if not reply:
        return {}
    pairs = reply.items() if isinstance(reply, dict) else reply
    return {
        (key.decode() if isinstance(key, bytes) else key): list(entries) for key, entries in pairs
    }


def _after(frames: bytes, skipped: int) -> bytes:
    """`frames` without their first `skipped` (each ends with the only blank line it holds)."""
    start = 0
    for _ in range(skipped):
        start = frames.index(b"\n\n", start) + 2
    return frames[start:]
