"""The upstream client against the small differences of OpenAI-compatible servers, each
played byte for byte by a real HTTP server on 127.0.0.1 (`raw_server`)."""

from __future__ import annotations

import asyncio
import contextlib
import gzip
from collections.abc import AsyncIterator, Awaitable, Callable

import orjson
import pytest

from openchat.domain import Turn
from openchat.errors import UpstreamError
from openchat.settings import Settings
from openchat.upstream import openrouter
from openchat.upstream.openrouter import Finished, OpenRouterClient, open_pool
from tests.upstream.deltas import Deltas, Reasoning, Text
from tests.upstream.raw_server import RawServer, Reply, Seen, Wire, raw_server

SSE_HEAD = {"Content-Type": "text/event-stream"}
Serve = Callable[..., Awaitable[tuple[OpenRouterClient, RawServer]]]


@pytest.fixture
async def serve() -> AsyncIterator[Serve]:
    """Start a server playing a reply and a client of it; both close when the test ends."""
    async with contextlib.AsyncExitStack() as stack:

        async def start(
            reply: Reply, key: str | None = "sk-x", idle_timeout: float = 5
        ) -> tuple[OpenRouterClient, RawServer]:
            server = await stack.enter_async_context(raw_server(reply))
            settings = Settings(
                openrouter_api_key=key,
                openrouter_base_url=server.url,
                upstream_idle_timeout=idle_timeout,
                max_tokens=256,
                _env_file=None,  # type: ignore[call-arg]
            )
            pool = open_pool(settings)
            client = OpenRouterClient(pool, settings)
            stack.push_async_callback(pool.close)
            stack.push_async_callback(client.settle)  # first: bodies still read past [DONE]
            return client, server

        yield start


def sse(*events: object, done: bool = True) -> bytes:
    body = b"".join(b"data: " + orjson.dumps(event) + b"\n\n" for event in events)
    return body + (b"data: [DONE]\n\n" if done else b"")


def chunk(
    content: str | None = None, finish: str | None = None, **delta: object
) -> dict[str, object]:
    return {
        "choices": [{"index": 0, "delta": {"content": content, **delta}, "finish_reason": finish}]
    }


def answer(body: bytes, status: int = 200, headers: dict[str, str] | None = None) -> Reply:
    """A whole answer in one chunk."""

    async def reply(_: Seen, wire: Wire) -> None:
        await wire.send(status, body, headers or SSE_HEAD)

    return reply


def pieces(
    *parts: bytes, pause: float = 0.05, end: bool = True, headers: dict[str, str] | None = None
) -> Reply:
    """An answer in chunks, each after a pause, so that each arrives in a read of its own."""

    async def reply(_: Seen, wire: Wire) -> None:
        await wire.head(200, headers or SSE_HEAD)
        for part in parts:
            await wire.chunk(part)
            await asyncio.sleep(pause)
        if end:
            await wire.end()

    return reply


def then_silence(first: bytes) -> Reply:
    """An answer that sends its first bytes, then nothing more."""

    async def reply(_: Seen, wire: Wire) -> None:
        await wire.head(200, SSE_HEAD)
        await wire.chunk(first)
        await wire.hold()

    return reply


async def collect(client: OpenRouterClient, deltas: Deltas | None = None) -> list[object]:
    """What reached the sink, then how the answer finished."""
    deltas = Deltas() if deltas is None else deltas
    finished = await client.stream_chat("m", [Turn("user", "hi")], deltas)
    return [*deltas, finished]


async def test_a_stream_silent_past_the_idle_timeout_is_a_stall_with_its_text_so_far(
    serve: Serve,
):
    client, _ = await serve(then_silence(sse(chunk("Hel"), done=False)), idle_timeout=0.1)
    deltas = Deltas()
    with pytest.raises(UpstreamError, match=r"stopped sending for 0.1 s") as failure:
        await collect(client, deltas)
    assert deltas == [Text("Hel")] and failure.value.upstream_status == 408
    current = asyncio.current_task()
    assert current is not None and current.cancelling() == 0  # the stall took its cancel back


async def test_an_upstream_that_never_answers_is_a_stall(serve: Serve):
    async def never(_: Seen, wire: Wire) -> None:
        await wire.hold()

    client, _ = await serve(never, idle_timeout=0.1)
    with pytest.raises(UpstreamError, match="stopped sending"):
        await collect(client)


async def test_an_upstream_that_cannot_be_reached_says_so():
    async with raw_server(answer(b"")) as gone:
        url = gone.url  # nothing listens on its port once the block ends
    settings = Settings(
        openrouter_api_key="sk-x",
        openrouter_base_url=url,
        upstream_idle_timeout=5,  # bounds the wait should another process take the port
        _env_file=None,  # type: ignore[call-arg]
    )
    pool = open_pool(settings)
    client = OpenRouterClient(pool, settings)
    try:
        with pytest.raises(UpstreamError, match="Could not reach the model service"):
            await collect(client)
        with pytest.raises(UpstreamError, match="Could not reach the model service"):
            await client.list_models()
    finally:
        await pool.close()


async def test_a_stop_during_a_stall_stays_a_stop(serve: Serve):
    client, _ = await serve(then_silence(b": hi\n\n"), idle_timeout=0.05)
    reader = asyncio.create_task(collect(client))
    await asyncio.sleep(0.045)
    reader.cancel()  # a stop just before the silence is noticed, or just after
    await asyncio.sleep(0.02)
    with pytest.raises(asyncio.CancelledError):
        await reader


@pytest.mark.parametrize("encoding", [None, "gzip"])
async def test_a_streamed_body_is_read_plain_or_decompressed_across_reads(
    serve: Serve, encoding: str | None
):
    body = sse(chunk("Hel"), chunk("lo", finish="stop"))
    headers = dict(SSE_HEAD)
    if encoding:
        body, headers["Content-Encoding"] = gzip.compress(body), encoding
    third = len(body) // 3 + 1
    parts = [body[start : start + third] for start in range(0, len(body), third)]
    client, _ = await serve(pieces(*parts, headers=headers))
    deltas = await collect(client)
    assert "".join(d.text for d in deltas if isinstance(d, Text)) == "Hello"
    assert isinstance(deltas[-1], Finished) and deltas[-1].finish_reason == "stop"


async def test_ollama_style_stream_without_comments_and_usage_in_an_empty_choices_chunk(
    serve: Serve,
):
    body = sse(
        chunk("", role="assistant"),
        chunk("Hel", reasoning_content=None),
        chunk("lo", finish="stop"),
        {"choices": [], "usage": {"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5}},
    )
    client, _ = await serve(answer(body))
    deltas = await collect(client)
    assert deltas[0] == Text("Hello")
    final = deltas[-1]
    assert isinstance(final, Finished) and final.finish_reason == "stop"
    assert final.usage is not None and final.usage.total_tokens == 5 and final.usage.cost is None


async def test_stream_without_usage_or_done_marker_still_completes(serve: Serve):
    client, _ = await serve(answer(sse(chunk("Hi"), chunk("!", finish="stop"), done=False)))
    assert await collect(client) == [Text("Hi!"), Finished("stop", None)]


async def test_deltas_come_per_read_and_what_follows_done_is_read_and_ignored(serve: Serve):
    client, server = await serve(
        pieces(
            sse(chunk("a"), chunk("b"), done=False),
            sse(chunk("c", finish="stop")) + sse(chunk("never"), done=False),
            sse(chunk("nor this"), done=False),
        )
    )
    deltas = await collect(client)
    assert deltas == [Text("ab"), Text("c"), Finished("stop", None)]
    async with asyncio.timeout(5):
        await client.settle()
    # The body was read to its end: its connection serves the next answer.
    assert await collect(client) == deltas
    assert server.connections == 1 and len(server.seen) == 2


async def test_a_body_that_ends_with_done_goes_back_to_the_pool_at_once(serve: Serve):
    async def reply(_: Seen, wire: Wire) -> None:
        await wire.head(200, SSE_HEAD)
        await wire.last(sse(chunk("Hi", finish="stop")))

    client, server = await serve(reply)
    expected = [Text("Hi"), Finished("stop", None)]
    assert await collect(client) == expected
    tasks = asyncio.all_tasks()  # the server's handler of the kept connection among them
    for _ in range(2):  # no wait between answers: each finds the connection free
        assert await collect(client) == expected
        assert asyncio.all_tasks() == tasks  # nothing was left to read: no task reads on
    assert server.connections == 1 and len(server.seen) == 3


async def test_a_body_held_open_after_done_holds_nothing_back_and_is_cut_after_a_wait(
    serve: Serve, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(openrouter, "END_OF_BODY_WAIT", 0.6)
    # The idle timeout is shorter than the wait: the complete answer still is no stall.
    client, server = await serve(then_silence(sse(chunk("Hi", finish="stop"))), idle_timeout=0.3)
    async with asyncio.timeout(0.5):
        deltas = await collect(client)
    assert deltas == [Text("Hi"), Finished("stop", None)]
    assert not server.closed.is_set()
    async with asyncio.timeout(5):
        await client.settle()
        await server.closed.wait()  # cut: the connection was not kept for another answer


async def test_a_failure_past_done_changes_nothing(serve: Serve):
    async def reply(_: Seen, wire: Wire) -> None:
        await wire.head(200, SSE_HEAD)
        await wire.chunk(sse(chunk("Hi", finish="stop")))
        await asyncio.sleep(0.05)
        wire.cut()  # before the body's end

    client, server = await serve(reply)
    assert await collect(client) == [Text("Hi"), Finished("stop", None)]
    async with asyncio.timeout(5):
        await client.settle()
    # The broken connection was not kept: the next answer comes on a new one.
    assert await collect(client) == [Text("Hi"), Finished("stop", None)]
    assert server.connections == 2


@pytest.mark.parametrize("reset", [False, True])
async def test_a_connection_lost_mid_answer_keeps_its_text_as_a_lost_connection(
    serve: Serve, reset: bool
):
    async def reply(_: Seen, wire: Wire) -> None:
        await wire.head(200, SSE_HEAD)
        await wire.chunk(sse(chunk("Hel"), done=False))
        await asyncio.sleep(0.05)
        wire.cut(reset=reset)

    client, _ = await serve(reply)
    deltas = Deltas()
    with pytest.raises(UpstreamError, match="connection to the model was lost"):
        await collect(client, deltas)
    assert deltas == [Text("Hel")]


async def test_reasoning_content_key_of_vllm_and_llama_cpp(serve: Serve):
    client, _ = await serve(
        answer(sse(chunk(None, reasoning_content="think"), chunk("ok", finish="stop")))
    )
    deltas = await collect(client)
    assert deltas[:2] == [Reasoning("think"), Text("ok")]


async def test_old_vllm_error_object_is_terminal(serve: Serve):
    body = sse(chunk("par"), {"object": "error", "message": "engine died", "code": 500})
    client, _ = await serve(answer(body))
    with pytest.raises(UpstreamError, match="engine died"):
        await collect(client)


@pytest.mark.parametrize(
    "error",
    [
        {"error": {"code": 502, "message": "provider down"}},
        {"object": "error", "message": "provider down", "code": 500},
        {"code": 500, "message": "provider down"},  # llama.cpp's bare envelope
        {"choices": [{"delta": {"content": "!"}, "finish_reason": "error"}]},
    ],
)
async def test_an_error_event_keeps_the_text_that_came_before_it_in_the_same_read(
    serve: Serve, error: dict[str, object]
):
    client, _ = await serve(answer(sse(chunk("Hel"), chunk("lo"), error, chunk("never"))))
    deltas = Deltas()
    with pytest.raises(UpstreamError):
        await collect(client, deltas)
    kept = "Hello!" if "choices" in error else "Hello"  # an error choice's own text counts
    assert deltas == [Text(kept)]


async def test_malformed_line_is_skipped(serve: Serve):
    client, _ = await serve(answer(b"data: {not json\n\n" + sse(chunk("ok", finish="stop"))))
    deltas = await collect(client)
    assert deltas[0] == Text("ok")


async def test_request_shape_and_headers(serve: Serve):
    client, server = await serve(answer(sse(chunk("x", finish="stop"))))
    await collect(client)
    request = server.seen[0]
    assert (request.method, request.path) == ("POST", "/v1/chat/completions")
    body = orjson.loads(request.body)
    assert body["stream"] is True and body["max_tokens"] == 256
    assert body["stream_options"] == {"include_usage": True}
    assert body["messages"] == [{"role": "user", "content": "hi"}]
    assert request.headers["authorization"] == "Bearer sk-x"
    assert request.headers["content-type"] == "application/json"
    assert request.headers["x-title"] == request.headers["x-openrouter-title"] == "Open Chat"
    assert request.headers["http-referer"]


async def test_local_server_without_key_sends_no_authorization(serve: Serve):
    listing = orjson.dumps({"object": "list", "data": []})
    client, server = await serve(
        answer(listing, headers={"Content-Type": "application/json"}), key=None
    )
    assert await client.list_models() == []
    assert (server.seen[0].method, server.seen[0].path) == ("GET", "/v1/models")
    assert "authorization" not in server.seen[0].headers


async def test_model_lists_of_other_servers_are_normalised(serve: Serve):
    rows = [
        {"id": "llama3:8b", "object": "model", "owned_by": "library"},
        {"id": "served", "max_model_len": 32768},
        {"id": "gguf", "meta": {"n_ctx_train": 8192}},
        {
            "id": "or/x",
            "name": "OR: X",
            "top_provider": {"context_length": 4096},
            "pricing": {"prompt": "-1", "completion": "-1"},
        },
        {"object": "model"},
    ]
    client, _ = await serve(answer(orjson.dumps({"object": "list", "data": rows})))
    models = {model.id: model for model in await client.list_models()}
    assert set(models) == {"llama3:8b", "served", "gguf", "or/x"}
    assert models["llama3:8b"].name == "llama3:8b" and models["llama3:8b"].pricing is None
    assert models["served"].context_length == 32768
    assert models["gguf"].context_length == 8192
    assert models["or/x"].context_length == 4096 and models["or/x"].pricing is not None


async def test_a_model_list_error_reads_as_its_status(serve: Serve):
    envelope = orjson.dumps({"error": {"code": 401, "message": "No auth credentials found"}})
    client, _ = await serve(answer(envelope, status=401))
    with pytest.raises(UpstreamError, match="rejected the API key") as caught:
        await client.list_models()
    assert caught.value.upstream_status == 401


async def test_llama_cpp_legacy_error_line_carries_its_message(serve: Serve):
    body = (
        sse(chunk("par"), done=False)
        + b'error: {"code":500,"message":"slot unavailable","type":"server_error"}\n\n'
    )
    client, _ = await serve(answer(body))
    with pytest.raises(UpstreamError, match="slot unavailable"):
        await collect(client)


async def test_an_error_status_carries_retry_after(serve: Serve):
    envelope = orjson.dumps({"error": {"code": 429, "message": "slow down"}})
    client, _ = await serve(answer(envelope, status=429, headers={"Retry-After": "7"}))
    with pytest.raises(UpstreamError, match="Try again in 7 s") as caught:
        await collect(client)
    assert caught.value.upstream_status == 429 and caught.value.retry_after == 7


async def test_an_error_status_whose_body_breaks_off_still_reads_as_that_status(serve: Serve):
    async def reply(_: Seen, wire: Wire) -> None:
        await wire.head(503, {"Content-Type": "application/json"})
        await wire.chunk(b'{"error": {"message": "over')
        await asyncio.sleep(0.05)
        wire.cut()

    client, _ = await serve(reply)
    with pytest.raises(UpstreamError) as caught:
        await collect(client)
    assert caught.value.upstream_status == 503


async def test_a_stopped_answer_never_leaves_its_unread_body_to_the_next_one(serve: Serve):
    client, server = await serve(
        pieces(sse(chunk("a"), done=False), sse(chunk("b", finish="stop")), pause=0.2)
    )
    deltas = Deltas()
    reader = asyncio.create_task(collect(client, deltas))
    async with asyncio.timeout(5):
        await deltas.arrived.wait()
    assert deltas == [Text("a")]
    reader.cancel()  # as a stop does, mid-body
    with pytest.raises(asyncio.CancelledError):
        await reader
    assert await collect(client) == [Text("a"), Text("b"), Finished("stop", None)]
    assert server.connections == 2  # the cut body's connection was closed, not pooled


async def test_a_failed_answer_never_leaves_its_unread_body_to_the_next_one(serve: Serve):
    calls = 0

    async def reply(_: Seen, wire: Wire) -> None:
        nonlocal calls
        calls += 1
        if calls == 1:  # an error chunk, then more of the body that is never read
            await wire.head(200, SSE_HEAD)
            await wire.chunk(sse({"error": {"code": 502, "message": "provider down"}}, done=False))
            await asyncio.sleep(0.2)
            await wire.chunk(sse(chunk("stale"), done=False))
            await wire.end()
        else:
            await wire.send(200, sse(chunk("fresh", finish="stop")), SSE_HEAD)

    client, server = await serve(reply)
    with pytest.raises(UpstreamError, match="provider down"):
        await collect(client)
    assert await collect(client) == [Text("fresh"), Finished("stop", None)]
    assert server.connections == 2


async def test_a_redirect_is_reported_and_never_followed(serve: Serve):
    client, server = await serve(
        answer(b"", status=301, headers={"Location": "/v2/chat/completions"})
    )
    with pytest.raises(UpstreamError, match="status 301") as caught:
        await collect(client)
    assert caught.value.upstream_status == 301
    with pytest.raises(UpstreamError, match="status 301"):
        await client.list_models()
    assert [(seen.method, seen.path) for seen in server.seen] == [
        ("POST", "/v1/chat/completions"),
        ("GET", "/v1/models"),
    ]


async def test_a_long_error_body_is_read_only_in_part(serve: Serve):
    envelope = orjson.dumps({"error": {"code": 400, "message": "bad " + "x" * 200_000}})
    client, _ = await serve(answer(envelope, status=400))
    with pytest.raises(UpstreamError) as caught:
        await collect(client)
    assert caught.value.upstream_status == 400
    assert len(str(caught.value)) < 1_000


async def test_upstream_cookies_are_never_sent_back(serve: Serve):
    async def reply(_: Seen, wire: Wire) -> None:
        await wire.send(200, sse(chunk("x", finish="stop")), {**SSE_HEAD, "Set-Cookie": "s=1"})

    client, server = await serve(reply)
    await collect(client)
    await collect(client)
    assert all("cookie" not in seen.headers for seen in server.seen)


async def test_a_sink_that_fails_ends_its_answer_with_that_failure_and_the_body_unread(
    serve: Serve,
):
    class Broken(Deltas):
        def add_text(self, text: str) -> None:
            raise RuntimeError(f"the sink broke on {text!r}")

    client, server = await serve(
        pieces(sse(chunk("a"), done=False), sse(chunk("b", finish="stop")), pause=0.1)
    )
    with pytest.raises(RuntimeError, match="the sink broke"):
        await collect(client, Broken())
    assert await collect(client) == [Text("a"), Text("b"), Finished("stop", None)]
    assert server.connections == 2  # the failed answer's connection was closed, not pooled
