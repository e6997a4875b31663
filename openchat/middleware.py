"""The outer guard, one ASGI layer (one send wrapper on every response, not three):
security headers on every answer, a request body limit, the refusal of other sites' requests
(see cross_site) and of NUL characters in the address, and a last resort that turns an
unexpected exception into a plain 500 with nothing leaked."""

from __future__ import annotations

import logging
from collections.abc import Iterable

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from openchat.cross_site import REFUSED, CrossSitePolicy

log = logging.getLogger(__name__)

CONTENT_SECURITY_POLICY = (
    b"default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    b"img-src 'self' data: blob: https: http:; font-src 'self' data:; connect-src 'self'; "
    b"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
# The interactive API docs load their script from a CDN with an inline bootstrap.
NO_CSP_PATHS = ("/docs", "/redoc")
ALWAYS = [(b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"no-referrer")]
# Where a long stream finds the send outside the middleware (see FrameSend).
FRAME_SEND = "openchat.frame_send"


async def _read_body(receive: Receive, limit: int) -> bytes | None:
    """The whole request body, or None once it passes `limit` bytes."""
    parts: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(parts)
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        parts.append(chunk)
        if not message.get("more_body", False):
            return b"".join(parts)


def _replay(body: bytes, receive: Receive) -> Receive:
    """A receive that hands over the buffered body once, then listens as before."""
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replayed


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


class FrameSend:
    """The outermost layer of the app's middleware: puts the send it is given in the scope
    (FRAME_SEND) for the frames of a stream after its start.

    Every wrapper of send inside it (the guard's, CORS's, Starlette's error handler's) acts on
    a response's start only, so the frames skip them all: a coroutine call fewer per wrapper,
    per frame. It sits inside FastAPI's telemetry, which, when on, watches a response's end.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        scope[FRAME_SEND] = send
        try:
            await self.app(scope, receive, send)
        finally:
            scope.pop(FRAME_SEND, None)  # the server's send in its own scope: a reference cycle


class Guard:
    """Security headers, a body size limit (413), other sites' requests refused (403), NUL
    characters refused in the address (400), and a 500 that says nothing of its cause."""

    def __init__(
        self,
        app: ASGIApp,
        max_body_bytes: int,
        allowed_origins: Iterable[str] = (),
        max_message_bytes: int | None = None,
    ) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        # A posted or edited message may carry images: its own, larger limit.
        self.max_message_bytes = max_message_bytes or max_body_bytes
        self.cross_site = CrossSitePolicy(allowed_origins)

    def _body_limit(self, scope: Scope) -> int:
        path: str = scope["path"]
        if scope["method"] == "POST" and path.endswith(("/messages", "/edit")):
            return self.max_message_bytes
        return self.max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self._body_limit(scope)
        too_large = f"The request body is over {limit} bytes."
        length = next((value for name, value in scope["headers"] if name == b"content-length"), b"")
        if length.isdigit() and int(length) > limit:
            await _send_json(send, 413, too_large)
            return
        if self.cross_site.refuses(scope):
            await _send_json(send, 403, REFUSED)
            return
        # No id or search holds one, PostgreSQL refuses it in text, and SQLite ends text there.
        if "\x00" in scope["path"] or b"%00" in scope["query_string"]:
            await _send_json(send, 400, "The address must not contain NUL characters.")
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
        if not length and scope["method"] in ("POST", "PUT", "PATCH"):
            # A body without Content-Length (chunked) is read here, up to the limit, so an
            # oversize one is a 413 and not whatever the body parser makes of it.
            body = await _read_body(receive, limit)
            if body is None:
                await _send_json(send, 413, too_large)
                return
            receive = _replay(body, receive)

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        try:
            await self.app(scope, receive, guarded_send)
        except Exception as error:
            # The type only: messages of database errors carry SQL text.
            log.error(
                "Unexpected %s on %s %s", type(error).__name__, scope["method"], scope["path"]
            )
            if not started:
                await _send_json(send, 500, "Internal server error.")
