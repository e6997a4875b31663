"""Upstream failures become messages a person can act on, with nothing raw leaked."""

import orjson
import pytest

from openchat.upstream.failures import http_failure, stream_failure


def envelope(code: int, message: str, **metadata: object) -> bytes:
    return orjson.dumps({"error": {"code": code, "message": message, "metadata": metadata}})


@pytest.mark.parametrize(
    ("status", "needle"),
    [
        (400, "could not handle"),
        (401, "OPENROUTER_API_KEY"),
        (402, "out of credits"),
        (403, "blocked"),
        (404, "not available"),
        (408, "too long"),
        (429, "Try again in 17 s"),
        (502, "provider failed"),
        (503, "Try again in 17 s"),
    ],
)
def test_each_documented_status_reads_well(status: int, needle: str):
    error = http_failure(status, envelope(status, "upstream words"), "17")
    assert needle in error.detail
    assert error.upstream_status == status


def test_retry_after_from_provider_metadata():
    error = http_failure(429, envelope(429, "Provider returned error", retry_after_seconds=9), None)
    assert error.retry_after == 9
    assert "9 s" in error.detail


def test_moderation_reasons_are_named():
    body = envelope(403, "Request blocked", reasons=["harassment"], flagged_input="x")
    assert "harassment" in http_failure(403, body, None).detail


def test_html_error_page_is_not_echoed():
    error = http_failure(502, b"<html><body>Bad gateway <script>x</script></body></html>", None)
    assert "<" not in error.detail


def test_mid_stream_error_keeps_partial_promise():
    error = stream_failure({"code": 502, "message": "Provider disconnected unexpectedly"})
    assert "Provider disconnected unexpectedly" in error.detail
    assert "partial answer is kept" in error.detail
    assert error.upstream_status == 502


def test_context_length_mid_stream():
    error = stream_failure(
        {"code": 400, "message": "x", "metadata": {"error_type": "context_length_exceeded"}}
    )
    assert "too long" in error.detail
