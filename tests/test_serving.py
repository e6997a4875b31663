"""The server's event loop and its sockets: a listening socket that accepts every waiting
connection on each turn of a busy loop, hands each to uvloop, and stops and resumes cleanly;
binding to every address of a host; a clean Ctrl+C, and a SIGTERM that stops `openchat demo`'s
simulator too."""

from __future__ import annotations

import asyncio
import errno
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from openchat import serving
from openchat.serving import BatchAcceptServer, new_event_loop
from openchat.simulator.runner import free_port, wait_until_ready
from tests.servers import ROOT, AppServer

BURST = 50
TURN_SECONDS = 0.01  # each turn of the loop is kept this busy, as under load


class Counted(asyncio.Protocol):
    """Counts its connections and echoes what it receives."""

    made = 0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        Counted.made += 1
        self.transport: Any = transport  # uvloop's, which does not derive from asyncio's

    def data_received(self, data: bytes) -> None:
        self.transport.write(data)


def run(main: Callable[[], Awaitable[Any]]) -> Any:
    loop = new_event_loop()
    try:
        return loop.run_until_complete(main())
    finally:
        loop.close()


def listening_socket() -> socket.socket:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    return sock


def connect_many(port: int, count: int) -> list[socket.socket]:
    clients = []
    for _ in range(count):
        client = socket.socket()
        client.setblocking(False)
        client.connect_ex(("127.0.0.1", port))  # completes in the background
        clients.append(client)
    return clients


async def turns_until_accepted(server: asyncio.AbstractServer, count: int) -> int:
    """Keep every turn of the loop busy; return how many turns it took to accept `count`."""
    loop = asyncio.get_running_loop()
    accepted = loop.create_future()
    turns = 0

    def turn() -> None:
        nonlocal turns
        if Counted.made >= count:
            accepted.set_result(turns)
            return
        turns += 1
        time.sleep(TURN_SECONDS)
        loop.call_soon(turn)

    Counted.made = 0
    port = server.sockets[0].getsockname()[1]
    clients = connect_many(port, count)
    loop.call_soon(turn)
    try:
        async with asyncio.timeout(30):
            return await accepted
    finally:
        for client in clients:
            client.close()


def test_a_burst_of_connections_is_accepted_within_a_few_busy_turns():
    async def main() -> int:
        loop = asyncio.get_running_loop()
        server = await loop.create_server(Counted, sock=listening_socket(), backlog=2048)
        assert isinstance(server, BatchAcceptServer)
        try:
            return await turns_until_accepted(server, BURST)
        finally:
            server.close()
            await server.wait_closed()

    # uvloop's own server accepts one connection per turn: it would take about BURST turns.
    assert run(main) <= 5


def test_other_servers_are_uvloops_own():
    async def main() -> asyncio.AbstractServer:
        loop = asyncio.get_running_loop()
        server = await loop.create_server(Counted, host="127.0.0.1", port=0)
        server.close()
        await server.wait_closed()
        return server

    assert not isinstance(run(main), BatchAcceptServer)


def test_accepted_connections_are_served_and_a_closed_server_refuses_new_ones():
    async def main() -> None:
        loop = asyncio.get_running_loop()
        server = await loop.create_server(Counted, sock=listening_socket())
        port = server.sockets[0].getsockname()[1]
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"hello")
        assert await reader.readexactly(5) == b"hello"
        server.close()
        await server.wait_closed()
        assert not server.is_serving() and server.sockets == ()
        # The connection accepted before the close is still served.
        writer.write(b"still")
        assert await reader.readexactly(5) == b"still"
        writer.close()
        with pytest.raises(ConnectionRefusedError):
            await asyncio.open_connection("127.0.0.1", port)

    run(main)


def test_out_of_descriptors_pauses_accepting_and_then_resumes(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
):
    monkeypatch.setattr(serving, "ACCEPT_RETRY_SECONDS", 0.05)

    class Exhausted(socket.socket):
        failures = 1

        def accept(self) -> tuple[socket.socket, Any]:
            if Exhausted.failures:
                Exhausted.failures -= 1
                raise OSError(errno.EMFILE, "Too many open files")
            return super().accept()

    async def main() -> None:
        sock = Exhausted()
        sock.bind(("127.0.0.1", 0))
        loop = asyncio.get_running_loop()
        server = await loop.create_server(Counted, sock=sock)
        port = server.sockets[0].getsockname()[1]
        # The first accept fails: the connection waits in the kernel's queue, then is served.
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"ping")
        async with asyncio.timeout(5):
            assert await reader.readexactly(4) == b"ping"
        assert Exhausted.failures == 0 and server.is_serving()
        writer.close()
        server.close()
        await server.wait_closed()

    run(main)
    assert "Cannot accept connections (Too many open files)" in caplog.text


def test_bind_listens_on_every_address_of_the_host_ipv6_for_ipv6_only():
    sockets = serving.bind("localhost", 0)
    try:
        families = {sock.family for sock in sockets}
        resolved = {info[0] for info in socket.getaddrinfo("localhost", 0, type=socket.SOCK_STREAM)}
        assert families == resolved
        for sock in sockets:
            if sock.family == socket.AF_INET6:
                assert sock.getsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY) == 1
    finally:
        for sock in sockets:
            sock.close()


def test_bind_to_a_port_in_use_exits_with_one_clear_line(caplog: pytest.LogCaptureFixture):
    taken = listening_socket()
    taken.listen()
    port = taken.getsockname()[1]
    try:
        with pytest.raises(SystemExit) as exit_:
            serving.bind("127.0.0.1", port)
    finally:
        taken.close()
    assert exit_.value.code == serving.STARTUP_FAILURE
    assert f"Cannot listen on 127.0.0.1 port {port}: Address already in use" in caplog.text


def test_ctrl_c_stops_the_server_cleanly(tmp_path: Path):
    server = AppServer(f"sqlite:///{tmp_path / 'app.db'}", tmp_path / "server.log").start()
    assert server.process is not None
    server.process.send_signal(signal.SIGINT)
    assert server.process.wait(timeout=15) == 0
    log = server.log()
    assert "Application shutdown complete" in log
    assert "Traceback" not in log
    assert f"Listening on http://127.0.0.1:{server.port}" in log


def test_sigterm_stops_the_demo_and_its_simulator(tmp_path: Path):
    port = free_port()
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'openchat.db'}"}
    command = [sys.executable, "-m", "openchat", "demo", "--port", str(port)]
    with (tmp_path / "demo.log").open("wb") as log:
        demo = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        assert wait_until_ready(demo, f"http://127.0.0.1:{port}/health", 30)
        children = Path(f"/proc/{demo.pid}/task/{demo.pid}/children").read_text().split()
        assert len(children) == 1  # the simulator
        demo.send_signal(signal.SIGTERM)
        assert demo.wait(timeout=15) == 0
    finally:
        if demo.poll() is None:
            demo.kill()
    assert not Path(f"/proc/{children[0]}").exists()
    assert "Application shutdown complete" in (tmp_path / "demo.log").read_text()
