"""OpenRouterClient: lists models and streams chat completions from OpenRouter or any
OpenAI-compatible server (Ollama, vLLM, llama.cpp, LM Studio), mapping their small
differences and every failure at this boundary."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Any

import httpx
import orjson
from httpx_aiohttp import AiohttpTransport

from openchat.domain import ModelInfo, Pricing, Turn, Usage
from openchat.errors import UpstreamError
from openchat.settings import Settings
from openchat.silence import SilenceTimer
from openchat.upstream import failures
from openchat.upstream.sse import SseParser

log = logging.getLogger(__name__)

ERROR_BODY_LIMIT = 64 * 1024
END_OF_BODY_WAIT = 1.0  # seconds to wait past `[DONE]` for the body's end


@dataclass(frozen=True, slots=True)
class TextDelta:
    text: str


@dataclass(frozen=True, slots=True)
class ReasoningDelta:
    text: str


@dataclass(frozen=True, slots=True)
class Finished:
    finish_reason: str | None
    usage: Usage | None


Delta = TextDelta | ReasoningDelta | Finished


def build_http_client(
    settings: Settings, transport: httpx.AsyncBaseTransport | None = None
) -> httpx.AsyncClient:
    """The one shared upstream client: base URL, auth, attribution, timeouts, pool size.

    Its transport is aiohttp's (C-parsed HTTP/1.1): reading a streamed answer through httpx's
    default transport cost about 20 µs of CPU per upstream event, through this one about 2 µs.
    """
    limits = httpx.Limits(
        max_connections=settings.upstream_max_connections,
        max_keepalive_connections=min(settings.upstream_max_connections, 200),
    )
    headers = {"HTTP-Referer": settings.app_url, "X-Title": settings.app_title}
    headers["X-OpenRouter-Title"] = settings.app_title
    if settings.openrouter_api_key is not None:
        headers["Authorization"] = f"Bearer {settings.openrouter_api_key.get_secret_value()}"
    return httpx.AsyncClient(
        base_url=settings.openrouter_base_url.rstrip("/") + "/",
        headers=headers,
        timeout=httpx.Timeout(
            connect=settings.upstream_connect_timeout,
            read=settings.upstream_idle_timeout,  # between bytes: comments keep it alive
            write=30.0,
            pool=30.0,
        ),
        limits=limits,
        transport=transport or AiohttpTransport(limits=limits),
    )


class OpenRouterClient:
    """Lists models and streams chat completions."""

    def __init__(self, http: httpx.AsyncClient, max_tokens: int, idle_timeout: float) -> None:
        self._http = http
        self._max_tokens = max_tokens
        self._idle_timeout = idle_timeout
        # Joined once: httpx parses and merges a relative URL again on every request.
        self._chat_url = http.base_url.join("chat/completions")
        # A stream's silences are timed by stream_chat itself (see there).
        timeout = http.timeout
        self._stream_timeout = httpx.Timeout(
            connect=timeout.connect, read=None, write=timeout.write, pool=timeout.pool
        )
        self._closing: set[asyncio.Task[None]] = set()  # bodies read past `[DONE]`

    async def list_models(self) -> list[ModelInfo]:
        """The upstream catalogue, normalised; raise UpstreamError on failure."""
        try:
            response = await self._http.get("models")
        except httpx.HTTPError as error:
            raise failures.unreachable() from error
        if response.status_code != 200:
            raise failures.http_failure(
                response.status_code, response.content, response.headers.get("retry-after")
            )
        try:
            rows = orjson.loads(response.content).get("data")
        except (orjson.JSONDecodeError, AttributeError) as error:
            raise UpstreamError("The model list from upstream was not valid JSON.") from error
        if not isinstance(rows, list):
            raise UpstreamError("The model list from upstream had no `data` list.")
        return [model for row in rows if (model := _model_info(row)) is not None]

    async def stream_chat(self, model: str, turns: Sequence[Turn]) -> AsyncIterator[Delta]:
        """Yield text and reasoning deltas (coalesced per network read), then Finished.

        Raise UpstreamError on HTTP errors, mid-stream errors, stalls and lost connections.
        One generator from socket to delta: each nested one cost a resumption per read.
        """
        task = asyncio.current_task()
        assert task is not None  # the answer's writer
        silent = False

        def stalled() -> None:  # no byte for the idle timeout: end the wait, whatever it is
            nonlocal silent
            if not silent:
                silent = True
                task.cancel()

        # The idle timeout, kept here and not as httpx's read timeout, which sets a timer
        # again on every read.
        silence = SilenceTimer(self._idle_timeout, stalled)
        parser = SseParser()
        ending = _Ending()
        try:
            response = await self._open_stream(model, turns)
            # An uncompressed stream is read raw: httpx's decoding layer costs a resumption a read.
            raw = "content-encoding" not in response.headers and not response.is_stream_consumed
            reads = response.aiter_raw() if raw else response.aiter_bytes()
            data: bytes | None = b""
            try:
                while not ending.done:
                    data = await anext(reads, None)
                    silence.touch()
                    # At the end of the body, an event without its blank line still counts.
                    events = parser.close() if data is None else parser.feed(data)
                    reasoning, text = _read_events(events, ending)
                    if reasoning:
                        yield ReasoningDelta(reasoning)
                    if text:
                        yield TextDelta(text)
                    if data is None:
                        break
            except httpx.TransportError as error:  # mid-answer, any fault means the link broke
                raise failures.lost_connection() from error
            finally:
                if ending.done and data is not None:  # `[DONE]` came before the body's end
                    self._close_after_end(response, reads)
                else:
                    await response.aclose()
        except asyncio.CancelledError:
            if silent and task.uncancel() == 0:  # only the silence cancelled: not a stop
                raise failures.stalled(self._idle_timeout) from None
            raise
        finally:
            silence.stop()
        if ending.finish_reason is None:
            raise failures.lost_connection()
        yield Finished(ending.finish_reason, ending.usage)

    async def settle(self) -> None:
        """Wait until every body still being read past `[DONE]` is closed."""
        if self._closing:
            await asyncio.gather(*self._closing, return_exceptions=True)

    def _close_after_end(self, response: httpx.Response, reads: AsyncIterator[bytes]) -> None:
        """Read the body past `[DONE]` in a task of its own, then close it.

        The answer is complete: neither a stop nor the idle timeout can reach this.
        """
        task = asyncio.create_task(_read_to_end(response, reads))
        self._closing.add(task)
        task.add_done_callback(self._closing.discard)

    async def _open_stream(self, model: str, turns: Sequence[Turn]) -> httpx.Response:
        """Send the completion request; return the 200 response, whose body is the stream."""
        body = orjson.dumps(
            {
                "model": model,
                "messages": [{"role": turn.role, "content": turn.content} for turn in turns],
                "stream": True,
                "max_tokens": self._max_tokens,
                "stream_options": {
                    "include_usage": True
                },  # ignored by OpenRouter, needed elsewhere
            }
        )
        request = self._http.build_request(
            "POST",
            self._chat_url,
            content=body,
            headers={"Content-Type": "application/json"},
            timeout=self._stream_timeout,
        )
        try:
            response = await self._http.send(request, stream=True)
        except httpx.HTTPError as error:  # connect, write or pool: silences are timed above
            raise failures.unreachable() from error
        if response.status_code == 200:
            return response
        try:
            content = await _read_limited(response)
        except httpx.HTTPError:  # the status alone still says what went wrong
            content = b""
        finally:
            await response.aclose()
        log.error("Upstream answered %s for model %s", response.status_code, model)
        raise failures.http_failure(
            response.status_code, content, response.headers.get("retry-after")
        )


async def _read_to_end(response: httpx.Response, reads: AsyncIterator[bytes]) -> None:
    """Read past `[DONE]` to the end of the body, then close it.

    A body closed before its end loses its connection, and the next answer connects again
    (to OpenRouter: a new TLS handshake); read to its end, the connection goes back to the
    pool. The end normally follows `[DONE]` at once; a server that holds the body open is cut
    after a short wait, and what it sends is ignored.
    """
    try:
        try:
            async with asyncio.timeout(END_OF_BODY_WAIT):
                async for _ in reads:
                    pass
        finally:
            await response.aclose()
    except Exception as error:  # the answer is complete: at worst, the connection is not reused
        log.debug("Stopped reading past [DONE]: %s", type(error).__name__)


async def _read_limited(response: httpx.Response) -> bytes:
    content = b""
    async for chunk in response.aiter_bytes():
        content += chunk
        if len(content) > ERROR_BODY_LIMIT:
            break
    return content


@dataclass(slots=True)
class _Ending:
    """What the stream said about its own end, so far."""

    finish_reason: str | None = None
    usage: Usage | None = None
    done: bool = False  # `[DONE]` seen


def _read_events(events: list[bytes], ending: _Ending) -> tuple[str, str]:
    """The reasoning and text of one read's events; note finish reason, usage and `[DONE]`.

    Raise UpstreamError on an error event.
    """
    log.debug("Received %d upstream events", len(events))
    text: list[str] = []
    reasoning: list[str] = []
    for payload in events:
        if payload == b"[DONE]":
            ending.done = True
            break
        chunk = _parse(payload)
        if chunk is None:
            continue
        finish_reason, usage = _read_chunk(chunk, text, reasoning)
        ending.finish_reason = finish_reason or ending.finish_reason
        ending.usage = usage or ending.usage
    return "".join(reasoning), "".join(text)


def _parse(payload: bytes) -> dict[str, Any] | None:
    try:
        chunk = orjson.loads(payload)
    except orjson.JSONDecodeError:
        log.warning("Skipped an upstream event that was not JSON (%d bytes)", len(payload))
        return None
    return chunk if isinstance(chunk, dict) else None


def _read_chunk(
    chunk: dict[str, Any], text: list[str], reasoning: list[str]
) -> tuple[str | None, Usage | None]:
    """Append the chunk's deltas; return its finish reason and usage. Raise on an error chunk."""
    if chunk.get("error") or chunk.get("object") == "error":
        raise failures.stream_failure(chunk.get("error") or chunk)
    if "choices" not in chunk and isinstance(chunk.get("code"), int) and "message" in chunk:
        raise failures.stream_failure(chunk)  # a bare envelope, as llama.cpp's `error:` line
    finish_reason = None
    choices = chunk.get("choices")
    if choices:
        choice = choices[0]
        delta = choice.get("delta") or {}
        if content := delta.get("content"):
            text.append(content)
        if thought := delta.get("reasoning") or delta.get("reasoning_content"):
            reasoning.append(thought)
        finish_reason = choice.get("finish_reason")
        if finish_reason == "error":
            raise failures.stream_failure(choice.get("error") or {})
    raw_usage = chunk.get("usage")
    return finish_reason, _usage(raw_usage) if isinstance(raw_usage, dict) else None


def _usage(raw: dict[str, Any]) -> Usage:
    cost = raw.get("cost")
    return Usage(
        prompt_tokens=raw.get("prompt_tokens"),
        completion_tokens=raw.get("completion_tokens"),
        total_tokens=raw.get("total_tokens"),
        cost=float(cost) if isinstance(cost, int | float) else None,
    )


def _model_info(row: Any) -> ModelInfo | None:
    if not isinstance(row, dict) or not isinstance(row.get("id"), str):
        return None
    architecture = row.get("architecture") or {}
    top_provider = row.get("top_provider") or {}
    meta = row.get("meta") or {}
    context = (
        row.get("context_length")
        or top_provider.get("context_length")
        or row.get("max_model_len")
        or meta.get("n_ctx_train")
    )
    raw_pricing = row.get("pricing")
    pricing = None
    if isinstance(raw_pricing, dict):
        pricing = Pricing(
            prompt=str(raw_pricing.get("prompt", "0")),
            completion=str(raw_pricing.get("completion", "0")),
        )
    modalities = architecture.get("input_modalities") or ["text"]
    return ModelInfo(
        id=row["id"],
        name=str(row.get("name") or row["id"]),
        description=str(row.get("description") or ""),
        context_length=context if isinstance(context, int) else None,
        pricing=pricing,
        input_modalities=[str(modality) for modality in modalities],
    )
