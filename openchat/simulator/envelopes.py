"""Error responses as OpenRouter sends them before a stream starts: the `{"error": ...}`
envelope with each status's message, metadata and headers, in the observed form ("1"), the
documented alternative ("2") or a proxy's HTML page ("html").
"""

import math
from collections.abc import Callable
from dataclasses import dataclass

import orjson

from openchat.simulator.script import ErrorForm

Json = dict[str, object]

USER_ID = "user_2sim0penchat0000000000000"
_DOCS_URL = "https://openrouter.ai/docs/api-reference/errors-and-debugging"
_CREDITS_URL = "https://openrouter.ai/settings/credits"
_REASONS = {
    400: "Bad Request",
    401: "Unauthorized",
    402: "Payment Required",
    403: "Forbidden",
    404: "Not Found",
    408: "Request Timeout",
    413: "Payload Too Large",
    422: "Unprocessable Entity",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    524: "A Timeout Occurred",
    529: "Site Overloaded",
}


@dataclass(frozen=True, slots=True)
class ErrorReply:
    """A complete error response: status, JSON (or HTML) body and extra headers."""

    status: int
    body: bytes
    headers: tuple[tuple[str, str], ...] = ()
    content_type: str = "application/json"


@dataclass(frozen=True, slots=True)
class ErrorContext:
    """What a scripted error may mention about the request that triggers it."""

    model: str
    provider: str
    flagged_input: str
    max_tokens: int | None
    retry_after: float | None
    now: float


def reason_phrase(status: int) -> str:
    return _REASONS.get(status, "Error")


def plain_error(status: int, message: str) -> ErrorReply:
    """The bare envelope, as sent for auth failures and malformed requests."""
    return ErrorReply(status, orjson.dumps({"error": {"message": message, "code": status}}))


def scripted_error(status: int, form: ErrorForm, context: ErrorContext) -> ErrorReply:
    """The error a `status=` directive asks for."""
    retry_after = context.retry_after
    if retry_after is None and status in {429, 503}:
        retry_after = 1.0
    headers: tuple[tuple[str, str], ...] = ()
    if retry_after is not None:
        headers = (("retry-after", _seconds(retry_after)),)
    if form == "html":
        return ErrorReply(status, _html_page(status), headers, "text/html; charset=UTF-8")
    envelope = _BUILDERS[status](form == "2", context, retry_after or 0.0)
    if status == 429 and form == "1":
        # Only OpenRouter's own rate limiter adds these; a provider's 429 (form 2) does not.
        reset_ms = int((context.now + (retry_after or 0.0)) * 1000)
        headers += (
            ("x-ratelimit-limit", "20"),
            ("x-ratelimit-remaining", "0"),
            ("x-ratelimit-reset", str(reset_ms)),
        )
    return ErrorReply(status, orjson.dumps(envelope), headers)


def _seconds(value: float) -> str:
    return str(math.ceil(value)) if value != int(value) else str(int(value))


def _error(code: int, message: str, metadata: Json | None = None, *, user: bool = False) -> Json:
    error: Json = {"code": code, "message": message}
    if metadata is not None:
        error["metadata"] = metadata
    return {"error": error, "user_id": USER_ID} if user else {"error": error}


def _bad_request(alternate: bool, context: ErrorContext, _: float) -> Json:
    if alternate:
        return _error(400, f"{context.model} is not a valid model ID")
    return _error(
        400,
        "This endpoint's maximum context length is 131072 tokens. However, you requested "
        "about 210345 tokens (206249 of text input, 4096 in the output). Please reduce the "
        'length of either one, or use the "middle-out" transform to compress your prompt '
        "automatically.",
    )


def _unauthorized(alternate: bool, _: ErrorContext, __: float) -> Json:
    return _error(401, "User not found." if alternate else "No auth credentials found")


def _payment(alternate: bool, context: ErrorContext, _: float) -> Json:
    if not alternate:
        return _error(
            402,
            "Insufficient credits. This account never purchased credits. Make sure your key is "
            f"on the correct account or org, and if so, purchase more at {_CREDITS_URL}",
            user=True,
        )
    requested = context.max_tokens or 65_536
    affordable = max(1, requested * 6383 // 65_536)
    return _error(
        402,
        f"This request requires more credits, or fewer max_tokens. You requested up to "
        f"{requested} tokens, but can only afford {affordable}. To increase, visit "
        f"{_CREDITS_URL} and upgrade to a paid account",
        user=True,
    )


def _forbidden(alternate: bool, context: ErrorContext, _: float) -> Json:
    if alternate:
        return _error(
            403,
            "Request blocked by a guardrail: the input matched a blocked pattern.",
            {"patterns": ["credit card number"]},
        )
    text = context.flagged_input
    flagged = text if len(text) <= 100 else f"{text[:48]}...{text[-49:]}"
    return _error(
        403,
        f"{context.model} requires moderation on {context.provider}. Your input was flagged "
        'for "harassment". No credits were charged.',
        {
            "reasons": ["harassment"],
            "flagged_input": flagged,
            "provider_name": context.provider,
            "model_slug": context.model,
        },
    )


def _not_found(alternate: bool, context: ErrorContext, _: float) -> Json:
    if not alternate:
        return _error(404, f"No endpoints found for {context.model}.")
    return {
        "error": {
            "message": f"No endpoints found that can serve {context.model}.",
            "error_type": "no_endpoints",
            "http_status": 404,
            "availability": {
                "code": "no_endpoints",
                "retryable": False,
                "requested_models": [context.model],
                "docs_url": _DOCS_URL,
            },
        }
    }


def _rate_limited(alternate: bool, context: ErrorContext, retry_after: float) -> Json:
    if not alternate:
        return _error(429, "Rate limit exceeded: free-models-per-min. ", user=True)
    return _error(
        429,
        "Provider returned error",
        {
            "raw": f"{context.model} is temporarily rate-limited upstream. Please retry shortly.",
            "provider_name": context.provider,
            "is_byok": False,
            "retry_after_seconds": retry_after,
            "headers": {"Retry-After": _seconds(retry_after)},
        },
        user=True,
    )


def _bad_gateway(alternate: bool, context: ErrorContext, _: float) -> Json:
    if alternate:
        metadata: Json = {"error_type": "provider_unavailable", "provider_code": "overloaded"}
    else:
        raw = {
            "error": {"code": 503, "message": "The model is overloaded.", "status": "UNAVAILABLE"}
        }
        metadata = {
            "raw": orjson.dumps(raw).decode(),
            "provider_name": context.provider,
            "is_byok": False,
        }
    return _error(502, "Provider returned error", metadata, user=True)


def _unavailable(alternate: bool, context: ErrorContext, retry_after: float) -> Json:
    if not alternate:
        return _error(503, "No allowed providers are available for the selected model.")
    return {
        "error": {
            "message": f"{context.model} is temporarily unavailable. Please retry.",
            "error_type": "temporarily_unavailable",
            "http_status": 503,
            "availability": {
                "code": "temporarily_unavailable",
                "retryable": True,
                "retry_after": retry_after,
                "requested_models": [context.model],
                "docs_url": _DOCS_URL,
            },
            "metadata": {
                "previous_errors": [{"provider": context.provider, "code": 503, "status": 503}]
            },
        }
    }


_MESSAGES = {
    408: ("Request timed out. Please try again.", "timeout"),
    413: ("Request body too large.", "payload_too_large"),
    422: ("The request could not be processed.", "unprocessable"),
    500: ("Internal Server Error", None),
    524: ("Provider timed out.", "timeout"),
    529: ("Provider is overloaded. Please retry.", "provider_overloaded"),
}


def _simple(status: int) -> Callable[[bool, ErrorContext, float], Json]:
    message, error_type = _MESSAGES[status]

    def build(alternate: bool, _: ErrorContext, __: float) -> Json:
        # Documented form: typed metadata; 500-class messages stay generic either way.
        metadata: Json | None = {"error_type": error_type} if alternate and error_type else None
        return _error(status, message, metadata)

    return build


_BUILDERS: dict[int, Callable[[bool, ErrorContext, float], Json]] = {
    400: _bad_request,
    401: _unauthorized,
    402: _payment,
    403: _forbidden,
    404: _not_found,
    429: _rate_limited,
    502: _bad_gateway,
    503: _unavailable,
    **{status: _simple(status) for status in _MESSAGES},
}


def _html_page(status: int) -> bytes:
    title = f"{status} {reason_phrase(status)}"
    return (
        f"<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n"
        f"<center><h1>{title}</h1></center>\r\n<hr><center>cloudflare</center>\r\n"
        "</body>\r\n</html>\r\n"
    ).encode()
