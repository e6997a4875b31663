"""OpenRouterClient: lists models and streams chat completions from OpenRouter or any
OpenAI-compatible server (Ollama, vLLM, llama.cpp, LM Studio), mapping their small
differences and every failure at this boundary."""

from __future__ import annotations

import asyncio
import logging
import os
import ssl
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Any

import aiohttp
import certifi
import orjson
from yarl import URL

from openchat.domain import ModelInfo, Pricing, Turn, Usage
from openchat.errors import UpstreamError
from openchat.settings import Settings
from openchat.silence import SilenceTimer
from openchat.upstream import failures
from openchat.upstream.sse import SseParser

log = logging.getLogger(__name__)

ERROR_BODY_LIMIT = 64 * 1024
END_OF_BODY_WAIT = 1.0  # seconds to wait past `[DONE]` for the body's end
POOL_WAIT = 30.0  # seconds a request may wait for a free connection, beyond connecting
KEEPALIVE_SECONDS = 5.0  # an idle pooled connection is closed after this
JSON_BODY = {"Content-Type": "application/json"}


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


def open_session(settings: Settings) -> aiohttp.ClientSession:
    """The one shared upstream session: auth, attribution, timeouts, pool size.

    aiohttp straight, with no other HTTP layer above it: each read of a streamed answer is one
    `readany()`, and each request one call into aiohttp. Upstream cookies are never kept, and
    no proxy is used. Call it from a running event loop.
    """
    headers = {"HTTP-Referer": settings.app_url, "X-Title": settings.app_title}
    headers["X-OpenRouter-Title"] = settings.app_title
    if settings.openrouter_api_key is not None:
        headers["Authorization"] = f"Bearer {settings.openrouter_api_key.get_secret_value()}"
    connect, idle = settings.upstream_connect_timeout, settings.upstream_idle_timeout
    return aiohttp.ClientSession(
        headers=headers,
        connector=aiohttp.TCPConnector(
            limit=settings.upstream_max_connections,
            ssl=_certificates(),
            keepalive_timeout=KEEPALIVE_SECONDS,
        ),
        cookie_jar=aiohttp.DummyCookieJar(),
        # A request other than a stream (the model list) ends within this, whatever its reads do.
        timeout=_timeout(connect, idle, total=POOL_WAIT + connect + idle),
    )


def _timeout(
    connect: float, read: float | None, total: float | None = None
) -> aiohttp.ClientTimeout:
    # `connect` covers the wait for a free connection of the pool as well as connecting.
    return aiohttp.ClientTimeout(
        total=total, connect=POOL_WAIT + connect, sock_connect=connect, sock_read=read
    )


def _certificates() -> ssl.SSLContext:
    """The CA bundle of `certifi`, or the one SSL_CERT_FILE / SSL_CERT_DIR names: the same on
    every host, including those without system certificates."""
    cafile, capath = os.environ.get("SSL_CERT_FILE"), os.environ.get("SSL_CERT_DIR")
    if cafile or capath:
        return ssl.create_default_context(cafile=cafile, capath=capath)
    return ssl.create_default_context(cafile=certifi.where())


class OpenRouterClient:
    """Lists models and streams chat completions."""

    def __init__(self, session: aiohttp.ClientSession, settings: Settings) -> None:
        self._session = session
        self._max_tokens = settings.max_tokens
        self._idle_timeout = settings.upstream_idle_timeout
        base = URL(settings.openrouter_base_url.rstrip("/") + "/")
        self._models_url = base.join(URL("models"))
        self._chat_url = base.join(URL("chat/completions"))
        # A stream's silences are timed by stream_chat itself (see there), not per read.
        self._stream_timeout = _timeout(settings.upstream_connect_timeout, None)
        self._closing: set[asyncio.Task[None]] = set()  # bodies read past `[DONE]`

    async def list_models(self) -> list[ModelInfo]:
        """The upstream catalogue, normalised; raise UpstreamError on failure."""
        try:
            async with self._session.get(self._models_url, allow_redirects=False) as response:
                content = await response.read()
        except (aiohttp.ClientError, TimeoutError) as error:
            raise failures.unreachable() from error
        if response.status != 200:
            raise failures.http_failure(
                response.status, content, response.headers.get("Retry-After")
            )
        try:
            rows = orjson.loads(content).get("data")
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

        # The idle timeout, kept here and not as aiohttp's read timeout, which sets a timer
        # again on every read.
        silence = SilenceTimer(self._idle_timeout, stalled)
        parser = SseParser()
        ending = _Ending()
        try:
            response = await self._open_stream(model, turns)
            body = response.content
            data = b""
            try:
                while not ending.done:
                    data = await body.readany()  # b"" at the end of the body
                    silence.touch()
                    # At the end of the body, an event without its blank line still counts.
                    events = parser.feed(data) if data else parser.close()
                    reasoning, text = _read_events(events, ending)
                    if reasoning:
                        yield ReasoningDelta(reasoning)
                    if text:
                        yield TextDelta(text)
                    if ending.failure is not None:
                        raise ending.failure
                    if not data:
                        break
            except aiohttp.ClientError as error:  # mid-answer, any fault means the link broke
                raise failures.lost_connection() from error
            finally:
                if data and ending.done and not body.at_eof():  # `[DONE]` before the end
                    self._close_after_end(response)
                else:  # back to the pool if read to its end; a body cut short closes
                    response.release()
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

    def _close_after_end(self, response: aiohttp.ClientResponse) -> None:
        """Read the body past `[DONE]` in a task of its own, then release it.

        The answer is complete: neither a stop nor the idle timeout can reach this.
        """
        task = asyncio.create_task(_read_to_end(response))
        self._closing.add(task)
        task.add_done_callback(self._closing.discard)

    async def _open_stream(self, model: str, turns: Sequence[Turn]) -> aiohttp.ClientResponse:
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
        try:
            response = await self._session.post(
                self._chat_url,
                data=body,
                headers=JSON_BODY,
                timeout=self._stream_timeout,
                allow_redirects=False,  # a redirected POST would be sent again, as a GET
            )
        except (aiohttp.ClientError, TimeoutError) as error:  # silences are timed above
            raise failures.unreachable() from error
        if response.status == 200:
            return response
        try:
            content = await _read_limited(response.content)
        except aiohttp.ClientError:  # the status alone still says what went wrong
            content = b""
        finally:
            response.release()  # back to the pool if read to its end
        log.error("Upstream answered %s for model %s", response.status, model)
        raise failures.http_failure(response.status, content, response.headers.get("Retry-After"))


async def _read_to_end(response: aiohttp.ClientResponse) -> None:
    """Read past `[DONE]` to the end of the body, then release it.

    A body closed before its end loses its connection, and the next answer connects again
    (to OpenRouter: a new TLS handshake); read to its end, the connection goes back to the
    pool. The end normally follows `[DONE]` at once; a server that holds the body open is cut
    after a short wait, and what it sends is ignored.
    """
    try:
        async with asyncio.timeout(END_OF_BODY_WAIT):
            while await response.content.readany():
                pass
    except Exception as error:  # the answer is complete: at worst, the connection is not reused
        log.debug("Stopped reading past [DONE]: %s", type(error).__name__)
    finally:
        response.release()  # back to the pool only if the body was read to its end


async def _read_limited(body: aiohttp.StreamReader) -> bytes:
    content = b""
    while chunk := await body.readany():
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
