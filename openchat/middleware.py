"""The outer guard, one ASGI layer so streamed frames pass through one wrapper, not three:
security headers on every answer, a request body limit, and a last resort that turns an
unexpected exception into a plain 500 with nothing leaked."""

from __future__ import annotations

import logging

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger(__name__)

CONTENT_SECURITY_POLICY = (
    b"default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    b"img-src 'self' data: blob: https: http:; font-src 'self' data:; connect-src 'self'; "
    b"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
# The interactive API docs load their script from a CDN with an inline bootstrap.
NO_CSP_PATHS = ("/docs", "/redoc")
ALWAYS = [(b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"no-referrer")]


class BodyTooLarge(Exception):
    pass


async def _send_json(send: Send, status: int, detail: str) -> None:
    body = orjson.dumps({"detail": detail})
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                *ALWAYS,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class Guard:
    """Security headers, a body size limit (413), and a 500 that says nothing of its cause."""

    def __init__(self, app: ASGIApp, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        too_large = f"The request body is over {self.max_body_bytes} bytes."
        length = next((value for name, value in scope["headers"] if name == b"content-length"), b"")
        if length.isdigit() and int(length) > self.max_body_bytes:
            await _send_json(send, 413, too_large)
            return
        extra = (
            ALWAYS
            if scope["path"].startswith(NO_CSP_PATHS)
            else [
                *ALWAYS,
                (b"content-security-policy", CONTENT_SECURITY_POLICY),
            ]
        )
        started = False
        received = 0

        async def guarded_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_bytes:
                    raise BodyTooLarge
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        try:
            await self.app(scope, guarded_receive, guarded_send)
        except BodyTooLarge:
            if not started:
                await _send_json(send, 413, too_large)
        except Exception as error:
            # The type only: messages of database errors carry SQL text.
            log.error(
                "Unexpected %s on %s %s", type(error).__name__, scope["method"], scope["path"]
            )
            if not started:
                await _send_json(send, 500, "Internal server error.")
