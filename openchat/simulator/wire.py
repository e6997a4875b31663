"""OpenRouter's completion wire format: chat.completion.chunk SSE events (the constant parts
encoded once per stream, so a token costs one JSON string encode), usage objects and
non-streaming bodies.
"""

from decimal import Decimal

import orjson

Json = dict[str, object]


def usage_object(
    prompt_tokens: int,
    completion_tokens: int,
    reasoning_tokens: int,
    prompt_price: Decimal,
    completion_price: Decimal,
) -> Json:
    """The full `usage` shape with `cost` = tokens x per-token price (reasoning counts as output)."""
    prompt_cost = prompt_tokens * prompt_price
    completion_cost = completion_tokens * completion_price
    return {
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens,
        "total_tokens": prompt_tokens + completion_tokens,
        "cost": float(prompt_cost + completion_cost),
        "is_byok": False,
        "prompt_tokens_details": {
            "cached_tokens": 0,
            "cache_write_tokens": 0,
            "audio_tokens": 0,
            "video_tokens": 0,
        },
        "cost_details": {
            "upstream_inference_cost": None,
            "upstream_inference_prompt_cost": float(prompt_cost),
            "upstream_inference_completions_cost": float(completion_cost),
        },
        "completion_tokens_details": {
            "reasoning_tokens": reasoning_tokens,
            "image_tokens": 0,
            "audio_tokens": 0,
        },
    }


def _choice(content: str, finish: str | None) -> Json:
    return {
        "index": 0,
        "delta": {"role": "assistant", "content": content},
        "finish_reason": finish,
        "native_finish_reason": finish,
        "logprobs": None,
    }


class ChunkEncoder:
    """The SSE events of one stream, in the key order of live captures."""

    __slots__ = ("_content_head", "_end", "_reasoning_mid", "_tail", "fields")

    def __init__(self, *, gen_id: str, provider: str, model: str, created: int, crlf: bool) -> None:
        self._end = b"\r\n\r\n" if crlf else b"\n\n"
        self.fields: Json = {
            "id": gen_id,
            "provider": provider,
            "model": model,
            "object": "chat.completion.chunk",
            "created": created,
        }
        # The chunk JSON up to the token and after it; `[:-1]` drops the closing brace.
        self._content_head = (
            b"data: "
            + orjson.dumps(self.fields)[:-1]
            + b',"choices":[{"index":0,"delta":{"role":"assistant","content":'
        )
        self._reasoning_mid = b',"reasoning_details":[{"type":"reasoning.text","text":'
        self._tail = (
            b'},"finish_reason":null,"native_finish_reason":null,"logprobs":null}]}' + self._end
        )

    def content(self, text: str) -> bytes:
        """One content token."""
        return b"".join((self._content_head, orjson.dumps(text), self._tail))

    def reasoning(self, text: str) -> bytes:
        """One reasoning token, as `delta.reasoning` plus a `reasoning.text` detail."""
        encoded = orjson.dumps(text)
        return b"".join(
            (
                self._content_head,
                b'"","reasoning":',
                encoded,
                self._reasoning_mid,
                encoded,
                b',"format":"unknown","index":0}]',
                self._tail,
            )
        )

    def finish(self, reason: str, usage: Json | None) -> bytes:
        """The chunk carrying `finish_reason`, with usage merged in when given."""
        chunk: Json = {**self.fields, "choices": [_choice("", reason)]}
        if usage is not None:
            chunk["usage"] = usage
        return self._event(chunk)

    def usage(self, usage: Json, *, empty_choices: bool) -> bytes:
        """The usage chunk: one empty choice as observed live, or `choices: []` as documented."""
        choices = [] if empty_choices else [_choice("", None)]
        return self._event({**self.fields, "choices": choices, "usage": usage})

    def error(self, code: int, message: str, metadata: Json) -> bytes:
        """A mid-stream failure: top-level `error` next to `finish_reason: "error"`."""
        fields = self.fields
        return self._event(
            {
                "id": fields["id"],
                "object": fields["object"],
                "created": fields["created"],
                "model": fields["model"],
                "provider": fields["provider"],
                "error": {"code": code, "message": message, "metadata": metadata},
                "choices": [
                    {
                        "index": 0,
                        "delta": {"content": ""},
                        "finish_reason": "error",
                        "native_finish_reason": "error",
                    }
                ],
            }
        )

    def malformed(self) -> bytes:
        """A data line whose JSON is cut off, as a broken proxy might deliver it."""
        return self._content_head + b'"unterminated' + self._end

    def done(self) -> bytes:
        return b"data: [DONE]" + self._end

    def keepalive(self) -> bytes:
        return b": OPENROUTER PROCESSING" + self._end

    def _event(self, chunk: Json) -> bytes:
        return b"data: " + orjson.dumps(chunk) + self._end


def completion_body(
    *,
    fields: Json,
    content: str,
    reasoning: str | None,
    finish: str,
    usage: Json | None,
    error: Json | None,
) -> bytes:
    """A non-streaming response; `fields` holds id, provider, model and created."""
    message: Json = {
        "role": "assistant",
        "content": content,
        "refusal": None,
        "reasoning": reasoning,
    }
    if reasoning:
        message["reasoning_details"] = [
            {"type": "reasoning.text", "text": reasoning, "format": "unknown", "index": 0}
        ]
    choice: Json = {
        "index": 0,
        "logprobs": None,
        "finish_reason": finish,
        "native_finish_reason": finish,
        "message": message,
    }
    if error is not None:
        choice["error"] = error
    body: Json = {
        "id": fields["id"],
        "provider": fields["provider"],
        "model": fields["model"],
        "object": "chat.completion",
        "created": fields["created"],
        "system_fingerprint": None,
        "choices": [choice],
    }
    if usage is not None:
        body["usage"] = usage
    return orjson.dumps(body)
