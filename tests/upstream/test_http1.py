"""The upstream connection pool (`http1`) against real servers on 127.0.0.1: the answers'
shapes HTTP/1.1 allows, kept connections, its limit, and TLS."""

from __future__ import annotations

import asyncio
import gzip
import socket
import ssl
import subprocess
import zlib
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pydantic
import pytest

from openchat.errors import UpstreamError
from openchat.origin import Origin
from openchat.settings import Settings
from openchat.upstream import http1
from openchat.upstream.http1 import ConnectionPool, TransportError
from openchat.upstream.openrouter import OpenRouterClient, open_pool
from tests.upstream.raw_server import Reply, Seen, Wire, raw_server

GET = b"GET /v1/models HTTP/1.1\r\nAccept: */*\r\n\r\n"


def pool_of(url: str, limit: int = 10, pool_wait: float = 5.0) -> ConnectionPool:
    return ConnectionPool(
        Origin.of(url), None, limit=limit, connect_timeout=5, pool_wait=pool_wait, keepalive=5
    )


@pytest.fixture
async def pools() -> AsyncIterator[list[ConnectionPool]]:
    """Pools a test opens are closed when it ends."""
    opened: list[ConnectionPool] = []
    yield opened
    for pool in opened:
        await pool.close()


def length_reply(body: bytes, pause: float = 0.0) -> Reply:
    async def reply(_: Seen, wire: Wire) -> None:
        await asyncio.sleep(pause)
        await wire.raw(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))

    return reply


def body_after_head(pause: float) -> Reply:
    """A two-byte body sent `pause` seconds after its head: the response holds its connection
    meanwhile."""

    async def reply(_: Seen, wire: Wire) -> None:
        await wire.raw(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n")
        await asyncio.sleep(pause)
        await wire.raw(b"ok")

    return reply


async def test_an_informational_head_before_the_answer_is_skipped(pools: list[ConnectionPool]):
    async def reply(_: Seen, wire: Wire) -> None:
        await wire.raw(b"HTTP/1.1 103 Early Hints\r\nLink: </style.css>\r\n\r\n")
        await wire.raw(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-Kind: real\r\n\r\nhi")

    async with raw_server(reply) as server:
        pools.append(pool := pool_of(server.url))
        response = await pool.request(GET)
        assert (response.status, response.headers) == (
            200,
            {"content-length": "2", "x-kind": "real"},
        )
        assert await response.read(100) == b"hi"


@pytest.mark.parametrize("delimited_by", ["length", "close"])
async def test_a_body_of_a_given_length_or_up_to_the_connections_end_is_read_whole(
    pools: list[ConnectionPool], delimited_by: str
):
    body = b"x" * 100_000

    async def reply(_: Seen, wire: Wire) -> None:
        if delimited_by == "length":
            await wire.raw(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body))
        else:
            await wire.raw(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n")
        await wire.raw(body[:50_000])
        await asyncio.sleep(0.02)
        await wire.raw(body[50_000:])
        if delimited_by == "close":
            wire.cut()

    async with raw_server(reply) as server:
        pools.append(pool := pool_of(server.url))
        for _ in range(2):
            response = await pool.request(GET)
            assert await response.read(len(body)) == body and response.complete
        # Kept alive only when the length said where the body ended.
        assert server.connections == (1 if delimited_by == "length" else 2)


async def test_a_kept_connection_the_server_dropped_is_tried_once_more_on_a_new_one(
    pools: list[ConnectionPool],
):
    answered: set[int] = set()

    async def reply(_: Seen, wire: Wire) -> None:
        if id(wire) in answered:  # the server dropped its kept connection as the request came
            wire.cut()
            return
        answered.add(id(wire))
        await wire.raw(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")

    async with raw_server(reply) as server:
        pools.append(pool := pool_of(server.url))
        for _ in range(3):
            response = await pool.request(GET)
            assert response.status == 200 and await response.read(10) == b"ok"
        assert server.connections == 3 and len(server.seen) == 5


async def test_a_new_connection_dropped_before_the_answer_is_a_transport_error(
    pools: list[ConnectionPool],
):
    async def reply(_: Seen, wire: Wire) -> None:
        wire.cut()

    async with raw_server(reply) as server:
        pools.append(pool := pool_of(server.url))
        with pytest.raises(TransportError, match="connection lost"):
            await pool.request(GET)
        assert server.connections == 1  # not tried again: it carried no answer before


async def test_at_the_limit_a_request_waits_for_a_connection_and_then_shares_it(
    pools: list[ConnectionPool],
):
    async with raw_server(length_reply(b"ok", pause=0.05)) as server:
        pools.append(pool := pool_of(server.url, limit=1))

        async def fetch() -> bytes:
            return await (await pool.request(GET)).read(10)

        assert await asyncio.gather(fetch(), fetch(), fetch()) == [b"ok"] * 3
        assert server.connections == 1 and len(server.seen) == 3


async def test_a_request_that_finds_no_free_connection_in_time_gives_up(
    pools: list[ConnectionPool],
):
    async def reply(_: Seen, wire: Wire) -> None:
        await wire.head(200, {"Content-Type": "text/event-stream"})
        await wire.hold()  # a stream that lasts

    async with raw_server(reply) as server:
        pools.append(pool := pool_of(server.url, limit=1, pool_wait=0.1))
        first = await pool.request(GET)
        with pytest.raises(TimeoutError):
            await pool.request(GET)
        first.abort()  # its connection closes: the next request opens another
        response = await pool.request(GET)
        assert response.status == 200 and server.connections == 2


def test_settings_refuse_a_base_url_that_is_not_http():
    for url in ("openrouter.ai/api/v1", "ftp://openrouter.ai/api/v1", "https://:443/v1"):
        with pytest.raises(pydantic.ValidationError, match="http:// or https://"):
            Settings(openrouter_base_url=url, _env_file=None)  # type: ignore[call-arg]
    origin = Origin.of("https://[::1]:8443/api/v1")
    assert (origin.host, origin.port, origin.authority) == ("::1", 8443, "[::1]:8443")
    assert Origin.of("http://bücher.example/v1").authority == "xn--bcher-kva.example"


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1, and its key."""
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    request = "req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1"
    names = "-subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1"
    subprocess.run(
        ["openssl", *request.split(), *names.split(), "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )
    return cert, key


@pytest.mark.parametrize("trusted", [True, False])
async def test_tls_to_a_server_whose_certificate_is_trusted_and_only_then(
    certificate: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch, trusted: bool
):
    cert, key = certificate
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(cert, key)
    if trusted:
        monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    listing = b'{"data": [{"id": "vendor/model"}]}'
    async with raw_server(length_reply(listing), tls=tls) as server:
        settings = Settings(
            openrouter_api_key="sk-x",
            openrouter_base_url=server.url,
            _env_file=None,  # type: ignore[call-arg]
        )
        pool = open_pool(settings)
        client = OpenRouterClient(pool, settings)
        try:
            if trusted:
                assert [model.id for model in await client.list_models()] == ["vendor/model"]
                assert server.seen[0].headers["authorization"] == "Bearer sk-x"
            else:
                with pytest.raises(UpstreamError, match="Could not reach the model service"):
                    await client.list_models()
                assert server.seen == []  # nothing, the key least of all, went to that server
        finally:
            await pool.close()


async def test_a_waiter_woken_for_a_free_place_that_leaves_passes_it_on(
    pools: list[ConnectionPool],
):
    async with raw_server(body_after_head(0.1)) as server:
        pools.append(pool := pool_of(server.url, limit=1, pool_wait=3))
        first = await pool.request(GET)  # holds the only place until its body is in
        second = asyncio.create_task(pool.request(GET))
        third = asyncio.create_task(pool.request(GET))
        await asyncio.sleep(0.01)
        # Once the body is in, the kept connection wakes the second, stopped before it runs.
        first.end.add_done_callback(lambda _: second.cancel())
        assert await first.read(10) == b"ok"
        async with asyncio.timeout(1):  # not after the whole pool wait
            assert await (await third).read(10) == b"ok"
        with pytest.raises(asyncio.CancelledError):
            await second
        assert server.connections == 1


async def test_the_one_more_try_goes_to_a_new_connection_not_another_kept_one(
    pools: list[ConnectionPool],
):
    async def reply(_: Seen, wire: Wire) -> None:
        await wire.raw(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")

    async with raw_server(reply) as server:
        pools.append(pool := pool_of(server.url, limit=2))
        responses = await asyncio.gather(pool.request(GET), pool.request(GET))
        assert [await response.read(10) for response in responses] == [b"ok", b"ok"]
        assert server.connections == 2

        async def drop(_: Seen, wire: Wire) -> None:  # every kept connection, as it is used
            wire.cut()

        server.reply = drop
        with pytest.raises(TransportError):
            await pool.request(GET)
        assert server.connections == 3  # the kept one, then a new one: not the other kept one


async def test_a_body_up_to_the_connections_end_that_ends_in_a_reset_is_broken(
    pools: list[ConnectionPool],
):
    async def reply(_: Seen, wire: Wire) -> None:
        await wire.raw(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\npart")
        await asyncio.sleep(0.05)
        wire.cut(reset=True)

    async with raw_server(reply) as server:
        pools.append(pool := pool_of(server.url))
        response = await pool.request(GET)
        assert await response.read(100) == b"part" and not response.complete


async def test_odd_heads_an_empty_encoding_passes_and_an_endless_one_is_refused(
    pools: list[ConnectionPool],
):
    async def reply(seen: Seen, wire: Wire) -> None:
        if seen.path.endswith("long"):
            await wire.raw(b"HTTP/1.1 200 OK\r\nX-Pad: " + b"x" * 100_000 + b"\r\n\r\n")
        else:
            await wire.raw(b"HTTP/1.1 200 OK\r\nContent-Encoding:\r\nContent-Length: 2\r\n\r\nok")

    async with raw_server(reply) as server:
        pools.append(pool := pool_of(server.url))
        assert await (await pool.request(GET)).read(10) == b"ok"
        with pytest.raises(TransportError, match=r"not a valid HTTP/1\.1 response"):
            await pool.request(GET.replace(b"models", b"long"))
    assert Origin.of("http://h/a path/").base_path == "/a%20path/"


async def test_an_address_that_never_answers_does_not_hold_up_the_next(
    pools: list[ConnectionPool], monkeypatch: pytest.MonkeyPatch
):
    """As where a host's IPv6 route drops packets: the next address is tried beside it."""
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(0)  # never accepted: once its queue is full, the kernel drops new SYNs
    filling: list[socket.socket] = []
    try:
        for _ in range(4):
            client = socket.socket()
            client.setblocking(False)
            client.connect_ex(silent.getsockname())
            filling.append(client)
        async with raw_server(length_reply(b"ok")) as server:
            good = ("127.0.0.1", int(server.url.rsplit(":", 1)[1].split("/")[0]))

            async def addresses(_host: str, _port: int) -> list[object]:
                stream = socket.SOCK_STREAM
                return [
                    (socket.AF_INET, stream, 6, "", silent.getsockname()),
                    (socket.AF_INET, stream, 6, "", good),
                ]

            monkeypatch.setattr(http1, "_addresses", addresses)
            pools.append(pool := pool_of(server.url))
            async with asyncio.timeout(2):  # the silent address alone would hold it for 5 s
                response = await pool.request(GET)
            assert await response.read(10) == b"ok"
    finally:
        for client in filling:
            client.close()
        silent.close()


async def test_a_host_is_looked_up_once_for_a_burst_of_new_connections(
    pools: list[ConnectionPool], monkeypatch: pytest.MonkeyPatch
):
    looked_up = http1._addresses
    lookups = 0

    async def counted(host: str, port: int) -> object:
        nonlocal lookups
        lookups += 1
        await asyncio.sleep(0.01)  # a look-up takes a while: the others wait for this one
        return await looked_up(host, port)

    monkeypatch.setattr(http1, "_addresses", counted)
    async with raw_server(length_reply(b"ok", pause=0.05)) as server:
        pools.append(pool := pool_of(server.url))
        responses = await asyncio.gather(*(pool.request(GET) for _ in range(5)))
        assert [await response.read(10) for response in responses] == [b"ok"] * 5
        assert server.connections == 5 and lookups == 1
    # An address is taken as it is, without asking the resolver.
    assert await looked_up("::1", 8443) == [
        (socket.AF_INET6, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", ("::1", 8443, 0, 0))
    ]


@pytest.mark.parametrize(
    ("encoding", "compress"),
    [
        ("gzip", lambda body: gzip.compress(body[:7]) + gzip.compress(body[7:])),  # two members
        ("deflate", zlib.compress),
        ("deflate", lambda body: zlib.compress(body)[2:-4]),  # without the zlib header
    ],
)
async def test_compressed_bodies_as_servers_send_them_read_whole_across_reads(
    pools: list[ConnectionPool], encoding: str, compress: Callable[[bytes], bytes]
):
    body = b'{"data": [' + b'{"id": "vendor/model"}, ' * 200 + b"{}]}"
    sent = compress(body)

    async def reply(_: Seen, wire: Wire) -> None:
        head = b"HTTP/1.1 200 OK\r\nContent-Encoding: %s\r\nContent-Length: %d\r\n\r\n"
        await wire.raw(head % (encoding.encode(), len(sent)))
        for start in range(0, len(sent), 5):  # in pieces: a gzip header split across reads
            await wire.raw(sent[start : start + 5])

    async with raw_server(reply) as server:
        pools.append(pool := pool_of(server.url))
        response = await pool.request(GET)
        assert await response.read(len(body)) == body and response.complete


async def test_a_compressed_body_is_inflated_only_as_far_as_its_reader_wants(
    pools: list[ConnectionPool],
):
    inflated = 64 * 1024 * 1024
    sent = gzip.compress(bytes(inflated), compresslevel=1)  # some 270 KiB

    async def reply(_: Seen, wire: Wire) -> None:
        head = b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: %d\r\n\r\n"
        await wire.raw(head % len(sent) + sent)

    async with raw_server(reply) as server:
        pools.append(pool := pool_of(server.url))
        response = await pool.request(GET)
        content = await response.read(1024 * 1024)
        response.abort()
        # Past the limit by less than one piece, where one read used to be inflated whole.
        assert 1024 * 1024 < len(content) <= 1024 * 1024 + http1.INFLATED_PIECE
        assert content == bytes(len(content))

        whole = await pool.request(GET)  # read whole, a piece at a time
        sizes: list[int] = []
        whole.stream(lambda piece: sizes.append(len(piece)))
        await whole.end
        assert sum(sizes) == inflated and max(sizes) <= http1.INFLATED_PIECE


@pytest.mark.parametrize("with_head", [True, False], ids=["with-the-head", "after-the-head"])
async def test_a_compressed_body_that_does_not_inflate_is_a_broken_model_list(with_head: bool):
    garbage = b"\x1f\x8b\x08\x00" + b"not gzip at all" * 10

    async def reply(_: Seen, wire: Wire) -> None:
        head = b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: %d\r\n\r\n"
        head %= len(garbage)
        if with_head:  # kept as it came until read, and only then inflated
            await wire.raw(head + garbage)
        else:
            await wire.raw(head)
            await asyncio.sleep(0.05)
            await wire.raw(garbage)

    async with raw_server(reply) as server:
        settings = Settings(openrouter_base_url=server.url, _env_file=None)  # type: ignore[call-arg]
        pool = open_pool(settings)
        try:
            with pytest.raises(UpstreamError, match="Could not reach the model service"):
                await OpenRouterClient(pool, settings).list_models()
        finally:
            await pool.close()


async def test_at_the_limit_a_request_arriving_as_a_connection_frees_waits_behind_those_waiting(
    pools: list[ConnectionPool],
):
    async with raw_server(body_after_head(0.05)) as server:
        pools.append(pool := pool_of(server.url, limit=1))
        first = await pool.request(GET)  # holds the only connection until its body is in
        served: list[str] = []

        async def ask(name: str, after: asyncio.Future[None] | None = None) -> bytes:
            if after is not None:
                await after
            response = await pool.request(GET)
            served.append(name)
            return await response.read(10)

        waiting = asyncio.create_task(ask("waiting"))
        await asyncio.sleep(0.01)
        # Runs as the body ends, once the connection is back and before the woken one runs.
        newcomer = asyncio.create_task(ask("newcomer", after=first.end))
        assert await first.read(10) == b"ok"
        assert await asyncio.gather(waiting, newcomer) == [b"ok", b"ok"]
        assert served == ["waiting", "newcomer"] and server.connections == 1


async def test_a_corrupt_body_read_after_its_end_leaves_the_connection_to_the_next_request(
    pools: list[ConnectionPool],
):
    garbage = b"\x1f\x8b\x08\x00" + b"not gzip at all" * 10

    slow_body = body_after_head(0.05)

    async def reply(seen: Seen, wire: Wire) -> None:
        if len(server.seen) == 1:
            head = b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: %d\r\n\r\n"
            await wire.raw(head % len(garbage) + garbage)
        else:  # the following answer's body is still on its way as the corrupt one is read
            await slow_body(seen, wire)

    async with raw_server(reply) as server:
        pools.append(pool := pool_of(server.url, limit=1))
        corrupt = await pool.request(GET)
        await corrupt.end  # its framing held: the connection is back in the pool
        following = await pool.request(GET)
        assert await corrupt.read(1000) == b"" and not corrupt.complete
        assert await following.read(10) == b"ok" and following.complete
        assert server.connections == 1


async def test_a_waiter_cancelled_as_its_connection_frees_holds_up_no_newcomer(
    pools: list[ConnectionPool],
):
    go, sent = asyncio.Event(), asyncio.Event()

    async def reply(_: Seen, wire: Wire) -> None:
        await wire.raw(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n")
        if len(server.seen) == 1:
            await go.wait()
        await wire.raw(b"ok")
        sent.set()

    async with raw_server(reply) as server:
        pools.append(pool := pool_of(server.url, limit=1, pool_wait=2))
        first = await pool.request(GET)
        waiting = asyncio.create_task(pool.request(GET))
        await asyncio.sleep(0.01)
        go.set()
        await sent.wait()
        # In one step: a request arrives and the waiting one is cancelled; the first body's
        # end (read after this step) gives the connection back with the cancelled waiter
        # still in the queue.
        newcomer = asyncio.create_task(pool.request(GET))
        waiting.cancel()
        async with asyncio.timeout(1):  # not after the pool wait
            assert await (await newcomer).read(10) == b"ok"
        assert first.complete and waiting.cancelled()


def test_an_inflated_piece_that_fills_its_size_is_followed_by_what_zlib_still_holds():
    body = (b'data: {"x": "' + b"a" * 2000 + b'"}\n\n') * 400
    sent = zlib.compress(body, 9)
    for split in range(1, len(sent), 7):
        inflater = http1._Inflater("deflate")
        expected = zlib.decompressobj().decompress(sent[:split])
        assert b"".join(inflater.pieces(sent[:split])) == expected
