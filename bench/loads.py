"""What a client process does in each phase: set up, then run the measured load.

Each load is a dataclass built from a JSON job. `setup()` does the unmeasured
preparation (creating conversations, warming connections); `run()` is the
measured part and returns a JSON-ready dict.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import orjson

from bench.answers import (
    AUTH,
    Lane,
    LoadError,
    StreamRecord,
    Target,
    create_conversations,
    direct_answer,
    error_counts,
    guarded,
    relay_answer,
    sim_directive,
)
from bench.client import Connection
from bench.processes import HOST


@dataclass
class TtftLoad:
    """Sequential short answers, relay and direct interleaved: time to the first token."""

    server_port: int
    simulator_port: int
    samples: int
    tokens: int = 8
    warmup: int = 10
    kind: str = "ttft"
    conversations: list[str] = field(default_factory=list)
    _relay: Lane = field(init=False)
    _direct: Lane = field(init=False)

    async def setup(self) -> None:
        total = self.samples + self.warmup
        self.conversations = await create_conversations(self.server_port, total)
        self._relay, self._direct = Lane(self.server_port), Lane(self.simulator_port, AUTH)
        for conversation_id in self.conversations[: self.warmup]:
            await self._pair(0, conversation_id)

    async def run(self) -> dict[str, Any]:
        samples: dict[Target, list[float]] = {"relay": [], "direct": []}
        post_ms: list[float] = []
        failed: list[StreamRecord] = []
        try:
            for index, conversation_id in enumerate(self.conversations[self.warmup :]):
                for target, record in await self._pair(index, conversation_id):
                    if record.error or not record.chunk_times:
                        failed.append(record)
                        continue
                    samples[target].append((record.chunk_times[0] - record.start) * 1000)
                    if record.posted:
                        post_ms.append((record.posted - record.start) * 1000)
        finally:
            self._relay.close()
            self._direct.close()
        return {
            "relay_ms": samples["relay"],
            "direct_ms": samples["direct"],
            "relay_post_ms": post_ms,
            "errors": error_counts(failed),
        }

    async def _pair(self, index: int, conversation_id: str) -> list[tuple[Target, StreamRecord]]:
        """One answer each way, the order alternating so neither always goes first."""
        order: tuple[Target, Target] = ("direct", "relay") if index % 2 else ("relay", "direct")
        text = sim_directive(self.tokens, 0)
        pair: list[tuple[Target, StreamRecord]] = []
        for target in order:
            record = StreamRecord()
            if target == "relay":
                connection = await self._relay.connection()
                step = relay_answer(connection, conversation_id, text, record)
            else:
                step = direct_answer(await self._direct.connection(), text, record)
            await guarded(step, record, 30.0)
            pair.append((target, record))
        return pair


@dataclass
class StreamsLoad:
    """`count` answers at once (starts spread over `ramp` seconds), each on its own connection."""

    target: Target
    port: int
    count: int
    tokens: int
    tps: float
    ramp: float
    deadline: float
    kind: str = "streams"
    conversations: list[str] = field(default_factory=list)

    async def setup(self) -> None:
        if self.target == "relay":
            self.conversations = await create_conversations(self.port, self.count)

    async def run(self) -> dict[str, Any]:
        records = [StreamRecord() for _ in range(self.count)]
        began = time.perf_counter()
        tasks = [
            asyncio.create_task(self._answer(index, record, began))
            for index, record in enumerate(records)
        ]
        _, pending = await asyncio.wait(tasks, timeout=self.deadline)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        now = time.perf_counter()
        for record in records:
            if not record.completed and record.error is None:
                record.error = f"not finished within the phase's {self.deadline:.0f} s"
            if record.end == 0.0:
                record.end = now
        gaps: list[float] = []
        arrival_gaps: list[float] = []
        for record in records:
            times = record.chunk_times
            gaps.extend(round((b - a) * 1000, 3) for a, b in itertools.pairwise(times))
            arrivals = sorted(set(times))
            arrival_gaps.extend(round((b - a) * 1000, 3) for a, b in itertools.pairwise(arrivals))
        return {
            "streams": [
                [
                    r.start,
                    r.end,
                    r.chunk_times[0] if r.chunk_times else 0.0,
                    r.tokens,
                    r.completed,
                    r.posted,
                ]
                for r in records
            ],
            "gaps_ms": gaps,
            "arrival_gaps_ms": arrival_gaps,
            "errors": error_counts(records),
        }

    async def _answer(self, index: int, record: StreamRecord, began: float) -> None:
        await asyncio.sleep(max(0.0, began + self.ramp * index / self.count - time.perf_counter()))
        text = sim_directive(self.tokens, self.tps)
        connection: Connection | None = None
        try:
            headers = None if self.target == "relay" else AUTH
            connection = await Connection.open(HOST, self.port, headers)
            if self.target == "relay":
                step = relay_answer(connection, self.conversations[index], text, record)
            else:
                step = direct_answer(connection, text, record)
            await guarded(step, record, self.deadline)
        except OSError as error:
            record.error = f"connect: {error}"
        finally:
            if connection is not None:
                connection.close()


@dataclass
class ApiLoad:
    """Sequential reads of the API: the conversation list, deeper pages, one large conversation."""

    port: int
    conversation_id: str
    list_samples: int
    cursor_walks: int
    cursor_pages: int
    open_samples: int
    search_samples: int
    # Words every seeded message draws from: each is in most of the 200,000, the costly case.
    search: str = "lighthouse compass"
    warmup: int = 5
    kind: str = "api"

    async def setup(self) -> None:
        lane = Lane(self.port)
        try:
            for _ in range(self.warmup):
                await _get_json(lane, "/conversations?limit=50")
                await _get_json(lane, f"/conversations/{self.conversation_id}")
        finally:
            lane.close()

    async def run(self) -> dict[str, Any]:
        lane = Lane(self.port)
        first_ms: list[float] = []
        deep_ms: list[float] = []
        open_ms: list[float] = []
        search_ms: list[float] = []
        try:
            for _ in range(self.list_samples):
                first_ms.append((await _get_json(lane, "/conversations?limit=50"))[0])
            for _ in range(self.cursor_walks):
                cursor: str | None = None
                for page in range(self.cursor_pages):
                    path = "/conversations?limit=50"
                    if cursor is not None:
                        path += f"&cursor={quote(cursor, safe='')}"
                    elapsed, body = await _get_json(lane, path)
                    (deep_ms if page else first_ms).append(elapsed)
                    cursor = body.get("next_cursor")
                    if cursor is None:
                        break
            messages = 0
            for _ in range(self.open_samples):
                elapsed, body = await _get_json(lane, f"/conversations/{self.conversation_id}")
                open_ms.append(elapsed)
                messages = len(body.get("messages") or ())
            search_path = f"/conversations?limit=50&q={quote(self.search)}"
            for _ in range(self.search_samples):
                elapsed, body = await _get_json(lane, search_path)
                if not body.get("data"):
                    raise LoadError(f"GET {search_path}: found nothing")
                search_ms.append(elapsed)
        finally:
            lane.close()
        return {
            "list_ms": first_ms,
            "list_deep_ms": deep_ms,
            "open_ms": open_ms,
            "open_messages": messages,
            "search_ms": search_ms,
        }


async def _get_json(lane: Lane, path: str) -> tuple[float, dict[str, Any]]:
    """GET `path`; return the milliseconds until the whole body was read, and the body."""
    connection = await lane.connection()
    started = time.perf_counter()
    response = await asyncio.wait_for(connection.request("GET", path), 30.0)
    elapsed = (time.perf_counter() - started) * 1000
    if response.status != 200:
        raise LoadError(f"GET {path}: HTTP {response.status} {response.body[:200]!r}")
    body = orjson.loads(response.body)
    if not isinstance(body, dict):
        raise LoadError(f"GET {path}: not a JSON object")
    return elapsed, body


Load = TtftLoad | StreamsLoad | ApiLoad
LOADS: dict[str, type[Load]] = {"ttft": TtftLoad, "streams": StreamsLoad, "api": ApiLoad}
