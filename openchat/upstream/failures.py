"""Turn upstream failures (HTTP statuses, error envelopes, network faults) into readable messages."""

from __future__ import annotations

from typing import Any

import orjson

from openchat.errors import UpstreamError

_BY_STATUS = {
    400: "The model could not handle this request: {detail}",
    401: "OpenRouter rejected the API key. Check OPENROUTER_API_KEY in .env and restart Open Chat.",
    402: "Your OpenRouter account is out of credits. Add credits on openrouter.ai or pick a free"
    " model.",
    403: "The request was blocked by the provider's moderation or guardrails: {detail}",
    404: "This model is not available right now. Pick another model.",
    408: "The model took too long to answer. Try again.",
    413: "The conversation is too long for this model. Start a new chat or pick a model with a"
    " larger context.",
    429: "Rate limited by the model provider. Try again in {retry} s.",
    502: "The model's provider failed to answer. Try again or pick another model.",
    503: "No provider can serve this model right now. Try again in {retry} s or pick another model.",
}
NO_IMAGE_INPUT = "This model cannot read images. Pick one that can, or start a chat without them."


def _envelope(body: Any) -> tuple[str, dict[str, Any]]:
    """The upstream's own message and metadata, from any known error envelope."""
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        metadata = error.get("metadata")
        return str(error.get("message") or ""), metadata if isinstance(metadata, dict) else {}
    if isinstance(error, str):
        return error, {}
    return "", {}


def _retry_after(value: str | None, metadata: dict[str, Any]) -> int | None:
    for candidate in (value, metadata.get("retry_after_seconds")):
        try:
            if candidate is not None:
                return max(1, round(float(candidate)))
        except (TypeError, ValueError):
            continue
    return None


def _short(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def http_failure(status: int, body: bytes, retry_after_header: str | None) -> UpstreamError:
    """An upstream answer with a non-2xx status, as an error fit for a person."""
    try:
        message, metadata = _envelope(orjson.loads(body))
    except orjson.JSONDecodeError:
        message, metadata = "", {}  # an HTML error page from a proxy: say nothing of it
    retry = _retry_after(retry_after_header, metadata)
    detail = message
    if status == 403 and isinstance(metadata.get("reasons"), list):
        detail = ", ".join(str(reason) for reason in metadata["reasons"]) or message
    template = _BY_STATUS.get(status)
    if status == 404 and "image input" in message:  # OpenRouter found no provider for images
        template = NO_IMAGE_INPUT
    if template is None:
        template = (
            "OpenRouter had an internal problem. Try again in a moment."
            if status >= 500
            else "The request failed upstream: {detail}"
        )
    text = template.format(
        detail=_short(detail) or f"status {status}", retry=retry if retry is not None else "a few"
    )
    return UpstreamError(text, upstream_status=status, retry_after=retry)


def stream_failure(error: Any) -> UpstreamError:
    """An error object that arrived inside a stream after HTTP 200."""
    message, metadata = _envelope({"error": error})
    code = error.get("code") if isinstance(error, dict) else None
    status = code if isinstance(code, int) else 502
    error_type = str(metadata.get("error_type") or "")
    if error_type in {"context_length_exceeded", "max_tokens_exceeded", "token_limit_exceeded"}:
        return UpstreamError(_BY_STATUS[413], upstream_status=status)
    reason = _short(message) or "the provider failed"
    return UpstreamError(
        f"The model stopped with an error: {reason}. The partial answer is kept.",
        upstream_status=status,
    )


def lost_connection() -> UpstreamError:
    return UpstreamError(
        "The connection to the model was lost before the answer finished. The partial answer is"
        " kept; regenerate to try again.",
        upstream_status=None,
    )


def stalled(idle_seconds: float) -> UpstreamError:
    return UpstreamError(
        f"The model stopped sending for {idle_seconds:g} s, so the answer was ended. The partial"
        " answer is kept; regenerate to try again.",
        upstream_status=408,
    )


def unreachable() -> UpstreamError:
    return UpstreamError(
        "Could not reach the model service. Check the network or OPENROUTER_BASE_URL and try again.",
        upstream_status=None,
    )
