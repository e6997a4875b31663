"""OpenRouterClient: lists models and streams chat completions from OpenRouter or any
OpenAI-compatible server (Ollama, vLLM, llama.cpp, LM Studio), mapping their small
differences and every failure at this boundary."""

from __future__ import annotations

import asyncio
import base64
import logging
import os
import ssl
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import certifi
import orjson

from openchat.domain import MODEL_DEFAULTS, ModelInfo, Pricing, Sampling, Turn, Usage
from openchat.errors import UpstreamError
from openchat.origin import Origin
from openchat.settings import Settings
from openchat.silence import SilenceTimer
from openchat.upstream import failures
from openchat.upstream.http1 import ConnectionPool, Response, TransportError, request_head
from openchat.upstream.sse import SseParser

log = logging.getLogger(__name__)

ERROR_BODY_LIMIT = 64 * 1024
MODEL_LIST_LIMIT = 64 * 1024 * 1024  # OpenRouter's is some 1 MB
END_OF_BODY_WAIT = 1.0  # seconds to wait past `[DONE]` for the body's end
POOL_WAIT = 30.0  # seconds a request may wait for a free connection, beyond connecting
KEEPALIVE_SECONDS = 5.0  # an idle pooled connection is closed after this


class DeltaSink(Protocol):
    """Where a streamed answer's text and reasoning go, as each read brings them."""

    def add_text(self, text: str) -> None: ...

    def add_reasoning(self, text: str) -> None: ...


@dataclass(frozen=True, slots=True)
class Finished:
    finish_reason: str | None
    usage: Usage | None


def open_pool(settings: Settings) -> ConnectionPool:
    """The one shared pool of upstream connections, sized by the settings.

    Call it from a running event loop; close it with `await pool.close()`.
    """
    return ConnectionPool(
        Origin.of(settings.openrouter_base_url),
        _certificates(),
        limit=settings.upstream_max_connections,
        connect_timeout=settings.upstream_connect_timeout,
        pool_wait=POOL_WAIT,
        keepalive=KEEPALIVE_SECONDS,
    )


def _certificates() -> ssl.SSLContext:
    """The CA bundle of `certifi`, or the one SSL_CERT_FILE / SSL_CERT_DIR names: the same on
    every host, including those without system certificates."""
    cafile, capath = os.environ.get("SSL_CERT_FILE"), os.environ.get("SSL_CERT_DIR")
    if cafile or capath:
        return ssl.create_default_context(cafile=cafile, capath=capath)
    return ssl.create_default_context(cafile=certifi.where())


class OpenRouterClient:
    """Lists models and streams chat completions. Upstream cookies are never kept, redirects
    never followed, and no proxy is used."""

    def __init__(self, pool: ConnectionPool, settings: Settings) -> None:
        self._pool = pool
        self._max_tokens = settings.max_tokens
        self._idle_timeout = settings.upstream_idle_timeout
        # Whole-request limit of the model list, as a stream's is its silences.
        self._list_timeout = POOL_WAIT + settings.upstream_connect_timeout + self._idle_timeout
        headers = {"HTTP-Referer": settings.app_url, "X-Title": settings.app_title}
        headers["X-OpenRouter-Title"] = settings.app_title
        headers["User-Agent"] = "OpenChat"
        if settings.openrouter_api_key is not None:
            key = settings.openrouter_api_key.get_secret_value()
            headers["Authorization"] = f"Bearer {key}"
        # Settings hold each value to one line: nothing here can end the head early.
        base = pool.origin.base_path
        self._models_head = (
            request_head(
                "GET",
                base + "models",
                {**headers, "Accept": "application/json", "Accept-Encoding": "gzip, deflate"},
            )
            + b"\r\n"
        )
        # A stream asks for no compression: a compressor may hold text back.
        stream = {"Accept": "text/event-stream", "Accept-Encoding": "identity"}
        self._chat_head = (
            request_head(
                "POST",
                base + "chat/completions",
                {**headers, **stream, "Content-Type": "application/json"},
            )
            + b"Content-Length: "
        )

    async def list_models(self) -> list[ModelInfo]:
        """The upstream catalogue, normalised; raise UpstreamError on failure."""
        try:
            async with asyncio.timeout(self._list_timeout):
                response = await self._pool.request(self._models_head)
                try:
                    content = await response.read(MODEL_LIST_LIMIT)
                finally:
                    response.abort()  # a list longer than the limit is not read to its end
                if not response.complete:
                    raise TransportError("the model list broke off")
        except (TransportError, TimeoutError) as error:
            raise failures.unreachable() from error
        if response.status != 200:
            raise _http_failure(response, content)
        try:
            rows = orjson.loads(content).get("data")
        except (orjson.JSONDecodeError, AttributeError) as error:
            raise UpstreamError("The model list from upstream was not valid JSON.") from error
        if not isinstance(rows, list):
            raise UpstreamError("The model list from upstream had no `data` list.")
        return [model for row in rows if (model := _model_info(row)) is not None]

    async def stream_chat(
        self,
        model: str,
        turns: Sequence[Turn],
        sink: DeltaSink,
        sampling: Sampling = MODEL_DEFAULTS,
    ) -> Finished:
        """Stream an answer into `sink`, text and reasoning coalesced per network read, and
        return how it finished.

        Raise UpstreamError on HTTP errors, mid-stream errors, stalls and lost connections;
        what reached the sink before stays there. Each read is handled where it arrives (see
        http1): the answer's task sleeps until the end.
        """
        task = asyncio.current_task()
        assert task is not None  # the answer's writer
        silent = False

        def stalled() -> None:  # no byte for the idle timeout: end the wait, whatever it is
            nonlocal silent
            if not silent:
                silent = True
                task.cancel()

        # The idle timeout, kept here and not per read, which would set a timer on each.
        silence = SilenceTimer(self._idle_timeout, stalled)
        response: Response | None = None
        reading: _Reading | None = None
        try:
            response = await self._open_stream(model, turns, sampling)
            reading = _Reading(sink, silence)
            response.end.add_done_callback(reading.body_ended)
            response.stream(reading.feed)
            await reading.outcome
        except asyncio.CancelledError:
            if silent and task.uncancel() == 0:  # only the silence cancelled: not a stop
                raise failures.stalled(self._idle_timeout) from None
            raise
        finally:
            silence.stop()
            if response is not None:
                if reading is not None and reading.ending.done and not response.end.done():
                    # Its end read within END_OF_BODY_WAIT, the connection goes back to the pool.
                    self._pool.read_rest(response, END_OF_BODY_WAIT)
                else:
                    response.abort()  # a body cut short closes its connection
        ending = reading.ending
        if ending.finish_reason is None:
            raise failures.lost_connection()
        return Finished(ending.finish_reason, ending.usage)

    async def settle(self) -> None:
        """Wait until every body still being read past `[DONE]` is read or cut."""
        await self._pool.settle()

    async def _open_stream(self, model: str, turns: Sequence[Turn], sampling: Sampling) -> Response:
        """Send the completion request; return the 200 response, whose body is the stream."""
        request: dict[str, Any] = {
            "model": model,
            "messages": [_message(turn) for turn in turns],
            "stream": True,
            "max_tokens": self._max_tokens,
            "stream_options": {"include_usage": True},  # ignored by OpenRouter, needed elsewhere
        }
        if sampling.temperature is not None:
            request["temperature"] = sampling.temperature
        body = orjson.dumps(request)
        head = self._chat_head + b"%d\r\n\r\n" % len(body)
        try:
            response = await self._pool.request(head, body)
        except (TransportError, TimeoutError) as error:  # silences are timed above
            raise failures.unreachable() from error
        if response.status == 200:
            return response
        try:
            content = await response.read(ERROR_BODY_LIMIT)
        except TransportError:  # the status alone still says what went wrong
            content = b""
        finally:
            response.abort()  # the connection goes back to the pool only if the body was read
        log.error("Upstream answered %s for model %s", response.status, model)
        raise _http_failure(response, content)


def _message(turn: Turn) -> dict[str, Any]:
    """A turn as OpenRouter reads it; with images, content parts: the text, then each image."""
    if not turn.images:
        return {"role": turn.role, "content": turn.content}
    parts: list[dict[str, Any]] = [{"type": "text", "text": turn.content}] if turn.content else []
    for attachment, data in zip(turn.attachments, turn.images, strict=True):
        url = f"data:{attachment.media_type};base64,{base64.b64encode(data).decode()}"
        parts.append({"type": "image_url", "image_url": {"url": url}})
    return {"role": turn.role, "content": parts}


def _http_failure(response: Response, content: bytes) -> UpstreamError:
    return failures.http_failure(response.status, content, response.headers.get("retry-after"))


class _Reading:
    """One streamed body, read as each piece arrives: events into the sink, until `[DONE]`,
    an error event, the body's end or a fault settles `outcome`."""

    def __init__(self, sink: DeltaSink, silence: SilenceTimer) -> None:
        self.outcome: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.ending = _Ending()
        self._sink = sink
        self._silence = silence
        self._parser = SseParser()

    def feed(self, piece: bytes) -> None:
        if self.outcome.done():
            return  # past `[DONE]` or a failure: the rest is ignored
        self._silence.touch()
        self._take(self._parser.feed(piece))

    def body_ended(self, end: asyncio.Future[None]) -> None:
        if self.outcome.done():
            return
        if end.exception() is not None:  # mid-answer, any fault means the link broke
            self.outcome.set_exception(failures.lost_connection())
            return
        # At the end of the body, an event without its blank line still counts.
        self._take(self._parser.close())
        if not self.outcome.done():
            self.outcome.set_result(None)

    def _take(self, events: list[bytes]) -> None:
        ending = self.ending
        try:
            reasoning, text = _read_events(events, ending)
            if reasoning:
                self._sink.add_reasoning(reasoning)
            if text:
                self._sink.add_text(text)
        except Exception as error:  # the sink's own failure ends the answer, not the loop
            self.outcome.set_exception(error)
            return
        if ending.failure is not None:
            self.outcome.set_exception(ending.failure)
        elif ending.done:
            self.outcome.set_result(None)


@dataclass(slots=True)
class _Ending:
    """What the stream said about its own end, so far."""

    finish_reason: str | None = None
    usage: Usage | None = None
    done: bool = False  # `[DONE]` seen
    failure: UpstreamError | None = None  # an error event, raised once the text before it is out


def _read_events(events: list[bytes], ending: _Ending) -> tuple[str, str]:
    """The reasoning and text of one read's events; note finish reason, usage, `[DONE]`, and
    an error event, which ends the reading: the text of the same read before it still counts.
    """
    text: list[str] = []
    reasoning: list[str] = []
    for payload in events:
        if payload == b"[DONE]":
            ending.done = True
            break
        chunk = _parse(payload)
        if chunk is None:
            continue
        try:
            finish_reason, usage = _read_chunk(chunk, text, reasoning)
        except UpstreamError as failure:
            ending.failure = failure
            break
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
