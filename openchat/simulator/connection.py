"""A lean HTTP/1.1 server connection on asyncio: httptools parses requests, responses go
straight to the transport (streams as chunked transfer, one write per batch of events), with
keep-alive, pipelining, `Expect: 100-continue`, back-pressure and prompt disconnect notices.
"""

import asyncio
import http
import logging
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, cast
from urllib.parse import parse_qsl, unquote

import httptools

log = logging.getLogger(__name__)

MAX_BODY = 32 * 1024 * 1024
_SERVER = b"server: openchat-simulator"
_OTHER_PHRASES = {524: "A Timeout Occurred", 529: "Site Overloaded"}
_IDLE, _STREAMING, _DONE = 0, 1, 2


def reason_phrase(status: int) -> str:
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return _OTHER_PHRASES.get(status, "Unknown")


@dataclass(frozen=True, slots=True)
class HttpRequest:
    """A fully received request; header names are lower-cased, repeated ones joined by ", "."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes


class StreamListener(Protocol):
    """Told when the client goes away or the transport can take more data."""

    def on_disconnect(self) -> None: ...
    def on_resume(self) -> None: ...


class Responder:
    """The response to one request: answer once with `send`, or `start`/`write`/`end` a stream."""

    __slots__ = ("_chunked", "_conn", "_keep_alive", "_state", "_transport", "listener")

    def __init__(
        self, conn: "HttpConnection", transport: asyncio.Transport, keep_alive: bool, chunked: bool
    ) -> None:
        self._conn = conn
        self._transport = transport
        self._keep_alive = keep_alive
        self._chunked = chunked
        self._state = _IDLE
        self.listener: StreamListener | None = None

    @property
    def paused(self) -> bool:
        """True while the client reads slower than we write; wait for `on_resume`."""
        return self._conn.paused

    def send(
        self,
        status: int,
        body: bytes,
        *,
        content_type: str = "application/json",
        headers: tuple[tuple[str, str], ...] = (),
        chunked: bool = False,
    ) -> None:
        """A complete response; `chunked` frames the body without a Content-Length."""
        if self._state != _IDLE:
            return
        self._state = _DONE
        if chunked and self._chunked and body:
            framing = b"transfer-encoding: chunked"
            body = b"%x\r\n%b\r\n0\r\n\r\n" % (len(body), body)
        else:
            framing = b"content-length: %d" % len(body)
        self._transport.write(self._head(status, content_type, headers, framing) + body)
        self._conn.exchange_done(self._keep_alive)

    def start(self, status: int, content_type: str, headers: tuple[tuple[str, str], ...]) -> None:
        """Send the head of a streamed response; the body follows through `write`."""
        if self._state != _IDLE:
            return
        self._state = _STREAMING
        if not self._chunked:
            # HTTP/1.0 has no chunked encoding: the body ends when the connection closes.
            self._keep_alive = False
        framing = b"transfer-encoding: chunked" if self._chunked else None
        self._transport.write(self._head(status, content_type, headers, framing))

    def write(self, data: bytes) -> None:
        """One piece of a streamed body, sent as one HTTP chunk."""
        if self._state == _STREAMING:
            self._transport.write(b"%x\r\n%b\r\n" % (len(data), data) if self._chunked else data)

    def end(self) -> None:
        """Finish a streamed body properly."""
        if self._state != _STREAMING:
            return
        self._state = _DONE
        if self._chunked:
            self._transport.write(b"0\r\n\r\n")
        self._conn.exchange_done(self._keep_alive)

    def drop(self) -> None:
        """Close the connection mid-response, as a network cut would (EOF, no terminator)."""
        self._state = _DONE
        self._conn.close()

    def abort(self) -> None:
        """Give up after a handler failure: a 500 if nothing was sent yet, else a cut."""
        if self._state == _IDLE:
            self.send(500, b'{"error":{"code":500,"message":"Internal Server Error"}}')
        else:
            self.drop()

    def lost(self) -> None:
        self._state = _DONE
        if self.listener is not None:
            self.listener.on_disconnect()

    def resumed(self) -> None:
        if self.listener is not None:
            self.listener.on_resume()

    def _head(
        self,
        status: int,
        content_type: str,
        headers: tuple[tuple[str, str], ...],
        framing: bytes | None,
    ) -> bytes:
        lines = [
            f"HTTP/1.1 {status} {reason_phrase(status)}".encode(),
            b"content-type: " + content_type.encode(),
            _SERVER,
        ]
        if framing is not None:
            lines.append(framing)
        lines.extend(f"{name}: {value}".encode("latin-1") for name, value in headers)
        if not self._keep_alive:
            lines.append(b"connection: close")
        return b"\r\n".join(lines) + b"\r\n\r\n"


Handler = Callable[[HttpRequest, Responder], None]


class _BodyTooLarge(Exception):
    pass


class HttpConnection(asyncio.Protocol):
    """One client connection: parses requests and hands them, one at a time, to the handler."""

    def __init__(self, handler: Handler, registry: set["HttpConnection"]) -> None:
        self._handler = handler
        self._registry = registry
        self._transport: asyncio.Transport | None = None
        self._parser = httptools.HttpRequestParser(self)
        # Bytes after a `Connection: close` request are ignored rather than failing the
        # request already received: the connection closes once it is answered.
        self._parser.set_dangerous_leniencies(lenient_data_after_close=True)
        self._queue: deque[tuple[HttpRequest, bool, bool]] = deque()
        self._current: Responder | None = None
        self._dispatching = False
        self._closed = False
        self.paused = False
        self._url = b""
        self._headers: dict[str, str] = {}
        self._body: list[bytes] = []
        self._body_size = 0

    # asyncio.Protocol

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports implement asyncio.Transport without subclassing it.
        self._transport = cast(asyncio.Transport, transport)
        self._registry.add(self)

    def data_received(self, data: bytes) -> None:
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            pass  # Upgrades are not offered; the request itself was queued and is answered.
        except httptools.HttpParserCallbackError as error:
            too_large = isinstance(error.__context__, _BodyTooLarge)
            self._refuse(413 if too_large else 400)
            return
        except httptools.HttpParserError:
            self._refuse(400)
            return
        self._dispatch()

    def connection_lost(self, _exc: Exception | None) -> None:
        self._closed = True
        self._registry.discard(self)
        self._queue.clear()
        current, self._current = self._current, None
        if current is not None:
            current.lost()

    def pause_writing(self) -> None:
        self.paused = True

    def resume_writing(self) -> None:
        self.paused = False
        if self._current is not None:
            self._current.resumed()

    # httptools callbacks

    def on_message_begin(self) -> None:
        self._url = b""
        self._headers = {}
        self._body = []
        self._body_size = 0

    def on_url(self, url: bytes) -> None:
        self._url += url

    def on_header(self, name: bytes, value: bytes) -> None:
        key = name.decode("latin-1").lower()
        text = value.decode("latin-1")
        previous = self._headers.get(key)
        self._headers[key] = text if previous is None else f"{previous}, {text}"

    def on_headers_complete(self) -> None:
        if self._headers.get("expect", "").lower() == "100-continue" and self._transport:
            self._transport.write(b"HTTP/1.1 100 Continue\r\n\r\n")

    def on_body(self, body: bytes) -> None:
        self._body_size += len(body)
        if self._body_size > MAX_BODY:
            raise _BodyTooLarge
        self._body.append(body)

    def on_message_complete(self) -> None:
        url = httptools.parse_url(self._url)
        query = url.query.decode("latin-1") if url.query else ""
        request = HttpRequest(
            method=self._parser.get_method().decode("ascii"),
            path=unquote(url.path.decode("latin-1")) if url.path else "/",
            query=dict(parse_qsl(query)),
            headers=self._headers,
            body=b"".join(self._body),
        )
        keep_alive = self._parser.should_keep_alive()
        self._queue.append((request, keep_alive, self._parser.get_http_version() == "1.1"))

    # used by Responder

    def exchange_done(self, keep_alive: bool) -> None:
        self._current = None
        if not keep_alive:
            self.close()
        elif not self._dispatching:
            self._dispatch()

    def close(self) -> None:
        if self._transport is not None and not self._closed:
            self._transport.close()

    def _dispatch(self) -> None:
        # Requests are answered in order; a pipelined one waits for the running response.
        self._dispatching = True
        try:
            while self._current is None and self._queue and not self._closed:
                request, keep_alive, chunked = self._queue.popleft()
                assert self._transport is not None
                responder = Responder(self, self._transport, keep_alive, chunked)
                self._current = responder
                try:
                    self._handler(request, responder)
                except Exception:
                    log.exception("request %s %s failed", request.method, request.path)
                    responder.abort()
        finally:
            self._dispatching = False

    def _refuse(self, status: int) -> None:
        if self._transport is None or self._closed:
            return
        body = b'{"error":{"code":%d,"message":"%s"}}' % (status, reason_phrase(status).encode())
        head = b"HTTP/1.1 %d %s\r\ncontent-type: application/json\r\ncontent-length: %d\r\n" % (
            status,
            reason_phrase(status).encode(),
            len(body),
        )
        self._transport.write(head + b"connection: close\r\n\r\n" + body)
        self._transport.close()
