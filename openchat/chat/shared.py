"""SharedAnswers: what the servers behind one load balancer agree on about answers, in Redis.

One server alone keeps its running answers in memory (GenerationRegistry). Behind a load
balancer, each request may reach another server, so three things live in Redis:

- the claim `openchat:answer:<conversation>`: the server writing the conversation's answer
  (one answer at a time, across servers), on a lease its writer renews while it writes. Its
  value starts with the holder (`<server>/<token>`, new for each claim), which every change
  compares, then names the answer once its rows are stored (`<message> <first event id>`);
- the events of each answer, copied by its writer and relayed by the others (shared_events);
- the channel `openchat:stop:<server>`: the stops (and deletes) other servers pass on.

Without REDIS_URL none of this is loaded.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import redis.asyncio as redis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import RedisError

from openchat.chat.generation import Generation
from openchat.chat.shared_events import (
    EVENTS_KEPT_MS,
    RELAY_BLOCK_MS,
    EventCopier,
    RemoteRelay,
    events_key,
)
from openchat.errors import Unavailable

log = logging.getLogger(__name__)

CLAIM_LEASE_MS = 30_000  # a claim lapses this long after its writer's last renewal, which
# comes every third of it (with the copies' expiry)
NAMING_WAIT = 5.0  # seconds a reader waits for a new claim to name its answer
NAMING_POLL = 0.02
COMMAND_TIMEOUT = 5.0  # seconds for a reply to any command but the relay's blocking read
RELEASE_WAIT = 1.0  # seconds an answer's end waits to let its claim go; the lease covers a miss
CONNECTIONS = 64  # commands in flight at once; more wait for a connection
CLOSE_WAIT = 2.0  # seconds to finish copying the last frames at shutdown
UNREACHABLE = "Redis, which the servers share, cannot be reached. Try again shortly."

# Compare-and-set on a claim: only its holder (the value's first word) may name, renew or drop
# it, whether or not it is named yet. A drop and a naming may reach Redis in either order.
_HELD = "local v = redis.call('GET', KEYS[1]) "
_HELD += "if v == ARGV[1] or string.sub(v or '', 1, #ARGV[1] + 1) == ARGV[1] .. ' ' then "
_NAME = _HELD + "return redis.call('SET', KEYS[1], ARGV[1] .. ' ' .. ARGV[2], 'KEEPTTL') end"
_RENEW = _HELD + "return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0"
_DROP = _HELD + "return redis.call('DEL', KEYS[1]) end return 0"


@dataclass(frozen=True, slots=True)
class Claim:
    """Who writes a conversation's answer; which answer, once its rows are stored."""

    holder: str  # `<server>/<token>`
    message_id: str | None = None
    first_id: int = 0

    @property
    def server_id(self) -> str:
        return self.holder.partition("/")[0]

    @classmethod
    def decode(cls, raw: bytes | str) -> Claim:
        text = raw.decode() if isinstance(raw, bytes) else raw
        holder, _, rest = text.partition(" ")
        message_id, _, first_id = rest.partition(" ")
        return cls(holder, message_id or None, int(first_id or 0))


def claim_key(conversation_id: str) -> str:
    return f"openchat:answer:{conversation_id}"


def stop_channel(server_id: str) -> str:
    return f"openchat:stop:{server_id}"


def connect(url: str, socket_timeout: float | None = COMMAND_TIMEOUT) -> redis.Redis:
    """A client whose pool makes a command wait for a free connection rather than fail, and
    tries a failed command twice more within half a second: a request then fails quickly
    while Redis is down."""
    pool = redis.BlockingConnectionPool.from_url(
        url,
        max_connections=CONNECTIONS,
        timeout=COMMAND_TIMEOUT,
        socket_timeout=socket_timeout,
        retry=Retry(ExponentialBackoff(cap=0.25, base=0.05), retries=2),
    )
    return redis.Redis(connection_pool=pool)


class SharedAnswers:
    """Claims, copies, relays and stops answers across servers."""

    def __init__(
        self, url: str, lease_ms: int = CLAIM_LEASE_MS, relay_block_ms: int = RELAY_BLOCK_MS
    ) -> None:
        self.server_id = uuid.uuid4().hex
        self._lease_ms = lease_ms
        self._client = connect(url)
        # The relay's blocking read has a connection of its own, with room for its wait.
        self._reader = connect(url, socket_timeout=relay_block_ms / 1000 + COMMAND_TIMEOUT)
        self._held: dict[str, str] = {}  # conversation -> holder, for this server's claims
        self._name = self._client.register_script(_NAME)
        self._renew = self._client.register_script(_RENEW)
        self._drop = self._client.register_script(_DROP)
        self._copier = EventCopier(self._client, self._name_claim)
        self._relay = RemoteRelay(
            self._reader, self._client, self.server_id, self._still_written, relay_block_ms
        )
        self._tasks: list[asyncio.Task[None]] = []

    # Life cycle -------------------------------------------------------------------------

    async def start(self, on_stop: Callable[[str, str], object]) -> None:
        """Listen for stops asked of this server, `on_stop(conversation_id, message_id)` for
        each, and renew this server's claims while it holds them."""
        pubsub: Any = self._client.pubsub(ignore_subscribe_messages=True)
        channel = stop_channel(self.server_id)
        if not await _subscribed(pubsub, channel):
            await pubsub.aclose()
            raise Unavailable(UNREACHABLE)
        self._tasks = [
            asyncio.create_task(_listen(pubsub, channel, on_stop)),
            asyncio.create_task(self._renew_loop()),
        ]

    async def close(self) -> None:
        """Finish copying the last frames (briefly), stop, and close the connections."""
        await self._copier.close(CLOSE_WAIT)
        await self._relay.close()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        for client in (self._client, self._reader):
            await client.aclose(close_connection_pool=True)

    async def ping(self) -> None:
        await self._client.ping()

    # Claims -----------------------------------------------------------------------------

    async def claim(self, conversation_id: str) -> bool:
        """Take the conversation's answer for this server; False if another answer runs."""
        holder = f"{self.server_id}/{uuid.uuid4().hex[:12]}"
        try:
            taken = await self._client.set(
                claim_key(conversation_id), holder, nx=True, px=self._lease_ms
            )
        except RedisError as error:
            raise Unavailable(UNREACHABLE) from error
        if taken:
            self._held[conversation_id] = holder
        return bool(taken)

    async def holder(self, conversation_id: str) -> Claim | None:
        """Who writes the conversation's answer now, once it is named (or NAMING_WAIT passed)."""
        deadline = time.monotonic() + NAMING_WAIT
        while True:
            try:
                raw = await self._client.get(claim_key(conversation_id))
            except RedisError as error:
                raise Unavailable(UNREACHABLE) from error
            claim = None if raw is None else Claim.decode(raw)
            if claim is None or claim.message_id is not None or time.monotonic() > deadline:
                return claim
            await asyncio.sleep(NAMING_POLL)

    def is_mine(self, claim: Claim) -> bool:
        return claim.server_id == self.server_id

    async def release(self, conversation_id: str) -> None:
        """Let the claim go. Never raises, and waits RELEASE_WAIT at most: at worst the lease
        lapses."""
        holder = self._held.pop(conversation_id, None)
        if holder is None:
            return
        try:
            async with asyncio.timeout(RELEASE_WAIT):
                await self._drop(keys=[claim_key(conversation_id)], args=[holder])
        except (RedisError, TimeoutError) as error:
            log.error("Could not release a claim in Redis: %s", type(error).__name__)

    async def ask_to_stop(self, claim: Claim, conversation_id: str) -> None:
        """Pass a stop on to the server writing the answer; Unavailable if none listens."""
        try:
            listeners = await self._client.publish(
                stop_channel(claim.server_id), f"{conversation_id} {claim.message_id}"
            )
        except RedisError as error:
            raise Unavailable(UNREACHABLE) from error
        if not listeners:
            raise Unavailable(
                "The server writing this answer did not take the stop. Try again shortly."
            )

    async def _name_claim(self, pipe: Any, generation: Generation) -> None:
        """Name the claim after the answer, in the copy's first pipeline."""
        holder = self._held.get(generation.conversation_id)
        if holder is not None:
            name = f"{generation.message_id} {generation.first_id}"
            await self._name(
                keys=[claim_key(generation.conversation_id)], args=[holder, name], client=pipe
            )

    async def _renew_loop(self) -> None:
        """Renew this server's claims and copies, on a timer of its own: a busy database must
        not let a claim lapse under an answer still being written."""
        while True:
            await asyncio.sleep(self._lease_ms / 3000)
            held = dict(self._held)
            copying = self._copier.copying
            if not held and not copying:
                continue
            try:
                async with self._client.pipeline(transaction=False) as pipe:
                    for conversation_id, holder in held.items():
                        await self._renew(
                            keys=[claim_key(conversation_id)],
                            args=[holder, self._lease_ms],
                            client=pipe,
                        )
                    for generation in copying:  # an answer may run for longer than they last
                        pipe.pexpire(events_key(generation.message_id), EVENTS_KEPT_MS)
                    renewed = await pipe.execute()
            except RedisError as error:  # the next turn retries, well within the lease
                log.error("Renewing the answers' claims in Redis failed: %s", type(error).__name__)
                continue
            lost = [cid for cid, done in zip(held, renewed, strict=False) if not done]
            lost = [cid for cid in lost if cid in self._held]  # not released meanwhile
            if lost:
                log.warning("%d answers' claims lapsed in Redis while being written", len(lost))

    # Events -----------------------------------------------------------------------------

    def copy(self, generation: Generation) -> None:
        """Copy the answer's events to Redis as they come, and name its claim after it."""
        self._copier.copy(generation)

    async def follow(self, claim: Claim, conversation_id: str, owner_id: str) -> Generation:
        """A local copy of another server's answer, kept up to date: read it as any answer."""
        assert claim.message_id is not None
        return await self._relay.follow(conversation_id, owner_id, claim.message_id, claim.first_id)

    async def _still_written(self, answers: list[tuple[str, str]]) -> list[bool]:
        """For each (conversation, message), whether its claim still names that message."""
        raw = await self._client.mget([claim_key(conversation) for conversation, _ in answers])
        return [
            value is not None and Claim.decode(value).message_id == message_id
            for value, (_, message_id) in zip(raw, answers, strict=True)
        ]


async def _listen(pubsub: Any, channel: str, on_stop: Callable[[str, str], object]) -> None:
    """Pass each stop on. A lost connection is logged once, then tried again every second."""
    try:
        while True:
            try:
                async for message in pubsub.listen():
                    if message.get("type") == "message":
                        _pass_on(message["data"], on_stop)
            except RedisError as error:
                log.error("Listening for stops in Redis failed (%s)", type(error).__name__)
            while True:
                await asyncio.sleep(1.0)
                if await _subscribed(pubsub, channel):
                    break
            log.info("Listening for stops in Redis again")
    finally:
        with contextlib.suppress(RedisError):
            await pubsub.aclose()


def _pass_on(data: bytes, on_stop: Callable[[str, str], object]) -> None:
    conversation_id, _, message_id = data.decode().partition(" ")
    try:
        on_stop(conversation_id, message_id)
    except Exception as error:  # one stop's fault must not end the listening
        log.error("Passing a stop on failed: %s", type(error).__name__)


async def _subscribed(pubsub: Any, channel: str) -> bool:
    try:
        await pubsub.subscribe(channel)
    except RedisError:
        return False
    return True
