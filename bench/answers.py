"""One answer as the client sees it, through the relay or straight from the simulator.

Times come from `perf_counter`, which on Linux is the system-wide monotonic
clock, so client processes agree; a token's time is when its bytes were read.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable
from dataclasses import dataclass, field
from typing import Any, Literal

import orjson

from bench.client import Connection, HttpError
from bench.processes import API_KEY, HOST

MODEL = "openai/gpt-4o-mini"
AUTH = {"Authorization": f"Bearer {API_KEY}"}
Target = Literal["relay", "direct", "floor"]  # floor: bench/floor.py, spoken to as direct
CONCURRENT_SETUP = 16


class LoadError(Exception):
    """A request answered with an unexpected status or body."""


def sim_directive(tokens: int, tps: float, ttft: float = 0.0) -> str:
    """The simulator's per-request override, placed in the user message text."""
    return f"[[sim tokens={tokens} tps={tps:g} ttft={ttft:g}]] Tell me about the sea."


def _completion_body(text: str) -> dict[str, Any]:
    return {"model": MODEL, "stream": True, "messages": [{"role": "user", "content": text}]}


@dataclass(slots=True)
class StreamRecord:
    """What the client saw of one answer."""

    start: float = 0.0
    posted: float = 0.0  # relay only: when the answer to POST messages arrived
    end: float = 0.0
    chunk_times: list[float] = field(default_factory=list)
    usage_tokens: int | None = None
    completed: bool = False
    error: str | None = None

    @property
    def tokens(self) -> int:
        return self.usage_tokens if self.usage_tokens is not None else len(self.chunk_times)

    def on_relay_event(self, data: bytes, arrived: float) -> None:
        event = orjson.loads(data)
        kind = event.get("type")
        if kind == "chunk":
            self.chunk_times.append(arrived)
        elif kind == "done":
            self.completed = event.get("status", "complete") == "complete"
            usage = event.get("usage") or {}
            self.usage_tokens = usage.get("completion_tokens")
        elif kind == "error":
            self.error = f"stream error: {event.get('message')}"

    def on_direct_event(self, data: bytes, arrived: float) -> None:
        if data == b"[DONE]":
            self.completed = self.error is None
            return
        event = orjson.loads(data)
        for choice in event.get("choices") or ():
            if (choice.get("delta") or {}).get("content"):
                self.chunk_times.append(arrived)
        usage = event.get("usage")
        if usage:
            self.usage_tokens = usage.get("completion_tokens")
        if "error" in event:
            self.error = f"upstream error: {event['error']}"


async def relay_answer(
    connection: Connection,
    conversation_id: str,
    text: str,
    record: StreamRecord,
    reader: Connection | None = None,
) -> None:
    """POST the user message, then read the answer's stream to its end (on `reader`, when
    given: a connection to another server)."""
    record.start = time.perf_counter()
    posted = await connection.request(
        "POST", f"/conversations/{conversation_id}/messages", {"message": text}
    )
    record.posted = time.perf_counter()
    if posted.status != 200:
        raise LoadError(f"POST messages: HTTP {posted.status} {posted.body[:200]!r}")
    path = f"/conversations/{conversation_id}/stream"
    status = await (reader or connection).stream("GET", path, None, record.on_relay_event)
    record.end = time.perf_counter()
    if status != 200:
        raise LoadError(f"GET stream: HTTP {status}")


async def direct_answer(connection: Connection, text: str, record: StreamRecord) -> None:
    """POST an OpenAI-style streaming completion (to the simulator or the floor); read it all."""
    record.start = time.perf_counter()
    status = await connection.stream(
        "POST", "/api/v1/chat/completions", _completion_body(text), record.on_direct_event
    )
    record.end = time.perf_counter()
    if status != 200:
        raise LoadError(f"POST chat/completions: HTTP {status}")


async def create_conversations(port: int, count: int) -> list[str]:
    """Create `count` conversations over a few connections (set-up, not measured)."""
    ids: list[str] = []

    async def create(share: int) -> None:
        connection = await Connection.open(HOST, port)
        try:
            for _ in range(share):
                response = await connection.request("POST", "/conversations", {})
                if response.status != 201:
                    raise LoadError(f"POST /conversations: HTTP {response.status}")
                body = orjson.loads(response.body)
                ids.append(str(body["id"]))
        finally:
            connection.close()

    lanes = min(CONCURRENT_SETUP, max(count, 1))
    shares = [count // lanes + (lane < count % lanes) for lane in range(lanes)]
    await asyncio.gather(*(create(share) for share in shares))
    return ids


def error_counts(records: list[StreamRecord]) -> dict[str, int]:
    """How many answers failed, by error text."""
    counts: dict[str, int] = {}
    for record in records:
        if record.error:
            key = record.error[:160]
            counts[key] = counts.get(key, 0) + 1
    return counts


class Lane:
    """A keep-alive connection that is reopened when the server has closed it."""

    def __init__(self, port: int, headers: dict[str, str] | None = None) -> None:
        self.port = port
        self._headers = headers
        self._connection: Connection | None = None

    async def connection(self) -> Connection:
        if self._connection is None or self._connection.closed:
            self._connection = await Connection.open(HOST, self.port, self._headers)
        return self._connection

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()


async def guarded(step: Awaitable[None], record: StreamRecord, limit: float) -> None:
    """Run one answer for at most `limit` s; a failure becomes the record's error."""
    try:
        await asyncio.wait_for(step, limit)
    except (LoadError, HttpError, OSError, TimeoutError) as error:
        record.error = record.error or f"{type(error).__name__}: {error}"
    if record.end == 0.0:
        record.end = time.perf_counter()
