"""A lean HTTP/1.1 client for the one upstream origin: a pool of keep-alive connections whose
response bodies reach a callback as each read arrives.

A streamed answer's every token passes through here. aiohttp's reader woke the answer's task
and resumed a chain of coroutines on every read; here a read is one call from the event loop
into `_Connection.data_received`, parsed by httptools (llhttp, as uvicorn uses), decompressed
when the server chose to, and handed to the body's sink. TLS is asyncio's.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import ssl
import zlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import aiohappyeyeballs
import httptools

from openchat.origin import Origin

BodySink = Callable[[bytes], None]
AddressInfo = tuple[int, int, int, str, tuple[Any, ...]]  # as getaddrinfo gives them
DECOMPRESSED = {"gzip", "x-gzip", "deflate"}
HEAD_LIMIT = 64 * 1024  # bytes of header names and values a response may have
# An address that does not answer within this gets the next one tried beside it (RFC 8305):
# a host whose IPv6 route silently drops packets still connects, over IPv4.
HAPPY_EYEBALLS_DELAY = 0.25
RESOLVED_FOR = 10.0  # seconds a host's addresses serve new connections: a burst asks once
# A compressed body is inflated this much at a time, and no further than its reader wants: one
# read of 64 KiB of deflated zeros would otherwise be 64 MiB at once.
INFLATED_PIECE = 256 * 1024


class TransportError(Exception):
    """The connection could not be made, broke, or carried something that is not HTTP/1.1."""


def request_head(method: str, target: str, headers: Mapping[str, str]) -> bytes:
    """A request's line and headers, without the blank line that ends them and without `Host`,
    which the pool adds. Each value must be one line."""
    lines = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    return f"{method} {target} HTTP/1.1\r\n{lines}".encode()


class Response:
    """One response: status and headers once its head is in, then its body as it arrives.

    The body goes to the sink given to `stream()`; what came before is kept for it, as it
    came: a compressed body is inflated a piece at a time, into the sink, only while the sink
    wants more.
    """

    def __init__(self, connection: _Connection) -> None:
        loop = asyncio.get_running_loop()
        self._connection = connection
        self.status = 0
        self.headers: dict[str, str] = {}  # names in lower case
        self.head: asyncio.Future[None] = loop.create_future()
        self.end: asyncio.Future[None] = loop.create_future()  # the body read to its end
        self.started = False  # a byte of it arrived
        self._sink: BodySink | None = None
        self._early: list[bytes] = []
        self._inflater: _Inflater | None = None  # set with the head, for a compressed body
        self._body_over = False  # the last piece is in (and the inflater still to be flushed)
        self._corrupt = False  # its compressed bytes did not inflate

    @property
    def complete(self) -> bool:
        return self.end.done() and self.end.exception() is None and not self._corrupt

    def stream(self, sink: BodySink) -> None:
        """From now on, hand each piece of the body to `sink`, starting with those already in."""
        early, self._early = self._early, []
        self._sink = sink
        try:
            for piece in early:
                self._body(piece)
            if self._body_over:
                self._flush()
        except zlib.error:
            self._corrupt = True
            self._sink, self._inflater = _ignore, None
            if not self.end.done():  # once done, the framing held: the connection serves on
                self._connection.close()

    async def read(self, limit: int) -> bytes:
        """The body, or once more than `limit` bytes came, what came (to the end of the piece
        that went past it). A body that broke off gives what arrived, and is not `complete`."""
        pieces: list[bytes] = []
        size = 0
        enough: asyncio.Future[None] = asyncio.get_running_loop().create_future()

        def keep(piece: bytes) -> None:
            nonlocal size
            pieces.append(piece)
            size += len(piece)
            if size > limit and not enough.done():
                self._sink = _ignore  # the rest of this read is not kept (nor inflated)
                enough.set_result(None)

        self.stream(keep)
        if size <= limit:
            try:
                await asyncio.wait([self.end, enough], return_when=asyncio.FIRST_COMPLETED)
            finally:
                enough.cancel()
        if self.end.done() and (error := self.end.exception()) is not None and not pieces:
            raise error
        return b"".join(pieces)

    def drain(self, wait: float) -> None:
        """Read the rest of the body and ignore it, giving up after `wait` seconds: read to its
        end, the connection goes back to the pool."""
        self._sink, self._inflater = _ignore, None
        self._early = []
        if not self.end.done():
            self._connection.close_after(wait)

    def abort(self) -> None:
        """Nothing more of this body is wanted: close the connection unless the body is read."""
        self._sink, self._inflater = _ignore, None
        self._early = []
        if not self.end.done():
            self._connection.close()

    # the connection's side

    def _body(self, piece: bytes) -> None:
        """A piece of the body as it came (a zlib.error from it fails the connection)."""
        sink = self._sink
        if sink is None:
            self._early.append(piece)
        elif self._inflater is None:
            sink(piece)
        else:
            for inflated in self._inflater.pieces(piece):
                sink(inflated)
                if self._sink is _ignore:  # declined: nothing more is inflated
                    self._inflater = None
                    return

    def _body_end(self) -> None:
        self._body_over = True
        if self._sink is not None:
            self._flush()

    def _flush(self) -> None:
        inflater, self._inflater = self._inflater, None
        if inflater is not None and (rest := inflater.flush()) and self._sink is not None:
            self._sink(rest)


def _ignore(_: bytes) -> None:
    pass


class _Inflater:
    """A gzip or deflate body, decompressed as it arrives: gzip members one after another, and
    deflate with or without the zlib header (some servers leave it out)."""

    __slots__ = ("_decoder", "_encoding")

    def __init__(self, encoding: str) -> None:
        self._encoding = encoding
        self._decoder: zlib._Decompress | None = None

    def pieces(self, data: bytes) -> Iterator[bytes]:
        """`data` inflated, INFLATED_PIECE bytes at most at a time."""
        if self._decoder is None:
            headerless = self._encoding == "deflate" and data[0] & 0x0F != 8  # not zlib's CM
            self._decoder = zlib.decompressobj(wbits=-15 if headerless else 47)  # 47: gzip or zlib
        while True:
            out = self._decoder.decompress(data, INFLATED_PIECE)
            if out:
                yield out
            if self._decoder.eof:  # what follows is the next gzip member, if anything
                data = self._decoder.unused_data
                if not data:
                    return
                self._decoder = zlib.decompressobj(wbits=47)
            else:
                data = self._decoder.unconsumed_tail
                if not data and len(out) < INFLATED_PIECE:  # a full piece may leave more
                    return

    def flush(self) -> bytes:
        return self._decoder.flush() if self._decoder is not None else b""


class _Connection(asyncio.Protocol):
    """One connection, one response at a time, parsed as its bytes arrive."""

    def __init__(self, pool: ConnectionPool) -> None:
        self._pool = pool
        self._transport: asyncio.Transport | None = None
        self._response: Response | None = None
        # What is read of the current response: set by send(), read only while it runs.
        self._parser: httptools.HttpResponseParser
        self._ends_with_close: bool  # no length, not chunked: the body ends with the connection
        self._informational: bool  # a 1xx head (103 Early Hints): the real one follows
        self._head_size: int
        self._timer: asyncio.TimerHandle | None = None
        self.closed = False
        self.used = False  # carried a response before
        self.lost: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    # asyncio's side

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = transport  # type: ignore[assignment]  # uvloop's are not subclasses

    def data_received(self, data: bytes) -> None:
        response = self._response
        if response is None:  # bytes nobody asked for: the connection is not fit for reuse
            self.close()
            return
        response.started = True
        try:
            self._parser.feed_data(data)
        except Exception as error:  # a callback's error comes wrapped, as its __context__
            cause = error.__context__ or error
            self._fail(TransportError(f"not a valid HTTP/1.1 response: {cause}"))

    def eof_received(self) -> bool:
        if self._response is None:  # the server closed a kept connection: not for reuse
            self.closed = True
            self._pool.forget(self)
        return False  # close: a half-closed connection is of no further use

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self._cancel_timer()
        self._pool.forget(self)
        if not self.lost.done():
            self.lost.set_result(None)
        response = self._response
        if response is None or response.end.done():
            return
        if response.head.done() and self._ends_with_close and exc is None:  # a reset is no end
            response._body_end()
            self._complete(keep=False)
        else:
            self._fail(TransportError(f"connection lost: {exc or 'closed by the server'}"))

    # the pool's side

    def send(self, request: bytes) -> Response:
        assert self._transport is not None and self._response is None
        self._cancel_timer()
        self._parser = httptools.HttpResponseParser(self)
        self._ends_with_close = False
        self._informational = False
        self._head_size = 0
        response = self._response = Response(self)
        self._transport.write(request)
        return response

    def close(self) -> None:
        """Close at once, its place in the pool free: nothing more is read or sent on it
        (over TLS, no wait for the server's reply to a close_notify, which a stalled server
        never sends)."""
        if not self.closed and self._transport is not None:
            self.closed = True
            self._transport.abort()
        self._pool.forget(self)

    def close_after(self, seconds: float) -> None:
        self._cancel_timer()
        self._timer = asyncio.get_running_loop().call_later(seconds, self.close)

    def _cancel_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    # httptools' side

    def on_header(self, name: bytes, value: bytes) -> None:
        assert self._response is not None
        self._head_size += len(name) + len(value)
        if self._head_size > HEAD_LIMIT:
            raise ValueError("the response's head is too long")
        headers = self._response.headers
        key, text = name.decode("latin-1").lower(), value.decode("latin-1")
        headers[key] = f"{headers[key]}, {text}" if key in headers else text

    def on_headers_complete(self) -> None:
        response = self._response
        assert response is not None
        response.status = self._parser.get_status_code()
        if 100 <= response.status < 200:
            self._informational = True
            response.headers = {}
            return
        headers = response.headers
        encoding = headers.get("content-encoding", "").strip().lower()
        if encoding in DECOMPRESSED:
            response._inflater = _Inflater(encoding)
        elif encoding not in ("", "identity"):
            raise ValueError(f"a Content-Encoding never asked for ({encoding[:20]})")
        chunked = "chunked" in headers.get("transfer-encoding", "").lower()
        self._ends_with_close = not chunked and "content-length" not in headers
        response.head.set_result(None)

    def on_body(self, body: bytes) -> None:
        assert self._response is not None
        self._response._body(body)

    def on_message_complete(self) -> None:
        if self._informational:
            self._informational = False
            return
        assert self._response is not None
        self._response._body_end()
        self._complete(keep=self._parser.should_keep_alive())

    # endings

    def _complete(self, keep: bool) -> None:
        response, self._response = self._response, None
        assert response is not None
        self._cancel_timer()
        self.used = True
        response.end.set_result(None)
        if keep and not self.closed:
            self._pool.give_back(self)
        else:
            self.close()

    def _fail(self, error: TransportError) -> None:
        response, self._response = self._response, None
        self.close()
        if response is None:
            return
        for future in (response.head, response.end):
            if not future.done():
                future.set_exception(error)
                future.exception()  # retrieved: nobody may be waiting for it


async def _addresses(host: str, port: int) -> Sequence[AddressInfo]:
    """Where `host` may be reached: every address, IPv6 and IPv4 alike; an address as it is."""
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    if ip.version == 6:
        return [(socket.AF_INET6, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (host, port, 0, 0))]
    return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (host, port))]


class ConnectionPool:
    """Keep-alive connections to one origin, at most `limit` open at once."""

    def __init__(
        self,
        origin: Origin,
        tls: ssl.SSLContext | None,
        *,
        limit: int,
        connect_timeout: float,
        pool_wait: float,
        keepalive: float,
    ) -> None:
        self.origin = origin
        self._tls = tls if origin.tls else None
        self._limit = limit
        self._connect_timeout = connect_timeout
        self._pool_wait = pool_wait
        self._keepalive = keepalive
        self._idle: list[_Connection] = []
        self._open: set[_Connection] = set()
        self._opening = 0
        self._waiters: list[asyncio.Future[None]] = []
        self._draining: set[asyncio.Future[None]] = set()
        self._resolved: asyncio.Future[Sequence[AddressInfo]] | None = None
        self._resolved_until = 0.0

    async def request(self, head: bytes, body: bytes = b"") -> Response:
        """Send one request (its head without the `Host` line); return its response once the
        head is in. Raise TransportError (the connect timeout included), or TimeoutError if no
        connection was free within the pool wait.

        A kept-alive connection the server closed just before it was used is retried once on
        a new one, as browsers do, as long as no byte of the answer came back: a server that
        took the request and then closed without a byte has lost its answer anyway.
        """
        request = head.replace(b"\r\n", b"\r\nHost: %s\r\n" % self.origin.authority.encode(), 1)
        for retry in (True, False):
            connection = await self._connection(fresh=not retry)
            response = connection.send(request + body)
            try:
                await response.head
            except TransportError:
                if retry and connection.used and not response.started:
                    continue
                raise
            except BaseException:
                connection.close()  # cancelled: the rest of the answer is not wanted
                raise
            return response
        raise AssertionError("unreachable")

    def read_rest(self, response: Response, wait: float) -> None:
        """Read the rest of `response` past what was wanted (see Response.drain)."""
        response.drain(wait)
        if not response.end.done():
            self._draining.add(response.end)
            response.end.add_done_callback(self._draining.discard)

    async def settle(self) -> None:
        """Wait until every body being drained is read or cut."""
        if self._draining:
            await asyncio.gather(*self._draining, return_exceptions=True)

    async def close(self) -> None:
        """Close every connection and wait (briefly) until each transport is gone."""
        connections = [*self._open]
        for connection in connections:
            connection.close()
        self._idle.clear()
        if connections:
            await asyncio.wait([connection.lost for connection in connections], timeout=1.0)

    # connections

    async def _connection(self, fresh: bool = False) -> _Connection:
        """A kept connection (unless `fresh`), or a new one once there is room for it."""
        woken = False
        async with asyncio.timeout(self._pool_wait):
            while True:
                if woken or not self._spoken_for():
                    while self._idle and not fresh:
                        connection = self._idle.pop()
                        if not connection.closed:
                            return connection
                    if fresh and self._idle and len(self._open) + self._opening >= self._limit:
                        self._idle[0].close()  # the oldest kept one makes room
                    if len(self._open) + self._opening < self._limit:
                        break
                waiter = asyncio.get_running_loop().create_future()
                # Woken once already and beaten to the room: first in line for the next.
                if woken:
                    self._waiters.insert(0, waiter)
                else:
                    self._waiters.append(waiter)
                try:
                    await waiter
                except BaseException:
                    if waiter.done() and not waiter.cancelled():  # woken, but leaving instead
                        self._wake_one()
                    raise
                finally:
                    if waiter in self._waiters:
                        self._waiters.remove(waiter)
                woken = True
        return await self._connect()

    async def _connect(self) -> _Connection:
        loop = asyncio.get_running_loop()
        origin = self.origin
        connection: _Connection | None = None
        self._opening += 1
        try:
            async with asyncio.timeout(self._connect_timeout):
                addresses = await self._resolve()
                sock = await aiohappyeyeballs.start_connection(
                    addresses, happy_eyeballs_delay=HAPPY_EYEBALLS_DELAY
                )
                _, connection = await loop.create_connection(  # the socket is its transport's
                    lambda: _Connection(self),
                    sock=sock,
                    ssl=self._tls,
                    server_hostname=origin.host if self._tls else None,
                )
        except OSError as error:  # ssl.SSLError among them
            raise TransportError(f"could not connect: {type(error).__name__}") from error
        finally:
            self._opening -= 1
            if connection is None:
                self._wake_one()  # its place is free for a request waiting for one
            else:
                self._open.add(connection)
        return connection

    async def _resolve(self) -> Sequence[AddressInfo]:
        """The origin's addresses, looked up once for all the connections opened meanwhile and
        for RESOLVED_FOR seconds after; a failed look-up is tried again by the next one."""
        loop = asyncio.get_running_loop()
        resolved = self._resolved
        if resolved is None or (resolved.done() and loop.time() > self._resolved_until):
            resolved = self._resolved = asyncio.ensure_future(
                _addresses(self.origin.host, self.origin.port)
            )
            self._resolved_until = loop.time() + RESOLVED_FOR
        try:
            return await asyncio.shield(resolved)  # one request's timeout ends its own wait
        except Exception:
            if self._resolved is resolved:
                self._resolved = None
            raise

    def give_back(self, connection: _Connection) -> None:
        connection.close_after(self._keepalive)  # unless used again before
        self._idle.append(connection)
        self._wake_one()

    def forget(self, connection: _Connection) -> None:
        self._open.discard(connection)
        if connection in self._idle:
            self._idle.remove(connection)
        self._wake_one()

    def _spoken_for(self) -> bool:
        """Every free connection and place is promised to a request woken for it that has not
        run yet: one arriving now waits behind the requests already waiting."""
        if not self._waiters:
            return False
        woken = sum(1 for waiter in self._waiters if waiter.done() and not waiter.cancelled())
        free = len(self._idle) + max(0, self._limit - len(self._open) - self._opening)
        return free <= woken

    def _wake_one(self) -> None:
        for waiter in self._waiters:
            if not waiter.done():
                waiter.set_result(None)
                return
