"""SharedAnswers: what the servers behind one load balancer agree on about answers, in Redis.

One server alone keeps its running answers in memory (GenerationRegistry). Behind a load
balancer, each request may reach another server, so three things live in Redis:

- the claim `openchat:answer:<conversation>`: the server writing the conversation's answer
  (one answer at a time, across servers), on a lease its writer renews while it writes;
- the events `openchat:events:<message>`: a Redis stream of the answer's SSE frames, copied by
  the writing server as it publishes them, for the others to relay (RemoteAnswer). One task
  copies every answer's new frames in one pipeline per turn: under load a turn carries many
  answers' frames, and each call into the Redis client costs about as much as relaying three
  tokens;
- the channel `openchat:stop:<server>`: the stops (and deletes) other servers pass on.

Nothing here is on the path of one server's own answers, beyond a note per published event.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass
from typing import Any

import redis.asyncio as redis
from redis.exceptions import RedisError

from openchat.chat.events import ANSWER_ID_SPAN, PING_FRAME
from openchat.chat.generation import Generation
from openchat.errors import Unavailable

log = logging.getLogger(__name__)

CLAIM_LEASE = 30.0  # seconds; renewed every heartbeat (service), so only a dead writer's lapses
EVENTS_KEPT = 120.0  # seconds an answer's events stay readable after its end
KEPT_MS = int(EVENTS_KEPT * 1000)
NAMING_WAIT = 5.0  # seconds a reader waits for a new claim to name its answer
NAMING_POLL = 0.02
CONNECTIONS = 1000  # each reader of another server's answer holds one while it waits
CLOSE_WAIT = 2.0  # seconds to finish copying the last frames at shutdown
RETRY_WAIT = 1.0  # seconds between attempts to copy while Redis does not answer
READ_BATCH = 1000
UNREACHABLE = "Redis, which the servers share, cannot be reached. Try again shortly."

# Compare-and-set on a claim: only the server that holds it may rename, renew or drop it.
_RENAME = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3]) and 1
end
return 0
"""
_RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
"""
_DROP = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


@dataclass(frozen=True, slots=True)
class Claim:
    """Who writes a conversation's answer; which answer, once its rows are stored."""

    server_id: str
    message_id: str | None = None
    first_id: int = 0

    def encode(self) -> bytes:
        if self.message_id is None:
            return self.server_id.encode()
        return f"{self.server_id} {self.message_id} {self.first_id}".encode()

    @classmethod
    def decode(cls, raw: bytes | str) -> Claim:
        text = raw.decode() if isinstance(raw, bytes) else raw
        server_id, _, rest = text.partition(" ")
        message_id, _, first_id = rest.partition(" ")
        return cls(server_id, message_id or None, int(first_id or 0))


def claim_key(conversation_id: str) -> str:
    return f"openchat:answer:{conversation_id}"


def events_key(message_id: str) -> str:
    return f"openchat:events:{message_id}"


def stop_channel(server_id: str) -> str:
    return f"openchat:stop:{server_id}"


def connect(url: str) -> redis.Redis:
    """A client whose pool makes a reader wait for a free connection rather than fail."""
    pool = redis.BlockingConnectionPool.from_url(url, max_connections=CONNECTIONS, timeout=10)
    return redis.Redis(connection_pool=pool)


class SharedAnswers:
    """Claims, copies and reads answers across servers, and passes stops on."""

    def __init__(
        self, client: redis.Redis, server_id: str | None = None, lease: float = CLAIM_LEASE
    ) -> None:
        self._client = client
        self.server_id = server_id or uuid.uuid4().hex
        self._lease_ms = int(lease * 1000)
        self._held: dict[str, bytes] = {}  # conversation -> the claim as this server set it
        self._copied: dict[Generation, int] = {}  # answers being copied: frames copied so far
        self._due: dict[Generation, None] = {}  # those with something new to copy, in order
        self._wake = asyncio.Event()
        self._drained = asyncio.Event()  # set while no answer is being copied
        self._copier: asyncio.Task[None] | None = None
        self._listener: asyncio.Task[None] | None = None
        self._rename = client.register_script(_RENAME)
        self._renew = client.register_script(_RENEW)
        self._drop = client.register_script(_DROP)

    # Life cycle -------------------------------------------------------------------------

    async def start(self, on_stop: Callable[[str], object]) -> None:
        """Listen for stops asked of this server: `on_stop(conversation_id)` for each."""
        pubsub = self._client.pubsub(ignore_subscribe_messages=True)
        channel = stop_channel(self.server_id)
        if not await _subscribed(pubsub, channel):
            raise Unavailable(UNREACHABLE)
        self._listener = asyncio.create_task(_listen(pubsub, channel, on_stop))

    async def close(self) -> None:
        """Finish copying the last frames (briefly), stop listening, close the connections."""
        if self._copied and self._copier is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._drained.wait(), CLOSE_WAIT)
        tasks = [task for task in (self._copier, self._listener) if task is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await self._client.aclose()

    async def ping(self) -> None:
        await self._client.ping()

    # Claims -----------------------------------------------------------------------------

    async def claim(self, conversation_id: str) -> bool:
        """Take the conversation's answer for this server; False if another answer runs."""
        value = Claim(self.server_id).encode()
        try:
            taken = await self._client.set(
                claim_key(conversation_id), value, nx=True, px=self._lease_ms
            )
        except RedisError as error:
            raise Unavailable(UNREACHABLE) from error
        if taken:
            self._held[conversation_id] = value
        return bool(taken)

    async def holder(self, conversation_id: str) -> Claim | None:
        """Who writes the conversation's answer now, if anyone."""
        try:
            raw = await self._client.get(claim_key(conversation_id))
        except RedisError as error:
            raise Unavailable(UNREACHABLE) from error
        return None if raw is None else Claim.decode(raw)

    async def named_holder(self, conversation_id: str) -> Claim | None:
        """The holder once it names its answer (a claim is named as its answer starts)."""
        deadline = time.monotonic() + NAMING_WAIT
        while True:
            claim = await self.holder(conversation_id)
            if claim is None or claim.message_id is not None or time.monotonic() > deadline:
                return claim
            await asyncio.sleep(NAMING_POLL)

    async def release(self, conversation_id: str) -> None:
        """Let the claim go (if still this server's). Never raises: at worst the lease lapses."""
        value = self._held.pop(conversation_id, None)
        if value is None:
            return
        try:
            await self._drop(keys=[claim_key(conversation_id)], args=[value])
        except RedisError as error:
            log.error("Could not release a claim in Redis: %s", type(error).__name__)

    async def renew(self, conversation_ids: Iterable[str]) -> None:
        """Extend the leases of these claims of this server's, in one round trip."""
        held = [(cid, self._held[cid]) for cid in conversation_ids if cid in self._held]
        if not held and not self._copied:
            return
        async with self._client.pipeline(transaction=False) as pipe:
            for conversation_id, value in held:
                await self._renew(
                    keys=[claim_key(conversation_id)], args=[value, self._lease_ms], client=pipe
                )
            for generation in self._copied:  # an answer may run for longer than EVENTS_KEPT
                pipe.pexpire(events_key(generation.message_id), KEPT_MS)
            await pipe.execute()

    async def ask_to_stop(self, claim: Claim, conversation_id: str) -> None:
        try:
            await self._client.publish(stop_channel(claim.server_id), conversation_id)
        except RedisError as error:
            raise Unavailable(UNREACHABLE) from error

    # Events -----------------------------------------------------------------------------

    def copy(self, generation: Generation) -> None:
        """Name the claim after the answer, then copy its frames to Redis as they come."""
        self._copied[generation] = 0
        self._drained.clear()
        generation.on_publish = self._note
        self._note(generation)
        if self._copier is None:
            self._copier = asyncio.create_task(self._copy_loop())

    def reader(self, conversation_id: str, claim: Claim) -> RemoteAnswer:
        assert claim.message_id is not None
        return RemoteAnswer(self, conversation_id, claim.message_id, claim.first_id)

    def _note(self, generation: Generation) -> None:
        self._due[generation] = None
        self._wake.set()

    async def _copy_loop(self) -> None:
        """Copy what is new, for every answer at once, until cancelled. While Redis does not
        answer, what is new waits (the failure logged once) and is copied once it answers."""
        failing = False
        while True:
            await self._wake.wait()
            self._wake.clear()
            due, self._due = self._due, {}
            try:
                await self._copy_new(list(due))
            except RedisError as error:
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
        """One pipeline: each answer's new frames as one entry (`first` and `last` name their
        event ids), an `end` entry after an answer's last, and a claim named at its first."""
        copied: dict[Generation, tuple[int, bool]] = {}  # frames copied, and whether all
        named: dict[str, tuple[bytes, bytes]] = {}
        async with self._client.pipeline(transaction=False) as pipe:
            for generation in generations:
                if generation not in self._copied:  # noted again as its end was copied
                    continue
                done, total = self._copied[generation], generation.frame_count
                ended = generation.finished  # its last frame is in `total`
                key = events_key(generation.message_id)
                if done == 0 and (held := self._held.get(generation.conversation_id)):
                    claim = Claim(self.server_id, generation.message_id, generation.first_id)
                    named[generation.conversation_id] = (held, claim.encode())
                    await self._rename(
                        keys=[claim_key(generation.conversation_id)],
                        args=[held, claim.encode(), self._lease_ms],
                        client=pipe,
                    )
                if total > done:
                    first, last = generation.first_id + done + 1, generation.first_id + total
                    frames = generation.frames_from(done)
                    pipe.xadd(key, {"first": first, "last": last, "frames": frames})
                if ended:
                    pipe.xadd(key, {"end": 1})
                if done == 0 or ended:
                    pipe.pexpire(key, KEPT_MS)
                copied[generation] = (total, ended)
            await pipe.execute()
        for conversation_id, (held, name) in named.items():
            if self._held.get(conversation_id) == held:  # not released meanwhile
                self._held[conversation_id] = name
        for generation, (total, ended) in copied.items():
            if ended:
                del self._copied[generation]
                generation.on_publish = None
            else:
                self._copied[generation] = total
        if not self._copied:
            self._drained.set()

    async def read(self, message_id: str, after: bytes, block_ms: int) -> list[Any]:
        """The entries of an answer's copy after `after`, waiting up to `block_ms` for one."""
        reply: Any = await self._client.xread(
            {events_key(message_id): after}, count=READ_BATCH, block=block_ms
        )
        return list(reply[0][1]) if reply else []


class RemoteAnswer:
    """An answer another server writes, relayed from its copy in Redis."""

    def __init__(
        self, shared: SharedAnswers, conversation_id: str, message_id: str, first_id: int
    ) -> None:
        self._shared = shared
        self.conversation_id = conversation_id
        self.message_id = message_id
        self.first_id = first_id

    async def frames_after(self, last_id: int, ping_interval: float) -> AsyncIterator[bytes]:
        """Yield the frames after `last_id` (as Generation.frames_after), until the answer's end.

        Ends early, without a closing event, if its writer stops holding it with nothing more
        to read (a server that died): a reconnect then replays the answer as stored.
        """
        seen = last_id if 0 < last_id - self.first_id < ANSWER_ID_SPAN else self.first_id
        position = b"0-0"
        while True:
            try:
                entries = await self._shared.read(
                    self.message_id, position, max(1, int(ping_interval * 1000))
                )
            except RedisError as error:
                log.error("Reading an answer's events from Redis failed: %s", type(error).__name__)
                return
            if not entries:
                if not await self._still_written():
                    return
                yield PING_FRAME
                continue
            batch: list[bytes] = []
            ended = False
            for entry_id, fields in entries:
                position = entry_id
                if b"end" in fields:
                    ended = True
                    break
                last = int(fields[b"last"])
                if last > seen:  # a copy retried after a fault may repeat frames: skip those
                    batch.append(_after(fields[b"frames"], seen - int(fields[b"first"]) + 1))
                    seen = last
            if batch:
                yield b"".join(batch)
            if ended:
                return

    async def _still_written(self) -> bool:
        try:
            claim = await self._shared.holder(self.conversation_id)
        except Unavailable:
            return False
        return claim is not None and claim.message_id == self.message_id


def _after(frames: bytes, skipped: int) -> bytes:
    """`frames` without their first `skipped`: each ends with the only blank line it holds."""
    start = 0
    for _ in range(skipped):
        start = frames.index(b"\n\n", start) + 2
    return frames[start:]


async def _listen(pubsub: Any, channel: str, on_stop: Callable[[str], object]) -> None:
    """Pass each stop on. A lost connection is logged once, then tried again every second."""
    try:
        while True:
            try:
                async for message in pubsub.listen():
                    if message.get("type") == "message":
                        on_stop(message["data"].decode())
            except RedisError as error:
                log.error("Listening for stops in Redis failed (%s)", type(error).__name__)
            while True:
                await asyncio.sleep(RETRY_WAIT)
                if await _subscribed(pubsub, channel):
                    break
            log.info("Listening for stops in Redis again")
    finally:
        await pubsub.aclose()


async def _subscribed(pubsub: Any, channel: str) -> bool:
    try:
        await pubsub.subscribe(channel)
    except RedisError:
        return False
    return True
