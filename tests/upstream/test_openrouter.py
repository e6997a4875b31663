"""The upstream client against the small differences of OpenAI-compatible servers,
with httpx.MockTransport standing in for each server's exact bytes."""

from __future__ import annotations

import asyncio
import gzip
import logging
from collections.abc import AsyncIterator, Awaitable, Callable

import httpx
import orjson
import pytest

from openchat.domain import Turn
from openchat.errors import UpstreamError
from openchat.settings import Settings
from openchat.upstream import openrouter
from openchat.upstream.openrouter import (
    Finished,
    OpenRouterClient,
    ReasoningDelta,
    TextDelta,
    build_http_client,
)

Handler = Callable[[httpx.Request], httpx.Response]
AsyncHandler = Callable[[httpx.Request], Awaitable[httpx.Response]]


def client_for(
    handler: Handler | AsyncHandler, key: str | None = "sk-x", idle_timeout: float = 5
) -> OpenRouterClient:
    settings = Settings(openrouter_api_key=key, openrouter_base_url="http://upstream.test/v1")
    http = build_http_client(settings, httpx.MockTransport(handler))
    return OpenRouterClient(http, max_tokens=256, idle_timeout=idle_timeout)


def sse(*events: object, done: bool = True) -> bytes:
    body = b"".join(b"data: " + orjson.dumps(event) + b"\n\n" for event in events)
    return body + (b"data: [DONE]\n\n" if done else b"")


def chunk(
    content: str | None = None, finish: str | None = None, **delta: object
) -> dict[str, object]:
    return {
        "choices": [{"index": 0, "delta": {"content": content, **delta}, "finish_reason": finish}]
    }


async def collect(client: OpenRouterClient) -> list[object]:
    return [delta async for delta in client.stream_chat("m", [Turn("user", "hi")])]


class Streamed(httpx.AsyncByteStream):
    """A body that arrives in pieces, not read ahead: as a real transport delivers it."""

    def __init__(self, body: bytes, pieces: int = 3) -> None:
        size = len(body) // pieces + 1
        self._pieces = [body[start : start + size] for start in range(0, len(body), size)]

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for piece in self._pieces:
            yield piece


class Silent(httpx.AsyncByteStream):
    """A body that sends its first bytes, then nothing more."""

    def __init__(self, first: bytes) -> None:
        self._first = first

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield self._first
        await asyncio.Event().wait()


async def test_a_stream_silent_past_the_idle_timeout_is_a_stall_with_its_text_so_far():
    body = Silent(sse(chunk("Hel"), done=False))
    client = client_for(lambda _: httpx.Response(200, stream=body), idle_timeout=0.1)
    deltas: list[object] = []
    with pytest.raises(UpstreamError, match=r"stopped sending for 0.1 s") as failure:
        async for delta in client.stream_chat("m", [Turn("user", "hi")]):
            deltas.append(delta)
    assert deltas == [TextDelta("Hel")] and failure.value.upstream_status == 408
    current = asyncio.current_task()
    assert current is not None and current.cancelling() == 0  # the stall took its cancel back


async def test_an_upstream_that_never_answers_is_a_stall():
    async def never(_: httpx.Request) -> httpx.Response:
        await asyncio.Event().wait()
        raise AssertionError("unreachable")

    with pytest.raises(UpstreamError, match="stopped sending"):
        await collect(client_for(never, idle_timeout=0.1))


async def test_a_stop_during_a_stall_stays_a_stop():
    client = client_for(
        lambda _: httpx.Response(200, stream=Silent(b": hi\n\n")), idle_timeout=0.05
    )
    reader = asyncio.create_task(collect(client))
    await asyncio.sleep(0.045)
    reader.cancel()  # a stop just before the silence is noticed, or just after
    await asyncio.sleep(0.02)
    with pytest.raises(asyncio.CancelledError):
        await reader


@pytest.mark.parametrize("encoding", [None, "gzip"])
async def test_a_streamed_body_is_read_raw_or_decoded(encoding: str | None):
    body = sse(chunk("Hel"), chunk("lo", finish="stop"))
    headers = {"content-type": "text/event-stream"}
    if encoding:
        body, headers["content-encoding"] = gzip.compress(body), encoding
    client = client_for(lambda _: httpx.Response(200, stream=Streamed(body), headers=headers))
    deltas = await collect(client)
    assert "".join(d.text for d in deltas if isinstance(d, TextDelta)) == "Hello"
    assert isinstance(deltas[-1], Finished) and deltas[-1].finish_reason == "stop"


async def test_ollama_style_stream_without_comments_and_usage_in_an_empty_choices_chunk():
    body = sse(
        chunk("", role="assistant"),
        chunk("Hel", reasoning_content=None),
        chunk("lo", finish="stop"),
        {"choices": [], "usage": {"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5}},
    )
    deltas = await collect(client_for(lambda _: httpx.Response(200, content=body)))
    assert deltas[0] == TextDelta("Hello")
    final = deltas[-1]
    assert isinstance(final, Finished) and final.finish_reason == "stop"
    assert final.usage is not None and final.usage.total_tokens == 5 and final.usage.cost is None


async def test_stream_without_usage_or_done_marker_still_completes():
    body = sse(chunk("Hi"), chunk("!", finish="stop"), done=False)
    deltas = await collect(client_for(lambda _: httpx.Response(200, content=body)))
    assert deltas == [TextDelta("Hi!"), Finished("stop", None)]


async def test_deltas_come_per_read_and_what_follows_done_is_read_to_the_end_and_ignored():
    ended = asyncio.Event()

    async def reads() -> AsyncIterator[bytes]:
        yield sse(chunk("a"), chunk("b"), done=False)
        yield sse(chunk("c", finish="stop")) + sse(chunk("never"), done=False)
        yield sse(chunk("nor this"), done=False)
        ended.set()  # the body was read to its end: its connection can serve the next answer

    client = client_for(lambda _: httpx.Response(200, content=reads()))
    deltas = await collect(client)
    assert deltas == [TextDelta("ab"), TextDelta("c"), Finished("stop", None)]
    async with asyncio.timeout(5):
        await client.settle()
    assert ended.is_set()


async def test_a_body_held_open_after_done_holds_nothing_back_and_is_cut_after_a_wait(
    monkeypatch: pytest.MonkeyPatch,
):
    monkeypatch.setattr(openrouter, "END_OF_BODY_WAIT", 0.2)
    closed = asyncio.Event()

    async def reads() -> AsyncIterator[bytes]:
        try:
            yield sse(chunk("Hi", finish="stop"))
            await asyncio.sleep(60)  # never ends the body
            yield b""
        finally:
            closed.set()

    # The idle timeout is shorter than the wait: the complete answer still is no stall.
    client = client_for(lambda _: httpx.Response(200, content=reads()), idle_timeout=0.05)
    async with asyncio.timeout(0.15):
        deltas = await collect(client)
    assert deltas == [TextDelta("Hi"), Finished("stop", None)]
    assert not closed.is_set()
    async with asyncio.timeout(5):
        await client.settle()
    assert closed.is_set()


async def test_a_failure_past_done_changes_nothing(caplog: pytest.LogCaptureFixture):
    async def reads() -> AsyncIterator[bytes]:
        yield sse(chunk("Hi", finish="stop"))
        raise RuntimeError("broken after the end")

    caplog.set_level(logging.DEBUG, logger="openchat.upstream.openrouter")
    client = client_for(lambda _: httpx.Response(200, content=reads()))
    assert await collect(client) == [TextDelta("Hi"), Finished("stop", None)]
    async with asyncio.timeout(5):
        await client.settle()
    assert "Stopped reading past [DONE]: RuntimeError" in caplog.text


async def test_reasoning_content_key_of_vllm_and_llama_cpp():
    body = sse(chunk(None, reasoning_content="think"), chunk("ok", finish="stop"))
    deltas = await collect(client_for(lambda _: httpx.Response(200, content=body)))
    assert deltas[:2] == [ReasoningDelta("think"), TextDelta("ok")]


async def test_old_vllm_error_object_is_terminal():
    body = sse(chunk("par"), {"object": "error", "message": "engine died", "code": 500})
    with pytest.raises(UpstreamError, match="engine died"):
        await collect(client_for(lambda _: httpx.Response(200, content=body)))


async def test_malformed_line_is_skipped():
    body = b"data: {not json\n\n" + sse(chunk("ok", finish="stop"))
    deltas = await collect(client_for(lambda _: httpx.Response(200, content=body)))
    assert deltas[0] == TextDelta("ok")


async def test_request_shape_and_headers():
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, content=sse(chunk("x", finish="stop")))

    await collect(client_for(handler))
    request = seen[0]
    assert request.url == "http://upstream.test/v1/chat/completions"
    body = orjson.loads(request.content)
    assert body["stream"] is True and body["max_tokens"] == 256
    assert body["stream_options"] == {"include_usage": True}
    assert body["messages"] == [{"role": "user", "content": "hi"}]
    assert request.headers["authorization"] == "Bearer sk-x"


async def test_local_server_without_key_sends_no_authorization():
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"object": "list", "data": []})

    await client_for(handler, key=None).list_models()
    assert "authorization" not in seen[0].headers


async def test_model_lists_of_other_servers_are_normalised():
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
    client = client_for(lambda _: httpx.Response(200, json={"object": "list", "data": rows}))
    models = {model.id: model for model in await client.list_models()}
    assert set(models) == {"llama3:8b", "served", "gguf", "or/x"}
    assert models["llama3:8b"].name == "llama3:8b" and models["llama3:8b"].pricing is None
    assert models["served"].context_length == 32768
    assert models["gguf"].context_length == 8192
    assert models["or/x"].context_length == 4096 and models["or/x"].pricing is not None


async def test_llama_cpp_legacy_error_line_carries_its_message():
    body = (
        sse(chunk("par"), done=False)
        + b'error: {"code":500,"message":"slot unavailable","type":"server_error"}\n\n'
    )
    with pytest.raises(UpstreamError, match="slot unavailable"):
        await collect(client_for(lambda _: httpx.Response(200, content=body)))


async def test_an_error_status_whose_body_breaks_off_still_reads_as_that_status():
    async def broken() -> AsyncIterator[bytes]:
        yield b'{"error": {"message": "over'
        raise httpx.ReadError("connection reset")

    with pytest.raises(UpstreamError) as caught:
        await collect(client_for(lambda _: httpx.Response(503, content=broken())))
    assert caught.value.upstream_status == 503
