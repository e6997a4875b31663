"""The event loop the server runs on: uvloop, with a listening socket that accepts in batches.

libuv (under uvloop) accepts one connection per turn of the loop. Under load a turn lasts
as long as the work that is ready — tens of milliseconds with a thousand answers
streaming — so new connections were accepted at a few dozen a second: with 1,000 answers
starting within a second, the last waited ten seconds before its request was even read.
Here the listening socket is watched like any other and every waiting connection (up to
the backlog) is accepted on each turn, as asyncio's own loop does; each is then handed to
uvloop, which does the connection's reads and writes as before.

`serve()` binds the listening sockets itself (one per address the host resolves to, as
asyncio's `create_server` would) and runs uvicorn on this loop (by import string, `LOOP`)
with them, so that they reach `create_server(sock=...)`.
"""

from __future__ import annotations

import asyncio
import errno
import logging
import signal
import socket
import threading
from collections.abc import Callable
from types import FrameType
from typing import Any

import uvicorn
import uvloop

log = logging.getLogger(__name__)

LOOP = "openchat.serving:new_event_loop"
STARTUP_FAILURE = 3  # uvicorn's exit status when it cannot start
ACCEPT_RETRY_SECONDS = 1.0  # out of file descriptors or memory: try again after this
SYSTEM_LIMITS = {errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM}

ProtocolFactory = Callable[[], asyncio.BaseProtocol]


class BatchAcceptLoop(uvloop.Loop):
    """uvloop, except that a server on a given plain-TCP socket accepts every waiting
    connection on each turn."""

    async def create_server(  # type: ignore[override]
        self, protocol_factory: ProtocolFactory, *args: Any, **kwargs: Any
    ) -> asyncio.AbstractServer:
        sock = kwargs.get("sock")
        if args or sock is None or kwargs.get("ssl") is not None or sock.family == socket.AF_UNIX:
            return await super().create_server(protocol_factory, *args, **kwargs)
        return BatchAcceptServer(self, sock, protocol_factory, kwargs.get("backlog", 100))


def new_event_loop() -> asyncio.AbstractEventLoop:
    """The loop factory uvicorn imports by the name in `LOOP`."""
    return BatchAcceptLoop()


def serve(app: Any, host: str, port: int, **options: Any) -> None:
    """Run `app` on uvicorn, on this loop, until a signal stops it; `options` go to uvicorn."""
    config = uvicorn.Config(app, host=host, port=port, loop=LOOP, **options)
    sockets = bind(host, port)
    for sock in sockets:
        address, bound_port = sock.getsockname()[:2]
        shown = f"[{address}]" if sock.family == socket.AF_INET6 else address
        log.info("Listening on http://%s:%d", shown, bound_port)
    # uvicorn shuts down gracefully on SIGTERM, then raises it again for the handler it found,
    # which by default ends the process on the spot: what encloses this call (`openchat
    # demo`'s simulator) would be left running. Here it ends the call, as Ctrl+C does (exit
    # status 0), unless a handler of the caller's own, or a thread, says otherwise.
    ours = (
        threading.current_thread() is threading.main_thread()
        and signal.getsignal(signal.SIGTERM) == signal.SIG_DFL
    )
    if ours:
        signal.signal(signal.SIGTERM, _stopped)
    try:
        uvicorn.Server(config).run(sockets=sockets)
    except (KeyboardInterrupt, Stopped):  # raised again once uvicorn has shut down gracefully
        pass
    finally:
        if ours:
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
        for sock in sockets:
            sock.close()


class Stopped(BaseException):
    """SIGTERM came and the server has shut down (a BaseException, as KeyboardInterrupt is:
    no `except Exception` on the way may take it)."""


def _stopped(_signal: int, _frame: FrameType | None) -> None:
    raise Stopped


def bind(host: str, port: int) -> list[socket.socket]:
    """Sockets bound to every address `host` resolves to (IPv6 ones for IPv6 only), as
    asyncio's `create_server` binds them; exit with one clear line when that fails."""
    sockets: list[socket.socket] = []
    try:
        found = socket.getaddrinfo(
            host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )
        for family, kind, protocol, _, address in dict.fromkeys(found):
            sock = socket.socket(family, kind, protocol)
            sockets.append(sock)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if family == socket.AF_INET6:
                sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            sock.bind(address)
    except OSError as error:
        for sock in sockets:
            sock.close()
        log.error("Cannot listen on %s port %d: %s", host, port, error.strerror or error)
        raise SystemExit(STARTUP_FAILURE) from None
    return sockets


class BatchAcceptServer(asyncio.AbstractServer):
    """Serves one listening socket: accepts up to `backlog` connections per readiness."""

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        sock: socket.socket,
        protocol_factory: ProtocolFactory,
        backlog: int,
    ) -> None:
        self._loop = loop
        self._sock = sock
        self._protocol_factory = protocol_factory
        self._backlog = backlog
        self._serving = False
        self._closed = loop.create_future()
        self._connecting: set[asyncio.Task[None]] = set()
        sock.setblocking(False)
        sock.listen(backlog)
        self._start()

    @property
    def sockets(self) -> tuple[socket.socket, ...]:
        return () if self._closed.done() else (self._sock,)

    def _start(self) -> None:
        if not self._closed.done() and not self._serving:
            self._serving = True
            self._loop.add_reader(self._sock.fileno(), self._accept_waiting)

    def _pause(self) -> None:
        if self._serving:
            self._serving = False
            self._loop.remove_reader(self._sock.fileno())

    def _accept_waiting(self) -> None:
        for _ in range(self._backlog):
            try:
                connection, _ = self._sock.accept()
            except (BlockingIOError, InterruptedError):
                return  # none left
            except ConnectionAbortedError:
                continue  # the client gave up while it waited
            except OSError as error:
                if error.errno not in SYSTEM_LIMITS:  # one connection's fault (accept(2))
                    log.warning("Could not accept a connection: %s", error.strerror)
                    continue
                # Connections wait in the kernel's queue until descriptors free up.
                log.error("Cannot accept connections (%s); retrying shortly", error.strerror)
                self._pause()
                self._loop.call_later(ACCEPT_RETRY_SECONDS, self._start)
                return
            task = self._loop.create_task(self._hand_over(connection))
            self._connecting.add(task)
            task.add_done_callback(self._connecting.discard)

    async def _hand_over(self, connection: socket.socket) -> None:
        """Give the accepted socket to uvloop: it owns it, its reads and writes from here."""
        try:
            await self._loop.connect_accepted_socket(self._protocol_factory, connection)
        except OSError as error:  # the client left before its transport was set up
            log.debug("Dropped a connection while setting it up: %s", error.strerror)
            connection.close()
        except Exception as error:  # never lose the loop's listener to one connection
            log.error("Could not set up a connection: %s", type(error).__name__)
            connection.close()

    # asyncio.AbstractServer ---------------------------------------------------------------

    def close(self) -> None:
        """Stop accepting and close the socket; accepted connections are left alone."""
        if self._closed.done():
            return
        self._pause()
        self._sock.close()
        self._closed.set_result(None)

    def get_loop(self) -> asyncio.AbstractEventLoop:
        return self._loop

    def is_serving(self) -> bool:
        return self._serving

    async def start_serving(self) -> None:
        self._start()

    async def serve_forever(self) -> None:
        await asyncio.shield(self._closed)

    async def wait_closed(self) -> None:
        await asyncio.shield(self._closed)
