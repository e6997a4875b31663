"""A lean HTTP/1.1 client on asyncio protocols: keep-alive, chunked bodies, SSE callbacks.

It exists because the benchmark's client must stay far cheaper than the server
it measures: one protocol object per connection, no per-request allocations
beyond the bytes themselves, and SSE events handed to a callback as they arrive.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import cast

import orjson

from bench.sse import SseParser

BodySink = Callable[[bytes], None]
EventSink = Callable[[bytes, float], None]  # an event's data and when its bytes were read


class HttpError(Exception):
    """The connection broke or the server answered with something that is not HTTP/1.1."""


@dataclass(frozen=True, slots=True)
class Response:
    status: int
    body: bytes

    def json(self) -> object:
        return orjson.loads(self.body)


class ChunkedDecoder:
    """Decodes `Transfer-Encoding: chunked` incrementally."""

    __slots__ = ("_buffer", "_remaining", "finished")

    def __init__(self) -> None:
        self._buffer = b""
        self._remaining = 0  # bytes left in the current chunk's payload, plus its CRLF
        self.finished = False

    def feed(self, data: bytes) -> list[bytes]:
        """Consume `data`; return the payload pieces it carried."""
        pieces: list[bytes] = []
        buffer = self._buffer + data if self._buffer else data
        position = 0
        end = len(buffer)
        while position < end and not self.finished:
            if self._remaining:
                take = min(self._remaining, end - position)
                payload_left = self._remaining - 2
                if payload_left > 0:
                    pieces.append(buffer[position : position + min(take, payload_left)])
                self._remaining -= take
                position += take
                continue
            line_end = buffer.find(b"\r\n", position)
            if line_end < 0:
                break
            size = int(buffer[position:line_end].split(b";", 1)[0], 16)
            position = line_end + 2
            if size == 0:
                self.finished = True  # trailers are not used by the servers measured here
            else:
                self._remaining = size + 2
        self._buffer = buffer[position:] if position < end and not self.finished else b""
        return pieces


class _Protocol(asyncio.Protocol):
    """Reads one response at a time and hands its body to the current sink."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self._head = b""
        self._in_body = False
        self._chunked: ChunkedDecoder | None = None
        self._length = -1
        self._status = 0
        self._keep_alive = True
        self._sink: BodySink = _ignore
        self._done: asyncio.Future[int] | None = None
        self.closed = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports do not subclass asyncio.Transport, but have its methods.
        self.transport = cast(asyncio.Transport, transport)

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        done = self._done
        if done is not None and not done.done():
            if self._in_body and self._length < 0 and self._chunked is None:
                done.set_result(self._status)  # body delimited by the connection's end
            else:
                done.set_exception(HttpError(f"connection lost: {exc or 'closed by peer'}"))

    def expect(self, sink: BodySink) -> asyncio.Future[int]:
        """Prepare for the next response; the future resolves to its status once it is read."""
        self._head = b""
        self._in_body = False
        self._chunked = None
        self._length = -1
        self._sink = sink
        self._done = asyncio.get_running_loop().create_future()
        return self._done

    def data_received(self, data: bytes) -> None:
        if not self._in_body:
            # A chunked body's closing CRLF may arrive after the future was resolved.
            self._head = self._head + data if self._head else data.lstrip(b"\r\n")
            split = self._head.find(b"\r\n\r\n")
            if split < 0:
                return
            data = self._head[split + 4 :]
            try:
                self._parse_head(self._head[:split])
            except (HttpError, ValueError) as error:
                self._fail(error)
                return
            self._in_body = True
            if self._length == 0:
                self._finish()
                return
            if not data:
                return
        if self._chunked is not None:
            for piece in self._chunked.feed(data):
                self._sink(piece)
            if self._chunked.finished:
                self._finish()
        elif self._length > 0:
            self._sink(data[: self._length])
            self._length -= len(data)
            if self._length <= 0:
                self._finish()
        else:
            self._sink(data)

    def _parse_head(self, head: bytes) -> None:
        lines = head.split(b"\r\n")
        parts = lines[0].split(b" ", 2)
        if len(parts) < 2 or not parts[0].startswith(b"HTTP/1."):
            raise HttpError(f"not an HTTP/1.1 response: {lines[0][:80]!r}")
        self._status = int(parts[1])
        self._keep_alive = parts[0] == b"HTTP/1.1"
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            value = value.strip().lower()
            if name == b"content-length":
                self._length = int(value)
            elif name == b"transfer-encoding" and value == b"chunked":
                self._chunked = ChunkedDecoder()
            elif name == b"connection":
                self._keep_alive = value != b"close"

    def _fail(self, error: Exception) -> None:
        done = self._done
        if done is not None and not done.done():
            done.set_exception(HttpError(str(error)))
        if self.transport is not None:
            self.transport.close()

    def _finish(self) -> None:
        self._in_body = False
        self._head = b""
        done = self._done
        if done is not None and not done.done():
            done.set_result(self._status)
        if not self._keep_alive and self.transport is not None:
            self.transport.close()


def _ignore(_: bytes) -> None:
    return None


class Connection:
    """One keep-alive HTTP/1.1 connection; requests on it run one after another."""

    def __init__(
        self, host: str, port: int, protocol: _Protocol, headers: dict[str, str] | None = None
    ) -> None:
        self._protocol = protocol
        extra = "".join(f"{name}: {value}\r\n" for name, value in (headers or {}).items())
        self._prefix = b"\r\nHost: %s:%d\r\n%s" % (host.encode(), port, extra.encode())

    @classmethod
    async def open(cls, host: str, port: int, headers: dict[str, str] | None = None) -> Connection:
        """Connect; `headers` are sent with every request on this connection."""
        loop = asyncio.get_running_loop()
        _, protocol = await loop.create_connection(_Protocol, host, port)
        return cls(host, port, protocol, headers)

    @property
    def closed(self) -> bool:
        return self._protocol.closed

    def close(self) -> None:
        if self._protocol.transport is not None:
            self._protocol.transport.close()

    async def request(self, method: str, path: str, body: object = None) -> Response:
        """Send one request with an optional JSON body; return the whole response."""
        parts: list[bytes] = []
        status = await self._exchange(method, path, body, b"application/json", parts.append)
        return Response(status, b"".join(parts))

    async def stream(self, method: str, path: str, body: object, on_event: EventSink) -> int:
        """Send one request and pass the data of each SSE event to `on_event` as it arrives.

        Returns the status once the response has ended; an error response
        (JSON, not SSE) yields no events, so callers check the status.
        """
        parser = SseParser()

        def sink(piece: bytes) -> None:
            arrived = time.perf_counter()  # one read, one arrival: events in it share the time
            for data in parser.feed(piece):
                on_event(data, arrived)

        return await self._exchange(method, path, body, b"text/event-stream", sink)

    async def _exchange(
        self, method: str, path: str, body: object, accept: bytes, sink: BodySink
    ) -> int:
        protocol = self._protocol
        if protocol.closed or protocol.transport is None:
            raise HttpError("connection is closed")
        payload = b"" if body is None else orjson.dumps(body)
        head = b"%s %s HTTP/1.1%sAccept: %s\r\n" % (
            method.encode(),
            path.encode(),
            self._prefix,
            accept,
        )
        if body is not None:
            head += b"Content-Type: application/json\r\nContent-Length: %d\r\n" % len(payload)
        done = protocol.expect(sink)
        protocol.transport.write(head + b"\r\n" + payload)
        return await done
