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
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import redis.asyncio as redis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError, RedisError

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
COMMAND_TIMEOUT = 2.0  # seconds for a reply to any command but the relay's blocking read
RELEASE_WAIT = 1.0  # seconds an answer's end waits to let its claim go; the lease covers a miss
CONNECTIONS = 64  # commands in flight at once; more wait for a connection
CLOSE_WAIT = 2.0  # seconds to finish copying the last frames at shutdown
UNREACHABLE = "Redis, which the servers share, cannot be reached. Try again shortly."

# Compare-and-set on a claim: only its holder (the value's first word) may name, renew or drop
# it, whether or not it is named yet. A drop and a naming may reach Redis in either order.
_HELD = "local v = redis.call('GET', KEYS[1]) "
_HELD += "if v == ARGV[1] or string.sub(v or '', 1, #ARGV[1] + 1) == ARGV[1] .. ' ' then "
_NAME = _HELD + "return redis.call('SET', KEYS[1], ARGV[1] .. ' ' .. ARGV[2], 'KEEPTTL') end"
_DROP = _HELD + "return redis.call('DEL', KEYS[1]) end return 0"
# Renewing also puts back a claim Redis lost (a restart, a failover): 2 then, 1 renewed, 0 if
# another server holds the key.
_RENEW = (
    "local v = redis.call('GET', KEYS[1]) "
    "if not v then redis.call('SET', KEYS[1], ARGV[3], 'PX', ARGV[2]) return 2 end "
    + _HELD.removeprefix("local v = redis.call('GET', KEYS[1]) ")
    + "return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0"
)


@dataclass(slots=True)
class _Held:
    """A claim of this server's: its holder, and the answer it names once its rows exist."""

    holder: str
    name: str | None = None

    @property
    def value(self) -> str:
        return self.holder if self.name is None else f"{self.holder} {self.name}"


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
    tries a command that could not connect twice more within half a second. A command without
    a reply is not tried again: a stalled Redis fails a request within COMMAND_TIMEOUT."""
    pool = redis.BlockingConnectionPool.from_url(
        url,
        max_connections=CONNECTIONS,
        timeout=COMMAND_TIMEOUT,
        socket_timeout=socket_timeout,
        socket_connect_timeout=COMMAND_TIMEOUT,
        retry=Retry(
            ExponentialBackoff(cap=0.25, base=0.05), retries=2, supported_errors=(ConnectionError,)
        ),
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
        self._held: dict[str, _Held] = {}  # this server's claims, by conversation
        self._naming: weakref.WeakKeyDictionary[Generation, _Held] = weakref.WeakKeyDictionary()
        self._dropping: dict[str, str] = {}  # claims whose drop failed: holder by conversation
        self._name = self._client.register_script(_NAME)
        self._renew = self._client.register_script(_RENEW)
        self._drop = self._client.register_script(_DROP)
        self._copier = EventCopier(self._client, self._name_claim)
        self._relay = RemoteRelay(
            self._reader,
            self._client,
            self.server_id,
            self._still_written,
            relay_block_ms,
            give_up_after=lease_ms / 1000,
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
            # It may have been set all the same (the reply was lost): drop it now, for the
            # next try not to be a 409, and with the renewals too, should the SET land after
            # this drop (it checks the holder: a second drop changes nothing).
            await self._drop_held(conversation_id, holder)
            self._dropping[conversation_id] = holder
            raise Unavailable(UNREACHABLE) from error
        if not taken:  # unless the key is ours, set by a try whose reply was lost
            with contextlib.suppress(RedisError):
                taken = await self._client.get(claim_key(conversation_id)) == holder.encode()
        if taken:
            self._held[conversation_id] = _Held(holder)
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
        held = self._held.pop(conversation_id, None)
        if held is None:
            return
        if (error := await self._drop_held(conversation_id, held.holder)) is not None:
            log.error("Could not release a claim in Redis (%s); retrying", type(error).__name__)
            self._dropping[conversation_id] = held.holder  # the renewals try again

    async def _drop_held(self, conversation_id: str, holder: str) -> Exception | None:
        """Drop the claim if `holder` holds it, waiting RELEASE_WAIT at most; what failed."""
        try:
            async with asyncio.timeout(RELEASE_WAIT):
                await self._drop(keys=[claim_key(conversation_id)], args=[holder])
        except (RedisError, TimeoutError) as error:
            return error
        return None

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

    async def _name_claim(self, pipe: Any, generation: Generation) -> int:
        """Name the claim after the answer, in the copy's first pipeline: the claim taken for
        this answer, whatever the conversation holds by then. The commands it added: 1 or 0."""
        held = self._naming.get(generation)
        if held is None or held.name is None:
            return 0
        await self._name(
            keys=[claim_key(generation.conversation_id)], args=[held.holder, held.name], client=pipe
        )
        return 1

    async def _renew_loop(self) -> None:
        """Renew this server's claims and copies, on a timer of its own (a busy database must
        not let a claim lapse under an answer still being written); put back what Redis lost;
        retry the drops that failed."""
        while True:
            await asyncio.sleep(self._lease_ms / 3000)
            try:
                await self._renew_all()
            except Exception as error:  # the next turn retries, well within the lease
                log.error("Renewing the answers' claims in Redis failed: %s", type(error).__name__)

    async def _renew_all(self) -> None:
        held, dropping, copying = dict(self._held), dict(self._dropping), self._copier.copying
        if not held and not dropping and not copying:
            return
        async with self._client.pipeline(transaction=False) as pipe:
            for conversation_id, claim in held.items():
                await self._renew(
                    keys=[claim_key(conversation_id)],
                    args=[claim.holder, self._lease_ms, claim.value],
                    client=pipe,
                )
            for conversation_id, holder in dropping.items():
                await self._drop(keys=[claim_key(conversation_id)], args=[holder], client=pipe)
            for generation in copying:  # an answer may run for longer than they last
                pipe.pexpire(events_key(generation.message_id), EVENTS_KEPT_MS)
            results = await pipe.execute()
        renewed, copied = results[: len(held)], results[len(held) + len(dropping) :]
        for conversation_id, holder in dropping.items():
            if self._dropping.get(conversation_id) == holder:  # not failed again meanwhile
                del self._dropping[conversation_id]
        # A claim released while this turn was on its way, then put back by it: drop it again.
        put_back = [
            (conversation_id, claim.holder)
            for (conversation_id, claim), result in zip(held.items(), renewed, strict=True)
            if result == 2 and self._held.get(conversation_id) is not claim
        ]
        for conversation_id, holder in put_back:
            await self._drop(keys=[claim_key(conversation_id)], args=[holder])
        if lost := sum(1 for result in renewed if result == 2) - len(put_back):
            log.warning("Put back %d claims that Redis had lost", lost)
        if taken := sum(1 for result in renewed if result == 0):
            log.error("%d claims of this server's were taken by another", taken)
        for generation, kept in zip(copying, copied, strict=True):
            if not kept:  # Redis lost the copy, or it was not written yet: copy it all
                self._copier.copy_again(generation)

    # Events -----------------------------------------------------------------------------

    def copy(self, generation: Generation) -> None:
        """Copy the answer's events to Redis as they come, and name its claim after it."""
        held = self._held.get(generation.conversation_id)
        if held is not None:
            held.name = f"{generation.message_id} {generation.first_id}"
            self._naming[generation] = held
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
    try:
        conversation_id, _, message_id = data.decode().partition(" ")
        on_stop(conversation_id, message_id)
    except Exception as error:  # one stop's fault must not end the listening
        log.error("Passing a stop on failed: %s", type(error).__name__)


async def _subscribed(pubsub: Any, channel: str) -> bool:
    try:
        await pubsub.subscribe(channel)
    except RedisError:
        return False
    return True
