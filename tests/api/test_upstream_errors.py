"""Upstream failures reach the person as readable `error` events; partial text is stored."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import assert_logs_clean, last_message, new_conversation, post_message
from tests.servers import AppServer
from tests.sse import read_stream

STATUS_MESSAGES = {
    400: "could not handle",
    401: "OPENROUTER_API_KEY",
    402: "out of credits",
    403: "blocked",
    404: "not available",
    408: "too long",
    429: "Try again in 7 s",
    500: "internal problem",
    502: "provider failed",
    503: "Try again in 7 s",
}


@pytest.mark.parametrize("status", sorted(STATUS_MESSAGES))
def test_each_upstream_status_becomes_a_readable_error(api: httpx.Client, status: int):
    conversation = new_conversation(api)
    post_message(api, conversation["id"], f"hi [[sim status={status} retry_after=7]]")
    stream = read_stream(api, conversation["id"])
    assert stream.types == ["start", "error"]
    error = stream.last
    assert error["code"] == status
    assert STATUS_MESSAGES[status] in error["message"]
    stored = last_message(api, conversation["id"])
    assert (stored["status"], stored["error"], stored["error_code"]) == (
        "error",
        error["message"],
        status,
    )


# Unpaced, the error event comes in the same network read as the text before it.
@pytest.mark.parametrize("pace", ["tps=40", "tps=0"])
def test_mid_stream_error_keeps_the_partial_text(api: httpx.Client, pace: str):
    whole = new_conversation(api)
    post_message(api, whole["id"], f"hi [[sim tokens=6 {pace}]]")
    first_six = read_stream(api, whole["id"]).text
    conversation = new_conversation(api)
    post_message(api, conversation["id"], f"hi [[sim tokens=30 fail_after=6 {pace}]]")
    stream = read_stream(api, conversation["id"])
    assert stream.types[-1] == "error"
    assert "partial answer is kept" in stream.last["message"]
    assert stream.text == first_six
    stored = last_message(api, conversation["id"])
    assert stored["status"] == "error" and stored["content"] == first_six


def test_mid_stream_error_followed_by_done_marker(api: httpx.Client):
    conversation = new_conversation(api)
    post_message(api, conversation["id"], "hi [[sim tokens=30 fail_after=4 fail_done=1]]")
    stream = read_stream(api, conversation["id"])
    assert stream.types[-1] == "error" and stream.text


def test_dropped_connection_keeps_the_partial_text(api: httpx.Client):
    conversation = new_conversation(api)
    post_message(api, conversation["id"], "hi [[sim tokens=30 drop_after=5]]")
    stream = read_stream(api, conversation["id"])
    assert stream.types[-1] == "error"
    assert "connection to the model was lost" in stream.last["message"]
    stored = last_message(api, conversation["id"])
    assert stored["status"] == "error" and stored["content"] == stream.text and stream.text


def test_stalled_upstream_ends_the_answer_after_the_idle_timeout(start_server):
    server: AppServer = start_server(upstream_idle_timeout="1")
    with httpx.Client(base_url=server.url, timeout=30) as api:
        conversation = new_conversation(api)
        post_message(api, conversation["id"], "hi [[sim tokens=30 tps=100 stall_after=4]]")
        stream = read_stream(api, conversation["id"])
        assert stream.types[-1] == "error"
        assert "stopped sending" in stream.last["message"]
        stored = last_message(api, conversation["id"])
        assert stored["status"] == "error" and stored["content"] == stream.text and stream.text
    assert_logs_clean(server.log())


def test_unreachable_upstream_is_explained(start_server):
    server: AppServer = start_server(openrouter_base_url="http://127.0.0.1:9/api/v1")
    with httpx.Client(base_url=server.url, timeout=30) as api:
        conversation = new_conversation(api)
        post_message(api, conversation["id"], "hello")
        stream = read_stream(api, conversation["id"])
        assert stream.last["type"] == "error"
        assert "Could not reach" in stream.last["message"]
        models = api.get("/models")
        assert models.status_code == 502
        assert "Could not load the model list" in models.json()["detail"]
    assert_logs_clean(server.log())


def test_without_a_key_health_says_so_and_the_stream_explains(start_server):
    server: AppServer = start_server(openrouter_api_key="")
    with httpx.Client(base_url=server.url, timeout=30) as api:
        assert api.get("/health").json()["upstream_configured"] is False
        conversation = new_conversation(api)
        post_message(api, conversation["id"], "hello")
        stream = read_stream(api, conversation["id"])
        assert stream.last["type"] == "error" and stream.last["code"] == 503
        assert "OPENROUTER_API_KEY" in stream.last["message"]
