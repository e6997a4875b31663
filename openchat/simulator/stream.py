"""One chat completion in flight: a small state machine, woken by the shared ticker, that
writes every event that is due (comments, role, reasoning, content, finish, usage, `[DONE]`),
plays the scripted failures, and records how the completion ended.
"""

import asyncio
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from openchat.simulator.connection import Responder
from openchat.simulator.journal import Journal, Outcome, RequestRecord
from openchat.simulator.script import Script
from openchat.simulator.ticker import Ticker
from openchat.simulator.wire import ChunkEncoder, Json, completion_body, usage_object

# An unpaced stream writes this many events per loop turn, so other streams still get a turn.
_BATCH = 256
_EPSILON = 1e-6
_EXPOSED = "X-Generation-Id,X-Provider-Name,cf-ray"

Action = Literal["malformed", "fail", "drop", "stall"]
Ending = Literal["complete", "fail", "drop", "stall"]
_OUTCOMES: dict[Ending, Outcome] = {
    "complete": "complete",
    "fail": "error",
    "drop": "dropped",
    "stall": "stalled",
}


@dataclass(frozen=True, slots=True)
class Plan:
    """Everything one completion will send, decided before its first byte."""

    script: Script
    encoder: ChunkEncoder
    content: list[str]
    reasoning: list[str]
    show_reasoning: bool
    streamed: bool
    prompt_tokens: int
    prompt_price: Decimal
    completion_price: Decimal
    key: str | None


def _actions(script: Script, content_tokens: int, streamed: bool) -> list[tuple[int, Action]]:
    """Scripted events as (content tokens sent before it, action), in the order they happen;
    a K beyond the answer's length fires right after its last token."""
    wanted: list[tuple[int | None, Action]] = [
        (script.malformed_after if streamed else None, "malformed"),
        (script.fail_after, "fail"),
        (script.drop_after, "drop"),
        (script.stall_after, "stall"),
    ]
    return sorted(
        ((min(after, content_tokens), action) for after, action in wanted if after is not None),
        key=lambda item: item[0],
    )


class Completion:
    """Paces one completion's events on the shared ticker and writes them to its response."""

    def __init__(
        self,
        plan: Plan,
        responder: Responder,
        ticker: Ticker,
        journal: Journal,
        record: RequestRecord,
    ) -> None:
        self._plan = plan
        self._script = plan.script
        self._encoder = plan.encoder
        self._responder = responder
        self._ticker = ticker
        self._journal = journal
        self._record = record
        self._loop = asyncio.get_running_loop()
        self._reasoning_count = len(plan.reasoning)
        self._total = self._reasoning_count + len(plan.content)
        self._tps = plan.script.tps
        self._actions = _actions(plan.script, len(plan.content), plan.streamed)
        self._index = 0
        self._sent = 0
        self._chunks = 0
        self._role_sent = False
        self._started = 0.0
        self._first = 0.0
        self._active = True
        self._open = True
        self._scheduled = False

    def start(self) -> None:
        self._started = self._loop.time()
        self._first = self._started + self._script.ttft
        self._journal.open_streams += 1
        self._responder.listener = self
        if self._plan.streamed:
            headers = (
                ("cache-control", "no-cache"),
                ("x-generation-id", self._record.id),
                ("access-control-expose-headers", _EXPOSED),
            )
            self._responder.start(200, "text/event-stream", headers)
        self.on_tick(self._started)

    # Tickable and StreamListener

    def on_tick(self, now: float) -> None:
        self._scheduled = False
        if not self._active or self._responder.paused:
            return  # a paused stream continues from on_resume
        if now < self._wake_time() - _EPSILON:
            self._wait(now)
            return
        out: list[bytes] = []
        if not self._role_sent:
            self._role_sent = True
            out.append(self._encoder.content(""))
            self._chunks += 1
        ending = self._advance(self._due(now), out)
        if self._plan.streamed:
            if out:
                self._responder.write(b"".join(out))
            self._record.chunks_sent = self._chunks
        self._record.tokens_sent = self._sent
        if ending is not None:
            self._end(ending)
        elif self._tps == 0:
            self._scheduled = True
            self._loop.call_soon(self._tick_now)
        else:
            self._wake(self._wake_time())

    def on_disconnect(self) -> None:
        if self._active:
            self._active = False
            self._journal.settle(self._record, "cancelled")
            self._store_generation("cancelled")
        self._close()

    def on_resume(self) -> None:
        if self._active and not self._scheduled:
            self._scheduled = True
            self._loop.call_soon(self._tick_now)

    # pacing

    def _tick_now(self) -> None:
        self.on_tick(self._loop.time())

    def _wake(self, when: float) -> None:
        self._scheduled = True
        self._ticker.wake_at(when, self)

    def _wake_time(self) -> float:
        """When the next thing is due: the next token, or for a non-streamed answer the
        moment its last token (or its scripted failure) would have been sent."""
        if self._plan.streamed:
            index = self._index
        else:
            stop = self._actions[0][0] if self._actions else len(self._plan.content)
            index = max(self._reasoning_count + stop - 1, 0)
        return self._first + (index / self._tps if self._tps else 0.0)

    def _wait(self, now: float) -> None:
        interval = self._script.keepalive_interval
        if self._plan.streamed and now < self._first and interval > 0:
            self._responder.write(self._encoder.keepalive())
            self._wake(min(now + interval, self._wake_time()))
        else:
            self._wake(self._wake_time())

    def _due(self, now: float) -> int:
        if self._tps == 0:
            return (
                self._total if not self._plan.streamed else min(self._total, self._index + _BATCH)
            )
        return min(self._total, int((now - self._first) * self._tps + _EPSILON) + 1)

    # events

    def _advance(self, limit: int, out: list[bytes]) -> Ending | None:
        """Emit the events up to token `limit`; return how the completion ends, if it does."""
        encoder, content, reasoning = self._encoder, self._plan.content, self._plan.reasoning
        reasoning_count, show_reasoning = self._reasoning_count, self._plan.show_reasoning
        while True:
            index = self._index
            if index >= reasoning_count and self._actions and self._actions[0][0] == self._sent:
                action = self._actions.pop(0)[1]
                if action == "malformed":
                    out.append(encoder.malformed())
                    continue
                if action == "fail":
                    out.append(self._error_chunk())
                return action
            if index >= limit:
                break
            if index < reasoning_count:
                if show_reasoning:
                    out.append(encoder.reasoning(reasoning[index]))
                    self._chunks += 1
            else:
                out.append(encoder.content(content[index - reasoning_count]))
                self._chunks += 1
                self._sent += 1
            self._index = index + 1
        if self._index < self._total:
            return None
        usage = self._usage()
        mode = self._script.usage
        out.append(encoder.finish(self._script.finish, usage if mode == "merged" else None))
        if mode in ("last", "empty"):
            out.append(encoder.usage(usage, empty_choices=mode == "empty"))
        out.append(encoder.done())
        self._chunks += 2 if mode in ("last", "empty") else 1
        return "complete"

    def _error_chunk(self) -> bytes:
        self._chunks += 1
        chunk = self._encoder.error(
            502, "Provider disconnected unexpectedly", {"error_type": "provider_unavailable"}
        )
        return chunk + self._encoder.done() if self._script.fail_done else chunk

    def _usage(self) -> Json:
        reasoning_tokens = min(self._index, self._reasoning_count)
        return usage_object(
            self._plan.prompt_tokens,
            self._sent + reasoning_tokens,
            reasoning_tokens,
            self._plan.prompt_price,
            self._plan.completion_price,
        )

    # endings

    def _end(self, ending: Ending) -> None:
        self._active = False
        self._record.chunks_sent = self._chunks if self._plan.streamed else 0
        self._journal.settle(self._record, _OUTCOMES[ending])
        self._store_generation(ending)
        if ending == "drop":
            self._responder.drop()
        elif ending == "stall":
            return  # the connection stays open and silent until the client gives up
        elif self._plan.streamed:
            self._responder.end()
        else:
            self._responder.send(
                200, self._body(ending), headers=(("x-generation-id", self._record.id),)
            )
        self._close()

    def _body(self, ending: Ending) -> bytes:
        failed = ending == "fail"
        error: Json = {
            "code": 502,
            "message": "Provider disconnected unexpectedly",
            "metadata": {"error_type": "provider_unavailable"},
        }
        shown = self._plan.show_reasoning and self._reasoning_count > 0
        return completion_body(
            fields=self._encoder.fields,
            content="".join(self._plan.content[: self._sent]),
            reasoning="".join(self._plan.reasoning) if shown else None,
            finish="error" if failed else self._script.finish,
            usage=None if self._script.usage == "none" else self._usage(),
            error=error if failed else None,
        )

    def _close(self) -> None:
        if self._open:
            self._open = False
            self._journal.open_streams -= 1

    def _store_generation(self, ending: Ending | Literal["cancelled"]) -> None:
        usage = self._usage()
        cost = usage["cost"]
        assert isinstance(cost, float)
        fields = self._encoder.fields
        finish = {"complete": self._script.finish, "fail": "error"}.get(ending)
        elapsed_ms = int((self._loop.time() - self._started) * 1000)
        headers = self._record.headers
        self._journal.add_generation(
            {
                "id": self._record.id,
                "upstream_id": f"chatcmpl-{self._record.id[-20:]}",
                "model": fields["model"],
                "provider_name": fields["provider"],
                "api_type": "completions",
                "created_at": dt.datetime.fromtimestamp(
                    self._record.received_at, dt.UTC
                ).isoformat(),
                "streamed": self._plan.streamed,
                "cancelled": ending == "cancelled",
                "finish_reason": finish,
                "native_finish_reason": finish,
                "tokens_prompt": usage["prompt_tokens"],
                "tokens_completion": usage["completion_tokens"],
                "native_tokens_prompt": usage["prompt_tokens"],
                "native_tokens_completion": usage["completion_tokens"],
                "native_tokens_reasoning": min(self._index, self._reasoning_count),
                "native_tokens_cached": 0,
                "total_cost": cost,
                "usage": cost,
                "upstream_inference_cost": None,
                "cache_discount": None,
                "is_byok": False,
                "latency": int(self._script.ttft * 1000),
                "generation_time": elapsed_ms,
                "moderation_latency": None,
                "origin": headers.get("origin", ""),
                "http_referer": headers.get("http-referer"),
                "app_id": None,
                "external_user": None,
                "router": None,
                "session_id": None,
            },
            self._plan.key,
            cost,
        )
