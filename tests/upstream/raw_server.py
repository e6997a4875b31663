"""A real HTTP/1.1 server on 127.0.0.1 whose answers a test writes byte for byte: the exact
bodies, pauses, cuts and compressions of other OpenAI-compatible servers, over a real socket."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import ssl
import struct
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field


@dataclass
class Seen:
    """One request as the server read it."""

    method: str
    path: str
    headers: dict[str, str]  # names in lower case
    body: bytes


class Wire:
    """The answer to one request: a head, then chunks of a chunked body, then its end; or
    bytes written by hand (`raw`)."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._reader = reader
        self._writer = writer
        self.cut_off = False

    async def head(self, status: int = 200, headers: dict[str, str] | None = None) -> None:
        lines = [f"HTTP/1.1 {status} Status", "Transfer-Encoding: chunked"]
        lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
        self._writer.write(("\r\n".join(lines) + "\r\n\r\n").encode())
        await self._writer.drain()

    async def chunk(self, data: bytes) -> None:
        if data:
            self._writer.write(b"%x\r\n%s\r\n" % (len(data), data))
            await self._writer.drain()

    async def last(self, data: bytes) -> None:
        """A last chunk and the body's end in one write, so they arrive in one read."""
        self._writer.write(b"%x\r\n%s\r\n0\r\n\r\n" % (len(data), data))
        await self._writer.drain()

    async def raw(self, data: bytes) -> None:
        """Bytes as they are: a head and body written by hand."""
        self._writer.write(data)
        await self._writer.drain()

    async def end(self) -> None:
        self._writer.write(b"0\r\n\r\n")
        await self._writer.drain()

    async def send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        """A whole answer in one chunk."""
        await self.head(status, headers)
        await self.chunk(body)
        await self.end()

    async def hold(self) -> None:
        """Send nothing more until the client closes the connection."""
        while await self._reader.read(4096):
            pass
        self.cut_off = True

    def cut(self, reset: bool = False) -> None:
        """Drop the connection where the answer stands, as a crashed server would: closed, or
        reset (an RST, as a proxy or a firewall sends)."""
        self.cut_off = True
        if reset:  # no lingering: the kernel sends RST, not FIN
            sock = self._writer.get_extra_info("socket")
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        transport = self._writer.transport
        assert isinstance(transport, asyncio.Transport)
        transport.abort()


Reply = Callable[[Seen, Wire], Awaitable[None]]


@dataclass
class RawServer:
    url: str  # the API's base URL, `/v1` included
    reply: Reply  # may be changed while it serves
    seen: list[Seen] = field(default_factory=list)
    connections: int = 0
    closed: asyncio.Event = field(default_factory=asyncio.Event)  # a connection ended


@contextlib.asynccontextmanager
async def raw_server(reply: Reply, tls: ssl.SSLContext | None = None) -> AsyncIterator[RawServer]:
    """Serve `reply` for every request, keeping connections alive, until the block ends;
    over TLS with `tls`."""
    handlers: set[asyncio.Task[None]] = set()
    state = RawServer(url="", reply=reply)

    async def connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        handlers.add(task)
        state.connections += 1
        wire = Wire(reader, writer)
        try:
            while not wire.cut_off and (seen := await _read_request(reader)) is not None:
                state.seen.append(seen)
                await state.reply(seen, wire)
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            state.closed.set()
            handlers.discard(task)
            writer.close()

    server = await asyncio.start_server(connection, "127.0.0.1", 0, ssl=tls)
    port = server.sockets[0].getsockname()[1]
    state.url = f"{'https' if tls else 'http'}://127.0.0.1:{port}/v1"
    try:
        yield state
    finally:
        server.close()
        await asyncio.sleep(0)  # a connection accepted just now starts its handler
        for task in list(handlers):
            task.cancel()
        await asyncio.gather(*handlers, return_exceptions=True)
        await server.wait_closed()


async def _read_request(reader: asyncio.StreamReader) -> Seen | None:
    head = await reader.readuntil(b"\r\n\r\n") if not reader.at_eof() else b""
    if not head:
        return None
    request_line, *header_lines = head.decode("latin-1").rstrip("\r\n").split("\r\n")
    method, path, _ = request_line.split(" ", 2)
    headers = {}
    for line in header_lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    body = await reader.readexactly(int(headers.get("content-length", "0")))
    return Seen(method, path, headers, body)
