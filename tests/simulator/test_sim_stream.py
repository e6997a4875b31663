"""Complete streams and non-streaming answers: framing, content, usage and the knobs that shape them."""

import json
import re
import time
from decimal import Decimal

import httpx
import pytest

from openchat.simulator.answers import MARKDOWN_SAMPLE

GEN_ID = re.compile(r"gen-\d{10}-[A-Za-z0-9]{20}")
KEEPALIVE = ": OPENROUTER PROCESSING"
ROLE_DELTA = {"role": "assistant", "content": ""}
HOSTILE = (
    "# Title\n\n<script>alert('x')</script> **bold** `code`\r\n\n"
    '| a | b |\n|---|---|\n| 1 | 2 |\n\n```js\nconsole.log("}\\n")\n```\n'
    "  trailing  spaces\t\u00e9\u00e8 \U0001f600 $x^2$ [[not a directive]]\n"
)


def test_stream_framing_is_exact(chat, sse, records):
    response = chat("[[sim reply=echo ttft=0.12]]Hello **world**, how are you?")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/event-stream"
    assert response.headers["transfer-encoding"] == "chunked"
    gen_id = response.headers["x-generation-id"]
    assert GEN_ID.fullmatch(gen_id)
    events = sse.split(response.text)
    comments = [event for event in events if event.startswith(":")]
    assert len(comments) >= 3
    assert events[: len(comments)] == [KEEPALIVE] * len(comments)
    assert events[-1] == "data: [DONE]"
    assert all(event.startswith("data: {") for event in events[len(comments) : -1])

    chunks = sse.data(events)
    role, *contents, finish, usage = chunks
    for chunk in chunks:
        assert list(chunk)[:6] == ["id", "provider", "model", "object", "created", "choices"]
        assert chunk["id"] == gen_id
        assert chunk["object"] == "chat.completion.chunk"
        assert chunk["model"] == "openai/gpt-4o-mini"
        assert chunk["provider"] == "OpenAI"
    assert role["choices"] == [
        {
            "index": 0,
            "delta": ROLE_DELTA,
            "finish_reason": None,
            "native_finish_reason": None,
            "logprobs": None,
        }
    ]
    assert [c["choices"][0]["delta"]["content"] for c in contents] == [
        "Hello",
        " **world**,",
        " how",
        " are",
        " you?",
    ]
    assert all(c["choices"][0]["finish_reason"] is None for c in contents)
    assert all(c["choices"][0]["delta"]["role"] == "assistant" for c in contents)
    assert finish["choices"][0]["delta"] == ROLE_DELTA
    assert finish["choices"][0]["finish_reason"] == "stop"
    assert finish["choices"][0]["native_finish_reason"] == "stop"
    assert "usage" not in finish
    assert usage["choices"][0]["finish_reason"] is None
    assert usage["choices"][0]["delta"] == ROLE_DELTA
    assert usage["usage"]["completion_tokens"] == 5
    [record] = records()
    assert record["id"] == gen_id
    assert record["outcome"] == "complete"
    assert record["chunks_sent"] == 8
    assert record["tokens_sent"] == 5
    assert record["headers"]["http-referer"] == "https://openchat.test"
    assert record["headers"]["authorization"].startswith("Bearer sk-or-v1-")
    assert record["body"]["max_tokens"] == 1024


def test_usage_cost_is_tokens_times_price(simulator, chat, sse):
    pricing = httpx.get(f"{simulator.base_url}/model/openai/gpt-4o-mini").json()["data"]["pricing"]
    usage = sse.data(sse.split(chat("[[sim tokens=30]]Cost?").text))[-1]["usage"]
    assert usage["completion_tokens"] == 30
    assert usage["total_tokens"] == usage["prompt_tokens"] + 30
    expected = usage["prompt_tokens"] * Decimal(pricing["prompt"]) + 30 * Decimal(
        pricing["completion"]
    )
    assert usage["cost"] == pytest.approx(float(expected), rel=1e-9)
    assert usage["cost"] > 0
    assert usage["is_byok"] is False
    assert usage["cost_details"]["upstream_inference_completions_cost"] == pytest.approx(
        float(30 * Decimal(pricing["completion"]))
    )
    assert usage["completion_tokens_details"]["reasoning_tokens"] == 0
    assert usage["prompt_tokens_details"]["cached_tokens"] == 0


def test_echo_reproduces_any_text_exactly(chat, sse):
    events = sse.split(chat(f"[[sim reply=echo]]{HOSTILE}").text)
    assert sse.content(sse.data(events)) == HOSTILE


def test_directives_override_defaults(chat, sse):
    default = sse.data(sse.split(chat("No directive here.").text))
    assert len(default) == 12 + 3
    shorter = sse.data(sse.split(chat("Tell me [[sim tokens=7]] briefly").text))
    assert len(shorter) == 7 + 3
    echoed = sse.data(sse.split(chat("Tell me [[sim reply=echo tokens=7]] briefly").text))
    assert sse.content(echoed) == "Tell me  briefly"
    later_wins = sse.data(sse.split(chat("[[sim tokens=2]] and [[sim tokens=4]]").text))
    assert len(later_wins) == 4 + 3


def test_prose_is_deterministic_per_prompt(chat, sse):
    first = sse.content(sse.data(sse.split(chat("[[sim tokens=60 tps=0]]Explain tides.").text)))
    again = sse.content(sse.data(sse.split(chat("[[sim tokens=60 tps=0]]Explain tides.").text)))
    other = sse.content(sse.data(sse.split(chat("[[sim tokens=60 tps=0]]Explain rust.").text)))
    assert first == again
    assert first != other
    assert len(first.split()) >= 40


def test_markdown_reply_cycles_the_sample(chat, sse):
    text = sse.content(sse.data(sse.split(chat("[[sim reply=markdown tokens=400 tps=0]]md").text)))
    assert text.startswith(MARKDOWN_SAMPLE)
    for marker in ("## ", "\n| Model |", "|:------|", "```python\n", "$e^{i\\pi}", "\n$$\n"):
        assert marker in text
    assert text[len(MARKDOWN_SAMPLE) :].startswith("## Simulated")


def test_sim_config_changes_and_resets_defaults(simulator, chat, sse):
    config = simulator.configure(tokens=5, usage="empty")
    assert config["tokens"] == 5
    assert config["usage"] == "empty"
    chunks = sse.data(sse.split(chat("Configured.").text))
    assert len(chunks) == 5 + 3
    assert chunks[-1]["choices"] == []
    bad = httpx.post(f"{simulator.root_url}/_sim/config", json={"tokenz": 3})
    assert bad.status_code == 400
    assert "tokenz" in bad.json()["error"]["message"]
    assert httpx.post(f"{simulator.root_url}/_sim/config", json={"tps": -1}).status_code == 400
    reset = httpx.delete(f"{simulator.root_url}/_sim/config").json()
    assert reset["tokens"] == 12
    assert reset["usage"] == "last"


@pytest.mark.parametrize("mode", ["last", "empty", "merged", "none"])
def test_usage_placement_variants(chat, sse, mode):
    events = sse.split(chat(f"[[sim usage={mode} tokens=4]]u").text)
    assert events[-1] == "data: [DONE]"
    chunks = sse.data(events)
    with_usage = [index for index, chunk in enumerate(chunks) if "usage" in chunk]
    finish_at = next(i for i, c in enumerate(chunks) if c["choices"][0]["finish_reason"] == "stop")
    if mode == "none":
        assert with_usage == []
        assert finish_at == len(chunks) - 1
    elif mode == "merged":
        assert with_usage == [finish_at] == [len(chunks) - 1]
    else:
        assert with_usage == [len(chunks) - 1] == [finish_at + 1]
        one_empty_choice = {
            "index": 0,
            "delta": ROLE_DELTA,
            "finish_reason": None,
            "native_finish_reason": None,
            "logprobs": None,
        }
        assert chunks[-1]["choices"] == ([] if mode == "empty" else [one_empty_choice])


def test_crlf_line_endings(client, sse):
    with client.stream(
        "POST", "/chat/completions", json=sse.body("[[sim crlf=1]]crlf")
    ) as response:
        raw = response.read()
    assert raw.count(b"\n") == raw.count(b"\r\n") > 0
    events = sse.split(raw.decode(), "\r\n\r\n")
    assert events[0] == KEEPALIVE
    assert events[-1] == "data: [DONE]"
    assert len(sse.data(events)) == 12 + 3


def test_reasoning_model_thinks_before_answering(chat, sse):
    chunks = sse.data(sse.split(chat("Why?", model="deepseek/deepseek-r1").text))
    thinking = [c for c in chunks if c["choices"] and "reasoning" in c["choices"][0]["delta"]]
    assert len(thinking) == 16
    assert chunks[1 : 1 + 16] == thinking
    for chunk in thinking:
        delta = chunk["choices"][0]["delta"]
        assert delta["content"] == ""
        assert delta["reasoning_details"] == [
            {"type": "reasoning.text", "text": delta["reasoning"], "format": "unknown", "index": 0}
        ]
    assert chunks[-1]["usage"]["completion_tokens_details"]["reasoning_tokens"] == 16
    assert chunks[-1]["usage"]["completion_tokens"] == 16 + 12
    assert chunks[-1]["provider"] == "DeepSeek"


def test_reasoning_can_be_hidden_disabled_or_forced(chat, sse):
    def reasoning_chunks(text: str, **extra: object) -> tuple[int, int]:
        chunks = sse.data(sse.split(chat(text, **extra).text))
        shown = [c for c in chunks if c["choices"] and "reasoning" in c["choices"][0]["delta"]]
        return len(shown), chunks[-1]["usage"]["completion_tokens_details"]["reasoning_tokens"]

    r1 = "deepseek/deepseek-r1"
    assert reasoning_chunks("x", model=r1, reasoning={"exclude": True}) == (0, 16)
    assert reasoning_chunks("x", model=r1, include_reasoning=False) == (0, 16)
    assert reasoning_chunks("x", model=r1, reasoning={"effort": "none"}) == (0, 0)
    assert reasoning_chunks("[[sim reasoning=3]]x") == (3, 3)
    assert reasoning_chunks("[[sim reasoning=0]]x", model=r1) == (0, 0)


def test_model_resolution(chat, sse):
    routed = sse.data(sse.split(chat("r", model="openrouter/auto").text))
    assert routed[0]["model"] == "openai/gpt-4o-mini"
    fallback = sse.data(sse.split(chat("f", model="acme/nope", models=["x-ai/grok-4"]).text))
    assert fallback[0]["model"] == "x-ai/grok-4"
    assert fallback[0]["provider"] == "xAI"
    free = sse.data(sse.split(chat("f", model="meta-llama/llama-3.3-70b-instruct:free").text))
    assert free[0]["model"] == "meta-llama/llama-3.3-70b-instruct:free"
    assert free[-1]["usage"]["cost"] == 0
    unknown = chat("u", model="acme/nope")
    assert unknown.status_code == 400
    assert unknown.json() == {
        "error": {"message": "acme/nope is not a valid model ID", "code": 400}
    }


def test_unknown_request_fields_are_ignored(chat, sse):
    response = chat(
        "[[sim tokens=3]]extras",
        usage={"include": True},
        stream_options={"include_usage": True},
        transforms=["middle-out"],
        plugins=[{"id": "web"}],
        provider={"order": ["OpenAI"], "allow_fallbacks": False},
        include_reasoning=True,
        something_new={"nested": [1, 2]},
    )
    assert response.status_code == 200
    assert len(sse.data(sse.split(response.text))) == 3 + 3


def test_non_streaming_response_shape(chat, records):
    response = chat("[[sim reply=echo]]Hi there", stream=False)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert list(body) == [
        "id",
        "provider",
        "model",
        "object",
        "created",
        "system_fingerprint",
        "choices",
        "usage",
    ]
    assert body["id"] == response.headers["x-generation-id"]
    assert GEN_ID.fullmatch(body["id"])
    assert body["object"] == "chat.completion"
    assert body["provider"] == "OpenAI"
    assert body["choices"] == [
        {
            "index": 0,
            "logprobs": None,
            "finish_reason": "stop",
            "native_finish_reason": "stop",
            "message": {
                "role": "assistant",
                "content": "Hi there",
                "refusal": None,
                "reasoning": None,
            },
        }
    ]
    usage = body["usage"]
    assert usage["completion_tokens"] == 2
    assert usage["total_tokens"] == usage["prompt_tokens"] + 2
    assert set(usage) >= {"cost", "is_byok", "cost_details", "completion_tokens_details"}
    assert records()[0]["outcome"] == "complete"


def test_non_streaming_reasoning_and_finish_reason(chat):
    body = chat(
        "[[sim finish=length tokens=4]]x", stream=False, model="deepseek/deepseek-r1"
    ).json()
    choice = body["choices"][0]
    assert choice["finish_reason"] == choice["native_finish_reason"] == "length"
    assert choice["message"]["reasoning"]
    assert choice["message"]["reasoning_details"][0]["type"] == "reasoning.text"
    assert body["usage"]["completion_tokens_details"]["reasoning_tokens"] == 16


def test_pacing_follows_tps_and_ttft(client, sse):
    started = time.monotonic()
    arrivals = []
    body = sse.body("[[sim tokens=20 tps=50 ttft=0.2]]pace")
    with client.stream("POST", "/chat/completions", json=body) as response:
        for line in response.iter_lines():
            if '"content":"' in line and '"content":""' not in line:
                arrivals.append(time.monotonic() - started)
    assert len(arrivals) == 20
    assert 0.18 <= arrivals[0] <= 0.45
    # 19 intervals of 20 ms after the first token.
    assert 0.3 <= arrivals[-1] - arrivals[0] <= 0.75


def test_unpaced_stream_is_fast(client, sse):
    started = time.monotonic()
    response = client.post("/chat/completions", json=sse.body("[[sim tokens=5000 tps=0 ttft=0]]"))
    elapsed = time.monotonic() - started
    assert len(sse.data(sse.split(response.text))) == 5000 + 3
    assert elapsed < 1.0


def test_records_list_parsed_bodies(chat, simulator, records):
    chat("[[sim tokens=2]]one")
    chat("[[sim tokens=2]]two", stream=False)
    log = records()
    assert [json.dumps(r["body"]["messages"][-1]["content"]) for r in log] == [
        '"[[sim tokens=2]]one"',
        '"[[sim tokens=2]]two"',
    ]
    assert all(r["path"] == "/api/v1/chat/completions" for r in log)
    stats = simulator.stats()
    assert stats.pop("connections") >= 1
    assert stats == {"requests": 2, "open_streams": 0, "cancelled": 0}
