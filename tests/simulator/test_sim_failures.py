"""Scripted failures: auth, pre-stream error envelopes, mid-stream errors, drops, stalls,
malformed lines, and client disconnects recorded as cancelled."""

import json
import time
from collections.abc import Callable
from typing import TypeVar

import httpx
import pytest

from openchat.simulator.script import ERROR_STATUSES

RETRYABLE_WITH_HEADER = {429, 503}
T = TypeVar("T")


def wait_for(condition: Callable[[], T], timeout: float = 2.0) -> T:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.01)
    raise AssertionError("condition not met in time")


def assert_chunked_json_error(response: httpx.Response, status: int) -> None:
    assert response.status_code == status
    assert response.headers["content-type"] == "application/json"
    # Live error bodies come chunked, without Content-Length.
    assert response.headers["transfer-encoding"] == "chunked"
    assert "content-length" not in response.headers
    assert "x-generation-id" not in response.headers


def test_missing_or_malformed_auth_is_401(simulator, sse):
    for headers in ({}, {"Authorization": "Bearer"}, {"Authorization": "Basic abc"}):
        response = httpx.post(
            f"{simulator.base_url}/chat/completions", json=sse.body("hi"), headers=headers
        )
        assert_chunked_json_error(response, 401)
        assert response.json() == {"error": {"message": "No auth credentials found", "code": 401}}
    assert httpx.get(f"{simulator.base_url}/key").status_code == 401
    assert simulator.requests()[-1]["outcome"] == "error"
    assert simulator.requests()[-1]["status"] == 401


def test_require_key_rejects_other_keys(simulator, client, sse):
    simulator.configure(require_key="sk-or-v1-right")
    wrong = client.post("/chat/completions", json=sse.body("hi"))
    assert wrong.status_code == 401
    assert wrong.json() == {"error": {"message": "User not found.", "code": 401}}
    right = httpx.post(
        f"{simulator.base_url}/chat/completions",
        json=sse.body("[[sim tokens=1]]hi"),
        headers={"Authorization": "Bearer sk-or-v1-right"},
    )
    assert right.status_code == 200
    # The model list stays public, as live.
    assert httpx.get(f"{simulator.base_url}/models", headers={"Authorization": "x"}).is_success


@pytest.mark.parametrize("status", ERROR_STATUSES)
@pytest.mark.parametrize("form", ["1", "2"])
def test_scripted_status_has_its_envelope(chat, status, form):
    response = chat(f"[[sim status={status} form={form}]]please fail")
    assert_chunked_json_error(response, status)
    error = response.json()["error"]
    assert isinstance(error["message"], str) and error["message"]
    availability = form == "2" and status in {404, 503}
    if availability:
        # The documented availability errors carry error_type/http_status instead of code.
        assert error["http_status"] == status
        assert error["availability"]["requested_models"] == ["openai/gpt-4o-mini"]
    else:
        assert error["code"] == status
    if status in RETRYABLE_WITH_HEADER:
        assert response.headers["retry-after"] == "1"
    else:
        assert "retry-after" not in response.headers
    rate_headers = {"x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset"}
    assert (rate_headers <= set(response.headers)) == (status == 429 and form == "1")


def test_402_has_both_message_forms(chat):
    plain = chat("[[sim status=402]]x").json()
    assert plain["error"]["message"].startswith("Insufficient credits")
    assert plain["user_id"].startswith("user_")
    afford = chat("[[sim status=402 form=2]]x", max_tokens=65536).json()["error"]["message"]
    assert "requires more credits, or fewer max_tokens" in afford
    assert "You requested up to 65536 tokens, but can only afford 6383" in afford


def test_403_moderation_metadata(chat):
    text = "offensive " * 30
    error = chat(f"[[sim status=403]]{text}").json()["error"]
    metadata = error["metadata"]
    assert metadata["reasons"] == ["harassment"]
    assert metadata["provider_name"] == "OpenAI"
    assert metadata["model_slug"] == "openai/gpt-4o-mini"
    assert len(metadata["flagged_input"]) <= 100
    assert "..." in metadata["flagged_input"]
    assert metadata["flagged_input"].startswith("offensive offensive")
    guardrail = chat("[[sim status=403 form=2]]x").json()["error"]["metadata"]
    assert guardrail == {"patterns": ["credit card number"]}


def test_429_and_503_headers(chat):
    limited = chat("[[sim status=429 retry_after=7]]x")
    assert limited.headers["retry-after"] == "7"
    assert limited.headers["x-ratelimit-limit"] == "20"
    assert limited.headers["x-ratelimit-remaining"] == "0"
    reset_ms = int(limited.headers["x-ratelimit-reset"])
    assert abs(reset_ms / 1000 - (time.time() + 7)) < 5
    provider = chat("[[sim status=429 form=2 retry_after=3]]x")
    assert "x-ratelimit-limit" not in provider.headers
    metadata = provider.json()["error"]["metadata"]
    assert metadata["provider_name"] == "OpenAI"
    assert metadata["headers"] == {"Retry-After": "3"}
    unavailable = chat("[[sim status=503 retry_after=2]]x")
    assert unavailable.headers["retry-after"] == "2"
    server_error = chat("[[sim status=500 retry_after=4]]x")
    assert server_error.headers["retry-after"] == "4"
    assert server_error.json() == {"error": {"code": 500, "message": "Internal Server Error"}}


def test_502_provider_metadata_and_html(chat):
    error = chat("[[sim status=502]]x", model="google/gemini-2.5-flash").json()["error"]
    assert error["message"] == "Provider returned error"
    assert error["metadata"]["provider_name"] == "Google AI Studio"
    assert json.loads(error["metadata"]["raw"])["error"]["code"] == 503
    typed = chat("[[sim status=502 form=2]]x").json()["error"]["metadata"]
    assert typed == {"error_type": "provider_unavailable", "provider_code": "overloaded"}
    page = chat("[[sim status=502 form=html]]x")
    assert page.status_code == 502
    assert page.headers["content-type"].startswith("text/html")
    assert "<title>502 Bad Gateway</title>" in page.text


def test_bad_requests_are_400(chat, client, simulator):
    bad_json = client.post(
        "/chat/completions", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert bad_json.status_code == 400
    assert bad_json.json()["error"]["code"] == 400
    no_messages = client.post("/chat/completions", json={"model": "openai/gpt-4o-mini"})
    assert no_messages.status_code == 400
    unknown_key = chat("[[sim tokenz=3]]x")
    assert unknown_key.status_code == 400
    assert "tokenz" in unknown_key.json()["error"]["message"]
    assert chat("[[sim tokens=-2]]x").status_code == 400
    assert chat("[[sim status=418]]x").status_code == 400
    assert chat("[[sim tokens]]x").status_code == 400
    assert [r["status"] for r in simulator.requests()] == [400] * 6


@pytest.mark.parametrize("fail_done", [False, True])
def test_mid_stream_error_chunk(chat, sse, records, fail_done):
    response = chat(f"[[sim fail_after=3 fail_done={int(fail_done)}]]x")
    assert response.status_code == 200
    events = sse.split(response.text)
    assert (events[-1] == "data: [DONE]") is fail_done
    chunks = sse.data(events)
    role, *contents, error_chunk = chunks
    assert role["choices"][0]["delta"]["content"] == ""
    assert len(contents) == 3
    assert all(c["choices"][0]["finish_reason"] is None for c in contents)
    assert list(error_chunk)[:7] == [
        "id",
        "object",
        "created",
        "model",
        "provider",
        "error",
        "choices",
    ]
    assert error_chunk["id"] == role["id"]
    assert error_chunk["error"]["code"] == 502
    assert error_chunk["error"]["metadata"] == {"error_type": "provider_unavailable"}
    assert error_chunk["choices"][0]["finish_reason"] == "error"
    assert all("usage" not in chunk for chunk in chunks)
    [record] = records()
    assert record["outcome"] == "error"
    assert record["tokens_sent"] == 3


def test_fail_after_beyond_the_answer_fires_at_its_end(chat, sse):
    chunks = sse.data(sse.split(chat("[[sim tokens=4 fail_after=100]]x").text))
    assert len(chunks) == 1 + 4 + 1
    assert chunks[-1]["choices"][0]["finish_reason"] == "error"


def test_non_streaming_failure_is_200_with_error(chat, records):
    response = chat("[[sim reply=echo fail_after=2]]one two three", stream=False)
    assert response.status_code == 200
    choice = response.json()["choices"][0]
    assert choice["finish_reason"] == "error"
    assert choice["message"]["content"] == "one two"
    assert choice["error"]["code"] == 502
    assert records()[0]["outcome"] == "error"


def test_drop_ends_without_finish_or_done(client, sse, records):
    received = b""
    with (
        pytest.raises(httpx.RemoteProtocolError),
        client.stream(
            "POST", "/chat/completions", json=sse.body("[[sim drop_after=4]]x")
        ) as response,
    ):
        assert response.status_code == 200
        for piece in response.iter_raw():
            received += piece
    text = received.decode()
    assert "[DONE]" not in text
    assert '"finish_reason":"stop"' not in text
    chunks = [json.loads(line[6:]) for line in text.splitlines() if line.startswith("data: {")]
    assert len(chunks) == 1 + 4
    assert records()[0]["outcome"] == "dropped"


def test_non_streaming_drop_closes_without_response(chat):
    with pytest.raises(httpx.RemoteProtocolError):
        chat("[[sim drop_after=1]]x", stream=False)


def test_stall_keeps_the_connection_open_and_silent(simulator, client, sse, records):
    received = b""
    body = sse.body("[[sim stall_after=3 tps=100]]x")
    started = time.monotonic()
    timeout = httpx.Timeout(5, read=0.4)
    with (
        client.stream("POST", "/chat/completions", json=body, timeout=timeout) as response,
        pytest.raises(httpx.ReadTimeout),
    ):
        for piece in response.iter_raw():
            received += piece
            if received.count(b"data: {") == 1 + 3:
                wait_for(lambda: records()[0]["outcome"] == "stalled")
                assert simulator.stats()["open_streams"] == 1
    # The read timed out (no EOF, no error): the connection stayed open and silent.
    assert time.monotonic() - started >= 0.4
    chunks = [
        json.loads(line[6:])
        for line in received.decode().splitlines()
        if line.startswith("data: {")
    ]
    assert len(chunks) == 1 + 3
    assert records()[0]["outcome"] == "stalled"
    wait_for(lambda: simulator.stats()["open_streams"] == 0)
    # Documented choice: a stall stays "stalled" after the client gives up.
    assert records()[0]["outcome"] == "stalled"


def test_client_disconnect_is_recorded_as_cancelled(simulator, client, sse, records):
    body = sse.body("[[sim tokens=1000 tps=50 ttft=0]]long answer")
    with client.stream("POST", "/chat/completions", json=body) as response:
        seen = 0
        for line in response.iter_lines():
            seen += line.startswith("data: {")
            if seen == 4:
                assert records()[0]["outcome"] == "running"
                assert simulator.stats()["open_streams"] == 1
                break
    closed = time.monotonic()
    record = wait_for(lambda: next((r for r in records() if r["outcome"] != "running"), None))
    noticed = time.monotonic() - closed
    assert record is not None
    assert record["outcome"] == "cancelled"
    assert noticed < 0.2  # within a few token intervals of 20 ms
    assert record["tokens_sent"] < 20
    stats = simulator.stats()
    assert stats["cancelled"] == 1
    assert stats["open_streams"] == 0
    # Production really stopped: the count does not move any more.
    time.sleep(0.1)
    assert records()[0]["tokens_sent"] == record["tokens_sent"]


def test_disconnect_while_waiting_for_the_first_token(client, sse, records):
    body = sse.body("[[sim ttft=5]]slow start")
    with client.stream("POST", "/chat/completions", json=body) as response:
        first = next(response.iter_lines())
        assert first == ": OPENROUTER PROCESSING"
    record = wait_for(lambda: next((r for r in records() if r["outcome"] != "running"), None))
    assert record is not None
    assert record["outcome"] == "cancelled"
    assert record["tokens_sent"] == 0


def test_malformed_line_then_the_stream_goes_on(chat, sse):
    events = sse.split(chat("[[sim malformed_after=2 tokens=4]]x").text)
    broken = []
    for event in events:
        if event.startswith("data: {"):
            try:
                json.loads(event[6:])
            except json.JSONDecodeError:
                broken.append(event)
    assert len(broken) == 1
    assert events[-1] == "data: [DONE]"
    good = [event for event in events if event not in broken]
    assert len(sse.data(good)) == 1 + 4 + 2
