"""The events of an answer stream, encoded once as Server-Sent Events frames.

Each event is encoded when it is published, so fan-out to many subscribers and
replay after a reconnect cost a list slice and a socket write, not a JSON dump.
"""

from __future__ import annotations

from typing import Any

import orjson

from openchat.domain import Message, Usage


def usage_json(usage: Usage | None) -> dict[str, Any] | None:
    if usage is None:
        return None
    return {
        "prompt_tokens": usage.prompt_tokens,
        "completion_tokens": usage.completion_tokens,
        "total_tokens": usage.total_tokens,
        "cost": usage.cost,
    }


# Event ids of a conversation's n-th answer (counting every version) are n * ANSWER_ID_SPAN + 1,
# + 2, ...: increasing across answers, so an id kept from an earlier answer (a browser's own
# reconnect after `done`) is never mistaken for a position in a newer one.
ANSWER_ID_SPAN = 1_000_000


def sse_frame(event_id: int, payload: bytes) -> bytes:
    """One SSE event: an `id:` line and one `data:` line of JSON."""
    return b"id: %d\ndata: %s\n\n" % (event_id, payload)


def start_payload(message_id: str, model: str) -> bytes:
    return orjson.dumps({"type": "start", "message_id": message_id, "model": model})


def chunk_payload(text: str) -> bytes:
    # The hot path: one call per upstream read, so the constant part is not re-encoded.
    return b'{"type":"chunk","content":%s}' % orjson.dumps(text)


def reasoning_payload(text: str) -> bytes:
    return b'{"type":"reasoning","content":%s}' % orjson.dumps(text)


def done_payload(
    message_id: str, finish_reason: str | None, usage: Usage | None, status: str
) -> bytes:
    return orjson.dumps(
        {
            "type": "done",
            "message_id": message_id,
            "finish_reason": finish_reason,
            "status": status,
            "usage": usage_json(usage),
        }
    )


def error_payload(message_id: str, message: str, code: int | None) -> bytes:
    return orjson.dumps(
        {"type": "error", "message_id": message_id, "message": message, "code": code}
    )


PING_FRAME = b": ping\n\n"


def closing_payload(
    message_id: str,
    status: str,
    error: str,
    error_code: int | None,
    finish_reason: str | None,
    usage: Usage | None,
) -> bytes:
    """The last event of an answer: `error` when it failed, `done` for every other end."""
    if status == "error":
        return error_payload(message_id, error, error_code)
    return done_payload(message_id, finish_reason, usage, status)


def replay_frames(first_id: int, message: Message) -> bytes:
    """A stored answer as a short stream: start, its reasoning and text, then done or error."""
    payloads = [start_payload(message.id, message.model or "")]
    if message.reasoning:
        payloads.append(reasoning_payload(message.reasoning))
    if message.content:
        payloads.append(chunk_payload(message.content))
    payloads.append(
        closing_payload(
            message.id,
            message.status,
            message.error or "The answer failed.",
            message.error_code,
            message.finish_reason,
            message.usage,
        )
    )
    return b"".join(
        sse_frame(first_id + index, payload) for index, payload in enumerate(payloads, start=1)
    )
